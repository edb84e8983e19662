//! Labels, in a `[[peering]]` or a `[[link]]`: a table of strings with keys the API accepts,
//! and never the key that marks the peerings this tool owns.

use std::ops::Range;

use super::problems::Problem;
use super::reader::{Field, show_char};
use crate::model::{
    AIVEN_PROJECT_KEY, AIVEN_VPC_KEY, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, OWNER_KEY,
};

const MAX_LABEL_VALUE_CHARS: usize = 255;
const LABEL_KEY_CHARS: Range<usize> = 2..33;
const LABELS_HELP: &str = "labels are a table of strings, e.g. `labels = { team = \"data\" }`";
const LABEL_KEY_HELP: &str = "a label key is 2 to 32 letters, digits, `_` or `-`";

pub(super) fn read_labels(field: Field, problems: &mut Vec<Problem>) -> Option<Labels> {
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
    let reserved = match key {
        MANAGED_BY_KEY => Some(format!(
            "peerings sets `{MANAGED_BY_KEY} = \"{MANAGED_BY_VALUE}\"` itself on every peering it creates; remove this label"
        )),
        OWNER_KEY => Some(format!(
            "peerings sets `{OWNER_KEY}` itself, to the file's `owner`; remove this label, and write `owner = \"ID\"` at the top of the file instead"
        )),
        AIVEN_PROJECT_KEY | AIVEN_VPC_KEY => Some(format!(
            "peerings sets `{AIVEN_PROJECT_KEY}` and `{AIVEN_VPC_KEY}` itself on the UpCloud half of an `[[aiven_peering]]`, to find its Aiven connection again; remove this label"
        )),
        _ => None,
    };
    let key_ok = if let Some(help) = reserved {
        problems.push(
            Problem::new(
                format!("the label `{key}` is reserved"),
                label.key.span(),
                "set by peerings itself",
            )
            .help(help),
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
