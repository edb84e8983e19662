//! Turning plans and apply reports into text. One module per output format, all fed the same
//! values; none of them decides anything.

pub mod events;
pub mod graph;
pub mod human;
pub mod json;
pub mod markdown;
mod wording;

pub use wording::{count, counted};

use crate::plan::Change;

/// How output names a change: its name, and the account where the file has several (a link's
/// halves say their side in their names already).
pub fn change_name(change: &Change) -> String {
    match (&change.account, &change.link) {
        (Some(account), None) => format!("{} [{account}]", change.name),
        _ => change.name.clone(),
    }
}
