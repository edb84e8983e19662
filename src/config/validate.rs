//! Checking a parsed file against the format, and turning it into a [`Desired`] state.
//!
//! Every check records its problem and carries on, so that one run reports everything wrong with
//! the file. A value that is wrong is left out (`None`), and the checks that depend on it are
//! skipped, so that one mistake is reported once and not again by every later check.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::accounts::{Accounts, read_account_ref, read_accounts};
use super::desired::{Desired, DesiredPeering};
use super::networks::{AliasTables, Viewpoint, read_aliases, resolve};
use super::problems::Problem;
use super::reader::{Field, Fields, describe, wrong_type};
use crate::model::{
    ConfiguredStatus, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, NetworkId, PeeringKey,
};

/// The keys of a `[[peering]]`, for spotting them where they do not belong.
pub(super) const PEERING_KEYS: [&str; 5] = [
    "name",
    "network",
    "peer_network",
    "configured_status",
    "labels",
];
const MAX_NAME_CHARS: usize = 255;
const MAX_LABEL_VALUE_CHARS: usize = 255;
const LABEL_KEY_CHARS: Range<usize> = 2..33;

const PEERING_HELP: &str =
    "write each peering under its own `[[peering]]` header (with double brackets)";
const LINK_HELP: &str = "write each link under its own `[[link]]` header (with double brackets)";
const NAME_HELP: &str =
    "a peering's name is 1 to 255 characters in quotes, e.g. `name = \"app-hel1 to aiven-hel1\"`";
const LINK_NAME_HELP: &str =
    "a link's name is 1 to 255 characters in quotes, e.g. `name = \"prod <-> shared\"`";
const SIDE_HELP: &str = "a side of a link is a table of an account and a network of it, e.g. `a = { account = \"prod\", network = \"prod-hel1\" }`";
const STATUS_HELP: &str = "use \"active\" (the default) or \"disabled\"";
const LABELS_HELP: &str = "labels are a table of strings, e.g. `labels = { team = \"data\" }`";
const PRUNE_HELP: &str =
    "write `prune = true` to delete owned peerings the file no longer lists, or `prune = false`";
const LABEL_KEY_HELP: &str = "a label key is 2 to 32 letters, digits, `_` or `-`";

/// A value together with where the file says it.
#[derive(Debug, Clone)]
pub(super) struct At<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// The account of a peering or a side of a link: `Some(None)` in a file without accounts,
/// `Some(Some(name))` for a declared account, `None` if missing or wrong (and reported).
type AccountOf<'a> = Option<Option<&'a str>>;

/// A `[[peering]]`, or one half of a `[[link]]`, as far as it is valid.
struct Draft<'a> {
    /// The `[[peering]]` header or inline table; for half of a link, its side (`a` or `b`).
    span: Range<usize>,
    /// Where the peering is in the file, for putting peerings and links in file order.
    order: usize,
    name: Option<At<String>>,
    network: Option<At<NetworkId>>,
    peer_network: Option<At<NetworkId>>,
    /// How the file writes the two networks, for messages.
    written: (String, String),
    account: AccountOf<'a>,
    /// For half of a link: the link's name.
    link: Option<&'a str>,
    configured_status: Option<ConfiguredStatus>,
    labels: Option<Labels>,
}

/// What reading a peering needs to know about the rest of the file.
struct Context<'a, 'c> {
    accounts: &'c Accounts,
    aliases: &'c AliasTables,
    /// `None`: no `default_account`; `Some(None)`: one that is wrong (and reported).
    default_account: Option<Option<&'a str>>,
}

impl Context<'_, '_> {
    fn viewpoint<'v>(&self, account: AccountOf<'v>) -> Viewpoint<'v> {
        match account {
            Some(Some(account)) => Viewpoint::Account(account),
            Some(None) => Viewpoint::NoAccount,
            None => Viewpoint::Unknown,
        }
    }
}

/// Checks the whole file. The state is only meaningful if there are no problems.
pub(super) fn validate(root: &DeTable) -> (Desired, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut top = Fields::new(root, "at the top level");
    // Asked in the order in which messages list them.
    let prune = top.get("prune");
    let networks = top.get("networks");
    let peering = top.get("peering");
    let accounts = top.get("accounts");
    let default_account = top.get("default_account");
    let link = top.get("link");
    top.finish_with_hint(&mut problems, |key| match key {
        "account" => Some(
            "`account` belongs to a peering: put it below a `[[peering]]` header; to give every peering the same account, write `default_account = \"NAME\"`"
                .to_owned(),
        ),
        key if PEERING_KEYS.contains(&key) => Some(format!(
            "`{key}` belongs to a peering: put it below a `[[peering]]` header"
        )),
        _ => None,
    });

    let prune = prune
        .and_then(|field| field.boolean(PRUNE_HELP, &mut problems))
        .unwrap_or(false);
    let accounts = accounts
        .map(|field| read_accounts(field, &mut problems))
        .unwrap_or_default();
    let mut aliases = AliasTables {
        accounts: accounts.names(),
        ..AliasTables::default()
    };
    aliases.global = networks
        .map(|field| read_aliases(field, None, &aliases.accounts, &mut problems))
        .unwrap_or_default();
    aliases.by_account = accounts.aliases.clone();
    let context = Context {
        accounts: &accounts,
        aliases: &aliases,
        default_account: default_account
            .map(|field| read_account_ref(field, &accounts, &mut problems)),
    };
    let mut drafts = peering
        .map(|field| {
            read_array(field, "peering", PEERING_HELP, &mut problems, |t, s, p| {
                vec![read_peering(t, s, &context, p)]
            })
        })
        .unwrap_or_default();
    drafts.extend(
        link.map(|field| {
            read_array(field, "link", LINK_HELP, &mut problems, |t, s, p| {
                read_link(t, s, &context, p)
            })
        })
        .unwrap_or_default(),
    );
    // Stable: the halves of a link stay in the order `a`, `b`.
    drafts.sort_by_key(|draft| draft.order);

    check_unique_names(&drafts, &mut problems);
    check_unique_pairs(&drafts, &mut problems);

    let desired = Desired {
        prune,
        aliases: valid_aliases(&aliases.global),
        peerings: drafts.iter().filter_map(finish).collect(),
        accounts: accounts
            .declared
            .iter()
            .filter_map(|(name, spec)| Some((name.clone(), spec.clone()?)))
            .collect(),
        default_account: context.default_account.flatten().map(str::to_owned),
        account_aliases: aliases
            .by_account
            .iter()
            .map(|(account, table)| (account.clone(), valid_aliases(table)))
            .filter(|(_, table)| !table.is_empty())
            .collect(),
    };
    (desired, problems)
}

fn valid_aliases(table: &super::networks::Aliases) -> BTreeMap<String, NetworkId> {
    table
        .iter()
        .filter_map(|(alias, def)| Some((alias.clone(), def.id?)))
        .collect()
}

/// `[[peering]]` or `[[link]]`: an array of tables, each read by `read`.
fn read_array<'a>(
    field: Field<'a, '_>,
    what: &str,
    help: &str,
    problems: &mut Vec<Problem>,
    mut read: impl FnMut(&'a DeTable<'a>, Range<usize>, &mut Vec<Problem>) -> Vec<Draft<'a>>,
) -> Vec<Draft<'a>> {
    let DeValue::Array(array) = field.value.get_ref() else {
        let found = describe(field.value.get_ref());
        problems.push(
            Problem::new(
                format!("`{what}` must be an array of tables"),
                field.key.span(),
                format!("this is {found}"),
            )
            .help(help),
        );
        return Vec::new();
    };
    array
        .iter()
        .flat_map(|element| match element.get_ref() {
            DeValue::Table(table) => read(table, element.span(), problems),
            other => {
                problems.push(wrong_type(
                    element.span(),
                    &format!("each `{what}`"),
                    "a table",
                    other,
                    help,
                ));
                Vec::new()
            }
        })
        .collect()
}

fn read_peering<'a>(
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

    let account = peering_account(account, &span, context, problems);
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

fn missing(span: &Range<usize>, what: &str, key: &str, help: &str) -> Problem {
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
/// allowed, in a file without accounts.
fn peering_account<'a>(
    field: Option<Field<'a, '_>>,
    span: &Range<usize>,
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
                "peering",
                "account",
                &format!(
                    "the file declares accounts ({}): add `account = \"{first}\"` to say in which the peering is, or set `default_account = \"{first}\"` at the top of the file",
                    super::reader::list(&names)
                ),
            ));
            None
        }
    }
}

/// `same_as`: what the label under the second network calls the first; `first`: the label of
/// the first.
fn check_not_self_peered(
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

/// One side of a link: `{ account, network }`.
struct Side<'a> {
    /// The side's table.
    span: Range<usize>,
    /// The account as written, for the names of the halves; `None` if not a string.
    account_written: Option<&'a str>,
    account: AccountOf<'a>,
    network: Option<At<NetworkId>>,
    network_written: &'a str,
}

impl Side<'_> {
    /// How `from`'s account would write this side's network: qualified where this side's bare
    /// alias is its own account's and the other account would not read it the same.
    fn written_from(&self, from: &Side, context: &Context) -> String {
        let bare = self.network_written;
        let (Some(Some(own)), Some(network)) = (self.account, &self.network) else {
            return bare.to_owned();
        };
        let own_alias = context
            .aliases
            .by_account
            .get(own)
            .and_then(|aliases| aliases.get(bare))
            .is_some_and(|def| def.id == Some(network.value));
        if own_alias && from.account != self.account {
            format!("{own}:{bare}")
        } else {
            bare.to_owned()
        }
    }
}

/// A `[[link]]`: its two halves, `a`'s first.
fn read_link<'a>(
    table: &'a DeTable<'a>,
    span: Range<usize>,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> Vec<Draft<'a>> {
    let mut fields = Fields::new(table, "in `[[link]]`");
    let name = fields.get("name");
    let a = fields.get("a");
    let b = fields.get("b");
    let configured_status = fields.get("configured_status");
    let labels = fields.get("labels");
    fields.finish_with_hint(problems, |key| {
        matches!(key, "account" | "network" | "peer_network").then(|| {
            "a link names its two accounts and networks in `a` and `b`, e.g. `a = { account = \"prod\", network = \"prod-hel1\" }`".to_owned()
        })
    });

    let required = [
        (&name, "name", LINK_NAME_HELP),
        (
            &a,
            "a",
            "add `a = { account = \"<account>\", network = \"<alias or UUID>\" }`: one of the two networks the link connects",
        ),
        (
            &b,
            "b",
            "add `b = { account = \"<account>\", network = \"<alias or UUID>\" }`: the other network the link connects",
        ),
    ];
    for (field, key, help) in required {
        if field.is_none() {
            problems.push(missing(&span, "link", key, help));
        }
    }

    let name_field = name;
    let name = name.and_then(|f| read_name(f, LINK_NAME_HELP, "link", problems));
    let a = a.and_then(|f| read_side(f, context, problems));
    let b = b.and_then(|f| read_side(f, context, problems));
    let configured_status = configured_status.map_or(Some(ConfiguredStatus::default()), |f| {
        read_status(f, problems)
    });
    let labels = labels.map_or(Some(Labels::new()), |f| read_labels(f, problems));
    let (Some(a), Some(b)) = (a, b) else {
        return Vec::new();
    };
    let self_peered = check_not_self_peered(
        &a.network,
        &b.network,
        "a link cannot connect a network to itself",
        ("`a`", "`a`'s network"),
        "`a` and `b` are the two networks the link connects: two different networks, of two accounts or of one",
        problems,
    );
    if self_peered {
        return Vec::new();
    }

    let half_name = |side: &Side, other: &Side| -> Option<At<String>> {
        let name = name.as_ref()?;
        // Within one account, the accounts do not tell the halves apart; the networks do.
        let side_name = if side.account_written? == other.account_written? {
            side.network_written
        } else {
            side.account_written?
        };
        Some(At {
            value: format!("{} ({side_name} side)", name.value),
            span: name.span.clone(),
        })
    };
    let names = [half_name(&a, &b), half_name(&b, &a)];
    let names = check_half_names(names, problems);
    let link = name
        .as_ref()
        .and(name_field)
        .and_then(|f| f.value.get_ref().as_str());
    let [a_name, b_name] = names;
    let half = |this: &Side<'a>, other: &Side<'a>, name: Option<At<String>>| Draft {
        span: this.span.clone(),
        order: span.start,
        name,
        network: this.network.clone(),
        peer_network: other.network.clone(),
        written: (
            this.network_written.to_owned(),
            other.written_from(this, context),
        ),
        account: this.account,
        link,
        configured_status,
        labels: labels.clone(),
    };
    vec![half(&a, &b, a_name), half(&b, &a, b_name)]
}

/// The names of a link's halves are longer than the link's; they too must fit the limit.
fn check_half_names(
    names: [Option<At<String>>; 2],
    problems: &mut Vec<Problem>,
) -> [Option<At<String>>; 2] {
    let too_long = names
        .iter()
        .flatten()
        .map(|name| (name, name.value.chars().count()))
        .filter(|(_, chars)| *chars > MAX_NAME_CHARS)
        .max_by_key(|(_, chars)| *chars);
    let Some((name, chars)) = too_long else {
        return names;
    };
    problems.push(
        Problem::new(
            "link name is too long for the names of its halves",
            name.span.clone(),
            format!("the half `…{}` would have {chars} characters; the limit is {MAX_NAME_CHARS}", tail(&name.value, 20)),
        )
        .help(format!(
            "each half of a link is a peering named after the link and its side, such as `{}`; shorten the link's name by {} characters",
            "prod <-> shared (prod side)",
            chars - MAX_NAME_CHARS
        )),
    );
    [None, None]
}

/// The last `n` characters of `text`.
fn tail(text: &str, n: usize) -> &str {
    let skip = text.chars().count().saturating_sub(n);
    text.char_indices()
        .nth(skip)
        .map_or(text, |(at, _)| &text[at..])
}

fn read_side<'a>(
    field: Field<'a, '_>,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> Option<Side<'a>> {
    let side = field.name();
    let table = field.table(SIDE_HELP, problems)?;
    let mut fields = Fields::new(table, format!("in `{side}` of `[[link]]`"));
    let account = fields.get("account");
    let network = fields.get("network");
    fields.finish(problems);
    let span = field.value_span();
    if account.is_none() {
        problems.push(missing(
            &span,
            &format!("`{side}` of the link"),
            "account",
            &format!("add `account = \"<account>\"`: the account of `{side}`'s network, one of those declared as `[accounts.NAME]`"),
        ));
    }
    if network.is_none() {
        problems.push(missing(
            &span,
            &format!("`{side}` of the link"),
            "network",
            &format!("add `network = \"<alias or UUID>\"`: `{side}`'s network"),
        ));
    }
    let account_written = account.and_then(|f| f.value.get_ref().as_str());
    let account = account.and_then(|f| read_account_ref(f, context.accounts, problems).map(Some));
    let viewpoint = context.viewpoint(account);
    Some(Side {
        span,
        account_written,
        account,
        network_written: network
            .and_then(|f| f.value.get_ref().as_str())
            .unwrap_or(""),
        network: network.and_then(|f| resolve(f, context.aliases, viewpoint, problems)),
    })
}

fn read_name(
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

/// A character for a message: quoted, unless quotes would hide it.
pub(super) fn show_char(c: char) -> String {
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

/// Names are unique in the whole file, whatever the accounts: output and `check` name peerings
/// by them.
fn check_unique_names(drafts: &[Draft], problems: &mut Vec<Problem>) {
    let mut first_use: HashMap<&str, Range<usize>> = HashMap::new();
    for name in drafts.iter().filter_map(|d| d.name.as_ref()) {
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
fn check_unique_pairs(drafts: &[Draft], problems: &mut Vec<Problem>) {
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
fn finish(draft: &Draft) -> Option<DesiredPeering> {
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
