//! Building a desired-state file from what exists (what `peerings import` writes), so a team can
//! start from its account as it is. Planning the written file against the same account changes
//! nothing but adding the ownership labels to peerings that lack them. When the managed peerings
//! among them all belong to one file's `owner`, the written file has that `owner` too.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::model::{
    AIVEN_PROJECT_KEY, AIVEN_VPC_KEY, MANAGED_BY_KEY, NetworkId, OWNER_KEY, Peering, VpcId,
};
use crate::plan::{FileOwner, Observed, Ownership};

/// Which peerings to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only those carrying the ownership label.
    ManagedOnly,
}

/// The labels the file never writes: peerings sets them itself.
const RESERVED: [&str; 4] = [MANAGED_BY_KEY, OWNER_KEY, AIVEN_PROJECT_KEY, AIVEN_VPC_KEY];

/// The file's text: `[networks]` with an alias for every network involved, then one
/// `[[peering]]` per peering, sorted by name, each commented with its observed state. The
/// UpCloud half of an Aiven peering (labelled `aiven-project` and `aiven-vpc`) is written as an
/// `[[aiven_peering]]`, with the `[aiven]` table it needs.
pub fn from_observed(observed: &Observed, scope: Scope) -> String {
    let mut peerings: Vec<&Peering> = observed
        .peerings
        .iter()
        .filter(|peering| {
            scope == Scope::All
                || FileOwner::new(None).ownership_of(peering) != Ownership::Unmanaged
        })
        .collect();
    peerings.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    let aliases = aliases(observed, &peerings);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `peerings import` from {} of the account.\n\
         # Review it, then run `peerings plan`: it adds only the ownership labels (managed-by,\n\
         # and peerings-owner with an owner) to peerings that lack them.\n",
        match peerings.len() {
            1 => "the 1 peering".to_owned(),
            n => format!("the {n} peerings"),
        }
    );
    write_owner(&mut out, &peerings);
    write_networks(&mut out, &aliases);
    if peerings.iter().any(|peering| aiven_tie(peering).is_some()) {
        out.push_str(
            "# Aiven's API, for the [[aiven_peering]] tables: its token is read from AIVEN_TOKEN.\n\
             [aiven]\n\n",
        );
    }
    let names = unique_names(&peerings);
    for (peering, name) in peerings.iter().zip(names) {
        write_peering(&mut out, peering, &name, &aliases);
    }
    out
}

/// `owner = "ID"` when the managed peerings share one owner, so that planning the file keeps them
/// where they are; a comment when they belong to several files, whose peerings the file would
/// take over.
fn write_owner(out: &mut String, peerings: &[&Peering]) {
    // Seen from a file without an owner, a managed peering is its own (no owner label) or
    // another file's (with that file's owner).
    let owners: BTreeSet<Option<String>> = peerings
        .iter()
        .filter_map(|peering| match FileOwner::new(None).ownership_of(peering) {
            Ownership::Owned => Some(None),
            Ownership::OtherFile { owner } => Some(owner),
            Ownership::Unmanaged => None,
        })
        .collect();
    let named: Vec<&str> = owners.iter().flatten().map(String::as_str).collect();
    match (owners.len(), named.as_slice()) {
        (1, [owner]) => {
            let _ = writeln!(
                out,
                "# The peerings managed by peerings belong to the file with this owner.\n\
                 owner = {}\n",
                toml_string(owner)
            );
        }
        (0 | 1, _) => {}
        _ => {
            let without = if owners.contains(&None) {
                " and a file without an owner"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "# These peerings are managed by several files (owners {}{without}): planning\n\
                 # this file would take them all over. Keep only those of one file, and set its\n\
                 # `owner = \"...\"` here.\n",
                named.join(", ")
            );
        }
    }
}

fn write_networks(out: &mut String, aliases: &BTreeMap<NetworkId, String>) {
    if aliases.is_empty() {
        return;
    }
    out.push_str("[networks]\n");
    let mut by_alias: Vec<(&String, &NetworkId)> =
        aliases.iter().map(|(id, alias)| (alias, id)).collect();
    by_alias.sort();
    for (alias, id) in by_alias {
        let _ = writeln!(out, "{alias} = \"{id}\"");
    }
    out.push('\n');
}

fn write_peering(
    out: &mut String,
    peering: &Peering,
    name: &str,
    aliases: &BTreeMap<NetworkId, String>,
) {
    let _ = writeln!(out, "# uuid {}", peering.id);
    let _ = writeln!(
        out,
        "# state {}: {}",
        peering.state,
        peering.state.explanation()
    );
    if name != peering.name {
        let _ = writeln!(
            out,
            "# renamed from {}: another peering has that name, and names must be unique",
            toml_string(&peering.name)
        );
    }
    let network = toml_string(&aliases[&peering.key.network]);
    let peer_network = toml_string(&aliases[&peering.key.peer_network]);
    match aiven_tie(peering) {
        Some((project, vpc)) => {
            out.push_str("[[aiven_peering]]\n");
            let _ = writeln!(out, "name = {}", toml_string(name));
            let _ = writeln!(out, "project = {}", toml_string(project));
            let _ = writeln!(out, "vpc = \"{vpc}\"");
            let _ = writeln!(out, "network = {network}");
            let _ = writeln!(out, "aiven_network = {peer_network}");
        }
        None => {
            out.push_str("[[peering]]\n");
            let _ = writeln!(out, "name = {}", toml_string(name));
            let _ = writeln!(out, "network = {network}");
            let _ = writeln!(out, "peer_network = {peer_network}");
        }
    }
    let _ = writeln!(out, "configured_status = \"{}\"", peering.configured_status);
    let labels: Vec<String> = peering
        .labels
        .iter()
        .filter(|(key, _)| !RESERVED.contains(&key.as_str()))
        .map(|(key, value)| format!("{} = {}", toml_key(key), toml_string(value)))
        .collect();
    if !labels.is_empty() {
        let _ = writeln!(out, "labels = {{ {} }}", labels.join(", "));
    }
    out.push('\n');
}

/// The project and VPC an UpCloud half names in its labels, if it is one of an Aiven peering.
fn aiven_tie(peering: &Peering) -> Option<(&str, VpcId)> {
    let project = peering.labels.get(AIVEN_PROJECT_KEY)?;
    let vpc = peering.labels.get(AIVEN_VPC_KEY)?.parse().ok()?;
    Some((project, vpc))
}

/// An alias for every network the peerings use: the account's name for it, made a bare TOML key
/// and unique; for a peer network in another account, whose name is not visible, `peer-` and the
/// start of its UUID; for a network whose name is a UUID (which the file refuses as an alias),
/// `network-` and the start of it.
fn aliases(observed: &Observed, peerings: &[&Peering]) -> BTreeMap<NetworkId, String> {
    let names: BTreeMap<NetworkId, &str> = observed
        .networks
        .iter()
        .map(|network| (network.id, network.name.as_str()))
        .collect();
    let used: BTreeSet<NetworkId> = peerings
        .iter()
        .flat_map(|peering| [peering.key.network, peering.key.peer_network])
        .collect();
    let mut taken = BTreeSet::new();
    used.into_iter()
        .map(|id| {
            let base = match names.get(&id).map(|name| slug(name)) {
                // A UUID as an alias would mean that network itself; the file refuses it.
                Some(slug) if slug.parse::<NetworkId>().is_ok() => {
                    format!("network-{}", &slug[..8])
                }
                Some(slug) => slug,
                None => format!("peer-{}", &id.to_string()[..8]),
            };
            (id, claim(base, &mut taken))
        })
        .collect()
}

/// `App private network (HEL1)` -> `app-private-network-hel1`.
fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "network".to_owned()
    } else {
        slug.to_owned()
    }
}

/// `base`, or `base-2`, `base-3`... whichever is free.
fn claim(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// The file requires unique names; the API does not. Later duplicates get ` (2)`, ` (3)`...
fn unique_names(peerings: &[&Peering]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    peerings
        .iter()
        .map(|peering| {
            let mut candidate = peering.name.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{} ({n})", peering.name);
                n += 1;
            }
            taken.insert(candidate.clone());
            candidate
        })
        .collect()
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// Label keys are letters, digits, `_` and `-`, so always bare keys; quoted all the same should
/// the API ever answer otherwise.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ConfiguredStatus, Network, NetworkType, PeeringId, PeeringKey, PeeringState,
    };

    fn net(n: u128) -> NetworkId {
        NetworkId(uuid::Uuid::from_u128(0x1000 + n))
    }

    fn peering(n: u128, name: &str, from: u128, to: u128, managed: bool) -> Peering {
        let mut labels = crate::model::Labels::from([("team".to_owned(), "data ops".to_owned())]);
        if managed {
            labels.insert(MANAGED_BY_KEY.into(), "peerings".into());
        }
        Peering {
            account: None,
            id: PeeringId(uuid::Uuid::from_u128(0xaaaa_0000 + n)),
            name: name.into(),
            key: PeeringKey {
                network: net(from),
                peer_network: net(to),
            },
            configured_status: ConfiguredStatus::Active,
            state: PeeringState::from_api(if managed { "active" } else { "pending-peer" }),
            labels,
        }
    }

    fn network(n: u128, name: &str) -> Network {
        Network {
            id: net(n),
            name: name.into(),
            kind: NetworkType::Private,
            zone: "fi-hel1".into(),
            router: None,
            ranges: vec![],
            servers: vec![],
        }
    }

    fn observed() -> Observed {
        Observed {
            peerings: vec![
                peering(1, "b \"quoted\"", 1, 9, true),
                peering(2, "a", 2, 9, false),
                peering(3, "a", 3, 8, false),
            ],
            networks: vec![
                network(1, "App network (HEL1)"),
                network(2, "app network hel1"),
                network(3, "!!!"),
            ],
            ..Observed::default()
        }
    }

    #[test]
    fn writes_a_file_that_loads_with_every_peering() {
        let text = from_observed(&observed(), Scope::All);
        insta::assert_snapshot!(text);
        let desired = crate::config::parse(&text, "imported.toml").unwrap();
        assert_eq!(desired.peerings.len(), 3);
    }

    #[test]
    fn managed_only_leaves_the_others_out() {
        let text = from_observed(&observed(), Scope::ManagedOnly);
        let desired = crate::config::parse(&text, "imported.toml").unwrap();
        assert_eq!(desired.peerings.len(), 1);
        assert_eq!(desired.peerings[0].name, "b \"quoted\"");
    }

    fn with_owner(mut peering: Peering, owner: &str) -> Peering {
        peering.labels.insert(OWNER_KEY.into(), owner.into());
        peering
    }

    #[test]
    fn the_owner_the_managed_peerings_share_is_written() {
        let mut observed = observed();
        observed.peerings[0] = with_owner(observed.peerings[0].clone(), "team-b");
        let text = from_observed(&observed, Scope::All);
        let desired = crate::config::parse(&text, "imported.toml").unwrap();
        assert_eq!(desired.owner.as_deref(), Some("team-b"));
        assert!(
            desired
                .peerings
                .iter()
                .all(|p| !p.labels.contains_key(OWNER_KEY)),
            "the owner label is the file's, not the peerings'"
        );
        let planned = crate::plan::Plan::merge(crate::plan::plan_accounts(
            &desired,
            &BTreeMap::from([(None, observed.clone())]),
        ));
        assert!(
            planned.changes.iter().all(|c| c.warnings.is_empty()),
            "nothing changes owner: {planned:?}"
        );
    }

    #[test]
    fn peerings_of_several_owners_get_no_owner_and_a_comment() {
        let mut observed = observed();
        observed.peerings[1] = with_owner(observed.peerings[1].clone(), "team-a");
        observed.peerings[1]
            .labels
            .insert(MANAGED_BY_KEY.into(), "peerings".into());
        let text = from_observed(&observed, Scope::All);
        assert!(
            text.contains(
                "# These peerings are managed by several files (owners team-a and a file without an owner)"
            ),
            "{text}"
        );
        let desired = crate::config::parse(&text, "imported.toml").unwrap();
        assert_eq!(desired.owner, None);
    }

    #[test]
    fn a_network_named_like_a_uuid_gets_an_alias_that_is_not_one() {
        let mut world = observed();
        world.networks[0].name = net(2).to_string();
        world.networks[1].name = "peer-00000000".into();
        let text = from_observed(&world, Scope::All);
        let desired = crate::config::parse(&text, "imported.toml").unwrap();
        assert_eq!(desired.peerings.len(), 3);
        assert!(text.contains("network-00000000 = "), "{text}");
    }

    proptest::proptest! {
        /// Whatever the networks are called, every alias is a valid, distinct key, and the file
        /// loads with every peering.
        #[test]
        fn aliases_never_collide(
            names in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z0-9 _().-]{0,12}",
                    "(peer|network)-0000(0|1)00(0|1)(-2)?",
                    proptest::strategy::Just(net(2).to_string()),
                    proptest::strategy::Just(net(9).to_string().to_uppercase()),
                ],
                3,
            )
        ) {
            let mut world = observed();
            for (network, name) in world.networks.iter_mut().zip(&names) {
                network.name = name.clone();
            }
            let text = from_observed(&world, Scope::All);
            let desired = crate::config::parse(&text, "imported.toml")
                .map_err(|error| proptest::test_runner::TestCaseError::fail(format!("{error}\n{text}")))?;
            proptest::prop_assert_eq!(desired.peerings.len(), 3);
            proptest::prop_assert_eq!(desired.aliases.len(), 5, "{}", text);
        }
    }

    #[test]
    fn the_upcloud_half_of_an_aiven_peering_is_written_as_an_aiven_peering() {
        let mut half = peering(4, "app to aiven", 1, 7, true);
        half.labels
            .insert(AIVEN_PROJECT_KEY.into(), "data-project".into());
        half.labels.insert(
            AIVEN_VPC_KEY.into(),
            "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15".into(),
        );
        let mut odd = peering(5, "odd labels", 2, 7, false);
        odd.labels.insert(AIVEN_PROJECT_KEY.into(), "p".into());
        let observed = Observed {
            peerings: vec![half, odd],
            ..observed()
        };
        let text = from_observed(&observed, Scope::All);
        insta::assert_snapshot!(text);
        let desired = crate::config::parse(&text, "imported.toml").unwrap();
        assert_eq!(desired.aiven_peerings.len(), 1);
        assert_eq!(desired.aiven_peerings[0].aiven_network, Some(net(7)));
        assert_eq!(
            desired.peerings.len(),
            1,
            "the other, its reserved label left out"
        );
    }

    #[test]
    fn slugs_are_bare_keys() {
        assert_eq!(
            slug("App private network (HEL1)"),
            "app-private-network-hel1"
        );
        assert_eq!(slug("  "), "network");
        assert_eq!(slug("Ünïcode net"), "n-code-net");
    }
}
