//! The file's JSON Schema, for editors (taplo and the editors built on it complete and check the
//! file as it is typed). The types below mirror the format for schemars and nothing else: the
//! loader validates toml's spanned tables by hand, to report every problem at once. The tests
//! at the end tie the two together, so that neither can change without the other.
//!
//! The schema is kept in the repository as `schema/peerings.schema.json`; `peerings schema`
//! prints it.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;

/// The hyphenated UUID form, the only one the loader accepts.
const UUID_PATTERN: &str =
    "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";
const LABEL_KEY_PATTERN: &str = "^[A-Za-z0-9_-]{2,32}$";
const ACCOUNT_NAME_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";
const OWNER_PATTERN: &str = "^[a-z0-9._-]{1,64}$";

/// The desired network peerings of one UpCloud account, for `peerings` (plan and apply).
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(title = "peerings.toml", deny_unknown_fields)]
pub struct PeeringsFile {
    /// true: owned peerings (those labelled as this file's: managed-by = "peerings", and
    /// peerings-owner = the owner when the file has one) that the file no longer lists are
    /// deleted, disabled first. false (the default): they are kept.
    #[serde(default)]
    pub prune: bool,
    /// The name under which this file owns peerings. Set it when several files or pipelines
    /// manage one account: each with its own owner, none updates or deletes the others'
    /// peerings. Everything apply creates or adopts then also carries the label
    /// peerings-owner = this name. Without it, the file owns the peerings labelled
    /// managed-by = "peerings" that carry no owner.
    #[serde(default)]
    #[schemars(schema_with = "owner")]
    pub owner: Option<String>,
    /// Names for network UUIDs, usable wherever a network is expected.
    #[serde(default)]
    #[schemars(schema_with = "aliases")]
    pub networks: BTreeMap<String, String>,
    /// The accounts the file manages, by name. Without them, the file is about the account whose
    /// credentials are in the environment.
    #[serde(default)]
    #[schemars(schema_with = "accounts")]
    pub accounts: BTreeMap<String, AccountTable>,
    /// The account of a `[[peering]]` that names none; only with [accounts].
    #[schemars(transform = present_string)]
    pub default_account: Option<String>,
    /// One table per peering: `[[peering]]`.
    #[serde(default)]
    pub peering: Vec<PeeringTable>,
    /// Both halves of a peering between two networks, each in its own account: `[[link]]`.
    #[serde(default)]
    pub link: Vec<LinkTable>,
    /// How to reach Aiven's API; needed when the file has [[aiven_peering]], and then also what
    /// lets prune delete the Aiven connections of owned peerings the file no longer lists.
    pub aiven: Option<AivenTable>,
    /// Both halves of a peering of an Aiven project VPC with one of the accounts' networks:
    /// `[[aiven_peering]]`.
    #[serde(default)]
    pub aiven_peering: Vec<AivenPeeringTable>,
}

/// Aiven's API: the names of an environment variable and a URL, never the token.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AivenTable {
    /// The environment variable holding Aiven's API token (default AIVEN_TOKEN); sent as
    /// `Authorization: aivenv1 <token>`.
    #[schemars(transform = present_string)]
    pub token_env: Option<String>,
    /// Aiven's API root (default AIVEN_API_URL, else https://api.aiven.io), or sim:STATE.json
    /// for the embedded simulator.
    #[schemars(transform = present_string)]
    pub api_url: Option<String>,
}

/// A peering of an Aiven project VPC with a network: the Aiven half (a peering connection of the
/// VPC) and the UpCloud half (from the network to the VPC's network), both converged by apply.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AivenPeeringTable {
    /// The UpCloud half's name: unique within the file; 1 to 255 characters.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// The Aiven project the VPC belongs to.
    #[schemars(length(min = 1))]
    pub project: String,
    /// The project VPC's ID.
    #[schemars(regex(pattern = UUID_PATTERN))]
    pub vpc: String,
    /// The network of yours peered with the VPC: an alias or a UUID (Aiven's peer_vpc).
    #[schemars(schema_with = "network")]
    pub network: String,
    /// The "Aiven network ID", the network of the VPC; discovered from the Aiven half when
    /// left out.
    #[serde(default)]
    #[schemars(schema_with = "network")]
    pub aiven_network: Option<String>,
    /// The account of the UpCloud half, as for [[peering]].
    #[schemars(transform = present_string)]
    pub account: Option<String>,
    /// Whether the UpCloud half should be up.
    #[serde(default)]
    pub configured_status: StatusValue,
    /// Labels the UpCloud half carries, besides those peerings sets (managed-by, peerings-owner
    /// when the file has an owner, aiven-project, aiven-vpc).
    #[serde(default)]
    #[schemars(schema_with = "labels")]
    pub labels: BTreeMap<String, String>,
}

/// How to reach one account: the names of environment variables, never the secrets.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(
    deny_unknown_fields,
    extend("oneOf" = [
        { "required": ["token_env"] },
        { "required": ["username_env", "password_env"] }
    ])
)]
pub struct AccountTable {
    /// The environment variable holding the account's API token.
    #[schemars(transform = present_string)]
    pub token_env: Option<String>,
    /// The environment variable holding an API user's name (with password_env).
    #[schemars(transform = present_string)]
    pub username_env: Option<String>,
    /// The environment variable holding that user's password (with username_env).
    #[schemars(transform = present_string)]
    pub password_env: Option<String>,
    /// Like --api-url: an http(s):// API root, or sim:STATE.json for the embedded simulator.
    #[schemars(transform = present_string)]
    pub api_url: Option<String>,
    /// Aliases of this account's networks, written NAME:alias elsewhere (or bare where that is
    /// unambiguous).
    #[serde(default)]
    #[schemars(schema_with = "aliases")]
    pub networks: BTreeMap<String, String>,
}

/// A peering between two networks, both halves managed by this file.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LinkTable {
    /// Unique within the file; each half is named after it and its side.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    pub a: LinkSide,
    pub b: LinkSide,
    /// Whether both halves should be up.
    #[serde(default)]
    pub configured_status: StatusValue,
    /// Labels both halves carry.
    #[serde(default)]
    #[schemars(schema_with = "labels")]
    pub labels: BTreeMap<String, String>,
}

/// One side of a link: an account and one of its networks.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LinkSide {
    /// One of [accounts].
    pub account: String,
    /// An alias or a UUID.
    #[schemars(schema_with = "network")]
    pub network: String,
}

/// One peering, from one of the account's networks to a peer network.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PeeringTable {
    /// The account the peering is in: one of [accounts]. Required with accounts, unless
    /// default_account is set; not allowed without them.
    #[schemars(transform = present_string)]
    pub account: Option<String>,
    /// Unique within the file; 1 to 255 characters.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// The local network, one of the account's: an alias from [networks] or a UUID.
    #[schemars(schema_with = "network")]
    pub network: String,
    /// The other side: a network of another account, of Aiven, or another network of yours;
    /// an alias from [networks] or a UUID.
    #[schemars(schema_with = "network")]
    pub peer_network: String,
    /// Whether the peering should be up.
    #[serde(default)]
    pub configured_status: StatusValue,
    /// Labels the peering carries. peerings adds its ownership labels itself.
    #[serde(default)]
    #[schemars(schema_with = "labels")]
    pub labels: BTreeMap<String, String>,
}

// Named apart from `model::ConfiguredStatus`, which it mirrors; the schema keeps the name.
/// Administratively up or down.
#[allow(dead_code, reason = "only schemars reads this type, for its shape")]
#[derive(JsonSchema, Serialize, Default)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "ConfiguredStatus")]
pub enum StatusValue {
    #[default]
    Active,
    Disabled,
}

/// An optional string: TOML has no null, so the key is either absent or a string.
fn present_string(schema: &mut Schema) {
    schema.insert("type".to_owned(), "string".into());
}

fn owner(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The name under which this file owns peerings (the label peerings-owner). Set it when several files or pipelines manage one account.",
        "type": "string",
        "pattern": OWNER_PATTERN
    })
}

fn aliases(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Names for network UUIDs, usable wherever a network is expected.",
        "type": "object",
        "additionalProperties": {
            "description": "The network's UUID.",
            "type": "string",
            "pattern": UUID_PATTERN
        },
        "propertyNames": {
            "description": "A name, not a UUID: a UUID always means that network itself.",
            "not": { "pattern": UUID_PATTERN }
        }
    })
}

fn accounts(generator: &mut SchemaGenerator) -> Schema {
    let account = generator.subschema_for::<AccountTable>();
    json_schema!({
        "description": "The accounts the file manages, by name.",
        "type": "object",
        "propertyNames": { "pattern": ACCOUNT_NAME_PATTERN },
        "additionalProperties": account
    })
}

fn network(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "minLength": 1
    })
}

fn labels(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Labels the peering carries. peerings adds managed-by = \"peerings\" (and peerings-owner, with an owner) itself, and aiven-project and aiven-vpc on the UpCloud half of an Aiven peering; the file may set none of them.",
        "type": "object",
        "propertyNames": { "pattern": LABEL_KEY_PATTERN },
        "additionalProperties": { "type": "string", "maxLength": 255 },
        "not": { "anyOf": [
            { "required": ["managed-by"] },
            { "required": ["peerings-owner"] },
            { "required": ["aiven-project"] },
            { "required": ["aiven-vpc"] }
        ] },
        "default": {}
    })
}

/// The schema as `schema/peerings.schema.json` holds it: pretty JSON and a final newline.
pub fn render() -> String {
    let schema = schemars::schema_for!(PeeringsFile);
    // A schema is a JSON value of strings and maps: serialising it cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::config::parse;

    /// A valid value of every key the schema knows, as TOML.
    const TOP_LEVEL_SAMPLES: [(&str, &str); 9] = [
        ("prune", "prune = true"),
        ("owner", "owner = \"team-data.prod_1\""),
        ("default_account", "default_account = \"prod\""),
        (
            "networks",
            "[networks]\napp = \"11111111-1111-4111-8111-111111111111\"",
        ),
        ("accounts", ACCOUNTS_SAMPLE),
        ("peering", ""),
        ("link", LINK_SAMPLE),
        (
            "aiven",
            "[aiven]\ntoken_env = \"AIVEN_TOKEN\"\napi_url = \"https://api.aiven.io\"",
        ),
        ("aiven_peering", AIVEN_PEERING_SAMPLE),
    ];
    /// Every key of an Aiven peering.
    /// Each line differs from every other sample's, so a test can leave one out.
    const AIVEN_PEERING_SAMPLE: &str = "[[aiven_peering]]\nname = \"app to the aiven vpc\"\n\
        project = \"my-project\"\nvpc = \"5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15\"\n\
        network = \"33333333-3333-4333-8333-333333333333\"\n\
        aiven_network = \"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb\"\n\
        account = \"shared\"\nconfigured_status = \"active\"\nlabels = { team = \"analytics\" }";
    const AIVEN_KEYS: [&str; 2] = ["api_url", "token_env"];
    const AIVEN_PEERING_KEYS: [&str; 8] = [
        "account",
        "aiven_network",
        "configured_status",
        "labels",
        "name",
        "network",
        "project",
        "vpc",
    ];
    /// Both kinds of credentials, and every key of an account.
    const ACCOUNTS_SAMPLE: &str = "[accounts.prod]\ntoken_env = \"UPCLOUD_TOKEN_PROD\"\n\
        api_url = \"sim:prod-state.json\"\n\
        [accounts.prod.networks]\nhel1 = \"22222222-2222-4222-8222-222222222222\"\n\
        [accounts.shared]\nusername_env = \"SHARED_USER\"\npassword_env = \"SHARED_PASSWORD\"";
    const ACCOUNT_KEYS: [&str; 5] = [
        "api_url",
        "networks",
        "password_env",
        "token_env",
        "username_env",
    ];
    /// Every key of a link and of its sides.
    const LINK_SAMPLE: &str = "[[link]]\nname = \"prod <-> shared\"\n\
        a = { account = \"prod\", network = \"hel1\" }\n\
        b = { account = \"shared\", network = \"cccccccc-cccc-4ccc-8ccc-cccccccccccc\" }\n\
        configured_status = \"active\"\nlabels = { team = \"platform\" }";
    const LINK_KEYS: [&str; 5] = ["a", "b", "configured_status", "labels", "name"];
    const SIDE_KEYS: [&str; 2] = ["account", "network"];
    const PEERING_SAMPLES: [(&str, &str); 6] = [
        ("account", "account = \"prod\""),
        ("name", "name = \"app to aiven\""),
        ("network", "network = \"app\""),
        (
            "peer_network",
            "peer_network = \"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\"",
        ),
        ("configured_status", "configured_status = \"disabled\""),
        ("labels", "labels = { team = \"data\" }"),
    ];

    fn schema() -> Value {
        serde_json::from_str(&render()).expect("the schema is JSON")
    }

    fn keys(object: &Value) -> Vec<String> {
        let mut keys: Vec<String> = object["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn sorted(samples: &[(&str, &str)]) -> Vec<String> {
        let mut keys: Vec<String> = samples.iter().map(|(key, _)| (*key).to_owned()).collect();
        keys.sort();
        keys
    }

    /// A file using every sample (the peering last, so lines can be added to it), with
    /// `extra_top` and `extra_peering` lines added and the peering's key `skip` left out.
    fn file(extra_top: &str, extra_peering: &str, skip: &str) -> String {
        let top: Vec<&str> = TOP_LEVEL_SAMPLES
            .iter()
            .map(|(_, line)| *line)
            .filter(|line| !line.is_empty())
            .collect();
        let peering: Vec<&str> = PEERING_SAMPLES
            .iter()
            .filter(|(key, _)| *key != skip)
            .map(|(_, line)| *line)
            .collect();
        // Top-level keys go before any table header.
        let (plain, tables): (Vec<&str>, Vec<&str>) =
            top.into_iter().partition(|line| !line.starts_with('['));
        format!(
            "{extra_top}\n{}\n{}\n\n[[peering]]\n{}\n{extra_peering}\n",
            plain.join("\n"),
            tables.join("\n"),
            peering.join("\n")
        )
    }

    fn peering_schema(schema: &Value) -> &Value {
        &schema["$defs"]["PeeringTable"]
    }

    #[test]
    fn the_schema_knows_exactly_the_keys_the_samples_cover() {
        let schema = schema();
        assert_eq!(keys(&schema), sorted(&TOP_LEVEL_SAMPLES));
        assert_eq!(keys(peering_schema(&schema)), sorted(&PEERING_SAMPLES));
        assert_eq!(keys(&schema["$defs"]["AccountTable"]), ACCOUNT_KEYS);
        assert_eq!(keys(&schema["$defs"]["LinkTable"]), LINK_KEYS);
        assert_eq!(keys(&schema["$defs"]["LinkSide"]), SIDE_KEYS);
        assert_eq!(keys(&schema["$defs"]["AivenTable"]), AIVEN_KEYS);
        assert_eq!(
            keys(&schema["$defs"]["AivenPeeringTable"]),
            AIVEN_PEERING_KEYS
        );
        for table in [
            "AccountTable",
            "LinkTable",
            "LinkSide",
            "AivenTable",
            "AivenPeeringTable",
        ] {
            assert_eq!(
                schema["$defs"][table]["additionalProperties"], false,
                "{table}"
            );
        }
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(peering_schema(&schema)["additionalProperties"], false);
    }

    #[test]
    fn every_key_the_schema_allows_is_accepted_by_the_loader() {
        let text = file("", "", "");
        let desired = parse(&text, "sample.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(desired.prune);
        assert_eq!(
            desired.peerings.len(),
            3,
            "the peering and both halves of the link"
        );
        assert_eq!(desired.aiven_peerings.len(), 1);
        assert!(desired.aiven.is_some());
        for status in ["active", "disabled"] {
            let text =
                file("", "", "configured_status") + &format!("configured_status = \"{status}\"\n");
            assert!(parse(&text, "sample.toml").is_ok(), "{status}");
        }
    }

    #[test]
    fn keys_outside_the_schema_are_rejected_by_the_loader() {
        assert!(parse(&file("colour = \"blue\"", "", ""), "sample.toml").is_err());
        assert!(parse(&file("", "colour = \"blue\"", ""), "sample.toml").is_err());
    }

    #[test]
    fn the_keys_the_schema_requires_are_required_by_the_loader() {
        let schema = schema();
        let required = peering_schema(&schema)["required"]
            .as_array()
            .expect("required keys");
        assert_eq!(required.len(), 3, "{required:?}");
        for key in required {
            let key = key.as_str().expect("a key");
            assert!(parse(&file("", "", key), "sample.toml").is_err(), "{key}");
        }
        assert!(schema.get("required").is_none());
    }

    #[test]
    fn the_keys_the_schema_requires_of_an_aiven_peering_are_required_by_the_loader() {
        let schema = schema();
        let required = schema["$defs"]["AivenPeeringTable"]["required"]
            .as_array()
            .expect("required keys");
        assert_eq!(required.len(), 4, "{required:?}");
        for key in required {
            let key = key.as_str().expect("a key");
            let without: String = file("", "", "")
                .lines()
                .filter(|line| {
                    !line.starts_with(&format!("{key} = ")) || !AIVEN_PEERING_SAMPLE.contains(line)
                })
                .map(|line| format!("{line}\n"))
                .collect();
            assert!(parse(&without, "sample.toml").is_err(), "{key}");
        }
    }
}
