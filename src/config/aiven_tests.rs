//! `[aiven]` and `[[aiven_peering]]`: what loads, and how every mistake is reported.

use insta::assert_snapshot;

use super::desired::AivenSpec;
use super::tests::{loaded, rejected};
use super::*;
use crate::model::{ConfiguredStatus, NetworkId, VpcRef};

const APP: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
const VPC: &str = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15";

fn id(uuid: &str) -> NetworkId {
    uuid.parse().unwrap()
}

#[test]
fn an_aiven_peering_loads_with_its_defaults() {
    let desired = loaded(&format!(
        r#"
[aiven]

[[aiven_peering]]
name = "app to aiven"
project = "my-project"
vpc = "{VPC}"
network = "{APP}"
"#
    ));
    assert_eq!(
        desired.aiven,
        Some(AivenSpec {
            token_env: "AIVEN_TOKEN".into(),
            api_url: None
        })
    );
    assert_eq!(
        desired.aiven_peerings,
        [DesiredAivenPeering {
            name: "app to aiven".into(),
            vpc: VpcRef {
                project: "my-project".into(),
                vpc: VPC.parse().unwrap(),
            },
            network: id(APP),
            aiven_network: None,
            account: None,
            configured_status: ConfiguredStatus::Active,
            labels: Default::default(),
        }]
    );
    assert!(desired.peerings.is_empty());
}

#[test]
fn an_aiven_peering_with_every_key_and_accounts() {
    let desired = loaded(&format!(
        r#"
default_account = "prod"

[aiven]
token_env = "AIVEN_TOKEN_DATA"
api_url = "sim:state.json"

[accounts.prod]
token_env = "UPCLOUD_TOKEN_PROD"

[accounts.data]
token_env = "UPCLOUD_TOKEN_DATA"

[accounts.data.networks]
hel1 = "{APP}"

[networks]
aiven-hel1 = "{AIVEN}"

[[aiven_peering]]
name = "data hel1 to aiven"
account = "data"
project = "my-project"
vpc = "{}"
network = "hel1"
aiven_network = "aiven-hel1"
configured_status = "disabled"
labels = {{ team = "data" }}
"#,
        VPC.to_uppercase()
    ));
    let aiven = desired.aiven.unwrap();
    assert_eq!(aiven.token_env, "AIVEN_TOKEN_DATA");
    assert_eq!(aiven.api_url.as_deref(), Some("sim:state.json"));
    let peering = &desired.aiven_peerings[0];
    assert_eq!(peering.account.as_deref(), Some("data"));
    assert_eq!(peering.network, id(APP));
    assert_eq!(peering.aiven_network, Some(id(AIVEN)));
    assert_eq!(peering.vpc.vpc.to_string(), VPC, "in lowercase");
    assert_eq!(peering.configured_status, ConfiguredStatus::Disabled);
    assert_eq!(peering.labels["team"], "data");
    assert_eq!(peering.connection().network, id(APP));
}

#[test]
fn an_aiven_table_alone_is_valid() {
    let desired = loaded("[aiven]\n");
    assert!(desired.aiven.is_some() && desired.aiven_peerings.is_empty());
}

#[test]
fn every_problem_of_an_aiven_peering_is_reported() {
    assert_snapshot!(rejected(&format!(
        r#"
[aiven]
token_env = "AIVEN TOKEN"
api_url = "ftp://api.aiven.io"
region = "fi"

[[aiven_peering]]
name = ""
projet = "my-project"
vpc = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a1"
network = "app-hel1"
peer_network = "{AIVEN}"

[[aiven_peering]]
name = "app to aiven"
project = "my project"
vpc = "my-vpc"
network = "{APP}"
aiven_network = "{APP}"
configured_status = "up"
labels = {{ aiven-project = "other", aiven-vpc = "x" }}
"#
    )));
}

#[test]
fn an_aiven_token_in_the_file_is_refused_and_not_shown() {
    let source = r#"
[aiven]
token = "aivenv1-SECRET-token"
api_url = "https://user:hunter2@api.aiven.io"
"#;
    let report = rejected(source);
    assert!(
        !report.contains("SECRET") && !report.contains("hunter2"),
        "{report}"
    );
    assert_snapshot!(report);
}

#[test]
fn an_aiven_peering_needs_the_aiven_table() {
    assert_snapshot!(rejected(&format!(
        r#"
[[aiven_peering]]
name = "app to aiven"
project = "my-project"
vpc = "{VPC}"
network = "{APP}"
"#
    )));
}

#[test]
fn names_pairs_and_connections_are_unique_across_peerings_and_aiven_peerings() {
    assert_snapshot!(rejected(&format!(
        r#"
[aiven]

[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"

[[aiven_peering]]
name = "app to aiven"
project = "my-project"
vpc = "{VPC}"
network = "{APP}"
aiven_network = "{AIVEN}"

[[aiven_peering]]
name = "app to aiven again"
project = "my-project"
vpc = "{VPC}"
network = "{APP}"
"#
    )));
}

#[test]
fn aiven_keys_at_the_top_level_and_the_account_of_an_aiven_peering() {
    assert_snapshot!(rejected(&format!(
        r#"
project = "my-project"
vpc = "{VPC}"

[aiven]

[accounts.prod]
token_env = "UPCLOUD_TOKEN_PROD"

[[aiven_peering]]
name = "app to aiven"
project = "my-project"
vpc = "{VPC}"
network = "{APP}"
"#
    )));
}
