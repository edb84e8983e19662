//! One `[[link]]`: both halves of a peering between two networks, each a [`Draft`] of its own
//! account, named after the link and its side.

use std::ops::Range;

use toml::de::DeTable;

use super::accounts::read_account_ref;
use super::labels::read_labels;
use super::networks::resolve;
use super::peerings::{
    AccountOf, Context, Draft, MAX_NAME_CHARS, check_not_self_peered, missing, read_name,
    read_status,
};
use super::problems::Problem;
use super::reader::{At, Field, Fields};
use crate::model::{ConfiguredStatus, Labels, NetworkId};

const LINK_NAME_HELP: &str =
    "a link's name is 1 to 255 characters in quotes, e.g. `name = \"prod <-> shared\"`";
const SIDE_HELP: &str = "a side of a link is a table of an account and a network of it, e.g. `a = { account = \"prod\", network = \"prod-hel1\" }`";

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
pub(super) fn read_link<'a>(
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
    fields.finish_with_hint(problems, misplaced_peering_key);
    report_missing_keys(&span, [&name, &a, &b], problems);

    let valid_name = name.and_then(|f| read_name(f, LINK_NAME_HELP, "link", problems));
    let a = a.and_then(|f| read_side(f, context, problems));
    let b = b.and_then(|f| read_side(f, context, problems));
    let link = Link {
        order: span.start,
        written_name: valid_name
            .as_ref()
            .and(name)
            .and_then(|f| f.value.get_ref().as_str()),
        name: valid_name,
        configured_status: configured_status.map_or(Some(ConfiguredStatus::default()), |f| {
            read_status(f, problems)
        }),
        labels: labels.map_or(Some(Labels::new()), |f| read_labels(f, problems)),
    };
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
    link.halves(&a, &b, context, problems)
}

/// What the two halves of a link share, as far as it is valid.
struct Link<'a> {
    /// Where the link is in the file.
    order: usize,
    name: Option<At<String>>,
    /// The link's name as the file writes it, if valid: what both halves carry as their link.
    written_name: Option<&'a str>,
    configured_status: Option<ConfiguredStatus>,
    labels: Option<Labels>,
}

impl<'a> Link<'a> {
    /// Both halves, `a`'s first, named after the link and their side.
    fn halves(
        &self,
        a: &Side<'a>,
        b: &Side<'a>,
        context: &Context,
        problems: &mut Vec<Problem>,
    ) -> Vec<Draft<'a>> {
        let names = self.name.as_ref().map_or([None, None], |name| {
            [half_name(name, a, b), half_name(name, b, a)]
        });
        let [a_name, b_name] = check_half_names(names, problems);
        let half = |this: &Side<'a>, other: &Side<'a>, name: Option<At<String>>| Draft {
            span: this.span.clone(),
            order: self.order,
            name,
            network: this.network.clone(),
            peer_network: other.network.clone(),
            written: (
                this.network_written.to_owned(),
                other.written_from(this, context),
            ),
            account: this.account,
            link: self.written_name,
            configured_status: self.configured_status,
            labels: self.labels.clone(),
        };
        vec![half(a, b, a_name), half(b, a, b_name)]
    }
}

/// `"<link> (<side> side)"`: the side's account, or within one account its network.
fn half_name(link: &At<String>, side: &Side, other: &Side) -> Option<At<String>> {
    // Within one account, the accounts do not tell the halves apart; the networks do.
    let side_name = if side.account_written? == other.account_written? {
        side.network_written
    } else {
        side.account_written?
    };
    Some(At {
        value: format!("{} ({side_name} side)", link.value),
        span: link.span.clone(),
    })
}

/// The help for a key of a peering written in a link, which has `a` and `b` instead.
fn misplaced_peering_key(key: &str) -> Option<String> {
    matches!(key, "account" | "network" | "peer_network").then(|| {
        "a link names its two accounts and networks in `a` and `b`, e.g. `a = { account = \"prod\", network = \"prod-hel1\" }`".to_owned()
    })
}

/// `name`, `a` and `b` are required.
fn report_missing_keys(
    span: &Range<usize>,
    [name, a, b]: [&Option<Field>; 3],
    problems: &mut Vec<Problem>,
) {
    let required = [
        (name, "name", LINK_NAME_HELP),
        (
            a,
            "a",
            "add `a = { account = \"<account>\", network = \"<alias or UUID>\" }`: one of the two networks the link connects",
        ),
        (
            b,
            "b",
            "add `b = { account = \"<account>\", network = \"<alias or UUID>\" }`: the other network the link connects",
        ),
    ];
    for (field, key, help) in required {
        if field.is_none() {
            problems.push(missing(span, "link", key, help));
        }
    }
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
