//! The `[accounts.NAME]` tables, `default_account`, and `account = "NAME"` references.

use std::collections::{BTreeMap, BTreeSet};

use toml::de::{DeTable, DeValue};

use super::desired::{AccountCredentials, AccountSpec};
use super::networks::{Aliases, read_aliases};
use super::problems::Problem;
use super::reader::{Field, Fields, did_you_mean, list, show_char, wrong_type};

const MAX_ACCOUNT_NAME_CHARS: usize = 64;
const ACCOUNTS_HELP: &str = "declare each account in a table of its own: `[accounts.prod]` on a line of its own, followed by `token_env = \"UPCLOUD_TOKEN_PROD\"`";
const ACCOUNT_NAME_HELP: &str = "an account name is 1 to 64 letters, digits, `_` or `-`";
const ACCOUNT_REF_HELP: &str =
    "name one of the accounts declared as `[accounts.NAME]`, in quotes: `account = \"prod\"`";
/// The UpCloud API's root, for the help of a wrong `api_url`.
const UPCLOUD_ROOT: &str = "https://api.upcloud.com";

const CREDENTIAL_KEYS: [&str; 3] = ["token_env", "username_env", "password_env"];

/// Keys that would put a secret (or a user name) in the file, and the key to use instead.
const SECRET_KEYS: [(&str, &str, &str); 6] = [
    ("token", "token_env", "token"),
    ("api_token", "token_env", "token"),
    ("secret", "token_env", "token"),
    ("password", "password_env", "password"),
    ("username", "username_env", "username"),
    ("user", "username_env", "username"),
];

/// Every `[accounts.NAME]` table.
#[derive(Debug, Default)]
pub(super) struct AccountTables {
    /// Every declared account, valid or not, so that references to one whose table has a problem
    /// are not reported again as unknown. `None`: the table has a problem.
    pub declared: BTreeMap<String, Option<AccountSpec>>,
    /// The accounts' `networks` tables; accounts without one are left out.
    pub aliases: BTreeMap<String, Aliases>,
}

impl AccountTables {
    pub fn is_empty(&self) -> bool {
        self.declared.is_empty()
    }

    pub fn names(&self) -> BTreeSet<String> {
        self.declared.keys().cloned().collect()
    }
}

pub(super) fn read_accounts(field: Field, problems: &mut Vec<Problem>) -> AccountTables {
    let mut accounts = AccountTables::default();
    let Some(table) = field.table(ACCOUNTS_HELP, problems) else {
        return accounts;
    };
    // Aliases may be qualified by any account, so the names come first.
    let names: BTreeSet<String> = table
        .iter()
        .map(|(key, _)| key.get_ref().to_string())
        .collect();
    for (key, value) in table.iter() {
        let account = Field { key, value };
        let name = account.name();
        let name_ok = check_account_name(account, problems);
        let spec = match value.get_ref() {
            DeValue::Table(table) => {
                let mut fields = Fields::new(table, format!("in `[accounts.{name}]`"));
                let spec = read_account(account, table, &mut fields, problems);
                if let Some(networks) = fields.get("networks") {
                    let aliases = read_aliases(networks, Some(name), &names, problems);
                    accounts.aliases.insert(name.to_owned(), aliases);
                }
                fields.finish(problems);
                spec
            }
            other => {
                problems.push(wrong_type(
                    account.value_span(),
                    &format!("account `{name}`"),
                    "a table",
                    other,
                    ACCOUNTS_HELP,
                ));
                None
            }
        };
        accounts
            .declared
            .insert(name.to_owned(), spec.filter(|_| name_ok));
    }
    accounts
}

fn check_account_name(account: Field, problems: &mut Vec<Problem>) -> bool {
    let name = account.name();
    let chars = name.chars().count();
    let trouble = if let Some(bad) = name
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && *c != '_' && *c != '-')
    {
        format!("{} is not allowed in an account name", show_char(bad))
    } else if chars == 0 {
        "empty name".to_owned()
    } else if chars > MAX_ACCOUNT_NAME_CHARS {
        format!("{chars} characters; the limit is {MAX_ACCOUNT_NAME_CHARS}")
    } else {
        return true;
    };
    problems.push(
        Problem::new(
            format!("invalid account name `{name}`"),
            account.key.span(),
            trouble,
        )
        .help(ACCOUNT_NAME_HELP),
    );
    false
}

/// One account's table, but for `networks`: its spec, if valid.
fn read_account(
    account: Field,
    table: &DeTable,
    fields: &mut Fields,
    problems: &mut Vec<Problem>,
) -> Option<AccountSpec> {
    let name = account.name();
    let keys = CredentialKeys {
        token_env: fields.get("token_env"),
        username_env: fields.get("username_env"),
        password_env: fields.get("password_env"),
    };
    let api_url = fields.get("api_url");
    let secret_given = reject_secrets(fields, &SECRET_KEYS, |what| env_name(what, name), problems);
    let credentials = keys.read(account, table, secret_given, problems);
    let api_url = match api_url {
        None => Some(None),
        Some(field) => {
            let owner = UrlOwner {
                whose: &format!("for account `{name}`"),
                root: UPCLOUD_ROOT,
                credentials: "put the credentials in environment variables and name them with `token_env`, or `username_env` and `password_env`",
            };
            read_api_url(field, &owner, problems).map(Some)
        }
    };
    Some(AccountSpec {
        credentials: credentials?,
        api_url: api_url?,
    })
}

/// Reports every key of `keys` (the key, the `_env` key to use instead, and what it holds) that
/// would put a secret in the file, with `example` naming a variable for what it holds; whether
/// there was one.
pub(super) fn reject_secrets(
    fields: &mut Fields,
    keys: &[(&'static str, &str, &str)],
    example: impl Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) -> bool {
    let mut secret_given = false;
    for &(key, instead, what) in keys {
        let Some(secret) = fields.get_unlisted(key) else {
            continue;
        };
        secret_given = true;
        let example = example(what);
        problems.push(
            Problem::new(
                format!("`{key}` would put a secret in the file"),
                secret.key.span(),
                "credentials do not belong in the file",
            )
            .redact(secret.value_span())
            .help(format!(
                "put the {what} in an environment variable and name the variable here: `{instead} = \"{example}\"`"
            )),
        );
    }
    secret_given
}

/// The `_env` keys of an account, as the file has them.
struct CredentialKeys<'a, 'i> {
    token_env: Option<Field<'a, 'i>>,
    username_env: Option<Field<'a, 'i>>,
    password_env: Option<Field<'a, 'i>>,
}

impl CredentialKeys<'_, '_> {
    /// Which variables hold the account's credentials: a token's, or a username's and a
    /// password's. `secret_given`: a secret in the file has been reported, with what to write
    /// instead, so missing credentials are not reported again.
    fn read(
        &self,
        account: Field,
        table: &DeTable,
        secret_given: bool,
        problems: &mut Vec<Problem>,
    ) -> Option<AccountCredentials> {
        let name = account.name();
        let example = |what| env_name(what, "prod");
        let token = self
            .token_env
            .map(|f| read_env_var(f, true, &example("token"), problems));
        let username = self
            .username_env
            .map(|f| read_env_var(f, false, &example("username"), problems));
        let password = self
            .password_env
            .map(|f| read_env_var(f, true, &example("password"), problems));
        // A misspelt credential key is reported as an unknown key with a did-you-mean; the
        // missing credential it causes is not reported again.
        let misspelt = |wanted: &[&str]| {
            table.iter().any(|(key, _)| {
                let key: &str = key.get_ref();
                !CREDENTIAL_KEYS.contains(&key)
                    && did_you_mean(key, wanted.iter().copied()).is_some()
            })
        };
        match (self.token_env, self.username_env, self.password_env) {
            (Some(token_field), Some(other), _) | (Some(token_field), None, Some(other)) => {
                problems.push(
                    Problem::new(
                        format!("account `{name}` has both a token and a username and password"),
                        other.key.span(),
                        "a username or password",
                    )
                    .also(token_field.key.span(), "a token")
                    .help("give either `token_env`, or `username_env` and `password_env`; remove the others"),
                );
                None
            }
            (Some(_), None, None) => token.flatten().map(|env| AccountCredentials::Token {
                env: env.to_owned(),
            }),
            (None, Some(_), Some(_)) => match (username.flatten(), password.flatten()) {
                (Some(username_env), Some(password_env)) => Some(AccountCredentials::Basic {
                    username_env: username_env.to_owned(),
                    password_env: password_env.to_owned(),
                }),
                _ => None,
            },
            (None, Some(given), None) | (None, None, Some(given))
                if !misspelt(&["username_env", "password_env"]) =>
            {
                problems.push(half_of_basic(name, given));
                None
            }
            // Reported as an unknown key, with a did-you-mean.
            (None, Some(_), None) | (None, None, Some(_)) => None,
            (None, None, None) => {
                if !secret_given && !misspelt(&CREDENTIAL_KEYS) {
                    problems.push(no_credentials(account));
                }
                None
            }
        }
    }
}

/// `username_env` without `password_env`, or the other way round.
fn half_of_basic(account: &str, given: Field) -> Problem {
    let (missing, what) = if given.name() == "username_env" {
        ("password_env", "password")
    } else {
        ("username_env", "username")
    };
    Problem::new(
        format!(
            "account `{account}` has `{}` but no `{missing}`",
            given.name()
        ),
        given.key.span(),
        format!("needs a `{missing}` too"),
    )
    .help(format!(
        "add `{missing} = \"{}\"`: the environment variable that holds the {what}",
        env_name(what, account)
    ))
}

fn no_credentials(account: Field) -> Problem {
    let name = account.name();
    Problem::new(
        format!("account `{name}` has no credentials"),
        account.key.span(),
        "needs `token_env`, or `username_env` and `password_env`",
    )
    .help(format!(
        "add `token_env = \"{}\"`, naming the environment variable that holds the account's API token (or `username_env` and `password_env`)",
        env_name("token", name)
    ))
}

/// An example environment variable name: `UPCLOUD_TOKEN_PROD`.
fn env_name(what: &str, account: &str) -> String {
    let account: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("UPCLOUD_{}_{account}", what.to_ascii_uppercase())
}

/// The name of an environment variable, such as `example`. `secret`: if it is not a name, it
/// may be the secret itself, which snippets then do not show.
pub(super) fn read_env_var<'a>(
    field: Field<'a, '_>,
    secret: bool,
    example: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    let help = format!(
        "`{}` names the environment variable that holds the value, in quotes: `{} = \"{example}\"`",
        field.name(),
        field.name(),
    );
    let name = field.string(&help, problems)?;
    if looks_like_token(name) {
        problems.push(
            Problem::new(
                format!("`{}` holds what looks like an API token", field.name()),
                field.value_span(),
                "a secret, not the name of an environment variable",
            )
            .redact(field.value_span())
            .help(format!(
                "keep the token out of the file: put it in an environment variable and name the variable here, such as `{} = \"{example}\"`",
                field.name()
            )),
        );
        return None;
    }
    let trouble = if name.is_empty() {
        "empty".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        "starts with a digit".to_owned()
    } else if let Some(bad) = name
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && *c != '_')
    {
        format!(
            "{} is not allowed in an environment variable's name",
            show_char(bad)
        )
    } else {
        return Some(name);
    };
    let mut problem = Problem::new(
        format!(
            "`{}` is not the name of an environment variable",
            field.name()
        ),
        field.value_span(),
        trouble,
    );
    let env_help = format!(
        "an environment variable's name is letters, digits and `_`, not starting with a digit, such as `{example}`"
    );
    if secret && !name.is_empty() {
        problem = problem.redact(field.value_span()).help(format!(
            "{env_help}; give the variable's name, not the secret it holds"
        ));
    } else {
        problem = problem.help(env_help);
    }
    problems.push(problem);
    None
}

/// An UpCloud API token: `ucat_` and what follows, in any case.
fn looks_like_token(text: &str) -> bool {
    text.get(..5)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("ucat_"))
}

/// Whose `api_url` is read, for its messages.
pub(super) struct UrlOwner<'s> {
    /// "for account `prod`", "in `[aiven]`".
    pub whose: &'s str,
    /// The real API's root.
    pub root: &'s str,
    /// Where the credentials go instead of the URL.
    pub credentials: &'s str,
}

/// An API's root URL, or `sim:STATE.json`.
pub(super) fn read_api_url<'a>(
    field: Field<'a, '_>,
    owner: &UrlOwner,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let UrlOwner {
        whose,
        root,
        credentials,
    } = owner;
    let help = format!(
        "give the API's root URL, such as `{root}`, or `sim:STATE.json` for the embedded simulator"
    );
    let text = field.string(&help, problems)?;
    let invalid = |label: &str| {
        Problem::new(
            format!("invalid `api_url` {whose}"),
            field.value_span(),
            label,
        )
    };
    if let Some(path) = text.strip_prefix("sim:") {
        if path.is_empty() {
            problems.push(invalid("no state file after `sim:`").help(
                "`sim:STATE.json` runs the embedded simulator, its state kept in STATE.json",
            ));
            return None;
        }
        return Some(text.to_owned());
    }
    let trouble = match url::Url::parse(text) {
        Err(error) => Some(error.to_string()),
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            problems.push(
                invalid("credentials in the URL")
                    .redact(field.value_span())
                    .help(*credentials),
            );
            return None;
        }
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            Some("the scheme must be https (or http, or sim: for the simulator)".to_owned())
        }
        Ok(url) if url.query().is_some() || url.fragment().is_some() => {
            Some("a query or fragment".to_owned())
        }
        Ok(_) => None,
    };
    match trouble {
        None => Some(text.to_owned()),
        Some(trouble) => {
            problems.push(invalid(&trouble).help(help));
            None
        }
    }
}

/// `account = "NAME"` (or `default_account`): the name, if it is a declared account.
pub(super) fn read_account_ref<'a>(
    field: Field<'a, '_>,
    accounts: &AccountTables,
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    let name = field.string(ACCOUNT_REF_HELP, problems)?;
    if accounts.declared.contains_key(name) {
        return Some(name);
    }
    let problem = if accounts.is_empty() {
        let example = if check_name(name) { name } else { "prod" };
        Problem::new(
            format!("`{}` names an account, but the file declares none", field.name()),
            field.value_span(),
            "no `[accounts.NAME]` tables in this file",
        )
        .help(format!(
            "declare the account as `[accounts.{example}]` with `token_env = \"{}\"`, the environment variable that holds its API token; without accounts, the file is about the account in UPCLOUD_TOKEN (or UPCLOUD_USERNAME and UPCLOUD_PASSWORD), and `{}` must go",
            env_name("token", example),
            field.name()
        ))
    } else {
        let names: Vec<&str> = accounts.declared.keys().map(String::as_str).collect();
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(known) => format!("did you mean `{known}`?"),
            None => format!(
                "the accounts are {}; declare others as `[accounts.NAME]`",
                list(&names)
            ),
        };
        Problem::new(
            format!("unknown account `{name}`"),
            field.value_span(),
            "not declared under `[accounts]`",
        )
        .help(help)
    };
    problems.push(problem);
    None
}

fn check_name(name: &str) -> bool {
    (1..=MAX_ACCOUNT_NAME_CHARS).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
