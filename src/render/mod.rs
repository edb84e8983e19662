//! Turning plans and apply reports into text. One module per output format, all fed the same
//! values; none of them decides anything.

pub mod events;
pub mod graph;
pub mod human;
pub mod json;
pub mod markdown;
mod wording;

pub use wording::{NextCommands, count, counted, mass_delete};

use std::borrow::Cow;

use crate::apply::Finished;
use crate::plan::Change;

/// Text from the file or from an account (names, labels, states, the API's messages), made safe
/// to print on a terminal: control characters, newlines included, and the characters that
/// reorder text (bidirectional overrides and isolates) are written as escapes (`\n`,
/// `\u{202e}`), so that a name can neither fake lines of output nor make the text after it read
/// backwards. Everything else, accents and all, stays as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// A control character, or one that reorders text; see [`printable`].
pub(super) fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// How output names a change: its name, and the account where the file has several (a link's
/// halves say their side in their names already).
pub fn change_name(change: &Change) -> String {
    match (&change.account, &change.link) {
        (Some(account), None) => format!("{} [{account}]", change.name),
        _ => change.name.clone(),
    }
}

/// How output names a finished change: as [`change_name`], and which half of an
/// `[[aiven_peering]]` it is where the name alone does not say.
pub fn finished_name(finished: &Finished) -> String {
    match finished {
        Finished::Upcloud(result) => change_name(&result.change),
        Finished::Aiven(result) => {
            let half = if result.upcloud_half {
                "UpCloud half"
            } else {
                "Aiven half"
            };
            match &result.change.account {
                Some(account) => format!("{} ({half}) [{account}]", result.change.name),
                None => format!("{} ({half})", result.change.name),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidirectional_overrides_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("app-hel1 to Zürich"), "app-hel1 to Zürich");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(printable("x\u{1b}[31my"), "x\\u{1b}[31my");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            printable("\u{2066}\u{2069}\u{200f}"),
            "\\u{2066}\\u{2069}\\u{200f}"
        );
        assert_eq!(printable("line\u{2028}break"), "line\\u{2028}break");
    }
}
