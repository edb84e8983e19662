//! The judgement behind `peerings check`: is the account as the file says (no pending changes),
//! and is every peering the file lists in the state its configured status asks for? Pure: it
//! reads a plan and nothing else.
//!
//! A peering is judged against the configured status it has *now*: a pending change of
//! `configured_status` is drift, which the plan already reports, not unhealthiness.
//!
//! `provisioning` counts as unhealthy, but transient: a nightly job should hear about a peering
//! that is still being set up (one stuck there needs UpCloud's support), while a person reading
//! the report learns that it usually passes by itself.

use std::collections::BTreeSet;

use crate::model::{AivenConnection, ConfiguredStatus, ConnectionState, Peering, PeeringState};

use super::{Action, AivenAction, Plan, Summary};

/// How one peering is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// In the state its configured status asks for: `active`, or `disabled`.
    Healthy,
    /// Not yet, but on its way without anyone's help (`provisioning`).
    Transient,
    /// Needs a person: the peer, the networks or UpCloud.
    Unhealthy,
}

impl Health {
    /// The name scripts see in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Transient => "transient",
            Health::Unhealthy => "unhealthy",
        }
    }
}

/// One existing peering the file lists, and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged<'p> {
    /// The file's name for it (which a pending rename may not have given it yet).
    pub name: &'p str,
    /// For a half of a `[[link]]`: the link's name.
    pub link: Option<&'p str>,
    pub peering: &'p Peering,
    pub health: Health,
    /// What the plan found out about it, such as which account lacks the other half.
    pub warnings: &'p [super::Warning],
}

/// One existing Aiven half of an `[[aiven_peering]]`, and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgedConnection<'p> {
    /// The `[[aiven_peering]]`'s name.
    pub name: &'p str,
    pub account: Option<&'p str>,
    pub connection: &'p AivenConnection,
    pub health: Health,
}

/// A judged half of either platform.
#[derive(Debug, Clone, Copy)]
pub enum JudgedStep<'c, 'p> {
    Upcloud(&'c Judged<'p>),
    Aiven(&'c JudgedConnection<'p>),
}

/// The outcome of a check: what the plan would change, and how the listed peerings are doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check<'p> {
    pub pending: Summary,
    /// Every peering the file lists that exists, in plan order (by name).
    pub peerings: Vec<Judged<'p>>,
    /// Peerings other files manage: not judged, but counted, so that a report says they exist.
    pub elsewhere: &'p [super::Elsewhere],
    /// The Aiven half of every `[[aiven_peering]]` that exists, by name.
    pub connections: Vec<JudgedConnection<'p>>,
}

/// Which peering a listed half is a half of: a `[[link]]`'s, by the link's name; else the
/// one of its name in its account, which an `[[aiven_peering]]`'s two halves share.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PeeringOf<'p> {
    Link(&'p str),
    Named(Option<&'p str>, &'p str),
}

/// What the check concludes, most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckVerdict {
    /// Changes are pending: apply would change the account.
    Drift,
    /// Nothing would change, but a listed peering is not in the state it should be.
    Unhealthy,
    /// Nothing would change and every listed peering is as its configured status asks.
    InSync,
}

impl CheckVerdict {
    /// The name scripts see in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckVerdict::Drift => "drift",
            CheckVerdict::Unhealthy => "unhealthy",
            CheckVerdict::InSync => "in_sync",
        }
    }
}

impl<'p> Check<'p> {
    /// Pending changes win over unhealthiness: applying them may well change the states.
    pub fn verdict(&self) -> CheckVerdict {
        if self.pending.changes() > 0 {
            CheckVerdict::Drift
        } else if self.unhealthy_count() > 0 {
            CheckVerdict::Unhealthy
        } else {
            CheckVerdict::InSync
        }
    }

    /// The listed peerings not in the state they should be, transient ones included.
    pub fn unhealthy(&self) -> impl Iterator<Item = &Judged<'p>> {
        self.peerings
            .iter()
            .filter(|judged| judged.health != Health::Healthy)
    }

    /// The Aiven halves not `ACTIVE`, or with a warning, transient ones included.
    pub fn unhealthy_connections(&self) -> impl Iterator<Item = &JudgedConnection<'p>> {
        self.connections
            .iter()
            .filter(|judged| judged.health != Health::Healthy)
    }

    /// The halves of both platforms that are not healthy, by name; of one peering, the Aiven
    /// half first, as the plan shows them.
    pub fn unhealthy_in_order(&self) -> Vec<JudgedStep<'_, 'p>> {
        let mut steps: Vec<JudgedStep> = self
            .unhealthy()
            .map(JudgedStep::Upcloud)
            .chain(self.unhealthy_connections().map(JudgedStep::Aiven))
            .collect();
        steps.sort_by_key(|step| match step {
            JudgedStep::Upcloud(judged) => (judged.name, 1),
            JudgedStep::Aiven(judged) => (judged.name, 0),
        });
        steps
    }

    /// Every half the file lists that exists, of both platforms.
    pub fn listed(&self) -> usize {
        self.peerings.len() + self.connections.len()
    }

    /// Those of them that are healthy.
    pub fn healthy_count(&self) -> usize {
        self.listed() - self.unhealthy_count()
    }

    /// Those of them that are not healthy.
    pub fn unhealthy_count(&self) -> usize {
        self.unhealthy().count() + self.unhealthy_connections().count()
    }

    /// The peerings the listed halves are halves of: both halves of a `[[link]]`, or of an
    /// `[[aiven_peering]]`, are one peering; a `[[peering]]` is one half of its own.
    pub fn listed_peerings(&self) -> usize {
        let upcloud = self.peerings.iter().map(|judged| match judged.link {
            Some(link) => PeeringOf::Link(link),
            None => PeeringOf::Named(judged.peering.account.as_deref(), judged.name),
        });
        let aiven = self
            .connections
            .iter()
            .map(|judged| PeeringOf::Named(judged.account, judged.name));
        upcloud.chain(aiven).collect::<BTreeSet<_>>().len()
    }
}

/// Judges every existing peering the file lists. Creates have no state yet and deletes are
/// not listed: both are drift, which `pending` counts.
pub fn check(plan: &Plan) -> Check<'_> {
    let peerings = plan
        .changes
        .iter()
        .filter_map(|change| match &change.action {
            Action::Noop { current } | Action::Update { current, .. } => Some(Judged {
                name: &change.name,
                link: change.link.as_deref(),
                peering: current,
                health: judge(&current.state, current.configured_status),
                warnings: &change.warnings,
            }),
            Action::Create(_) | Action::Delete { .. } => None,
        })
        .collect();
    let connections = plan
        .aiven
        .iter()
        .filter_map(|change| match &change.action {
            AivenAction::Noop { current } => Some(JudgedConnection {
                name: &change.name,
                account: change.account.as_deref(),
                connection: current,
                health: judge_connection(current),
            }),
            AivenAction::Create | AivenAction::Delete { .. } => None,
        })
        .collect();
    Check {
        pending: plan.summary(),
        peerings,
        elsewhere: &plan.elsewhere,
        connections,
    }
}

/// How an Aiven half is doing: `ACTIVE` without a warning is healthy; on its way to it,
/// transient; anything else needs a person.
pub fn judge_connection(connection: &AivenConnection) -> Health {
    match &connection.state {
        _ if !connection.warnings.is_empty() => Health::Unhealthy,
        ConnectionState::Active => Health::Healthy,
        ConnectionState::Approved
        | ConnectionState::ApprovedPeerRequested
        | ConnectionState::PendingPeer => Health::Transient,
        _ => Health::Unhealthy,
    }
}

/// What to do about an Aiven half in `state`, for the person a nightly job alerts.
/// [`ConnectionState::explanation`] says what the state means.
pub fn connection_advice(connection: &AivenConnection) -> &'static str {
    match &connection.state {
        _ if !connection.warnings.is_empty() => {
            "read Aiven's warning below: it concerns the networks (their ranges, or the UpCloud \
             peering Aiven made); fix that, and the warning goes"
        }
        ConnectionState::Active => "nothing",
        ConnectionState::Approved | ConnectionState::ApprovedPeerRequested => {
            "Aiven usually builds its half within minutes; if the next check still finds it so, \
             contact Aiven support with the project and the VPC's ID"
        }
        ConnectionState::PendingPeer => {
            "the UpCloud half is missing or not active yet: run `peerings apply`, which creates \
             it; check the UpCloud half's state if it exists"
        }
        ConnectionState::RejectedByPeer | ConnectionState::InvalidSpecification => {
            "the network cannot be peered with this VPC (it must be private, have a router, be \
             in the VPC's zone and not overlap its range): fix that, delete the connection in \
             the Aiven console, then run apply again"
        }
        ConnectionState::Deleting => {
            "someone is deleting it: once it is gone, apply creates it again, as the file asks"
        }
        ConnectionState::Deleted | ConnectionState::DeletedByPeer => {
            "it no longer carries traffic: delete what is left of it in the Aiven console, then \
             run apply again to create it anew"
        }
        ConnectionState::Error => {
            "contact Aiven support with the project, the VPC's ID and the network's UUID"
        }
        ConnectionState::Unknown(_) => {
            "look the state up in Aiven's documentation; a newer peerings may know it"
        }
    }
}

/// Whether `state` is what `configured` asks for.
pub fn judge(state: &PeeringState, configured: ConfiguredStatus) -> Health {
    match (state, configured) {
        (PeeringState::Active, ConfiguredStatus::Active)
        | (PeeringState::Disabled, ConfiguredStatus::Disabled) => Health::Healthy,
        (PeeringState::Provisioning, _) => Health::Transient,
        _ => Health::Unhealthy,
    }
}

/// What to do about a peering in `state` whose configured status is `configured`, for the
/// person a nightly job alerts. [`PeeringState::explanation`] says what the state means.
pub fn advice(state: &PeeringState, configured: ConfiguredStatus) -> &'static str {
    match (state, configured) {
        (PeeringState::Active, ConfiguredStatus::Active)
        | (PeeringState::Disabled, ConfiguredStatus::Disabled) => "nothing",
        (PeeringState::Active | PeeringState::Disabled, _) => {
            "the platform has not caught up with the configured status yet; if a later check \
             still shows this, run apply again or contact UpCloud support"
        }
        (PeeringState::Provisioning, _) => {
            "usually passes by itself within minutes; if the next check still finds it \
             provisioning, contact UpCloud support with the peering's UUID"
        }
        (PeeringState::PendingPeer, _) => {
            "the peer network's owner must create the peering in the other direction (for \
             Aiven: the peering connection of the project VPC)"
        }
        (PeeringState::PeerDisabled, _) => {
            "ask the peer network's owner to set their half active again, or set \
             configured_status = \"disabled\" in the file if it is meant to stay down"
        }
        (PeeringState::ConflictSubnet, _) => {
            "give one of the two networks an address range that does not overlap the other's"
        }
        (PeeringState::MissingLocalRouter, _) => "attach a router to the local network",
        (PeeringState::MissingPeerRouter, _) => {
            "the peer network's owner must attach a router to it"
        }
        (PeeringState::DeletedPeerNetwork, _) => {
            "remove the peering from the file (prune = true then deletes it), or point \
             peer_network at the network that replaced the deleted one"
        }
        (PeeringState::Error, _) => "contact UpCloud support with the peering's UUID",
        (PeeringState::Unknown(_), _) => {
            "look the state up in UpCloud's documentation; a newer peerings may know it"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Labels, PeeringId, PeeringKey};
    use crate::plan::{Change, FieldChange};
    use uuid::Uuid;

    fn peering(n: u128, state: PeeringState, configured: ConfiguredStatus) -> Peering {
        Peering {
            account: None,
            id: PeeringId(Uuid::from_u128(n)),
            name: format!("p{n}"),
            key: PeeringKey {
                network: crate::model::NetworkId(Uuid::from_u128(1000 + n)),
                peer_network: crate::model::NetworkId(Uuid::from_u128(2000 + n)),
            },
            configured_status: configured,
            state,
            labels: Labels::new(),
        }
    }

    fn noop(current: Peering) -> Change {
        Change {
            account: None,
            link: None,
            name: current.name.clone(),
            key: current.key,
            action: Action::Noop { current },
            warnings: Vec::new(),
        }
    }

    fn plan_of(changes: Vec<Change>) -> Plan {
        Plan {
            changes,
            owned: 0,
            ..Plan::empty()
        }
    }

    const ACTIVE: ConfiguredStatus = ConfiguredStatus::Active;
    const DISABLED: ConfiguredStatus = ConfiguredStatus::Disabled;

    #[test]
    fn every_state_is_judged_against_the_configured_status() {
        let cases = [
            (PeeringState::Active, ACTIVE, Health::Healthy),
            (PeeringState::Disabled, DISABLED, Health::Healthy),
            (PeeringState::Active, DISABLED, Health::Unhealthy),
            (PeeringState::Disabled, ACTIVE, Health::Unhealthy),
            (PeeringState::Provisioning, ACTIVE, Health::Transient),
            (PeeringState::Provisioning, DISABLED, Health::Transient),
            (PeeringState::PendingPeer, ACTIVE, Health::Unhealthy),
            (PeeringState::PeerDisabled, ACTIVE, Health::Unhealthy),
            (PeeringState::ConflictSubnet, ACTIVE, Health::Unhealthy),
            (PeeringState::MissingLocalRouter, ACTIVE, Health::Unhealthy),
            (PeeringState::MissingPeerRouter, ACTIVE, Health::Unhealthy),
            (PeeringState::DeletedPeerNetwork, ACTIVE, Health::Unhealthy),
            (PeeringState::Error, ACTIVE, Health::Unhealthy),
            (
                PeeringState::Unknown("half-moon".into()),
                ACTIVE,
                Health::Unhealthy,
            ),
        ];
        for (state, configured, expected) in cases {
            assert_eq!(
                judge(&state, configured),
                expected,
                "{state} / {configured}"
            );
        }
    }

    #[test]
    fn every_state_that_is_not_healthy_has_advice() {
        for state in [
            PeeringState::Provisioning,
            PeeringState::PendingPeer,
            PeeringState::PeerDisabled,
            PeeringState::ConflictSubnet,
            PeeringState::MissingLocalRouter,
            PeeringState::MissingPeerRouter,
            PeeringState::DeletedPeerNetwork,
            PeeringState::Error,
            PeeringState::Unknown("x".into()),
            PeeringState::Disabled,
        ] {
            assert_ne!(advice(&state, ACTIVE), "nothing", "{state}");
        }
    }

    #[test]
    fn healthy_peerings_and_no_changes_are_in_sync() {
        let plan = plan_of(vec![
            noop(peering(1, PeeringState::Active, ACTIVE)),
            noop(peering(2, PeeringState::Disabled, DISABLED)),
        ]);
        let check = check(&plan);
        assert_eq!(check.verdict(), CheckVerdict::InSync);
        assert_eq!(check.peerings.len(), 2);
        assert_eq!(check.unhealthy().count(), 0);
    }

    #[test]
    fn the_halves_of_a_link_or_an_aiven_peering_are_one_peering() {
        let half = |n: u128, name: &str, link: Option<&str>, account: Option<&str>| Change {
            account: account.map(str::to_owned),
            link: link.map(str::to_owned),
            name: name.into(),
            ..noop(Peering {
                account: account.map(str::to_owned),
                ..peering(n, PeeringState::Active, ACTIVE)
            })
        };
        let connection = AivenConnection {
            key: crate::model::ConnectionKey {
                vpc: crate::model::VpcRef {
                    project: "data".into(),
                    vpc: crate::model::VpcId(Uuid::from_u128(7)),
                },
                network: crate::model::NetworkId(Uuid::from_u128(1003)),
            },
            state: ConnectionState::Active,
            aiven_network: None,
            message: None,
            warnings: Vec::new(),
        };
        let plan = Plan {
            aiven: vec![super::super::AivenChange {
                name: "to aiven".into(),
                account: Some("a".into()),
                key: connection.key.clone(),
                action: AivenAction::Noop {
                    current: connection,
                },
                pending: None,
                warnings: Vec::new(),
            }],
            ..plan_of(vec![
                half(1, "l (a side)", Some("l"), Some("a")),
                half(2, "l (b side)", Some("l"), Some("b")),
                half(3, "to aiven", None, Some("a")),
                half(4, "same name", None, Some("a")),
                half(5, "same name", None, Some("b")),
            ])
        };
        let check = check(&plan);
        assert_eq!(check.listed(), 6, "halves");
        assert_eq!(
            check.listed_peerings(),
            4,
            "the link, the Aiven peering, and one [[peering]] in each account"
        );
    }

    #[test]
    fn an_unhealthy_peering_without_changes_is_unhealthy_and_provisioning_counts() {
        for state in [PeeringState::PendingPeer, PeeringState::Provisioning] {
            let plan = plan_of(vec![
                noop(peering(1, PeeringState::Active, ACTIVE)),
                noop(peering(2, state.clone(), ACTIVE)),
            ]);
            let check = check(&plan);
            assert_eq!(check.verdict(), CheckVerdict::Unhealthy, "{state}");
            let names: Vec<&str> = check.unhealthy().map(|judged| judged.name).collect();
            assert_eq!(names, ["p2"]);
        }
    }

    #[test]
    fn pending_changes_win_but_unhealthy_peerings_are_still_listed() {
        let current = peering(1, PeeringState::PendingPeer, ACTIVE);
        let target = crate::model::PeeringSpec {
            name: "renamed".into(),
            key: current.key,
            configured_status: DISABLED,
            labels: Labels::new(),
        };
        let update = Change {
            account: None,
            link: None,
            name: "renamed".into(),
            key: current.key,
            action: Action::Update {
                current: current.clone(),
                target: target.clone(),
                fields: vec![FieldChange::ConfiguredStatus {
                    from: ACTIVE,
                    to: DISABLED,
                }],
                adopt: false,
            },
            warnings: Vec::new(),
        };
        let create = Change {
            account: None,
            link: None,
            name: "new".into(),
            key: target.key,
            action: Action::Create(target),
            warnings: Vec::new(),
        };
        let plan = plan_of(vec![update, create]);
        let check = check(&plan);
        assert_eq!(check.verdict(), CheckVerdict::Drift);
        assert_eq!(check.pending.changes(), 2);
        let unhealthy: Vec<(&str, Health)> = check
            .unhealthy()
            .map(|judged| (judged.name, judged.health))
            .collect();
        assert_eq!(
            unhealthy,
            [("renamed", Health::Unhealthy)],
            "judged by the file's name, against the configured status it has now"
        );
    }
}
