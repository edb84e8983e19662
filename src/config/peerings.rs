//! One `[[peering]]`, as far as it is valid (a [`Draft`]), the checks every peering of the file
//! must pass together (unique names, one peering per pair of networks and account), and the
//! readers a `[[link]]` shares with it.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::DeTable;

use super::accounts::{AccountTables, read_account_ref};
use super::desired::DesiredPeering;
use super::labels::read_labels;
use super::networks::{AliasTables, Viewpoint, resolve};
use super::problems::Problem;
use super::reader::{At, Field, Fields, list};
use crate::model::{ConfiguredStatus, Labels, NetworkId, PeeringKey};

pub(super) const MAX_NAME_CHARS: usize = 255;
const NAME_HELP: &str =
    "a peering's name is 1 to 255 characters in quotes, e.g. `name = \"app-hel1 to aiven-hel1\"`";
const STATUS_HELP: &str = "use \"active\" (the default) or \"disabled\"";

/// The account of a peering or a side of a link: `Some(None)` in a file without accounts,
/// `Some(Some(name))` for a declared account, `None` if missing or wrong (and reported).
pub(super) type AccountOf<'a> = Option<Option<&'a str>>;

/// A `[[peering]]`, or one half of a `[[link]]`, as far as it is valid.
pub(super) struct Draft<'a> {
    /// The `[[peering]]` header or inline table; for half of a link, its side (`a` or `b`).
    pub span: Range<usize>,
    /// Where the peering is in the file, for putting peerings and links in file order.
    pub order: usize,
    pub name: Option<At<String>>,
    pub network: Option<At<NetworkId>>,
    pub peer_network: Option<At<NetworkId>>,
    /// How the file writes the two networks, for messages.
    pub written: (String, String),
    pub account: AccountOf<'a>,
    /// For half of a link: the link's name.
    pub link: Option<&'a str>,
    pub configured_status: Option<ConfiguredStatus>,
    pub labels: Option<Labels>,
}

/// What reading a peering needs to know about the rest of the file.
pub(super) struct Context<'a, 'c> {
    pub accounts: &'c AccountTables,
    pub aliases: &'c AliasTables,
    /// `None`: no `default_account`; `Some(None)`: one that is wrong (and reported).
    pub default_account: Option<Option<&'a str>>,
}

impl Context<'_, '_> {
    pub fn viewpoint<'v>(&self, account: AccountOf<'v>) -> Viewpoint<'v> {
        match account {
            Some(Some(account)) => Viewpoint::Account(account),
            Some(None) => Viewpoint::NoAccount,
            None => Viewpoint::Unknown,
        }
    }
}

pub(super) fn read_peering<'a>(
    table: &'a DeTable<'a>,
    span: Range<usize>,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> Draft<'a> {
    let mut fields = Fields::new(table, "in `[[peering]]`");
    let name = fields.get("name");
    let network = fields.get("network");
    let peer_network = fields.get("peer_network");
    let configured_status = fields.get("configured_status");
    let labels = fields.get("labels");
    let account = fields.get("account");
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
            problems.push(missing(&span, "peering", key, help));
        }
    }

    let account = peering_account(account, &span, "peering", context, problems);
    let viewpoint = context.viewpoint(account);
    let written = |field: &Option<Field<'a, '_>>| {
        field.and_then(|f| f.value.get_ref().as_str()).unwrap_or("")
    };
    let draft = Draft {
        span: span.clone(),
        order: span.start,
        name: name.and_then(|f| read_name(f, NAME_HELP, "peering", problems)),
        written: (
            written(&network).to_owned(),
            written(&peer_network).to_owned(),
        ),
        network: network.and_then(|f| resolve(f, context.aliases, viewpoint, problems)),
        peer_network: peer_network.and_then(|f| resolve(f, context.aliases, viewpoint, problems)),
        account,
        link: None,
        configured_status: configured_status.map_or(Some(ConfiguredStatus::default()), |f| {
            read_status(f, problems)
        }),
        labels: labels.map_or(Some(Labels::new()), |f| read_labels(f, problems)),
    };
    check_not_self_peered(
        &draft.network,
        &draft.peer_network,
        "a peering cannot connect a network to itself",
        ("`network`", "the local network"),
        "`peer_network` is the other side: a network of another account, of Aiven, or another network of yours",
        problems,
    );
    draft
}

pub(super) fn missing(span: &Range<usize>, what: &str, key: &str, help: &str) -> Problem {
    let article = if key.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Problem::new(
        format!("{what} has no `{key}`"),
        span.clone(),
        format!("needs {article} `{key}`"),
    )
    .help(help)
}

/// A peering's account: its own `account`, else `default_account`; neither is needed, nor
/// allowed, in a file without accounts. `what` names the table in messages.
pub(super) fn peering_account<'a>(
    field: Option<Field<'a, '_>>,
    span: &Range<usize>,
    what: &str,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> AccountOf<'a> {
    if let Some(field) = field {
        return read_account_ref(field, context.accounts, problems).map(Some);
    }
    if context.accounts.is_empty() {
        return Some(None);
    }
    match context.default_account {
        Some(default) => default.map(Some),
        None => {
            let names: Vec<&str> = context
                .accounts
                .declared
                .keys()
                .map(String::as_str)
                .collect();
            let first = names.first().copied().unwrap_or("prod");
            problems.push(missing(
                span,
                what,
                "account",
                &format!(
                    "the file declares accounts ({}): add `account = \"{first}\"` to say in which the peering is, or set `default_account = \"{first}\"` at the top of the file",
                    list(&names)
                ),
            ));
            None
        }
    }
}

/// `same_as`: what the label under the second network calls the first; `first`: the label of
/// the first.
pub(super) fn check_not_self_peered(
    network: &Option<At<NetworkId>>,
    peer: &Option<At<NetworkId>>,
    message: &str,
    (same_as, first): (&str, &str),
    help: &str,
    problems: &mut Vec<Problem>,
) -> bool {
    let (Some(network), Some(peer)) = (network, peer) else {
        return false;
    };
    if network.value != peer.value {
        return false;
    }
    problems.push(
        Problem::new(
            message,
            peer.span.clone(),
            format!("this is {}, the same network as {same_as}", peer.value),
        )
        .also(network.span.clone(), first)
        .help(help),
    );
    true
}

pub(super) fn read_name(
    field: Field,
    help: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<At<String>> {
    let name = field.string(help, problems)?;
    let chars = name.chars().count();
    let trouble = if chars == 0 {
        Some((format!("{what} name is empty"), "empty name".to_owned()))
    } else if chars > MAX_NAME_CHARS {
        Some((
            format!("{what} name is too long"),
            format!("{chars} characters; the limit is {MAX_NAME_CHARS}"),
        ))
    } else {
        None
    };
    if let Some((message, label)) = trouble {
        problems.push(Problem::new(message, field.value_span(), label).help(help));
        return None;
    }
    Some(At {
        value: name.to_owned(),
        span: field.value_span(),
    })
}

pub(super) fn read_status(field: Field, problems: &mut Vec<Problem>) -> Option<ConfiguredStatus> {
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

/// Names are unique in the whole file, whatever the accounts: output and `check` name peerings
/// by them.
pub(super) fn check_unique_names<'d>(
    names: impl IntoIterator<Item = &'d At<String>>,
    problems: &mut Vec<Problem>,
) {
    let mut first_use: HashMap<&str, Range<usize>> = HashMap::new();
    for name in names {
        match first_use.get(name.value.as_str()) {
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
                first_use.insert(name.value.as_str(), name.span.clone());
            }
        }
    }
}

/// UpCloud allows one peering from a network to a given peer network in an account.
pub(super) fn check_unique_pairs<'d, 'a: 'd>(
    drafts: impl IntoIterator<Item = &'d Draft<'a>>,
    problems: &mut Vec<Problem>,
) {
    let mut first: HashMap<(Option<&str>, PeeringKey), Range<usize>> = HashMap::new();
    for draft in drafts {
        let (Some(network), Some(peer), Some(account)) =
            (&draft.network, &draft.peer_network, draft.account)
        else {
            continue;
        };
        let key = PeeringKey {
            network: network.value,
            peer_network: peer.value,
        };
        match first.get(&(account, key)) {
            Some(first) => {
                let (network, peer) = &draft.written;
                let (message, help) = match account {
                    None => (
                        format!("two peerings connect `{network}` to `{peer}`"),
                        "UpCloud allows one peering from a network to a given peer network; remove one of the two",
                    ),
                    Some(account) => (
                        format!(
                            "two peerings of account `{account}` connect `{network}` to `{peer}`"
                        ),
                        "UpCloud allows one peering from a network to a given peer network in an account; remove one of the two",
                    ),
                };
                problems.push(
                    Problem::new(message, draft.span.clone(), "the second peering")
                        .also(first.clone(), "the first peering")
                        .help(help),
                );
            }
            None => {
                first.insert((account, key), draft.span.clone());
            }
        }
    }
}

/// The peering, if all of it is valid.
pub(super) fn finish(draft: &Draft) -> Option<DesiredPeering> {
    Some(DesiredPeering {
        name: draft.name.as_ref()?.value.clone(),
        key: PeeringKey {
            network: draft.network.as_ref()?.value,
            peer_network: draft.peer_network.as_ref()?.value,
        },
        configured_status: draft.configured_status?,
        labels: draft.labels.clone()?,
        account: draft.account?.map(str::to_owned),
        link: draft.link.map(str::to_owned),
    })
}
