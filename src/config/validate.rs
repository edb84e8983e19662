//! Checking a parsed file against the format, and turning it into a [`Desired`] state.
//!
//! Every check records its problem and carries on, so that one run reports everything wrong with
//! the file. A value that is wrong is left out (`None`), and the checks that depend on it are
//! skipped, so that one mistake is reported once and not again by every later check.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::desired::{Desired, DesiredPeering};
use super::problems::Problem;
use super::reader::{Field, Fields, describe, did_you_mean, wrong_type};
use crate::model::{
    ConfiguredStatus, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, NetworkId, PeeringKey,
};

/// The keys of a `[[peering]]`, for spotting them where they do not belong.
const PEERING_KEYS: [&str; 5] = [
    "name",
    "network",
    "peer_network",
    "configured_status",
    "labels",
];
const MAX_NAME_CHARS: usize = 255;
const MAX_LABEL_VALUE_CHARS: usize = 255;
const LABEL_KEY_CHARS: Range<usize> = 2..33;

const UUID_FORM: &str = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
const NETWORKS_HELP: &str = "write `[networks]` on a line of its own, followed by lines such as `app-hel1 = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"`";
const ALIAS_HELP: &str = "an alias names a network's UUID, in quotes: `app-hel1 = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"`";
const PEERING_HELP: &str =
    "write each peering under its own `[[peering]]` header (with double brackets)";
const NAME_HELP: &str =
    "a peering's name is 1 to 255 characters in quotes, e.g. `name = \"app-hel1 to aiven-hel1\"`";
const NETWORK_HELP: &str = "give an alias from `[networks]` or the network's UUID, in quotes";
const STATUS_HELP: &str = "use \"active\" (the default) or \"disabled\"";
const LABELS_HELP: &str = "labels are a table of strings, e.g. `labels = { team = \"data\" }`";
const PRUNE_HELP: &str =
    "write `prune = true` to delete owned peerings the file no longer lists, or `prune = false`";
const LABEL_KEY_HELP: &str = "a label key is 2 to 32 letters, digits, `_` or `-`";

/// A value together with where the file says it.
#[derive(Debug, Clone)]
struct At<T> {
    value: T,
    span: Range<usize>,
}

/// The `[networks]` table. An alias whose UUID is malformed is still defined (as `None`), so that
/// its uses are not reported a second time as unknown aliases.
type Aliases = BTreeMap<String, Option<NetworkId>>;

/// A `[[peering]]` as far as it is valid.
struct Draft<'a> {
    /// The `[[peering]]` header, or the inline table.
    span: Range<usize>,
    name: Option<At<&'a str>>,
    network: Option<At<NetworkId>>,
    peer_network: Option<At<NetworkId>>,
    /// How the file writes the two networks, for messages.
    written: (&'a str, &'a str),
    configured_status: Option<ConfiguredStatus>,
    labels: Option<Labels>,
}

/// Checks the whole file. The state is only meaningful if there are no problems.
pub(super) fn validate(root: &DeTable) -> (Desired, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut top = Fields::new(root, "at the top level");
    let prune = top
        .get("prune")
        .and_then(|field| field.boolean(PRUNE_HELP, &mut problems))
        .unwrap_or(false);
    let aliases = top
        .get("networks")
        .map(|field| read_networks(field, &mut problems))
        .unwrap_or_default();
    let drafts = top
        .get("peering")
        .map(|field| read_peerings(field, &aliases, &mut problems))
        .unwrap_or_default();
    top.finish_with_hint(&mut problems, |key| {
        PEERING_KEYS
            .contains(&key)
            .then(|| format!("`{key}` belongs to a peering: put it below a `[[peering]]` header"))
    });

    check_unique_names(&drafts, &mut problems);
    check_unique_pairs(&drafts, &mut problems);

    let desired = Desired {
        prune,
        aliases: aliases
            .into_iter()
            .filter_map(|(alias, id)| Some((alias, id?)))
            .collect(),
        peerings: drafts.iter().filter_map(finish).collect(),
    };
    (desired, problems)
}

fn read_networks(field: Field, problems: &mut Vec<Problem>) -> Aliases {
    let Some(table) = field.table(NETWORKS_HELP, problems) else {
        return Aliases::new();
    };
    table
        .iter()
        .map(|(key, value)| {
            let alias = Field { key, value };
            let id = alias
                .string(ALIAS_HELP, problems)
                .and_then(|text| alias_uuid(alias, text, table, problems));
            (alias.name().to_owned(), id)
        })
        .collect()
}

/// An alias's value: nothing but a UUID will do.
fn alias_uuid(
    alias: Field,
    text: &str,
    table: &DeTable,
    problems: &mut Vec<Problem>,
) -> Option<NetworkId> {
    if let Ok(id) = text.parse() {
        return Some(id);
    }
    // Someone who writes another alias here probably expects aliases to chain; they do not.
    let help = if PEERING_KEYS.contains(&alias.name()) {
        "this looks like part of a peering: is a `[[peering]]` header missing above it?".to_owned()
    } else if table.contains_key(text) {
        format!("an alias names a UUID directly, not another alias; copy the UUID of `{text}` here")
    } else {
        format!("a network UUID has the form {UUID_FORM}; copy it from the UpCloud control panel")
    };
    problems.push(
        Problem::new(
            format!("malformed UUID for network alias `{}`", alias.name()),
            alias.value_span(),
            if looks_like_uuid(text) {
                uuid_trouble(text)
            } else {
                "not a UUID".to_owned()
            },
        )
        .help(help),
    );
    None
}

fn read_peerings<'a>(
    field: Field<'a, '_>,
    aliases: &Aliases,
    problems: &mut Vec<Problem>,
) -> Vec<Draft<'a>> {
    let DeValue::Array(array) = field.value.get_ref() else {
        let found = describe(field.value.get_ref());
        problems.push(
            Problem::new(
                "`peering` must be an array of tables",
                field.key.span(),
                format!("this is {found}"),
            )
            .help(PEERING_HELP),
        );
        return Vec::new();
    };
    array
        .iter()
        .filter_map(|element| match element.get_ref() {
            DeValue::Table(table) => Some(read_peering(table, element.span(), aliases, problems)),
            other => {
                problems.push(wrong_type(
                    element.span(),
                    "each `peering`",
                    "a table",
                    other,
                    PEERING_HELP,
                ));
                None
            }
        })
        .collect()
}

fn read_peering<'a>(
    table: &'a DeTable,
    span: Range<usize>,
    aliases: &Aliases,
    problems: &mut Vec<Problem>,
) -> Draft<'a> {
    let mut fields = Fields::new(table, "in `[[peering]]`");
    let name = fields.get("name");
    let network = fields.get("network");
    let peer_network = fields.get("peer_network");
    let configured_status = fields.get("configured_status");
    let labels = fields.get("labels");
    fields.finish(problems);

    let required = [
        (&name, "name", NAME_HELP),
        (
            &network,
            "network",
            "add `network = \"<alias or UUID>\"`: the network of yours that is peered",
        ),
        (
            &peer_network,
            "peer_network",
            "add `peer_network = \"<alias or UUID>\"`: the network it is peered with",
        ),
    ];
    for (field, key, help) in required {
        if field.is_none() {
            problems.push(
                Problem::new(
                    format!("peering has no `{key}`"),
                    span.clone(),
                    format!("needs a `{key}`"),
                )
                .help(help),
            );
        }
    }

    let written = |field: &Option<Field<'a, '_>>| {
        field.and_then(|f| f.value.get_ref().as_str()).unwrap_or("")
    };
    Draft {
        span: span.clone(),
        name: name.and_then(|f| read_name(f, problems)),
        written: (written(&network), written(&peer_network)),
        network: network.and_then(|f| resolve(f, aliases, problems)),
        peer_network: peer_network.and_then(|f| resolve(f, aliases, problems)),
        configured_status: match configured_status {
            None => Some(ConfiguredStatus::default()),
            Some(f) => read_status(f, problems),
        },
        labels: match labels {
            None => Some(Labels::new()),
            Some(f) => read_labels(f, problems),
        },
    }
    .check_not_self_peered(problems)
}

impl Draft<'_> {
    fn check_not_self_peered(self, problems: &mut Vec<Problem>) -> Self {
        if let (Some(network), Some(peer)) = (&self.network, &self.peer_network) {
            if network.value == peer.value {
                problems.push(
                    Problem::new(
                        "a peering cannot connect a network to itself",
                        peer.span.clone(),
                        format!("this is {}, the same network as `network`", peer.value),
                    )
                    .also(network.span.clone(), "the local network")
                    .help("`peer_network` is the other side: a network of another account, of Aiven, or another network of yours"),
                );
            }
        }
        self
    }
}

fn read_name<'a>(field: Field<'a, '_>, problems: &mut Vec<Problem>) -> Option<At<&'a str>> {
    let name = field.string(NAME_HELP, problems)?;
    let chars = name.chars().count();
    let trouble = if chars == 0 {
        Some(("peering name is empty", "empty name".to_owned()))
    } else if chars > MAX_NAME_CHARS {
        Some((
            "peering name is too long",
            format!("{chars} characters; the limit is {MAX_NAME_CHARS}"),
        ))
    } else {
        None
    };
    if let Some((message, label)) = trouble {
        problems.push(Problem::new(message, field.value_span(), label).help(NAME_HELP));
        return None;
    }
    Some(At {
        value: name,
        span: field.value_span(),
    })
}

fn read_status(field: Field, problems: &mut Vec<Problem>) -> Option<ConfiguredStatus> {
    let text = field.string(STATUS_HELP, problems)?;
    let status = ConfiguredStatus::parse(text);
    if status.is_none() {
        problems.push(
            Problem::new(
                format!("unknown configured_status `{text}`"),
                field.value_span(),
                "not \"active\" or \"disabled\"",
            )
            .help(STATUS_HELP),
        );
    }
    status
}

/// A network reference: a UUID, or an alias from `[networks]`.
fn resolve(field: Field, aliases: &Aliases, problems: &mut Vec<Problem>) -> Option<At<NetworkId>> {
    let text = field.string(NETWORK_HELP, problems)?;
    let at = |value| At {
        value,
        span: field.value_span(),
    };
    if let Ok(id) = text.parse() {
        return Some(at(id));
    }
    if let Some(alias) = aliases.get(text) {
        // A malformed alias has been reported where it is defined.
        return alias.map(at);
    }
    let key = field.name();
    let problem = if text.is_empty() {
        Problem::new(format!("`{key}` is empty"), field.value_span(), "empty").help(NETWORK_HELP)
    } else if looks_like_uuid(text) {
        Problem::new(
            format!("malformed UUID in `{key}`"),
            field.value_span(),
            uuid_trouble(text),
        )
        .help(format!(
            "a network UUID has the form {UUID_FORM}; copy it from the UpCloud control panel"
        ))
    } else {
        let help = match did_you_mean(text, aliases.keys().map(String::as_str)) {
            Some(alias) => format!("did you mean `{alias}`?"),
            None => format!(
                "define it under `[networks]` as `{text} = \"<UUID>\"`, or use the network's UUID"
            ),
        };
        Problem::new(
            format!("unknown network alias `{text}`"),
            field.value_span(),
            "not defined under `[networks]`",
        )
        .help(help)
    };
    problems.push(problem);
    None
}

/// Whether `text` is meant as a UUID rather than an alias: about the right length, and nearly all
/// hexadecimal digits and hyphens. Such a value is reported as a malformed UUID, which is what
/// it is, rather than as an unknown alias.
fn looks_like_uuid(text: &str) -> bool {
    let chars = text.chars().count();
    let uuid_like = text
        .chars()
        .filter(|c| c.is_ascii_hexdigit() || *c == '-')
        .count();
    let digits = text.chars().filter(char::is_ascii_hexdigit).count();
    (30..=40).contains(&chars) && uuid_like + 2 >= chars && digits >= 24
}

/// What is wrong with a string that should be a UUID, as precisely as can be said.
fn uuid_trouble(text: &str) -> String {
    let chars = text.chars().count();
    if let Some(bad) = text.chars().find(|c| !c.is_ascii_hexdigit() && *c != '-') {
        return format!("{} is not a hexadecimal digit", show_char(bad));
    }
    if chars == 32 && !text.contains('-') {
        return "the hyphens are missing".to_owned();
    }
    if chars != 36 {
        return format!("{chars} characters; a UUID has 36");
    }
    "the hyphens must separate groups of 8, 4, 4, 4 and 12 digits".to_owned()
}

/// A character for a message: quoted, unless quotes would hide it.
fn show_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        c if c.is_whitespace() || c.is_control() => format!("{:?}", c),
        c => format!("`{c}`"),
    }
}

fn read_labels(field: Field, problems: &mut Vec<Problem>) -> Option<Labels> {
    let table = field.table(LABELS_HELP, problems)?;
    let mut labels = Labels::new();
    let mut valid = true;
    for (key, value) in table.iter() {
        match read_label(Field { key, value }, problems) {
            Some(value) => {
                labels.insert(key.get_ref().to_string(), value.to_owned());
            }
            None => valid = false,
        }
    }
    valid.then_some(labels)
}

/// One label; its value if the label is valid.
fn read_label<'a>(label: Field<'a, '_>, problems: &mut Vec<Problem>) -> Option<&'a str> {
    let key = label.name();
    let key_ok = if key == MANAGED_BY_KEY {
        problems.push(
            Problem::new(
                format!("the label `{MANAGED_BY_KEY}` is reserved"),
                label.key.span(),
                "set by peerings itself",
            )
            .help(format!(
                "peerings sets `{MANAGED_BY_KEY} = \"{MANAGED_BY_VALUE}\"` itself on every peering it creates; remove this label"
            )),
        );
        false
    } else if let Some(trouble) = label_key_trouble(key) {
        problems.push(
            Problem::new(
                format!("invalid label key `{key}`"),
                label.key.span(),
                trouble,
            )
            .help(LABEL_KEY_HELP),
        );
        false
    } else {
        true
    };
    let value = label.string_called(
        &format!("the value of label `{key}`"),
        "label values are strings, in quotes",
        problems,
    )?;
    let chars = value.chars().count();
    if chars > MAX_LABEL_VALUE_CHARS {
        problems.push(
            Problem::new(
                format!("the value of label `{key}` is too long"),
                label.value_span(),
                format!("{chars} characters; the limit is {MAX_LABEL_VALUE_CHARS}"),
            )
            .help("a label value is at most 255 characters"),
        );
        return None;
    }
    key_ok.then_some(value)
}

fn label_key_trouble(key: &str) -> Option<String> {
    if let Some(bad) = key
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && *c != '_' && *c != '-')
    {
        return Some(format!("{} is not allowed in a label key", show_char(bad)));
    }
    let chars = key.chars().count();
    if !LABEL_KEY_CHARS.contains(&chars) {
        let plural = if chars == 1 { "" } else { "s" };
        return Some(format!(
            "{chars} character{plural}; a label key has 2 to 32"
        ));
    }
    None
}

fn check_unique_names(drafts: &[Draft], problems: &mut Vec<Problem>) {
    let mut first_use: HashMap<&str, Range<usize>> = HashMap::new();
    for name in drafts.iter().filter_map(|d| d.name.as_ref()) {
        match first_use.get(name.value) {
            Some(first) => problems.push(
                Problem::new(
                    format!("two peerings are named `{}`", name.value),
                    name.span.clone(),
                    "used again here",
                )
                .also(first.clone(), "first used here")
                .help("give each peering a name of its own"),
            ),
            None => {
                first_use.insert(name.value, name.span.clone());
            }
        }
    }
}

/// UpCloud allows one peering from a network to a given peer network.
fn check_unique_pairs(drafts: &[Draft], problems: &mut Vec<Problem>) {
    let mut first: HashMap<PeeringKey, Range<usize>> = HashMap::new();
    for draft in drafts {
        let (Some(network), Some(peer)) = (&draft.network, &draft.peer_network) else {
            continue;
        };
        let key = PeeringKey {
            network: network.value,
            peer_network: peer.value,
        };
        match first.get(&key) {
            Some(first) => {
                let (network, peer) = draft.written;
                problems.push(
                    Problem::new(
                        format!("two peerings connect `{network}` to `{peer}`"),
                        draft.span.clone(),
                        "the second peering",
                    )
                    .also(first.clone(), "the first peering")
                    .help("UpCloud allows one peering from a network to a given peer network; remove one of the two"),
                );
            }
            None => {
                first.insert(key, draft.span.clone());
            }
        }
    }
}

/// The peering, if all of it is valid.
fn finish(draft: &Draft) -> Option<DesiredPeering> {
    Some(DesiredPeering {
        name: draft.name.as_ref()?.value.to_owned(),
        key: PeeringKey {
            network: draft.network.as_ref()?.value,
            peer_network: draft.peer_network.as_ref()?.value,
        },
        configured_status: draft.configured_status?,
        labels: draft.labels.clone()?,
    })
}
