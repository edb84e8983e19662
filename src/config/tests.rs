use std::collections::BTreeMap;

use insta::assert_snapshot;
use proptest::prelude::*;

use super::*;
use crate::model::{ConfiguredStatus, Labels, NetworkId, PeeringKey};

const APP: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
const EXAMPLE: &str = include_str!("../../peerings.toml.example");
const MULTI_ACCOUNT_EXAMPLE: &str = include_str!("../../examples/multi-account.toml");
const SHARED: &str = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e";
const BACKEND: &str = "88ac25ea-0b4f-424e-8668-82b747169590";

/// Two accounts, each with a network called `hel1`, and a global alias.
const ACCOUNTS: &str = r#"
[accounts.prod]
token_env = "UPCLOUD_TOKEN_PROD"

[accounts.shared]
username_env = "SHARED_USER"
password_env = "SHARED_PASSWORD"

[networks]
aiven = "03585987-bf7d-4544-8e9b-5a1b4d74a333"

[accounts.prod.networks]
hel1 = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
backend = "88ac25ea-0b4f-424e-8668-82b747169590"

[accounts.shared.networks]
hel1 = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e"
"#;

/// The rendered problems of a file that must be rejected.
pub(super) fn rejected(source: &str) -> String {
    match parse(source, "peerings.toml") {
        Err(LoadError::Invalid(problems)) => problems.render(false),
        other => panic!("expected problems, got {other:?}"),
    }
}

pub(super) fn loaded(source: &str) -> Desired {
    match parse(source, "peerings.toml") {
        Ok(desired) => desired,
        Err(error) => panic!("expected a valid file, got:\n{error}"),
    }
}

fn id(uuid: &str) -> NetworkId {
    uuid.parse().expect("test UUIDs are valid")
}

// ---- Successful loads ----

#[test]
fn the_example_file_loads() {
    let desired = loaded(EXAMPLE);
    assert_eq!(desired.aliases.len(), 5);
    let names: Vec<&str> = desired.peerings.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["app-hel1 to aiven-hel1", "backend-hel1 to shared-services"]
    );
    assert_eq!(desired.peerings[0].key.network, id(APP));
    assert_eq!(desired.peerings[0].key.peer_network, id(AIVEN));
    assert_eq!(desired.aliases["aiven-hel1"], id(AIVEN));
}

#[test]
fn an_empty_file_is_an_empty_desired_state() {
    assert_eq!(loaded(""), Desired::default());
    assert_eq!(
        loaded("# nothing yet\n\n   # still nothing\n"),
        Desired::default()
    );
}

#[test]
fn aliases_are_resolved_and_defaults_applied() {
    let desired = loaded(&format!(
        r#"
[networks]
app = "{APP}"

[[peering]]
name = "app to aiven"
network = "app"
peer_network = "{AIVEN}"
"#
    ));
    assert_eq!(
        desired.aliases,
        BTreeMap::from([("app".to_owned(), id(APP))])
    );
    assert_eq!(
        desired.peerings,
        [DesiredPeering {
            name: "app to aiven".to_owned(),
            key: PeeringKey {
                network: id(APP),
                peer_network: id(AIVEN),
            },
            configured_status: ConfiguredStatus::Active,
            labels: Labels::new(),
            account: None,
            link: None,
        }]
    );
}

#[test]
fn uppercase_uuids_are_canonicalised() {
    let desired = loaded(&format!(
        r#"
[networks]
app = "{}"

[[peering]]
name = "app to aiven"
network = "app"
peer_network = "{}"
configured_status = "disabled"
labels = {{ team = "data", env = "prod" }}
"#,
        APP.to_uppercase(),
        AIVEN.to_uppercase()
    ));
    let peering = &desired.peerings[0];
    assert_eq!(peering.key.network.to_string(), APP);
    assert_eq!(peering.key.peer_network.to_string(), AIVEN);
    assert_eq!(peering.configured_status, ConfiguredStatus::Disabled);
    assert_eq!(
        peering.labels,
        Labels::from([
            ("env".to_owned(), "prod".to_owned()),
            ("team".to_owned(), "data".to_owned())
        ])
    );
}

#[test]
fn other_toml_spellings_of_the_same_file_load() {
    // An inline array of inline tables, and labels as a sub-table: the same data as TOML.
    let desired = loaded(&format!(
        r#"
peering = [
  {{ name = "one", network = "{APP}", peer_network = "{AIVEN}" }},
]
"#
    ));
    assert_eq!(desired.peerings.len(), 1);

    let desired = loaded(&format!(
        r#"
[[peering]]
name = "one"
network = "{APP}"
peer_network = "{AIVEN}"

[peering.labels]
team = "data"
"#
    ));
    assert_eq!(desired.peerings[0].labels["team"], "data");
}

#[test]
fn limits_count_characters_not_bytes() {
    let name = "é".repeat(255);
    let value = "ü".repeat(255);
    let desired = loaded(&format!(
        r#"
[[peering]]
name = "{name}"
network = "{APP}"
peer_network = "{AIVEN}"
labels = {{ ab = "{value}", {key} = "x" }}
"#,
        key = "k".repeat(32)
    ));
    assert_eq!(desired.peerings[0].name, name);
}

#[test]
fn the_same_pair_in_both_directions_is_two_peerings() {
    let desired = loaded(&format!(
        r#"
[[peering]]
name = "there"
network = "{APP}"
peer_network = "{AIVEN}"

[[peering]]
name = "back"
network = "{AIVEN}"
peer_network = "{APP}"
"#
    ));
    assert_eq!(desired.peerings.len(), 2);
}

#[test]
fn load_reads_a_file_and_names_a_missing_one() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("peerings.toml");
    std::fs::write(&path, EXAMPLE).expect("writing to a temporary directory");
    assert_eq!(load(&path).expect("the example loads"), loaded(EXAMPLE));

    let missing = dir.path().join("nowhere.toml");
    let error = load(&missing).expect_err("a missing file is an error");
    assert!(matches!(error, LoadError::Read { .. }));
    assert!(
        error.to_string().contains("nowhere.toml"),
        "the message names the file: {error}"
    );
}

#[test]
fn problems_are_counted_and_located() {
    let Err(LoadError::Invalid(problems)) = parse("a = 1\n\nb = 2\n", "x.toml") else {
        panic!("unknown keys are problems");
    };
    let shown = problems.render(false);
    assert!(shown.contains("x.toml has 2 problems"), "{shown}");
    let at: Vec<&str> = shown
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("┌─ "))
        .collect();
    assert_eq!(at, ["x.toml:1:1", "x.toml:3:1"]);
    assert_eq!(problems.to_string(), problems.render(false));
    assert!(
        problems.render(true).contains("\u{1b}["),
        "colour uses ANSI codes"
    );
}

// ---- Accounts and links: successful loads ----

fn accounts_file(rest: &str) -> String {
    format!("{ACCOUNTS}\n{rest}")
}

fn peering_named<'d>(desired: &'d Desired, name: &str) -> &'d DesiredPeering {
    desired
        .peerings
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no peering named {name:?}"))
}

#[test]
fn a_file_without_accounts_has_no_accounts_and_no_links() {
    let desired = loaded(EXAMPLE);
    assert!(!desired.uses_accounts());
    assert_eq!(desired.default_account, None);
    assert!(desired.account_aliases.is_empty());
    assert!(
        desired
            .peerings
            .iter()
            .all(|p| p.account.is_none() && p.link.is_none())
    );
    assert_eq!(desired.peerings_of(None).count(), 2);
}

#[test]
fn the_multi_account_example_loads() {
    const PLATFORM: &str = "2c03fbbf-28db-43a2-923c-46166392fb53";
    let desired = loaded(MULTI_ACCOUNT_EXAMPLE);
    let sim = Some("sim:multi-account-state.json".to_owned());
    assert_eq!(
        desired.accounts,
        BTreeMap::from([
            (
                "demo".to_owned(),
                AccountSpec {
                    credentials: AccountCredentials::Token {
                        env: "UPCLOUD_TOKEN_DEMO".to_owned()
                    },
                    api_url: sim.clone(),
                }
            ),
            (
                "platform".to_owned(),
                AccountSpec {
                    credentials: AccountCredentials::Basic {
                        username_env: "UPCLOUD_USERNAME_PLATFORM".to_owned(),
                        password_env: "UPCLOUD_PASSWORD_PLATFORM".to_owned(),
                    },
                    api_url: sim,
                }
            ),
        ])
    );
    assert_eq!(desired.default_account.as_deref(), Some("demo"));
    let summary: Vec<(&str, Option<&str>, Option<&str>)> = desired
        .peerings
        .iter()
        .map(|p| (p.name.as_str(), p.account.as_deref(), p.link.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("demo hel1 to aiven-hel1", Some("demo"), None),
            (
                "demo <-> platform (demo side)",
                Some("demo"),
                Some("demo <-> platform")
            ),
            (
                "demo <-> platform (platform side)",
                Some("platform"),
                Some("demo <-> platform")
            ),
            ("platform hel1 to demo backend", Some("platform"), None),
        ]
    );
    // `hel1` is each account's own.
    let link_demo = &desired.peerings[1];
    assert_eq!(link_demo.key.network, id(APP));
    assert_eq!(link_demo.key.peer_network, id(PLATFORM));
    let link_platform = &desired.peerings[2];
    assert_eq!(link_platform.key.network, id(PLATFORM));
    assert_eq!(link_platform.key.peer_network, id(APP));
    assert_eq!(desired.peerings[3].key.peer_network, id(BACKEND));
    assert_eq!(desired.aliases.len(), 1);
    assert_eq!(desired.account_aliases["demo"].len(), 2);
    assert_eq!(desired.account_aliases["platform"]["hel1"], id(PLATFORM));
    assert_eq!(
        desired
            .peerings_of(Some("platform"))
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        [
            "demo <-> platform (platform side)",
            "platform hel1 to demo backend"
        ]
    );
}

#[test]
fn a_link_expands_to_two_halves_with_its_status_and_labels() {
    let desired = loaded(&accounts_file(
        r#"
[[link]]
name = "prod <-> shared"
a = { account = "prod", network = "hel1" }
b = { account = "shared", network = "hel1" }
configured_status = "disabled"
labels = { team = "platform" }
"#,
    ));
    let half = |account: &str, name: &str, network: &str, peer: &str| DesiredPeering {
        name: name.to_owned(),
        key: PeeringKey {
            network: id(network),
            peer_network: id(peer),
        },
        configured_status: ConfiguredStatus::Disabled,
        labels: Labels::from([("team".to_owned(), "platform".to_owned())]),
        account: Some(account.to_owned()),
        link: Some("prod <-> shared".to_owned()),
    };
    assert_eq!(
        desired.peerings,
        [
            half("prod", "prod <-> shared (prod side)", APP, SHARED),
            half("shared", "prod <-> shared (shared side)", SHARED, APP),
        ]
    );
}

#[test]
fn a_link_within_one_account_names_its_halves_after_the_networks() {
    let desired = loaded(&accounts_file(
        r#"
[[link]]
name = "app <-> backend"
a = { account = "prod", network = "hel1" }
b = { account = "prod", network = "backend" }
"#,
    ));
    let names: Vec<&str> = desired.peerings.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "app <-> backend (hel1 side)",
            "app <-> backend (backend side)"
        ]
    );
    assert!(
        desired
            .peerings
            .iter()
            .all(|p| p.account.as_deref() == Some("prod"))
    );
    assert_eq!(
        desired.peerings[0].configured_status,
        ConfiguredStatus::Active
    );
}

#[test]
fn peerings_and_links_keep_file_order() {
    let desired = loaded(&accounts_file(&format!(
        r#"
[[link]]
name = "first"
a = {{ account = "prod", network = "hel1" }}
b = {{ account = "shared", network = "hel1" }}

[[peering]]
account = "prod"
name = "second"
network = "hel1"
peer_network = "aiven"

[[link]]
name = "third"
a = {{ account = "shared", network = "hel1" }}
b = {{ account = "prod", network = "{AIVEN}" }}
"#
    )));
    let names: Vec<&str> = desired.peerings.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "first (prod side)",
            "first (shared side)",
            "second",
            "third (shared side)",
            "third (prod side)"
        ]
    );
}

#[test]
fn default_account_applies_to_peerings_that_name_none() {
    let desired = loaded(&format!(
        "default_account = \"shared\"\n{}",
        accounts_file(
            r#"
[[peering]]
name = "implicit"
network = "hel1"
peer_network = "aiven"

[[peering]]
account = "prod"
name = "explicit"
network = "hel1"
peer_network = "aiven"
"#
        )
    ));
    assert_eq!(desired.default_account.as_deref(), Some("shared"));
    let implicit = peering_named(&desired, "implicit");
    assert_eq!(implicit.account.as_deref(), Some("shared"));
    assert_eq!(implicit.key.network, id(SHARED), "shared's own `hel1`");
    let explicit = peering_named(&desired, "explicit");
    assert_eq!(explicit.account.as_deref(), Some("prod"));
    assert_eq!(explicit.key.network, id(APP), "prod's own `hel1`");
}

#[test]
fn bare_aliases_resolve_own_account_then_global_then_the_one_account_defining_them() {
    let desired = loaded(&accounts_file(
        r#"
[[peering]]
account = "shared"
name = "own"
network = "hel1"
peer_network = "aiven"

[[peering]]
account = "shared"
name = "another account's, unique"
network = "hel1"
peer_network = "backend"

[[peering]]
account = "shared"
name = "qualified"
network = "shared:hel1"
peer_network = "prod:hel1"
"#,
    ));
    let own = peering_named(&desired, "own");
    assert_eq!(own.key.network, id(SHARED));
    assert_eq!(own.key.peer_network, id(AIVEN));
    let unique = peering_named(&desired, "another account's, unique");
    assert_eq!(unique.key.peer_network, id(BACKEND));
    let qualified = peering_named(&desired, "qualified");
    assert_eq!(qualified.key.network, id(SHARED));
    assert_eq!(qualified.key.peer_network, id(APP));
}

#[test]
fn an_account_alias_shadows_a_global_one_for_its_own_peerings() {
    let desired = loaded(&format!(
        r#"
[accounts.prod]
token_env = "T"

[accounts.shared]
token_env = "S"

[networks]
edge = "{AIVEN}"

[accounts.prod.networks]
edge = "{APP}"

[[peering]]
account = "prod"
name = "prod's edge"
network = "edge"
peer_network = "{SHARED}"

[[peering]]
account = "shared"
name = "the global edge"
network = "edge"
peer_network = "{SHARED}"
"#
    ));
    assert_eq!(peering_named(&desired, "prod's edge").key.network, id(APP));
    assert_eq!(
        peering_named(&desired, "the global edge").key.network,
        id(AIVEN)
    );
}

#[test]
fn an_alias_several_accounts_give_the_same_network_is_not_ambiguous() {
    let desired = loaded(&format!(
        r#"
[accounts.prod]
token_env = "T"
networks = {{ aiven = "{AIVEN}" }}

[accounts.shared]
token_env = "S"
networks = {{ aiven = "{AIVEN}" }}

[accounts.other]
token_env = "O"

[[peering]]
account = "other"
name = "to aiven"
network = "{APP}"
peer_network = "aiven"
"#
    ));
    assert_eq!(desired.peerings[0].key.peer_network, id(AIVEN));
}

#[test]
fn the_same_pair_may_be_peered_once_in_each_account() {
    let desired = loaded(&format!(
        r#"
[accounts.prod]
token_env = "T"

[accounts.shared]
token_env = "S"

[[peering]]
account = "prod"
name = "one"
network = "{APP}"
peer_network = "{AIVEN}"

[[peering]]
account = "shared"
name = "two"
network = "{APP}"
peer_network = "{AIVEN}"
"#
    ));
    assert_eq!(desired.peerings.len(), 2);
}

#[test]
fn api_urls_may_be_https_or_sim() {
    let desired = loaded(
        r#"
[accounts.prod]
token_env = "T"
api_url = "https://api.upcloud.com"

[accounts.local]
token_env = "L"
api_url = "http://127.0.0.1:8080/"

[accounts.sim]
token_env = "S"
"#,
    );
    assert_eq!(
        desired.accounts["prod"].api_url.as_deref(),
        Some("https://api.upcloud.com")
    );
    assert_eq!(
        desired.accounts["local"].api_url.as_deref(),
        Some("http://127.0.0.1:8080/")
    );
    assert_eq!(desired.accounts["sim"].api_url, None);
    assert!(desired.peerings.is_empty());
}

#[test]
fn secrets_are_not_shown_in_messages() {
    let text = rejected(
        r#"
[accounts.prod]
token = "ucat_SECRET_VALUE_123"
password_env = "hunter2!"
"#,
    );
    assert!(!text.contains("SECRET_VALUE"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

// ---- Rejections: one small file each ----

#[test]
fn syntax_errors_are_reported_alone() {
    // The unknown key would be a problem too, but after a syntax error only those are shown.
    assert_snapshot!(rejected(
        r#"
colour = "blue"

[[peering]]
name = "app to aiven
network = app
"#
    ));
}

#[test]
fn duplicate_toml_key() {
    assert_snapshot!(rejected(
        r#"
[[peering]]
name = "app to aiven"
name = "app to aiven, again"
"#
    ));
}

#[test]
fn unknown_top_level_key() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peerings]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
"#
    )));
}

#[test]
fn unknown_key_in_peering() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
peer_netwrok = "{AIVEN}"
colour = "blue"
"#
    )));
}

#[test]
fn name_is_not_a_string() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = 5
network = "{APP}"
peer_network = "{AIVEN}"
"#
    )));
}

#[test]
fn labels_are_not_a_table() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
labels = "x"
"#
    )));
}

#[test]
fn peering_is_not_an_array_of_tables() {
    assert_snapshot!(rejected(&format!(
        r#"
[peering]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
"#
    )));
}

#[test]
fn peering_elements_are_not_tables() {
    assert_snapshot!(rejected("peering = [\"app to aiven\"]\n"));
}

#[test]
fn networks_is_not_a_table() {
    assert_snapshot!(rejected(&format!("networks = \"{APP}\"\n")));
}

#[test]
fn alias_value_is_not_a_string() {
    assert_snapshot!(rejected("[networks]\napp = 42\n"));
}

#[test]
fn missing_required_keys() {
    assert_snapshot!(rejected(
        r#"
[[peering]]
configured_status = "active"
"#
    ));
}

#[test]
fn malformed_uuid_as_alias_value() {
    assert_snapshot!(rejected(
        r#"
[networks]
app = "03126dc1-a69f-4bc2-8b24-e31c22d6471"
aiven = "03585987bf7d45448e9b5a1b4d74a333"
other = "somewhere"
"#
    ));
}

#[test]
fn a_token_where_its_variable_belongs() {
    let shown = rejected(
        r#"
[accounts.prod]
token_env = "ucat_01J9ZX8Q7R6S5T4U3V2W1XSECRET"

[accounts.shared]
username_env = "SHARED_USER"
password_env = "UCAT_ANOTHERSECRET"
"#,
    );
    assert!(
        !shown.contains("SECRET"),
        "the token is not echoed:\n{shown}"
    );
    assert_snapshot!(shown);
}

#[test]
fn alias_key_that_is_a_uuid() {
    assert_snapshot!(rejected(
        r#"
[networks]
"03126dc1-a69f-4bc2-8b24-e31c22d64712" = "03585987-bf7d-4544-8e9b-5a1b4d74a333"

[accounts.prod]
token_env = "T"

[accounts.prod.networks]
"88AC25EA-0B4F-424E-8668-82B747169590" = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
"#
    ));
}

#[test]
fn peering_keys_without_a_peering_header() {
    assert_snapshot!(rejected(&format!(
        r#"
name = "app to aiven"

[networks]
app = "{APP}"
network = "app"
"#
    )));
}

#[test]
fn alias_naming_another_alias() {
    assert_snapshot!(rejected(&format!(
        r#"
[networks]
app = "{APP}"
frontend = "app"
"#
    )));
}

#[test]
fn malformed_uuid_as_network() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "03126dc1-a69f-4bc2-8b24-e31c22d6471g"
peer_network = "{{{AIVEN}}}"
"#
    )));
}

#[test]
fn unknown_network_alias() {
    assert_snapshot!(rejected(&format!(
        r#"
[networks]
app-hel1 = "{APP}"

[[peering]]
name = "app to aiven"
network = "app-hel"
peer_network = "aiven"
"#
    )));
}

#[test]
fn empty_network() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = ""
peer_network = "{AIVEN}"
"#
    )));
}

#[test]
fn empty_name() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = ""
network = "{APP}"
peer_network = "{AIVEN}"
"#
    )));
}

#[test]
fn name_too_long() {
    // 256 characters but 512 bytes: the limit counts characters.
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "{}"
network = "{APP}"
peer_network = "{AIVEN}"
"#,
        "é".repeat(256)
    )));
}

#[test]
fn unknown_configured_status() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
configured_status = "enabled"
"#
    )));
}

#[test]
fn network_peered_with_itself() {
    assert_snapshot!(rejected(&format!(
        r#"
[networks]
app = "{APP}"

[[peering]]
name = "app to app"
network = "app"
peer_network = "{}"
"#,
        APP.to_uppercase()
    )));
}

#[test]
fn two_peerings_of_the_same_networks() {
    assert_snapshot!(rejected(&format!(
        r#"
[networks]
app = "{APP}"

[[peering]]
name = "app to aiven"
network = "app"
peer_network = "{AIVEN}"

[[peering]]
name = "app to aiven, again"
network = "{APP}"
peer_network = "{AIVEN}"
"#
    )));
}

#[test]
fn two_peerings_with_the_same_name() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"

[[peering]]
name = "app to aiven"
network = "{AIVEN}"
peer_network = "{APP}"
"#
    )));
}

#[test]
fn invalid_label_keys() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
labels = {{ a = "x", "cost centre" = "y", {} = "z" }}
"#,
        "k".repeat(33)
    )));
}

#[test]
fn label_value_too_long() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
labels = {{ team = "{}" }}
"#,
        "d".repeat(256)
    )));
}

#[test]
fn label_value_is_not_a_string() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
labels = {{ team = 7, env = {{ stage = "prod" }} }}
"#
    )));
}

#[test]
fn managed_by_label_is_reserved() {
    assert_snapshot!(rejected(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"
labels = {{ managed-by = "me" }}
"#
    )));
}

/// In a link's labels too, which both halves carry.
#[test]
fn owner_label_is_reserved() {
    assert_snapshot!(rejected(&format!(
        r#"{ACCOUNTS}
[[link]]
name = "prod <-> shared"
a = {{ account = "prod", network = "hel1" }}
b = {{ account = "shared", network = "hel1" }}
labels = {{ peerings-owner = "team-b" }}
"#
    )));
}

#[test]
fn owners_of_1_to_64_of_the_allowed_characters_load() {
    for owner in ["a", "team-data.prod_1", &"x".repeat(64)] {
        let desired = loaded(&format!("owner = \"{owner}\"\n"));
        assert_eq!(desired.owner.as_deref(), Some(owner));
    }
    assert_eq!(loaded("").owner, None);
}

#[test]
fn invalid_owners() {
    let too_long = "x".repeat(65);
    let cases = [
        "owner = \"\"".to_owned(),
        "owner = \"Team-A\"".to_owned(),
        "owner = \"team a\"".to_owned(),
        "owner = \"team/a\"".to_owned(),
        format!("owner = \"{too_long}\""),
        "owner = 7".to_owned(),
    ];
    let rendered: Vec<String> = cases.iter().map(|case| rejected(case)).collect();
    assert_snapshot!(rendered.join("\n"));
}

#[test]
fn all_problems_of_a_file_are_reported_in_file_order() {
    assert_snapshot!(rejected(&format!(
        r#"
[networks]
app = "{APP}"
aiven = "not-a-uuid"

[[peering]]
name = "app to aiven"
network = "ap"
peer_netwrok = "aiven"

[[peering]]
name = "app to aiven"
network = "app"
peer_network = "{AIVEN}"
configured_status = "paused"
labels = {{ managed-by = "me" }}

[extra]
"#
    )));
}

// ---- Rejections of accounts and links ----

#[test]
fn secrets_in_an_account_table() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token = "ucat_01SECRET"

[accounts.shared-services]
username = "alice"
password = "correct horse battery staple"
"#
    ));
}

#[test]
fn account_without_credentials() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
api_url = "https://api.upcloud.com"
"#
    ));
}

#[test]
fn account_with_a_token_and_a_password() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token_env = "UPCLOUD_TOKEN_PROD"
username_env = "UPCLOUD_USERNAME_PROD"
password_env = "UPCLOUD_PASSWORD_PROD"
"#
    ));
}

#[test]
fn account_with_a_username_but_no_password() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
username_env = "UPCLOUD_USERNAME_PROD"

[accounts.shared]
password_env = "UPCLOUD_PASSWORD_SHARED"
"#
    ));
}

#[test]
fn invalid_environment_variable_names() {
    // The token and password variables may hold the secret itself: not shown.
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token_env = "ucat-0123456789abcdef"

[accounts.shared]
username_env = "SHARED-USER"
password_env = "9LIVES"

[accounts.empty]
token_env = ""

[accounts.number]
token_env = 42
"#
    ));
}

#[test]
fn invalid_account_names() {
    assert_snapshot!(rejected(&format!(
        r#"
[accounts."prod env"]
token_env = "T"

[accounts."{}"]
token_env = "T"

[accounts.""]
token_env = "T"
"#,
        "a".repeat(65)
    )));
}

#[test]
fn unknown_key_in_an_account() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token_evn = "UPCLOUD_TOKEN_PROD"
region = "fi-hel1"
"#
    ));
}

#[test]
fn accounts_of_the_wrong_type() {
    assert_snapshot!(rejected(
        r#"
accounts = "prod"
"#
    ));
    assert_snapshot!(rejected(
        r#"
[accounts]
prod = "UPCLOUD_TOKEN_PROD"
"#
    ));
}

#[test]
fn invalid_api_urls() {
    assert_snapshot!(rejected(
        r#"
[accounts.a]
token_env = "A"
api_url = "ftp://api.upcloud.com"

[accounts.b]
token_env = "B"
api_url = "sim:"

[accounts.c]
token_env = "C"
api_url = "https://me:s3cret@api.upcloud.com"

[accounts.d]
token_env = "D"
api_url = "api.upcloud.com"

[accounts.e]
token_env = "E"
api_url = true
"#
    ));
}

#[test]
fn peering_without_an_account_when_accounts_are_declared() {
    assert_snapshot!(rejected(&accounts_file(&format!(
        r#"
[[peering]]
name = "app to aiven"
network = "{APP}"
peer_network = "aiven"
"#
    ))));
}

#[test]
fn accounts_named_in_a_file_without_accounts() {
    assert_snapshot!(rejected(&format!(
        r#"
default_account = "prod"

[[peering]]
account = "prod"
name = "app to aiven"
network = "{APP}"
peer_network = "{AIVEN}"

[[link]]
name = "prod <-> shared"
a = {{ account = "prod", network = "{APP}" }}
b = {{ account = "shared", network = "{AIVEN}" }}
"#
    )));
}

#[test]
fn unknown_accounts() {
    assert_snapshot!(rejected(&format!(
        "default_account = \"prd\"\n{}",
        accounts_file(
            r#"
[[peering]]
account = "sahred"
name = "app to aiven"
network = "hel1"
peer_network = "aiven"

[[link]]
name = "prod <-> staging"
a = { account = "prod", network = "hel1" }
b = { account = "staging", network = "hel1" }
"#
        )
    )));
}

#[test]
fn ambiguous_network_alias() {
    assert_snapshot!(rejected(&format!(
        r#"
[accounts.prod]
token_env = "T"
networks = {{ hel1 = "{APP}" }}

[accounts.shared]
token_env = "S"
networks = {{ hel1 = "{SHARED}" }}

[accounts.aiven]
token_env = "A"

[[peering]]
account = "aiven"
name = "aiven to hel1"
network = "{AIVEN}"
peer_network = "hel1"
"#
    )));
}

#[test]
fn unknown_qualified_network_aliases() {
    assert_snapshot!(rejected(&accounts_file(
        r#"
[[peering]]
account = "prod"
name = "one"
network = "prod:hel"
peer_network = "shared:nowhere"

[[peering]]
account = "prod"
name = "two"
network = "prd:hel1"
peer_network = "staging:hel1"
"#
    )));
}

#[test]
fn unknown_network_alias_with_accounts() {
    assert_snapshot!(rejected(&accounts_file(
        r#"
[[peering]]
account = "shared"
name = "one"
network = "hel"
peer_network = "backnd"

[[peering]]
account = "shared"
name = "two"
network = "hel1"
peer_network = "somewhere-else"
"#
    )));
}

#[test]
fn aliases_that_clash_with_accounts() {
    assert_snapshot!(rejected(&format!(
        r#"
[accounts.prod]
token_env = "T"
networks = {{ "a:b" = "{APP}" }}

[networks]
"prod:hel1" = "{APP}"
"other:hel1" = "{AIVEN}"

[networks.prod]
hel1 = "{APP}"
"#
    )));
}

#[test]
fn link_without_its_keys() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token_env = "T"

[[link]]
configured_status = "active"

[[link]]
name = "half a link"
a = { network = "03126dc1-a69f-4bc2-8b24-e31c22d64712" }
b = {}
"#
    ));
}

#[test]
fn links_of_the_wrong_shape() {
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token_env = "T"

[link]
name = "not an array"
"#
    ));
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
token_env = "T"

[[link]]
name = "sides are tables"
a = "prod"
b = ["prod", "hel1"]
"#
    ));
}

#[test]
fn unknown_keys_in_a_link() {
    assert_snapshot!(rejected(&accounts_file(
        r#"
[[link]]
name = "prod <-> shared"
network = "hel1"
a = { account = "prod", network = "hel1", zone = "fi-hel1" }
b = { account = "shared", netwrok = "hel1" }
"#
    )));
}

#[test]
fn link_of_a_network_to_itself() {
    assert_snapshot!(rejected(&accounts_file(&format!(
        r#"
[[link]]
name = "loop"
a = {{ account = "prod", network = "hel1" }}
b = {{ account = "shared", network = "{}" }}
"#,
        APP.to_uppercase()
    ))));
}

#[test]
fn link_name_too_long_for_its_halves() {
    assert_snapshot!(rejected(&accounts_file(&format!(
        r#"
[[link]]
name = "{}"
a = {{ account = "prod", network = "hel1" }}
b = {{ account = "shared", network = "hel1" }}
"#,
        "l".repeat(250)
    ))));
}

#[test]
fn link_labels_follow_the_peering_rules() {
    assert_snapshot!(rejected(&accounts_file(
        r#"
[[link]]
name = "prod <-> shared"
a = { account = "prod", network = "hel1" }
b = { account = "shared", network = "hel1" }
configured_status = "up"
labels = { managed-by = "me", x = "y" }
"#
    )));
}

#[test]
fn link_halves_clash_with_peerings() {
    assert_snapshot!(rejected(&accounts_file(
        r#"
[[peering]]
account = "prod"
name = "prod <-> shared (prod side)"
network = "hel1"
peer_network = "shared:hel1"

[[link]]
name = "prod <-> shared"
a = { account = "prod", network = "hel1" }
b = { account = "shared", network = "hel1" }
"#
    )));
}

#[test]
fn two_peerings_of_the_same_networks_in_one_account() {
    assert_snapshot!(rejected(&accounts_file(&format!(
        r#"
[[peering]]
account = "shared"
name = "one"
network = "hel1"
peer_network = "aiven"

[[peering]]
account = "shared"
name = "two"
network = "{SHARED}"
peer_network = "{AIVEN}"
"#
    ))));
}

#[test]
fn account_keys_at_the_top_level() {
    assert_snapshot!(rejected(
        r#"
account = "prod"
default_acount = "prod"

[acounts.prod]
token_env = "T"
"#
    ));
}

// ---- Robustness ----

/// Applies byte edits to `text`: each is a position (scaled to the text's length) and either a
/// byte to insert there or, for `None`, a deletion.
fn mutate(text: &str, edits: &[(usize, Option<u8>)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for (at, edit) in edits {
        let at = at % (bytes.len() + 1);
        match edit {
            Some(byte) => bytes.insert(at, *byte),
            None if at < bytes.len() => {
                bytes.remove(at);
            }
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Parses and, if there are problems, renders them: neither may panic.
fn parse_and_render(source: &str) {
    if let Err(LoadError::Invalid(problems)) = parse(source, "fuzz.toml") {
        let shown = problems.render(false);
        assert!(
            shown.contains("fuzz.toml has "),
            "a file with problems has at least one"
        );
        assert!(!shown.contains("fuzz.toml has 0 problems"), "{shown}");
        let _ = problems.render(true);
    }
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(source in any::<String>()) {
        parse_and_render(&source);
    }

    #[test]
    fn never_panics_on_toml_like_text(source in "[\\[\\]a-z_\"=.{},\n #0-9é-]{0,200}") {
        parse_and_render(&source);
    }

    #[test]
    fn never_panics_on_mutations_of_a_valid_file(
        edits in prop::collection::vec(
            (any::<usize>(), prop::option::of(prop::sample::select(
                b"[]{}=\"',.#\n -_a0\xc3\xa9".to_vec()
            ))),
            1..8,
        )
    ) {
        parse_and_render(&mutate(EXAMPLE, &edits));
    }

    #[test]
    fn never_panics_on_mutations_of_a_valid_multi_account_file(
        edits in prop::collection::vec(
            (any::<usize>(), prop::option::of(prop::sample::select(
                b"[]{}=\"',.#:\n -_a0\xc3\xa9".to_vec()
            ))),
            1..8,
        )
    ) {
        parse_and_render(&mutate(MULTI_ACCOUNT_EXAMPLE, &edits));
    }
}

// Cases found by mutation testing (docs/testing.md): each fails on a mutant of the validation
// that the tests above let live.

#[test]
fn every_length_limit_admits_the_limit_itself() {
    // At its limit each is valid; one character more is a problem naming the limit.
    let file = |extra: usize| {
        let account = "a".repeat(64 + extra);
        let owner = "o".repeat(64 + extra);
        let name = "n".repeat(255 + extra);
        let value = "v".repeat(255 + extra);
        // A link's halves are named `<link> (<account> side)`: 9 characters more, here.
        let link = "l".repeat(255 - 9 + extra);
        format!(
            r#"owner = "{owner}"

[accounts.{account}]
token_env = "A"

[accounts.b]
token_env = "B"

[accounts.c]
token_env = "C"

[[peering]]
account = "{account}"
name = "{name}"
network = "{APP}"
peer_network = "{AIVEN}"
labels = {{ team = "{value}" }}

[[link]]
name = "{link}"
a = {{ account = "b", network = "{APP}" }}
b = {{ account = "c", network = "{AIVEN}" }}
"#
        )
    };
    let at_the_limits = parse(&file(0), "peerings.toml").expect("every length at its limit");
    assert_eq!(at_the_limits.peerings.len(), 3);
    let over = rejected(&file(1));
    for problem in [
        "error: invalid owner",
        "error: invalid account name",
        "error: peering name is too long",
        "error: link name is too long for the names of its halves",
        "error: the value of label `team` is too long",
        "error: peerings.toml has 5 problems",
    ] {
        assert!(over.contains(problem), "{problem}: {over}");
    }
}

#[test]
fn half_of_basic_credentials_beside_a_misspelt_other_half_is_one_problem() {
    // The misspelling is the problem, with its did-you-mean; "no password_env" would be a second,
    // misleading one.
    assert_snapshot!(rejected(
        r#"
[accounts.prod]
username_env = "UPCLOUD_USERNAME_PROD"
pasword_env = "UPCLOUD_PASSWORD_PROD"
"#
    ));
}

#[test]
fn api_urls_with_a_user_a_password_a_query_or_a_fragment() {
    assert_snapshot!(rejected(
        r#"
[accounts.a]
token_env = "A"
api_url = "https://me@api.upcloud.com"

[accounts.b]
token_env = "B"
api_url = "https://:s3cret@api.upcloud.com"

[accounts.c]
token_env = "C"
api_url = "https://api.upcloud.com/?region=fi"

[accounts.d]
token_env = "D"
api_url = "https://api.upcloud.com/#top"
"#
    ));
}

#[test]
fn an_undeclared_account_is_suggested_under_its_own_name_when_that_is_a_valid_one() {
    let peering = |account: &str, name: &str| {
        format!(
            "[[peering]]\naccount = \"{account}\"\nname = \"{name}\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\n"
        )
    };
    let too_long = "p".repeat(65);
    assert_snapshot!(rejected(&format!(
        "{}{}{}{}",
        peering("prod_eu", "a"),
        peering("prod-eu", "b"),
        peering("prod eu", "c"),
        peering(&too_long, "d"),
    )));
}

#[test]
fn a_pair_twice_names_a_links_far_network_as_the_link_writes_it() {
    // `aiven` is a global alias: written from `prod`, it is `aiven`, not `shared:aiven`.
    assert_snapshot!(rejected(&accounts_file(
        r#"
[[peering]]
account = "prod"
name = "first"
network = "hel1"
peer_network = "aiven"

[[link]]
name = "prod <-> shared"
a = { account = "prod", network = "hel1" }
b = { account = "shared", network = "aiven" }
"#
    )));
}

#[test]
fn a_table_among_the_aliases_is_an_accounts_aliases_only_when_an_account_has_that_name() {
    assert_snapshot!(rejected(&accounts_file(
        r#"
[networks.shared]
hel1 = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e"

[networks.staging]
hel1 = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e"
"#
    )));
}

#[test]
fn only_text_of_about_a_uuids_length_and_digits_is_taken_for_a_malformed_uuid() {
    // 34 characters, but mostly not hexadecimal; 42 hexadecimal digits, too long for a UUID.
    assert_snapshot!(rejected(
        r#"
[[peering]]
name = "a"
network = "an-alias-that-is-thirty-chars-long"
peer_network = "0123456789abcdef0123456789abcdef0123456789"
"#
    ));
}
