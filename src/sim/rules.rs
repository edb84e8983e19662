//! The API's rules for the fields of a peering [C: the user guide and the Terraform provider],
//! applied to requests and to world files alike.

use std::collections::HashSet;

use super::error_answers::ErrorAnswer;
use super::world::SimConfiguredStatus;
use crate::upcloud::wire::Label;

const NAME_CHARS: std::ops::RangeInclusive<usize> = 1..=255;
const LABEL_KEY_CHARS: std::ops::RangeInclusive<usize> = 2..=32;
const LABEL_VALUE_MAX_CHARS: usize = 255;

/// A name is 1 to 255 characters.
pub fn check_name(name: &str) -> Result<(), ErrorAnswer> {
    if NAME_CHARS.contains(&name.chars().count()) {
        Ok(())
    } else {
        Err(ErrorAnswer::NameInvalid)
    }
}

pub fn parse_configured_status(text: &str) -> Result<SimConfiguredStatus, ErrorAnswer> {
    SimConfiguredStatus::from_api(text)
        .ok_or_else(|| ErrorAnswer::ConfiguredStatusInvalid(text.to_owned()))
}

/// Keys are 2 to 32 letters, digits, `_` and `-`; values at most 255 characters; and a key
/// appears once, since a label set is a map.
pub fn check_labels(labels: &[Label]) -> Result<(), ErrorAnswer> {
    let mut seen = HashSet::new();
    for label in labels {
        if !is_label_key(&label.key) {
            return Err(ErrorAnswer::LabelKeyInvalid(label.key.clone()));
        }
        if label.value.chars().count() > LABEL_VALUE_MAX_CHARS {
            return Err(ErrorAnswer::LabelValueInvalid(label.key.clone()));
        }
        if !seen.insert(label.key.as_str()) {
            return Err(ErrorAnswer::LabelKeyDuplicate(label.key.clone()));
        }
    }
    Ok(())
}

fn is_label_key(key: &str) -> bool {
    LABEL_KEY_CHARS.contains(&key.chars().count())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(key: &str, value: &str) -> Label {
        Label {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn names_are_1_to_255_characters() {
        assert_eq!(check_name(""), Err(ErrorAnswer::NameInvalid));
        assert_eq!(check_name("a"), Ok(()));
        assert_eq!(check_name(&"ä".repeat(255)), Ok(()));
        assert_eq!(check_name(&"a".repeat(256)), Err(ErrorAnswer::NameInvalid));
    }

    #[test]
    fn configured_status_is_active_or_disabled_exactly() {
        assert_eq!(
            parse_configured_status("active"),
            Ok(SimConfiguredStatus::Active)
        );
        assert_eq!(
            parse_configured_status("disabled"),
            Ok(SimConfiguredStatus::Disabled)
        );
        assert_eq!(
            parse_configured_status("Active"),
            Err(ErrorAnswer::ConfiguredStatusInvalid("Active".into()))
        );
    }

    #[test]
    fn label_rules() {
        assert_eq!(check_labels(&[]), Ok(()));
        assert_eq!(
            check_labels(&[label("managed-by", "peerings"), label("a_1", "")]),
            Ok(())
        );
        assert_eq!(
            check_labels(&[label(&"k".repeat(32), &"v".repeat(255))]),
            Ok(())
        );
        for key in ["a", "", "has space", "dot.ted", "ä-umlaut", &"k".repeat(33)] {
            assert_eq!(
                check_labels(&[label(key, "v")]),
                Err(ErrorAnswer::LabelKeyInvalid(key.into())),
                "{key}"
            );
        }
        assert_eq!(
            check_labels(&[label("env", &"v".repeat(256))]),
            Err(ErrorAnswer::LabelValueInvalid("env".into()))
        );
        assert_eq!(
            check_labels(&[label("env", "a"), label("env", "b")]),
            Err(ErrorAnswer::LabelKeyDuplicate("env".into()))
        );
    }
}
