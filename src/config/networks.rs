//! Network aliases: the global `[networks]` table, the `[accounts.NAME.networks]` tables, and
//! resolving a network reference (a UUID, `alias` or `ACCOUNT:alias`) to a UUID.
//!
//! The resolution rules are those of the module docs of `config`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::desired::PEERING_KEYS;
use super::problems::Problem;
use super::reader::{At, Field, did_you_mean, list, list_or, show_char, wrong_type};
use crate::model::NetworkId;

const UUID_FORM: &str = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
const NETWORKS_HELP: &str = "write `[networks]` on a line of its own, followed by lines such as `app-hel1 = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"`";
const ALIAS_HELP: &str = "an alias names a network's UUID, in quotes: `app-hel1 = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"`";
pub(super) const NETWORK_HELP: &str =
    "give an alias from `[networks]` or the network's UUID, in quotes";

/// Where an alias is defined, and its UUID. An alias whose UUID is malformed is still defined
/// (as `None`), so that its uses are not reported a second time as unknown aliases.
#[derive(Debug, Clone)]
pub(super) struct AliasDef {
    pub id: Option<NetworkId>,
    /// The alias's key, where it is defined.
    pub span: Range<usize>,
}

/// One alias table.
pub(super) type Aliases = BTreeMap<String, AliasDef>;

/// Every alias of the file, and the accounts that qualified references may name.
#[derive(Debug, Default)]
pub(super) struct AliasTables {
    /// `[networks]`.
    pub global: Aliases,
    /// `[accounts.NAME.networks]`, by account.
    pub by_account: BTreeMap<String, Aliases>,
    /// Every declared account, whether or not it has aliases (or a valid table).
    pub accounts: BTreeSet<String>,
}

/// From which account's point of view a bare alias is resolved.
#[derive(Debug, Clone, Copy)]
pub(super) enum Viewpoint<'a> {
    /// A file without accounts, or no account in particular.
    NoAccount,
    /// A peering (or a side of a link) of this account: its own aliases come first.
    Account(&'a str),
    /// The account is missing or wrong, which has been reported: resolve what can be resolved
    /// without it, and do not report an ambiguity that naming the account might have settled.
    Unknown,
}

/// Reads `[networks]` (`owner` is `None`) or `[accounts.OWNER.networks]`.
pub(super) fn read_aliases(
    field: Field,
    owner: Option<&str>,
    accounts: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Aliases {
    let help = match owner {
        None => NETWORKS_HELP.to_owned(),
        Some(owner) => format!(
            "write `[accounts.{owner}.networks]` on a line of its own, followed by lines such as `app-hel1 = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"`"
        ),
    };
    let Some(table) = field.table(&help, problems) else {
        return Aliases::new();
    };
    table
        .iter()
        .map(|(key, value)| {
            let alias = Field { key, value };
            check_alias_name(alias, owner, accounts, problems);
            let misplaced_account_table = owner.is_none()
                && accounts.contains(alias.name())
                && matches!(value.get_ref(), DeValue::Table(_));
            let id = if misplaced_account_table {
                let name = alias.name();
                problems.push(wrong_type(
                    alias.value_span(),
                    &format!("network alias `{name}`"),
                    "a string",
                    value.get_ref(),
                    &format!(
                        "the aliases of account `{name}` go under a header `[accounts.{name}.networks]`"
                    ),
                ));
                None
            } else {
                alias
                    .string(ALIAS_HELP, problems)
                    .and_then(|text| alias_uuid(alias, text, table, problems))
            };
            let def = AliasDef {
                id,
                span: key.span(),
            };
            (alias.name().to_owned(), def)
        })
        .collect()
}

/// An alias name that would be read as something else: a UUID, which always means that network
/// itself, or a name with `:`, which separates an account from an alias in references.
fn check_alias_name(
    alias: Field,
    owner: Option<&str>,
    accounts: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) {
    let name = alias.name();
    if name.parse::<NetworkId>().is_ok() {
        problems.push(
            Problem::new(
                format!("network alias `{name}` is a UUID"),
                alias.key.span(),
                "a UUID means that network itself, so this alias could never be used",
            )
            .help("an alias is a name for a network's UUID: choose a name, such as `app-hel1 = \"<UUID>\"`"),
        );
        return;
    }
    let Some((prefix, rest)) = name.split_once(':') else {
        return;
    };
    match owner {
        Some(owner) => problems.push(
            Problem::new(
                format!("network alias `{name}` contains `:`"),
                alias.key.span(),
                "`:` separates an account from an alias",
            )
            .help(format!(
                "`{owner}:{name}` would be read as a reference to an alias of another account; choose a name without `:`"
            )),
        ),
        None if accounts.contains(prefix) => problems.push(
            Problem::new(
                format!("network alias `{name}` cannot be used"),
                alias.key.span(),
                format!("`{name}` means the alias `{rest}` of account `{prefix}`"),
            )
            .help(format!(
                "an alias of account `{prefix}` goes under `[accounts.{prefix}.networks]` as `{rest} = \"<UUID>\"`; otherwise choose a name without `:`"
            )),
        ),
        None => {}
    }
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

/// A network reference: a UUID, a bare alias, or `ACCOUNT:alias`.
pub(super) fn resolve(
    field: Field,
    tables: &AliasTables,
    viewpoint: Viewpoint,
    problems: &mut Vec<Problem>,
) -> Option<At<NetworkId>> {
    let text = field.string(NETWORK_HELP, problems)?;
    let at = |value| At {
        value,
        span: field.value_span(),
    };
    if let Ok(id) = text.parse() {
        return Some(at(id));
    }
    // A malformed alias has been reported where it is defined: its uses resolve to `None`
    // without a problem of their own.
    if let Some((account, alias)) = qualified(text, tables) {
        if let Some(def) = tables.by_account.get(account).and_then(|a| a.get(alias)) {
            return def.id.map(at);
        }
        problems.push(unknown_qualified(field, account, alias, tables));
        return None;
    }
    if let Viewpoint::Account(own) = viewpoint {
        if let Some(def) = tables.by_account.get(own).and_then(|a| a.get(text)) {
            return def.id.map(at);
        }
    }
    if let Some(def) = tables.global.get(text) {
        return def.id.map(at);
    }
    let defined: Vec<(&str, &AliasDef)> = tables
        .by_account
        .iter()
        .filter_map(|(account, aliases)| aliases.get(text).map(|def| (account.as_str(), def)))
        .collect();
    if defined.is_empty() {
        problems.push(unknown(field, text, tables, viewpoint));
        return None;
    }
    let ids: Option<BTreeSet<NetworkId>> = defined.iter().map(|(_, def)| def.id).collect();
    match ids {
        // Several accounts may well name the same network alike: no ambiguity.
        Some(ids) if ids.len() == 1 => ids.into_iter().next().map(at),
        Some(_) if !matches!(viewpoint, Viewpoint::Unknown) => {
            problems.push(ambiguous(field, text, &defined));
            None
        }
        _ => None,
    }
}

/// `ACCOUNT:alias`, if `text` is one: the part before the first `:` names a declared account.
fn qualified<'t>(text: &'t str, tables: &AliasTables) -> Option<(&'t str, &'t str)> {
    text.split_once(':')
        .filter(|(account, _)| tables.accounts.contains(*account))
}

fn unknown_qualified(field: Field, account: &str, alias: &str, tables: &AliasTables) -> Problem {
    let text = field.value.get_ref().as_str().unwrap_or_default();
    let aliases = tables.by_account.get(account);
    let suggestion = did_you_mean(
        alias,
        aliases
            .into_iter()
            .flat_map(|a| a.keys())
            .map(String::as_str),
    );
    let help = match suggestion {
        Some(known) => format!("did you mean `{account}:{known}`?"),
        None => format!(
            "define it under `[accounts.{account}.networks]` as `{alias} = \"<UUID>\"`, or use the network's UUID"
        ),
    };
    Problem::new(
        format!("unknown network alias `{text}`"),
        field.value_span(),
        format!("not defined under `[accounts.{account}.networks]`"),
    )
    .help(help)
}

fn unknown(field: Field, text: &str, tables: &AliasTables, viewpoint: Viewpoint) -> Problem {
    let key = field.name();
    if text.is_empty() {
        return Problem::new(format!("`{key}` is empty"), field.value_span(), "empty")
            .help(NETWORK_HELP);
    }
    if looks_like_uuid(text) {
        return Problem::new(
            format!("malformed UUID in `{key}`"),
            field.value_span(),
            uuid_trouble(text),
        )
        .help(format!(
            "a network UUID has the form {UUID_FORM}; copy it from the UpCloud control panel"
        ));
    }
    if tables.accounts.is_empty() {
        // A file without accounts: the messages from before accounts existed.
        let help = match did_you_mean(text, tables.global.keys().map(String::as_str)) {
            Some(alias) => format!("did you mean `{alias}`?"),
            None => format!(
                "define it under `[networks]` as `{text} = \"<UUID>\"`, or use the network's UUID"
            ),
        };
        return Problem::new(
            format!("unknown network alias `{text}`"),
            field.value_span(),
            "not defined under `[networks]`",
        )
        .help(help);
    }
    if let Some((account, alias)) = text.split_once(':') {
        let accounts: Vec<&str> = tables.accounts.iter().map(String::as_str).collect();
        let help = match did_you_mean(account, accounts.iter().copied()) {
            Some(known) => format!("did you mean `{known}:{alias}`?"),
            None => format!(
                "`ACCOUNT:alias` names an alias of a declared account; the accounts are {}",
                list(&accounts)
            ),
        };
        return Problem::new(
            format!("unknown account `{account}` in network alias `{text}`"),
            field.value_span(),
            format!("no account `{account}` is declared"),
        )
        .help(help);
    }
    unknown_with_accounts(field, text, tables, viewpoint)
}

/// An unknown bare alias in a file with accounts.
fn unknown_with_accounts(
    field: Field,
    text: &str,
    tables: &AliasTables,
    viewpoint: Viewpoint,
) -> Problem {
    // What could have been meant: every reference that resolves from here.
    let mut candidates: Vec<String> = tables.global.keys().cloned().collect();
    for (account, aliases) in &tables.by_account {
        for alias in aliases.keys() {
            candidates.push(format!("{account}:{alias}"));
            candidates.push(alias.clone());
        }
    }
    let help = match did_you_mean(text, candidates.iter().map(String::as_str)) {
        Some(known) => format!("did you mean `{known}`?"),
        None => {
            let owner = match viewpoint {
                Viewpoint::Account(own) => own,
                _ => "NAME",
            };
            format!(
                "define it under `[networks]`, or under `[accounts.{owner}.networks]` for a network of that account, as `{text} = \"<UUID>\"`; or use the network's UUID"
            )
        }
    };
    Problem::new(
        format!("unknown network alias `{text}`"),
        field.value_span(),
        "not defined under `[networks]` or `[accounts.NAME.networks]`",
    )
    .help(help)
}

fn ambiguous(field: Field, text: &str, defined: &[(&str, &AliasDef)]) -> Problem {
    let accounts: Vec<&str> = defined.iter().map(|(account, _)| *account).collect();
    let qualified: Vec<String> = accounts
        .iter()
        .map(|account| format!("{account}:{text}"))
        .collect();
    let options: Vec<&str> = qualified.iter().map(String::as_str).collect();
    let mut problem = Problem::new(
        format!("ambiguous network alias `{text}`"),
        field.value_span(),
        format!("defined by the accounts {}", list(&accounts)),
    );
    for (account, def) in defined {
        problem = problem.also(def.span.clone(), format!("`{account}:{text}`"));
    }
    problem.help(format!(
        "say which account's network is meant: write {}",
        list_or(&options)
    ))
}

/// Whether `text` is meant as a UUID rather than an alias: about the right length, and nearly all
/// hexadecimal digits and hyphens. Such a value is reported as a malformed UUID, which is what
/// it is, rather than as an unknown alias.
pub(super) fn looks_like_uuid(text: &str) -> bool {
    let chars = text.chars().count();
    let uuid_like = text
        .chars()
        .filter(|c| c.is_ascii_hexdigit() || *c == '-')
        .count();
    let digits = text.chars().filter(char::is_ascii_hexdigit).count();
    (30..=40).contains(&chars) && uuid_like + 2 >= chars && digits >= 24
}

/// What is wrong with a string that should be a UUID, as precisely as can be said.
pub(super) fn uuid_trouble(text: &str) -> String {
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
