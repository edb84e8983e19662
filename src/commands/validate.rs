//! `peerings validate`: the file, checked offline, and what it holds in a line.

use std::path::Path;

use crate::config::{self, Desired};
use crate::exit::Exit;
use crate::render::{count, counted};

pub fn run(file: &Path) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    anstream::println!("{} is valid: {}.", file.display(), summary(&desired));
    Ok(Exit::Success)
}

/// `3 peerings (1 in prod, 2 in shared), 1 link (2 of the peerings), 1 Aiven peering, 4 network
/// aliases`; a file without Aiven peerings reads as it always did.
fn summary(desired: &Desired) -> String {
    let mut parts = vec![peerings(desired)];
    let links = desired
        .peerings
        .iter()
        .filter(|peering| peering.link.is_some())
        .count()
        / 2;
    if links > 0 {
        parts.push(format!(
            "{} ({} of the peerings)",
            count(links, "link"),
            2 * links
        ));
    }
    if !desired.aiven_peerings.is_empty() {
        parts.push(count(desired.aiven_peerings.len(), "Aiven peering"));
    }
    let aliases = desired.aliases.len()
        + desired
            .account_aliases
            .values()
            .map(|aliases| aliases.len())
            .sum::<usize>();
    parts.push(counted(aliases, "network alias", "network aliases"));
    parts.join(", ")
}

/// How many peerings, and with accounts, how many in each.
fn peerings(desired: &Desired) -> String {
    let total = count(desired.peerings.len(), "peering");
    if !desired.uses_accounts() {
        return total;
    }
    let per_account: Vec<String> = desired
        .accounts
        .keys()
        .map(|account| {
            let n = desired.peerings_of(Some(account)).count();
            format!("{n} in {account}")
        })
        .collect();
    format!("{total} ({})", per_account.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_of(text: &str) -> String {
        summary(&config::parse(text, "peerings.toml").expect("a valid file"))
    }

    #[test]
    fn one_is_said_in_the_singular() {
        assert_eq!(
            summary_of(
                "[networks]\na = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"\n\n[[peering]]\nname = \"p\"\nnetwork = \"a\"\npeer_network = \"03585987-bf7d-4544-8e9b-5a1b4d74a333\"\n"
            ),
            "1 peering, 1 network alias"
        );
        assert_eq!(summary_of(""), "0 peerings, 0 network aliases");
    }

    #[test]
    fn accounts_links_and_their_aliases_are_counted() {
        assert_eq!(
            summary_of(include_str!("../../examples/multi-account.toml")),
            "4 peerings (2 in demo, 2 in platform), 1 link (2 of the peerings), 4 network aliases"
        );
    }

    #[test]
    fn aiven_peerings_are_counted_apart() {
        let file = "[networks]\na = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"\n\n\
                    [aiven]\n\n\
                    [[aiven_peering]]\nname = \"p\"\nproject = \"demo-project\"\n\
                    vpc = \"5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15\"\nnetwork = \"a\"\n";
        assert_eq!(
            summary_of(file),
            "0 peerings, 1 Aiven peering, 1 network alias"
        );
    }
}
