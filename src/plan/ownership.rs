//! Which file a peering belongs to: the one place that decides it.
//!
//! A peering `apply` creates or adopts carries `managed-by = peerings`, and, when the file sets
//! `owner = "ID"`, also `peerings-owner = ID`. A file owns exactly the peerings labelled as its
//! own: with an owner, those with its owner label; without one, those managed by peerings with no
//! owner label (which is what every file owned before owners existed). A peering managed by
//! peerings under any other owner belongs to another file, which this one never updates or
//! deletes unless it lists the peering, and then takes it over with a warning.
//!
//! Everything that must know whether a peering is this file's asks [`FileOwner::ownership`]:
//! the differ, and the applier when it finds a peering it did not expect.

use std::fmt;

use crate::config::Desired;
use crate::model::{Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, OWNER_KEY, Peering, PeeringSpec};

use super::change::managed_by_another_file;

/// A file as an owner of peerings: its `owner`, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileOwner<'a>(Option<&'a str>);

/// To whom a peering belongs, as one file sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership {
    /// Labelled as this file's.
    Owned,
    /// Managed by peerings for another file: the one whose `owner` is this, or (`None`) a file
    /// without an owner.
    OtherFile { owner: Option<String> },
    /// Not managed by peerings at all (made by hand, or by another tool).
    Unmanaged,
}

impl fmt::Display for Ownership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ownership::Owned => f.write_str("this file's"),
            Ownership::OtherFile { owner } => {
                f.write_str(&managed_by_another_file(owner.as_deref()))
            }
            Ownership::Unmanaged => f.write_str("unmanaged (no managed-by = peerings label)"),
        }
    }
}

impl<'a> FileOwner<'a> {
    pub fn of(desired: &'a Desired) -> FileOwner<'a> {
        FileOwner(desired.owner.as_deref())
    }

    /// The file whose ownership labels `target` carries: the owner of a create, read back from
    /// the labels [`FileOwner::labelled`] gave it.
    pub fn of_target(target: &'a PeeringSpec) -> FileOwner<'a> {
        FileOwner(target.labels.get(OWNER_KEY).map(String::as_str))
    }

    /// The file that owns `peering`, as its labels say: for a peering a plan found owned (the
    /// one a delete is about), the file the plan was made for.
    pub fn of_owned(peering: &'a Peering) -> FileOwner<'a> {
        FileOwner(peering.labels.get(OWNER_KEY).map(String::as_str))
    }

    /// A file with this owner (`None`: a file without one).
    pub fn new(owner: Option<&'a str>) -> FileOwner<'a> {
        FileOwner(owner)
    }

    /// The file's `owner`, if it has one.
    pub fn id(self) -> Option<&'a str> {
        self.0
    }

    /// To whom a peering with these labels belongs.
    pub fn ownership(self, labels: &Labels) -> Ownership {
        if labels.get(MANAGED_BY_KEY).map(String::as_str) != Some(MANAGED_BY_VALUE) {
            return Ownership::Unmanaged;
        }
        let owner = labels.get(OWNER_KEY).map(String::as_str);
        if owner == self.0 {
            Ownership::Owned
        } else {
            Ownership::OtherFile {
                owner: owner.map(str::to_owned),
            }
        }
    }

    /// [`FileOwner::ownership`] of an existing peering.
    pub fn ownership_of(self, peering: &Peering) -> Ownership {
        self.ownership(&peering.labels)
    }

    /// `labels` plus the labels that make a peering this file's: `managed-by`, and the owner
    /// label when the file has an owner. Another owner's label is replaced.
    pub fn labelled(self, labels: &Labels) -> Labels {
        let mut labels = labels.clone();
        labels.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
        match self.0 {
            Some(owner) => labels.insert(OWNER_KEY.to_owned(), owner.to_owned()),
            None => labels.remove(OWNER_KEY),
        };
        labels
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_file_owns_only_what_carries_its_own_owner() {
        let team_a = FileOwner::new(Some("team-a"));
        let no_owner = FileOwner::new(None);
        let cases = [
            (labels(&[]), Ownership::Unmanaged, Ownership::Unmanaged),
            (
                labels(&[("managed-by", "terraform")]),
                Ownership::Unmanaged,
                Ownership::Unmanaged,
            ),
            (
                labels(&[("peerings-owner", "team-a")]),
                Ownership::Unmanaged,
                Ownership::Unmanaged,
            ),
            (
                labels(&[("managed-by", "peerings")]),
                Ownership::OtherFile { owner: None },
                Ownership::Owned,
            ),
            (
                labels(&[("managed-by", "peerings"), ("peerings-owner", "team-a")]),
                Ownership::Owned,
                Ownership::OtherFile {
                    owner: Some("team-a".into()),
                },
            ),
            (
                labels(&[("managed-by", "peerings"), ("peerings-owner", "team-b")]),
                Ownership::OtherFile {
                    owner: Some("team-b".into()),
                },
                Ownership::OtherFile {
                    owner: Some("team-b".into()),
                },
            ),
        ];
        for (labels, for_team_a, for_no_owner) in cases {
            assert_eq!(team_a.ownership(&labels), for_team_a, "{labels:?}");
            assert_eq!(no_owner.ownership(&labels), for_no_owner, "{labels:?}");
        }
    }

    proptest! {
        /// Whatever a peering carried, the labels a file gives it make it that file's, and
        /// the file's own labels are kept.
        #[test]
        fn labelled_peerings_are_owned_by_the_file_that_labelled_them(
            owner in proptest::option::of("[a-z0-9._-]{1,64}"),
            other in proptest::option::of("[a-z0-9._-]{1,64}"),
            managed in any::<bool>(),
            own in proptest::collection::btree_map("[a-z]{2,8}", "[a-z]{0,8}", 0..4),
        ) {
            let mut before = own.clone();
            if managed {
                before.insert(MANAGED_BY_KEY.into(), MANAGED_BY_VALUE.into());
            }
            if let Some(other) = &other {
                before.insert(OWNER_KEY.into(), other.clone());
            }
            let file = FileOwner::new(owner.as_deref());
            let after = file.labelled(&before);
            prop_assert_eq!(file.ownership(&after), Ownership::Owned);
            for (key, value) in &own {
                prop_assert_eq!(after.get(key), Some(value));
            }
            let other_file = FileOwner::new(other.as_deref());
            if other != owner {
                prop_assert_ne!(other_file.ownership(&after), Ownership::Owned);
            }
        }
    }
}
