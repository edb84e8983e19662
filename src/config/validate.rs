//! Checking a parsed file against the format, and turning it into a [`Desired`] state.
//!
//! Every check records its problem and carries on, so that one run reports everything wrong with
//! the file. A value that is wrong is left out (`None`), and the checks that depend on it are
//! skipped, so that one mistake is reported once and not again by every later check.
//!
//! This module reads the top level and puts the parts together; [`super::accounts`],
//! [`super::networks`], [`super::peerings`], [`super::links`] and [`super::labels`] read the
//! parts.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::accounts::{AccountTables, read_account_ref, read_accounts};
use super::aiven::{
    AIVEN_PEERING_KEYS, AivenDraft, check_aiven_table, check_unique_connections, read_aiven,
    read_aiven_peering,
};
use super::desired::{AccountSpec, Desired, PEERING_KEYS};
use super::links::read_link;
use super::networks::{AliasTables, Aliases, read_aliases};
use super::owner::read_owner;
use super::peerings::{
    Context, Draft, check_unique_names, check_unique_pairs, finish, read_peering,
};
use super::problems::Problem;
use super::reader::{At, Field, Fields, describe, wrong_type};
use crate::model::NetworkId;

const PEERING_HELP: &str =
    "write each peering under its own `[[peering]]` header (with double brackets)";
const LINK_HELP: &str = "write each link under its own `[[link]]` header (with double brackets)";
const AIVEN_PEERING_HELP: &str =
    "write each Aiven peering under its own `[[aiven_peering]]` header (with double brackets)";
const PRUNE_HELP: &str =
    "write `prune = true` to delete owned peerings the file no longer lists, or `prune = false`";

/// Checks the whole file. The state is only meaningful if there are no problems.
pub(super) fn validate(root: &DeTable) -> (Desired, Vec<Problem>) {
    let mut problems = Vec::new();
    let top = TopLevel::read(root, &mut problems);
    let prune = top
        .prune
        .and_then(|field| field.boolean(PRUNE_HELP, &mut problems))
        .unwrap_or(false);
    let owner = top.owner.and_then(|field| read_owner(field, &mut problems));
    let accounts = top
        .accounts
        .map(|field| read_accounts(field, &mut problems))
        .unwrap_or_default();
    let aliases = alias_tables(&accounts, top.networks, &mut problems);
    let context = Context {
        accounts: &accounts,
        aliases: &aliases,
        default_account: top
            .default_account
            .map(|field| read_account_ref(field, &accounts, &mut problems)),
    };
    let drafts = read_drafts(top.peering, top.link, &context, &mut problems);
    let aiven = top.aiven.and_then(|field| read_aiven(field, &mut problems));
    let aiven_drafts = read_aiven_drafts(top.aiven_peering, &context, &mut problems);
    check_aiven_table(&aiven_drafts, top.aiven.is_some(), &mut problems);
    check_unique_names(names_in_file_order(&drafts, &aiven_drafts), &mut problems);
    let halves: Vec<Draft> = aiven_drafts
        .iter()
        .filter_map(AivenDraft::upcloud_half)
        .collect();
    check_unique_pairs(drafts.iter().chain(&halves), &mut problems);
    check_unique_connections(&aiven_drafts, &mut problems);
    let desired = Desired {
        prune,
        owner,
        aliases: valid_aliases(&aliases.global),
        peerings: drafts.iter().filter_map(finish).collect(),
        accounts: valid_accounts(&accounts),
        default_account: context.default_account.flatten().map(str::to_owned),
        account_aliases: aliases
            .by_account
            .iter()
            .map(|(account, table)| (account.clone(), valid_aliases(table)))
            .filter(|(_, table)| !table.is_empty())
            .collect(),
        aiven,
        aiven_peerings: aiven_drafts.iter().filter_map(AivenDraft::finish).collect(),
    };
    (desired, problems)
}

/// The names of every peering and Aiven peering, in the order the file has them, so that the
/// second use of a name is the one reported.
fn names_in_file_order<'d>(
    drafts: &'d [Draft],
    aiven_drafts: &'d [AivenDraft],
) -> Vec<&'d At<String>> {
    let mut names: Vec<(usize, &At<String>)> = drafts
        .iter()
        .filter_map(|d| Some((d.order, d.name.as_ref()?)))
        .chain(
            aiven_drafts
                .iter()
                .filter_map(|d| Some((d.span.start, d.name.as_ref()?))),
        )
        .collect();
    names.sort_by_key(|(order, name)| (*order, name.span.start));
    names.into_iter().map(|(_, name)| name).collect()
}

/// Every `[[aiven_peering]]`, in file order.
fn read_aiven_drafts<'a>(
    field: Option<Field<'a, '_>>,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> Vec<AivenDraft<'a>> {
    field
        .map(|field| {
            read_array(
                field,
                "aiven_peering",
                AIVEN_PEERING_HELP,
                problems,
                |t, s, p| vec![read_aiven_peering(t, s, context, p)],
            )
        })
        .unwrap_or_default()
}

/// The keys of the top level; any other is reported as unknown.
struct TopLevel<'a, 'i> {
    prune: Option<Field<'a, 'i>>,
    owner: Option<Field<'a, 'i>>,
    networks: Option<Field<'a, 'i>>,
    peering: Option<Field<'a, 'i>>,
    accounts: Option<Field<'a, 'i>>,
    default_account: Option<Field<'a, 'i>>,
    link: Option<Field<'a, 'i>>,
    aiven: Option<Field<'a, 'i>>,
    aiven_peering: Option<Field<'a, 'i>>,
}

impl<'a, 'i> TopLevel<'a, 'i> {
    fn read(root: &'a DeTable<'i>, problems: &mut Vec<Problem>) -> Self {
        let mut top = Fields::new(root, "at the top level");
        // Asked in the order in which messages list them.
        let keys = TopLevel {
            prune: top.get("prune"),
            owner: top.get("owner"),
            networks: top.get("networks"),
            peering: top.get("peering"),
            accounts: top.get("accounts"),
            default_account: top.get("default_account"),
            link: top.get("link"),
            aiven: top.get("aiven"),
            aiven_peering: top.get("aiven_peering"),
        };
        top.finish_with_hint(problems, misplaced_peering_key);
        keys
    }
}

/// The help for a key of a peering written at the top level, where it does not belong.
fn misplaced_peering_key(key: &str) -> Option<String> {
    match key {
        "account" => Some(
            "`account` belongs to a peering: put it below a `[[peering]]` header; to give every peering the same account, write `default_account = \"NAME\"`"
                .to_owned(),
        ),
        key if PEERING_KEYS.contains(&key) => Some(format!(
            "`{key}` belongs to a peering: put it below a `[[peering]]` header"
        )),
        key if AIVEN_PEERING_KEYS.contains(&key) => Some(format!(
            "`{key}` belongs to an Aiven peering: put it below an `[[aiven_peering]]` header"
        )),
        _ => None,
    }
}

/// `[networks]` and the accounts' `networks` tables, with the names of every declared account.
fn alias_tables(
    accounts: &AccountTables,
    networks: Option<Field>,
    problems: &mut Vec<Problem>,
) -> AliasTables {
    let names = accounts.names();
    AliasTables {
        global: networks
            .map(|field| read_aliases(field, None, &names, problems))
            .unwrap_or_default(),
        by_account: accounts.aliases.clone(),
        accounts: names,
    }
}

/// Every `[[peering]]` and both halves of every `[[link]]`, in file order.
fn read_drafts<'a>(
    peering: Option<Field<'a, '_>>,
    link: Option<Field<'a, '_>>,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> Vec<Draft<'a>> {
    let mut drafts = peering
        .map(|field| {
            read_array(field, "peering", PEERING_HELP, problems, |t, s, p| {
                vec![read_peering(t, s, context, p)]
            })
        })
        .unwrap_or_default();
    drafts.extend(
        link.map(|field| {
            read_array(field, "link", LINK_HELP, problems, |t, s, p| {
                read_link(t, s, context, p)
            })
        })
        .unwrap_or_default(),
    );
    // Stable: the halves of a link stay in the order `a`, `b`.
    drafts.sort_by_key(|draft| draft.order);
    drafts
}

/// The accounts whose tables are valid.
fn valid_accounts(accounts: &AccountTables) -> BTreeMap<String, AccountSpec> {
    accounts
        .declared
        .iter()
        .filter_map(|(name, spec)| Some((name.clone(), spec.clone()?)))
        .collect()
}

fn valid_aliases(table: &Aliases) -> BTreeMap<String, NetworkId> {
    table
        .iter()
        .filter_map(|(alias, def)| Some((alias.clone(), def.id?)))
        .collect()
}

/// `[[peering]]`, `[[link]]` or `[[aiven_peering]]`: an array of tables, each read by `read`.
fn read_array<'a, T>(
    field: Field<'a, '_>,
    what: &str,
    help: &str,
    problems: &mut Vec<Problem>,
    mut read: impl FnMut(&'a DeTable<'a>, Range<usize>, &mut Vec<Problem>) -> Vec<T>,
) -> Vec<T> {
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
