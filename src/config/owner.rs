//! `owner = "ID"`: the name under which a file owns its peerings.

use super::problems::Problem;
use super::reader::{Field, show_char};

const MAX_OWNER_CHARS: usize = 64;
const OWNER_HELP: &str = "an owner is 1 to 64 characters of `a`-`z`, `0`-`9`, `-`, `_` and `.`, in quotes, such as `owner = \"team-data.prod\"`";

/// The owner, if it is a valid one; otherwise the problem is recorded.
pub(super) fn read_owner(field: Field, problems: &mut Vec<Problem>) -> Option<String> {
    let owner = field.string(OWNER_HELP, problems)?;
    let chars = owner.chars().count();
    let trouble = if let Some(bad) = owner.chars().find(|c| !is_owner_char(*c)) {
        Some(format!("{} is not allowed in an owner", show_char(bad)))
    } else if chars == 0 {
        Some("empty owner".to_owned())
    } else if chars > MAX_OWNER_CHARS {
        Some(format!(
            "{chars} characters; the limit is {MAX_OWNER_CHARS}"
        ))
    } else {
        None
    };
    let Some(label) = trouble else {
        return Some(owner.to_owned());
    };
    let message = if owner.is_empty() {
        "the owner is empty".to_owned()
    } else {
        format!("invalid owner `{owner}`")
    };
    problems.push(Problem::new(message, field.value_span(), label).help(OWNER_HELP));
    None
}

fn is_owner_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
}
