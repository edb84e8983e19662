//! What the peering endpoints do to the world, apart from HTTP: each operation takes the
//! calling account and the request's content and either changes the world or says why not.

use uuid::Uuid;

use super::error_answers::{CREATE_CHECK_ORDER, CreateCheck, ErrorAnswer, PEERING_LIMIT};
use super::rules;
use super::state::SimPeeringState;
use super::world::{NetworkKind, SimConfiguredStatus, SimNetwork, SimPeering, World};
use crate::upcloud::wire::{CreatePeering, ModifyPeering, UuidRef};

/// When a request is handled, and how long the platform then takes to carry out a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Wall-clock milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// 0 means changes take effect at once.
    pub provisioning_ms: u64,
}

impl Moment {
    /// Until when a change made now is `provisioning`; `None` when it takes effect at once.
    fn provisioning_until(self) -> Option<u64> {
        (self.provisioning_ms > 0).then(|| self.now_ms.saturating_add(self.provisioning_ms))
    }
}

/// Creates the caller's half, and then, if the peer network's owner is a cooperative peer,
/// lets it answer with its own half. Returns the new half's UUID.
pub fn create_peering(
    world: &mut World,
    account: &str,
    request: CreatePeering,
    moment: Moment,
) -> Result<Uuid, ErrorAnswer> {
    let name = request.name.clone();
    let uuid = create_half(world, account, request, moment)?;
    let created = world.peering(uuid).map(|p| (p.network, p.peer_network));
    if let Some((network, peer_network)) = created {
        reciprocate(world, network, peer_network, &name, moment);
    }
    Ok(uuid)
}

pub(in crate::sim) fn create_half(
    world: &mut World,
    account: &str,
    request: CreatePeering,
    moment: Moment,
) -> Result<Uuid, ErrorAnswer> {
    rules::check_name(&request.name)?;
    let configured_status = match &request.configured_status {
        Some(text) => rules::parse_configured_status(text)?,
        None => SimConfiguredStatus::Active,
    };
    rules::check_labels(&request.labels)?;
    let (network, peer_network) =
        check_preconditions(world, account, &request.network, &request.peer_network)?;
    let uuid = world.next_uuid();
    world.peerings.push(SimPeering {
        uuid,
        account: account.to_owned(),
        name: request.name,
        network,
        peer_network,
        configured_status,
        labels: request.labels,
        provisioning_until: moment.provisioning_until(),
    });
    Ok(uuid)
}

/// The networks a create request names, as far as the caller may see them.
struct Named<'w> {
    /// The local network, only if it is the caller's.
    local: Option<&'w SimNetwork>,
    /// The peer network, in any account.
    peer: Option<&'w SimNetwork>,
}

/// Runs create's checks in [`CREATE_CHECK_ORDER`]; returns the local and peer network UUIDs.
fn check_preconditions(
    world: &World,
    account: &str,
    network: &UuidRef,
    peer_network: &UuidRef,
) -> Result<(Uuid, Uuid), ErrorAnswer> {
    // A UUID that does not parse names no network, so it is "not found" like any unknown one.
    let find = |uuid: &UuidRef| {
        Uuid::try_parse(&uuid.uuid)
            .ok()
            .and_then(|uuid| world.network(uuid))
    };
    let named = Named {
        local: find(network).filter(|n| n.account == account),
        peer: find(peer_network),
    };
    for check in CREATE_CHECK_ORDER {
        if let Some(error) = failed_check(world, account, &named, check) {
            return Err(error);
        }
    }
    let local = named.local.ok_or(ErrorAnswer::NetworkNotFound)?;
    let peer = named.peer.ok_or(ErrorAnswer::PeerNetworkNotFound)?;
    Ok((local.uuid, peer.uuid))
}

/// The error of `check`, if it fails. A check about a network that was not found passes: the
/// check for its existence reports that.
fn failed_check(
    world: &World,
    account: &str,
    named: &Named,
    check: CreateCheck,
) -> Option<ErrorAnswer> {
    let local_is = |test: fn(&SimNetwork) -> bool| named.local.is_some_and(test);
    let failed = match check {
        CreateCheck::LocalNetworkInAccount => named.local.is_none(),
        CreateCheck::PeerNetworkExists => named.peer.is_none(),
        CreateCheck::PairNotYetPeered => match (named.local, named.peer) {
            (Some(local), Some(peer)) => world
                .peering_between(account, local.uuid, peer.uuid)
                .is_some(),
            _ => false,
        },
        CreateCheck::LocalNetworkHasRouter => local_is(|n| n.router.is_none()),
        CreateCheck::LocalNetworkIsPrivate => local_is(|n| n.kind != NetworkKind::Private),
        CreateCheck::PeerNetworkIsPrivate => {
            named.peer.is_some_and(|n| n.kind != NetworkKind::Private)
        }
        CreateCheck::BelowPeeringLimit => {
            world.peerings().filter(|p| p.account == account).count() >= PEERING_LIMIT
        }
    };
    failed.then_some(check.error())
}

/// What a cooperative peer (Aiven, another team) does when a half towards its network appears:
/// it creates its own half back, through the same rules as any client.
fn reciprocate(world: &mut World, network: Uuid, peer_network: Uuid, name: &str, moment: Moment) {
    let Some(owner) = world.network(peer_network).map(|n| n.account.clone()) else {
        return;
    };
    if !world.accounts.get(&owner).is_some_and(|a| a.auto_peer) {
        return;
    }
    let request = CreatePeering {
        configured_status: None,
        name: format!("auto: {name}").chars().take(255).collect(),
        network: UuidRef {
            uuid: peer_network.to_string(),
        },
        peer_network: UuidRef {
            uuid: network.to_string(),
        },
        labels: vec![],
    };
    // A peer whose own request fails (it has a half already, or no router) leaves it there,
    // as a real peer would: the caller's half then reports why it is not active.
    let _ = create_half(world, &owner, request, moment);
}

/// The index of the caller's peering named by the path's UUID.
fn own_peering_index(world: &World, account: &str, uuid: &str) -> Result<usize, ErrorAnswer> {
    let uuid = Uuid::try_parse(uuid).map_err(|_| ErrorAnswer::PeeringNotFound)?;
    world
        .peerings
        .iter()
        .position(|p| p.uuid == uuid && p.account == account)
        .ok_or(ErrorAnswer::PeeringNotFound)
}

pub fn own_peering<'w>(
    world: &'w World,
    account: &str,
    uuid: &str,
) -> Result<&'w SimPeering, ErrorAnswer> {
    own_peering_index(world, account, uuid).map(|index| &world.peerings[index])
}

/// Changes what is given and leaves the rest; returns the peering's UUID. A change of
/// `configured_status` is carried out by the platform, so the peering is `provisioning` for a
/// while; a name or labels change at once.
pub fn modify_peering(
    world: &mut World,
    account: &str,
    uuid: &str,
    change: ModifyPeering,
    moment: Moment,
) -> Result<Uuid, ErrorAnswer> {
    if let Some(name) = &change.name {
        rules::check_name(name)?;
    }
    let configured_status = change
        .configured_status
        .as_deref()
        .map(rules::parse_configured_status)
        .transpose()?;
    if let Some(labels) = &change.labels {
        rules::check_labels(labels)?;
    }
    let index = own_peering_index(world, account, uuid)?;
    let peering = &mut world.peerings[index];
    if let Some(name) = change.name {
        peering.name = name;
    }
    if let Some(configured_status) = configured_status {
        if configured_status != peering.configured_status {
            peering.provisioning_until = moment.provisioning_until();
        }
        peering.configured_status = configured_status;
    }
    if let Some(labels) = change.labels {
        peering.labels = labels;
    }
    Ok(peering.uuid)
}

/// Only a peering whose state is `disabled` can be deleted [C]: asking for `disabled` is not
/// enough while the peering is still `provisioning`.
pub fn delete_peering(
    world: &mut World,
    account: &str,
    uuid: &str,
    now_ms: u64,
) -> Result<(), ErrorAnswer> {
    let index = own_peering_index(world, account, uuid)?;
    if world.state_at(&world.peerings[index], now_ms) != SimPeeringState::Disabled {
        return Err(ErrorAnswer::PeeringNotDisabled);
    }
    world.peerings.remove(index);
    Ok(())
}

/// Why a network cannot be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkRefusal {
    /// No such network in the caller's account.
    NotFound,
    /// One of the caller's peerings has it as its local network.
    HasPeerings,
}

/// Deletes one of the caller's networks, which detaches it from its router. Other accounts'
/// peerings towards it remain, and report `deleted-peer-network`.
pub fn delete_network(world: &mut World, account: &str, uuid: &str) -> Result<(), NetworkRefusal> {
    let uuid = Uuid::try_parse(uuid).map_err(|_| NetworkRefusal::NotFound)?;
    let index = world
        .networks
        .iter()
        .position(|n| n.uuid == uuid && n.account == account)
        .ok_or(NetworkRefusal::NotFound)?;
    if world.peerings().any(|p| p.network == uuid) {
        return Err(NetworkRefusal::HasPeerings);
    }
    world.networks.remove(index);
    world.deleted_networks.push(uuid);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::NetworkKind;

    const APP: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
    const BACKEND: &str = "88ac25ea-0b4f-424e-8668-82b747169590";
    const LEGACY: &str = "e3bacad0-78d5-4ffb-8d2a-c548e1ffe6f8";
    const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
    const NOWHERE: &str = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";
    /// A moment on a platform that carries out changes at once.
    const AT: Moment = Moment {
        now_ms: 1_000_000,
        provisioning_ms: 0,
    };

    fn request(network: &str, peer_network: &str) -> CreatePeering {
        CreatePeering {
            configured_status: None,
            name: "a peering".into(),
            network: UuidRef {
                uuid: network.into(),
            },
            peer_network: UuidRef {
                uuid: peer_network.into(),
            },
            labels: vec![],
        }
    }

    #[test]
    fn the_first_failing_check_in_order_answers() {
        let mut world = World::demo();
        let unknown = "00000000-0000-4000-8000-000000000000";
        let cases = [
            (request(AIVEN, APP), ErrorAnswer::NetworkNotFound),
            (request(unknown, unknown), ErrorAnswer::NetworkNotFound),
            (request("not a uuid", APP), ErrorAnswer::NetworkNotFound),
            (request(LEGACY, unknown), ErrorAnswer::PeerNetworkNotFound),
            (request(LEGACY, AIVEN), ErrorAnswer::LocalNetworkNoRouter),
        ];
        for (request, expected) in cases {
            assert_eq!(
                create_peering(&mut world, "demo", request, AT),
                Err(expected)
            );
        }
        assert_eq!(world.peerings().count(), 0);
        create_peering(&mut world, "demo", request(APP, BACKEND), AT).unwrap();
        assert_eq!(
            create_peering(&mut world, "demo", request(APP, BACKEND), AT),
            Err(ErrorAnswer::PeeringConflict)
        );
    }

    #[test]
    fn non_private_networks_cannot_be_peered() {
        let mut world = World::demo();
        world.networks[1].kind = NetworkKind::Public;
        assert_eq!(
            create_peering(&mut world, "demo", request(BACKEND, AIVEN), AT),
            Err(ErrorAnswer::LocalNetworkNotPrivate)
        );
        assert_eq!(
            create_peering(&mut world, "demo", request(APP, BACKEND), AT),
            Err(ErrorAnswer::PeerNetworkNotPrivate)
        );
    }

    #[test]
    fn an_account_holds_at_most_the_limit() {
        let mut world = World::demo();
        let template = SimPeering {
            uuid: Uuid::nil(),
            account: "demo".into(),
            name: "filler".into(),
            network: APP.parse().unwrap(),
            peer_network: Uuid::nil(),
            configured_status: SimConfiguredStatus::Active,
            labels: vec![],
            provisioning_until: None,
        };
        for n in 0..PEERING_LIMIT {
            world.peerings.push(SimPeering {
                uuid: Uuid::from_u128(n as u128 + 1),
                ..template.clone()
            });
        }
        assert_eq!(
            create_peering(&mut world, "demo", request(APP, BACKEND), AT),
            Err(ErrorAnswer::PeeringLimitReached)
        );
    }

    #[test]
    fn field_rules_come_before_the_world_checks() {
        let mut world = World::demo();
        let nameless = CreatePeering {
            name: String::new(),
            ..request(AIVEN, "x")
        };
        assert_eq!(
            create_peering(&mut world, "demo", nameless, AT),
            Err(ErrorAnswer::NameInvalid)
        );
        let bad_status = CreatePeering {
            configured_status: Some("up".into()),
            ..request(APP, AIVEN)
        };
        assert_eq!(
            create_peering(&mut world, "demo", bad_status, AT),
            Err(ErrorAnswer::ConfiguredStatusInvalid("up".into()))
        );
    }

    #[test]
    fn a_cooperative_peer_answers_at_once_and_only_once() {
        let mut world = World::demo();
        let mine = create_peering(&mut world, "demo", request(APP, AIVEN), AT).unwrap();
        let theirs = world
            .peering_between("aiven", AIVEN.parse().unwrap(), APP.parse().unwrap())
            .unwrap();
        assert_eq!(theirs.name, "auto: a peering");
        assert_eq!(theirs.configured_status, SimConfiguredStatus::Active);
        assert!(theirs.labels.is_empty());
        assert_eq!(
            world.state_of(world.peering(mine).unwrap()),
            SimPeeringState::Active
        );
        assert_eq!(world.peerings().count(), 2);
    }

    #[test]
    fn a_peer_that_does_not_cooperate_leaves_the_half_pending() {
        let mut world = World::demo();
        let uuid = create_peering(&mut world, "demo", request(APP, BACKEND), AT).unwrap();
        assert_eq!(world.peerings().count(), 1);
        assert_eq!(
            world.state_of(world.peering(uuid).unwrap()),
            SimPeeringState::PendingPeer
        );
    }

    #[test]
    fn modify_changes_only_what_is_given() {
        let mut world = World::demo();
        let labelled = CreatePeering {
            labels: vec![crate::upcloud::wire::Label {
                key: "team".into(),
                value: "data".into(),
            }],
            ..request(APP, BACKEND)
        };
        let uuid = create_peering(&mut world, "demo", labelled, AT)
            .unwrap()
            .to_string();
        let rename = ModifyPeering {
            name: Some("renamed".into()),
            ..Default::default()
        };
        modify_peering(&mut world, "demo", &uuid, rename, AT).unwrap();
        let peering = own_peering(&world, "demo", &uuid).unwrap();
        assert_eq!(
            (peering.name.as_str(), peering.labels.len()),
            ("renamed", 1)
        );
        let clear = ModifyPeering {
            labels: Some(vec![]),
            configured_status: Some("disabled".into()),
            ..Default::default()
        };
        modify_peering(&mut world, "demo", &uuid, clear, AT).unwrap();
        let peering = own_peering(&world, "demo", &uuid).unwrap();
        assert!(peering.labels.is_empty());
        assert_eq!(peering.configured_status, SimConfiguredStatus::Disabled);
        assert_eq!(peering.name, "renamed");
        let bad = ModifyPeering {
            name: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(
            modify_peering(&mut world, "demo", &uuid, bad, AT),
            Err(ErrorAnswer::NameInvalid)
        );
    }

    #[test]
    fn another_accounts_peering_is_not_found() {
        let mut world = World::demo();
        create_peering(&mut world, "demo", request(APP, AIVEN), AT).unwrap();
        let theirs = world
            .peering_between("aiven", AIVEN.parse().unwrap(), APP.parse().unwrap())
            .unwrap()
            .uuid;
        let theirs = theirs.to_string();
        assert_eq!(
            own_peering(&world, "demo", &theirs).err(),
            Some(ErrorAnswer::PeeringNotFound)
        );
        assert_eq!(
            own_peering(&world, "demo", "nonsense").err(),
            Some(ErrorAnswer::PeeringNotFound)
        );
        assert_eq!(
            delete_peering(&mut world, "demo", &theirs, AT.now_ms),
            Err(ErrorAnswer::PeeringNotFound)
        );
        assert_eq!(
            modify_peering(&mut world, "demo", &theirs, ModifyPeering::default(), AT),
            Err(ErrorAnswer::PeeringNotFound)
        );
    }

    #[test]
    fn only_a_disabled_peering_is_deleted() {
        let mut world = World::demo();
        let uuid = create_peering(&mut world, "demo", request(APP, BACKEND), AT)
            .unwrap()
            .to_string();
        assert_eq!(
            delete_peering(&mut world, "demo", &uuid, AT.now_ms),
            Err(ErrorAnswer::PeeringNotDisabled)
        );
        let disable = ModifyPeering {
            configured_status: Some("disabled".into()),
            ..Default::default()
        };
        modify_peering(&mut world, "demo", &uuid, disable, AT).unwrap();
        assert_eq!(delete_peering(&mut world, "demo", &uuid, AT.now_ms), Ok(()));
        assert_eq!(world.peerings().count(), 0);
        assert_eq!(
            delete_peering(&mut world, "demo", &uuid, AT.now_ms),
            Err(ErrorAnswer::PeeringNotFound)
        );
    }

    #[test]
    fn changes_of_status_are_provisioning_for_a_while() {
        let mut world = World::demo();
        let slow = Moment {
            provisioning_ms: 500,
            ..AT
        };
        let uuid = create_peering(&mut world, "demo", request(APP, AIVEN), slow).unwrap();
        let state_at =
            |world: &World, uuid: Uuid, ms: u64| world.state_at(world.peering(uuid).unwrap(), ms);
        let theirs = world
            .peering_between("aiven", AIVEN.parse().unwrap(), APP.parse().unwrap())
            .unwrap()
            .uuid;
        for half in [uuid, theirs] {
            assert_eq!(
                state_at(&world, half, AT.now_ms + 499),
                SimPeeringState::Provisioning
            );
            assert_eq!(
                state_at(&world, half, AT.now_ms + 500),
                SimPeeringState::Active
            );
        }

        let later = Moment {
            now_ms: AT.now_ms + 1000,
            ..slow
        };
        let text = uuid.to_string();
        let rename = ModifyPeering {
            name: Some("renamed".into()),
            ..Default::default()
        };
        modify_peering(&mut world, "demo", &text, rename, later).unwrap();
        assert_eq!(
            state_at(&world, uuid, later.now_ms),
            SimPeeringState::Active
        );
        let disable = ModifyPeering {
            configured_status: Some("disabled".into()),
            ..Default::default()
        };
        modify_peering(&mut world, "demo", &text, disable.clone(), later).unwrap();
        assert_eq!(
            state_at(&world, uuid, later.now_ms),
            SimPeeringState::Provisioning
        );
        assert_eq!(
            delete_peering(&mut world, "demo", &text, later.now_ms + 499),
            Err(ErrorAnswer::PeeringNotDisabled),
            "only a peering whose state is disabled can be deleted"
        );
        // Asking again for what is already asked for changes nothing, so it is no new change.
        let much_later = Moment {
            now_ms: later.now_ms + 500,
            ..slow
        };
        modify_peering(&mut world, "demo", &text, disable, much_later).unwrap();
        assert_eq!(
            delete_peering(&mut world, "demo", &text, much_later.now_ms),
            Ok(())
        );
    }

    #[test]
    fn a_network_is_deleted_unless_its_own_peerings_use_it() {
        let mut world = World::demo();
        let mine = create_peering(&mut world, "demo", request(APP, AIVEN), AT).unwrap();
        assert_eq!(
            delete_network(&mut world, "demo", APP),
            Err(NetworkRefusal::HasPeerings)
        );
        assert_eq!(
            delete_network(&mut world, "aiven", AIVEN),
            Err(NetworkRefusal::HasPeerings),
            "the cooperative peer's own half uses it"
        );
        world.peerings.retain(|p| p.account != "aiven");
        for not_mine in [AIVEN, NOWHERE, "nonsense"] {
            assert_eq!(
                delete_network(&mut world, "demo", not_mine),
                Err(NetworkRefusal::NotFound),
                "{not_mine}"
            );
        }
        assert_eq!(delete_network(&mut world, "aiven", AIVEN), Ok(()));
        let aiven: Uuid = AIVEN.parse().unwrap();
        assert!(world.network(aiven).is_none());
        assert_eq!(world.deleted_networks, [aiven]);
        assert_eq!(
            world.state_at(world.peering(mine).unwrap(), AT.now_ms),
            SimPeeringState::DeletedPeerNetwork
        );
        assert!(
            world.validate().is_ok(),
            "a world with a deleted peer network is consistent"
        );
        assert_eq!(
            create_peering(&mut world, "demo", request(BACKEND, AIVEN), AT),
            Err(ErrorAnswer::PeerNetworkNotFound)
        );
    }
}
