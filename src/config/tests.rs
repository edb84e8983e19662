use std::collections::BTreeMap;

use insta::assert_snapshot;
use proptest::prelude::*;

use super::*;
use crate::model::{ConfiguredStatus, Labels, NetworkId, PeeringKey};

const APP: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
const EXAMPLE: &str = include_str!("../../peerings.toml.example");

/// The rendered problems of a file that must be rejected.
fn rejected(source: &str) -> String {
    match parse(source, "peerings.toml") {
        Err(LoadError::Invalid(problems)) => problems.render(false),
        other => panic!("expected problems, got {other:?}"),
    }
}

fn loaded(source: &str) -> Desired {
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
    assert_eq!(desired.alias_of(id(AIVEN)), Some("aiven-hel1"));
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
    assert_eq!(problems.len(), 2);
    assert_eq!(problems.origin(), "x.toml");
    let lines: Vec<usize> = problems.iter().map(|p| problems.line_of(p)).collect();
    assert_eq!(lines, [1, 3]);
    assert_eq!(problems.to_string(), problems.render(false));
    assert!(
        problems.render(true).contains("\u{1b}["),
        "colour uses ANSI codes"
    );
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
        assert!(!problems.is_empty());
        let _ = problems.render(false);
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
}
