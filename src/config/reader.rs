//! Reading TOML tables with their spans: a table hands out the keys the validator asks for, and
//! whatever nobody asked for is an unknown key (most likely a typo, so it gets a did-you-mean).
//! Also the small pieces every part of the validator shares: a value with its place in the file,
//! and how messages show characters and lists.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::problems::Problem;

/// A value together with where the file says it.
#[derive(Debug, Clone)]
pub(super) struct At<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// One `key = value` of a table.
#[derive(Clone, Copy)]
pub(super) struct Field<'a, 'i> {
    pub key: &'a Spanned<DeString<'i>>,
    pub value: &'a Spanned<DeValue<'i>>,
}

impl<'a, 'i> Field<'a, 'i> {
    pub fn name(&self) -> &'a str {
        self.key.get_ref()
    }

    pub fn value_span(&self) -> Range<usize> {
        self.value.span()
    }

    /// The value as a string, or a "must be a string" problem. `help` says what to write instead.
    pub fn string(&self, help: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
        self.string_called(&format!("`{}`", self.name()), help, problems)
    }

    /// [`Field::string`], for values that messages call something other than their key, such as
    /// "the value of label `team`".
    pub fn string_called(
        &self,
        what: &str,
        help: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<&'a str> {
        match self.value.get_ref() {
            DeValue::String(s) => Some(s),
            other => {
                problems.push(wrong_type(self.value_span(), what, "a string", other, help));
                None
            }
        }
    }

    /// The value as a boolean, or a "must be a boolean" problem.
    pub fn boolean(&self, help: &str, problems: &mut Vec<Problem>) -> Option<bool> {
        match self.value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                let what = format!("`{}`", self.name());
                problems.push(wrong_type(
                    self.value_span(),
                    &what,
                    "a boolean",
                    other,
                    help,
                ));
                None
            }
        }
    }

    /// The value as a table (inline or not), or a "must be a table" problem.
    pub fn table(&self, help: &str, problems: &mut Vec<Problem>) -> Option<&'a DeTable<'i>> {
        match self.value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let what = format!("`{}`", self.name());
                problems.push(wrong_type(self.value_span(), &what, "a table", other, help));
                None
            }
        }
    }
}

/// A problem for a value of the wrong type. `expected` comes with its article ("a string").
pub(super) fn wrong_type(
    span: Range<usize>,
    what: &str,
    expected: &str,
    found: &DeValue,
    help: &str,
) -> Problem {
    Problem::new(
        format!("{what} must be {expected}"),
        span,
        format!("expected {expected}, found {}", describe(found)),
    )
    .help(help)
}

/// A TOML value's type, with its article, as a person would say it.
pub(super) fn describe(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A table being validated. `where_` names it in messages ("in `[[peering]]`").
pub(super) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    where_: String,
    asked: Vec<&'static str>,
    /// Keys recognised only to be rejected with a message of their own: not unknown, but not
    /// listed as allowed either.
    unlisted: Vec<&'static str>,
}

impl<'a, 'i> Fields<'a, 'i> {
    pub fn new(table: &'a DeTable<'i>, where_: impl Into<String>) -> Self {
        Self {
            table,
            where_: where_.into(),
            asked: Vec::new(),
            unlisted: Vec::new(),
        }
    }

    /// The field `key`, if the table has it. Asking also makes `key` a known key, so ask for
    /// every key the table may hold, whether or not the answer is used.
    pub fn get(&mut self, key: &'static str) -> Option<Field<'a, 'i>> {
        self.asked.push(key);
        self.table
            .get_key_value(key)
            .map(|(key, value)| Field { key, value })
    }

    /// The field `key`, if the table has it, for a key that is never right here but deserves a
    /// better message than "unknown key" (the caller reports it). Unlike [`Fields::get`], the key
    /// is not listed among the allowed keys, nor suggested by a did-you-mean.
    pub fn get_unlisted(&mut self, key: &'static str) -> Option<Field<'a, 'i>> {
        self.unlisted.push(key);
        self.table
            .get_key_value(key)
            .map(|(key, value)| Field { key, value })
    }

    /// Reports every key nobody asked for.
    pub fn finish(self, problems: &mut Vec<Problem>) {
        self.finish_with_hint(problems, |_| None);
    }

    /// [`Fields::finish`], with a better help for some unknown keys than a did-you-mean.
    pub fn finish_with_hint(
        self,
        problems: &mut Vec<Problem>,
        hint: impl Fn(&str) -> Option<String>,
    ) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref();
            if self.asked.contains(&name) || self.unlisted.contains(&name) {
                continue;
            }
            let suggestion = did_you_mean(key.get_ref(), self.asked.iter().copied());
            let help = match (hint(key.get_ref()), suggestion) {
                (Some(hint), _) => hint,
                (None, Some(known)) => format!("did you mean `{known}`?"),
                (None, None) => format!("the keys allowed here are {}", list(&self.asked)),
            };
            problems.push(
                Problem::new(
                    format!("unknown key `{}` {}", key.get_ref(), self.where_),
                    key.span(),
                    "unknown key",
                )
                .help(help),
            );
        }
    }
}

/// The candidate closest to `typed`, if it is close enough to be what was meant.
pub(super) fn did_you_mean<'c>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    // Close enough: one typo (a wrong, missing, extra or swapped letter), or two in a longer
    // word.
    const THRESHOLD: f64 = 0.7;
    candidates
        .into_iter()
        .filter(|c| {
            strsim::damerau_levenshtein(typed, c) <= 1
                || strsim::normalized_damerau_levenshtein(typed, c) >= THRESHOLD
        })
        .map(|c| (strsim::normalized_damerau_levenshtein(typed, c), c))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "`a`, `b` and `c`".
pub(super) fn list(keys: &[&str]) -> String {
    joined(keys, "and")
}

/// "`a`, `b` or `c`".
pub(super) fn list_or(keys: &[&str]) -> String {
    joined(keys, "or")
}

fn joined(keys: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        None => "none".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// A character for a message: quoted, unless quotes would hide it.
pub(super) fn show_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        c if c.is_whitespace() || c.is_control() => format!("{:?}", c),
        c => format!("`{c}`"),
    }
}
