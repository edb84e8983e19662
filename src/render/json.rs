//! The plan as one JSON document for scripts. The keys of `format_version` 1 are pinned: add
//! keys, never rename or remove one.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{
    AivenConnection, AttachedServer, ConnectionKey, Peering, PeeringState, Platform,
};
use crate::plan::health::{self, Check, Health, Judged, JudgedConnection};
use crate::plan::{
    Action, AivenChange, Change, Elsewhere, FieldChange, LeftConnection, PendingHalf, Plan, Step,
    Summary, Warning,
};

use crate::plan::NetworkNames;

use super::wording;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct PlanDocument {
    pub format_version: u32,
    /// The changes of both platforms, in plan order; each says its `platform`.
    pub changes: Vec<PlanEntry>,
    pub summary: SummaryEntry,
    /// Owned peerings the file no longer lists, kept because prune is off.
    pub kept: Vec<PeeringEntry>,
    /// Peerings without the ownership label that the file does not list.
    pub unmanaged: Vec<PeeringEntry>,
    /// Peerings another file manages (one with another `owner`) that this file does not list.
    pub managed_elsewhere: Vec<ElsewhereEntry>,
    /// Whether `apply` refuses this plan unless given `--force`: see `mass_deletes`.
    pub needs_force: bool,
    /// Each account whose deletes are more than 30 % of its owned peerings (of at least 4).
    pub mass_deletes: Vec<MassDeleteEntry>,
    /// Aiven connections of the UpCloud halves prune deletes, left for a person because the
    /// file has no `[aiven]` table.
    pub aiven_left: Vec<ConnectionEntry>,
}

/// One change of a plan, of either platform.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PlanEntry {
    Upcloud(ChangeEntry),
    Aiven(AivenEntry),
}

/// The Aiven half of an `[[aiven_peering]]`: a peering connection of the project VPC.
#[derive(Debug, Serialize)]
pub struct AivenEntry {
    pub action: &'static str,
    pub name: String,
    /// `aiven`.
    pub platform: Platform,
    #[serde(flatten)]
    pub place: ConnectionPlace,
    /// The connection's Aiven state, or null.
    pub state: Option<String>,
    /// The "Aiven network ID", where Aiven shows it.
    pub aiven_network: Option<String>,
    /// What Aiven says about the connection (`state_info`).
    pub aiven_message: Option<String>,
    pub aiven_warnings: Vec<AivenWarningEntry>,
    pub warnings: Vec<WarningEntry>,
}

/// Where an Aiven half is, as its entries say it.
#[derive(Debug, Serialize)]
pub struct ConnectionPlace {
    /// The account of the UpCloud half.
    pub account: Option<String>,
    pub project: String,
    pub vpc: String,
    /// The UpCloud network the connection peers with (Aiven's `peer_vpc`).
    pub network: String,
    pub network_name: Option<String>,
    /// Always null: a connection has no UUID of its own.
    pub uuid: Option<String>,
}

fn connection_place(
    account: Option<String>,
    key: &ConnectionKey,
    names: &NetworkNames,
) -> ConnectionPlace {
    ConnectionPlace {
        account,
        project: key.vpc.project.clone(),
        vpc: key.vpc.vpc.to_string(),
        network: key.network.to_string(),
        network_name: names.name(key.network).map(str::to_owned),
        uuid: None,
    }
}

/// One of `state_info.warnings`.
#[derive(Debug, Serialize)]
pub struct AivenWarningEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
}

/// Where an Aiven connection is.
#[derive(Debug, Serialize)]
pub struct ConnectionEntry {
    pub name: String,
    pub account: Option<String>,
    pub project: String,
    pub vpc: String,
    pub network: String,
}

/// A peering another file manages.
#[derive(Debug, Serialize)]
pub struct ElsewhereEntry {
    /// That file's `owner`; null for a file without one.
    pub owner: Option<String>,
    #[serde(flatten)]
    pub peering: PeeringEntry,
}

#[derive(Debug, Serialize)]
pub struct MassDeleteEntry {
    /// The file's name for the account; null in a file without accounts.
    pub account: Option<String>,
    /// How many peerings the plan deletes there, and how many it owns.
    pub deletes: usize,
    pub owned: usize,
    pub message: String,
}

/// An existing peering the plan leaves alone.
#[derive(Debug, Serialize)]
pub struct PeeringEntry {
    /// The file's name for the account; null in a file without accounts.
    pub account: Option<String>,
    pub name: String,
    pub uuid: String,
    pub network: String,
    pub peer_network: String,
    pub state: String,
}

#[derive(Debug, Serialize)]
pub struct ChangeEntry {
    pub action: &'static str,
    pub name: String,
    /// `upcloud`.
    pub platform: Platform,
    /// The file's name for the account; null in a file without accounts.
    pub account: Option<String>,
    /// For a half of a `[[link]]`: the link's name, shared by both halves.
    pub link: Option<String>,
    pub network: String,
    /// Null for the UpCloud half of an `[[aiven_peering]]` whose peer, the Aiven network ID, is
    /// known only once the Aiven half is `PENDING_PEER`.
    pub peer_network: Option<String>,
    /// The existing peering's, or null.
    pub uuid: Option<String>,
    pub state: Option<String>,
    pub network_name: Option<String>,
    pub peer_network_name: Option<String>,
    pub configured_status: &'static str,
    pub labels: Value,
    /// An update that takes over a peering without the ownership label.
    pub adopt: bool,
    /// For an update: each field that changes.
    pub fields: Vec<FieldEntry>,
    pub warnings: Vec<WarningEntry>,
    /// Only for a peering the plan expects to turn active once applied: the servers already on
    /// its network, which will need a DHCP renewal then (perhaps none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renew_dhcp: Option<Vec<ServerEntry>>,
}

/// A server attached to a network.
#[derive(Debug, Serialize)]
pub struct ServerEntry {
    pub uuid: String,
    pub title: String,
}

pub fn server_entries(servers: &[AttachedServer]) -> Vec<ServerEntry> {
    servers
        .iter()
        .map(|server| ServerEntry {
            uuid: server.id.to_string(),
            title: server.title.clone(),
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct FieldEntry {
    pub field: &'static str,
    pub from: Value,
    pub to: Value,
}

#[derive(Debug, Serialize)]
pub struct WarningEntry {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct SummaryEntry {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub noop: usize,
}

pub fn plan(plan: &Plan, names: &NetworkNames) -> PlanDocument {
    PlanDocument {
        format_version: FORMAT_VERSION,
        changes: plan
            .steps()
            .into_iter()
            .map(|step| match step {
                Step::Upcloud(change) => PlanEntry::Upcloud(entry(change, plan, names)),
                Step::Aiven(change) => PlanEntry::Aiven(aiven_entry(change, names)),
                Step::PendingHalf(change, half) => {
                    PlanEntry::Upcloud(pending_entry(change, half, names))
                }
            })
            .collect(),
        summary: summary(plan.summary()),
        kept: plan.kept.iter().map(peering_entry).collect(),
        unmanaged: plan.unmanaged.iter().map(peering_entry).collect(),
        managed_elsewhere: elsewhere_entries(&plan.elsewhere),
        needs_force: plan.needs_force(),
        mass_deletes: plan
            .mass_deletes
            .iter()
            .map(|mass| MassDeleteEntry {
                account: mass.account.clone(),
                deletes: mass.names.len(),
                owned: mass.owned,
                message: wording::needs_force(mass, |text| text.to_owned()),
            })
            .collect(),
        aiven_left: plan.aiven_left.iter().map(left_entry).collect(),
    }
}

fn elsewhere_entries(elsewhere: &[Elsewhere]) -> Vec<ElsewhereEntry> {
    elsewhere
        .iter()
        .map(|e| ElsewhereEntry {
            owner: e.owner.clone(),
            peering: peering_entry(&e.peering),
        })
        .collect()
}

fn aiven_entry(change: &AivenChange, names: &NetworkNames) -> AivenEntry {
    let current = change.action.current();
    AivenEntry {
        action: change.action.as_str(),
        name: change.name.clone(),
        platform: Platform::Aiven,
        place: connection_place(change.account.clone(), &change.key, names),
        state: current.map(|connection| connection.state.to_string()),
        aiven_network: current
            .and_then(|connection| connection.aiven_network)
            .map(|id| id.to_string()),
        aiven_message: current.and_then(|connection| connection.message.clone()),
        aiven_warnings: current.map(aiven_warnings).unwrap_or_default(),
        warnings: warnings(&change.warnings),
    }
}

fn aiven_warnings(connection: &AivenConnection) -> Vec<AivenWarningEntry> {
    connection
        .warnings
        .iter()
        .map(|warning| AivenWarningEntry {
            kind: warning.kind.clone(),
            message: warning.message.clone(),
        })
        .collect()
}

fn pending_entry(change: &AivenChange, half: &PendingHalf, names: &NetworkNames) -> ChangeEntry {
    ChangeEntry {
        action: "create",
        name: half.name.clone(),
        platform: Platform::Upcloud,
        account: change.account.clone(),
        link: None,
        network: half.network.to_string(),
        peer_network: None,
        uuid: None,
        state: None,
        network_name: names.name(half.network).map(str::to_owned),
        peer_network_name: None,
        configured_status: half.configured_status.as_str(),
        labels: json!(half.labels),
        adopt: false,
        fields: Vec::new(),
        warnings: warnings(&half.warnings),
        renew_dhcp: None,
    }
}

fn left_entry(left: &LeftConnection) -> ConnectionEntry {
    connection_entry(&left.name, left.account.clone(), &left.key)
}

fn connection_entry(name: &str, account: Option<String>, key: &ConnectionKey) -> ConnectionEntry {
    ConnectionEntry {
        name: name.to_owned(),
        account,
        project: key.vpc.project.clone(),
        vpc: key.vpc.vpc.to_string(),
        network: key.network.to_string(),
    }
}

pub(super) fn warnings(warnings: &[Warning]) -> Vec<WarningEntry> {
    warnings
        .iter()
        .map(|warning| WarningEntry {
            code: warning.code(),
            message: warning.to_string(),
        })
        .collect()
}

fn peering_entry(peering: &Peering) -> PeeringEntry {
    PeeringEntry {
        account: peering.account.clone(),
        name: peering.name.clone(),
        uuid: peering.id.to_string(),
        network: peering.key.network.to_string(),
        peer_network: peering.key.peer_network.to_string(),
        state: peering.state.to_string(),
    }
}

fn entry(change: &Change, plan: &Plan, names: &NetworkNames) -> ChangeEntry {
    let current = change.action.current();
    let (configured_status, labels) = change.action.outcome_fields();
    let (fields, adopt) = match &change.action {
        Action::Update { fields, adopt, .. } => (fields.iter().map(field).collect(), *adopt),
        _ => (Vec::new(), false),
    };
    ChangeEntry {
        action: change.action.as_str(),
        name: change.name.clone(),
        platform: Platform::Upcloud,
        account: change.account.clone(),
        link: change.link.clone(),
        network: change.key.network.to_string(),
        peer_network: Some(change.key.peer_network.to_string()),
        uuid: current.map(|peering| peering.id.to_string()),
        state: current.map(|peering| peering.state.to_string()),
        network_name: names.name(change.key.network).map(str::to_owned),
        peer_network_name: names.name(change.key.peer_network).map(str::to_owned),
        configured_status: configured_status.as_str(),
        labels: json!(labels),
        adopt,
        fields,
        warnings: warnings(&change.warnings),
        renew_dhcp: plan.renewals.expected(change).map(server_entries),
    }
}

fn field(change: &FieldChange) -> FieldEntry {
    let (from, to) = match change {
        FieldChange::Name { from, to } => (json!(from), json!(to)),
        FieldChange::ConfiguredStatus { from, to } => (json!(from.as_str()), json!(to.as_str())),
        FieldChange::Labels { from, to } => (json!(from), json!(to)),
    };
    FieldEntry {
        field: change.field(),
        from,
        to,
    }
}

fn summary(summary: Summary) -> SummaryEntry {
    SummaryEntry {
        create: summary.create,
        update: summary.update,
        delete: summary.delete,
        noop: summary.noop,
    }
}

/// The check report as one JSON document. Like the plan's, its keys are pinned once released.
#[derive(Debug, Serialize)]
pub struct CheckDocument {
    pub format_version: u32,
    /// `in_sync` (exit 0), `drift` (exit 2) or `unhealthy` (exit 3).
    pub verdict: &'static str,
    /// What apply would do.
    pub pending: SummaryEntry,
    /// How many existing peerings the file lists, and their halves: what the human report
    /// counts.
    pub listed: ListedEntry,
    /// The changes apply would make, no-ops left out.
    pub changes: Vec<PendingEntry>,
    /// Every existing peering the file lists, healthy or not, of both platforms: an UpCloud
    /// peering, or the Aiven half of an `[[aiven_peering]]`.
    pub peerings: Vec<JudgedPlatformEntry>,
    /// Peerings another file manages, which this file leaves alone (as in the plan).
    pub managed_elsewhere: Vec<ElsewhereEntry>,
}

#[derive(Debug, Serialize)]
pub struct ListedEntry {
    /// Existing peerings the file lists: the two halves of a `[[link]]`, or of an
    /// `[[aiven_peering]]`, are one peering.
    pub peerings: usize,
    /// Their halves that exist, of both platforms: the entries of `peerings` below.
    pub halves: usize,
    /// Those of the halves that are healthy.
    pub healthy_halves: usize,
}

#[derive(Debug, Serialize)]
pub struct PendingEntry {
    pub action: &'static str,
    pub name: String,
    /// `upcloud` or `aiven`.
    pub platform: Platform,
    pub account: Option<String>,
}

/// A judged half of either platform.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum JudgedPlatformEntry {
    Upcloud(JudgedEntry),
    Aiven(JudgedConnectionEntry),
}

/// The Aiven half of an `[[aiven_peering]]`, judged.
#[derive(Debug, Serialize)]
pub struct JudgedConnectionEntry {
    pub name: String,
    /// `aiven`.
    pub platform: Platform,
    #[serde(flatten)]
    pub place: ConnectionPlace,
    pub state: String,
    /// `healthy`, `transient` or `unhealthy`.
    pub health: &'static str,
    pub explanation: &'static str,
    pub advice: Option<&'static str>,
    pub aiven_message: Option<String>,
    pub aiven_warnings: Vec<AivenWarningEntry>,
}

#[derive(Debug, Serialize)]
pub struct JudgedEntry {
    pub name: String,
    /// `upcloud`.
    pub platform: Platform,
    pub account: Option<String>,
    pub uuid: String,
    pub network: String,
    pub peer_network: String,
    pub network_name: Option<String>,
    pub peer_network_name: Option<String>,
    pub configured_status: &'static str,
    pub state: String,
    /// `healthy`, `transient` (provisioning) or `unhealthy`.
    pub health: &'static str,
    pub explanation: String,
    pub advice: Option<String>,
    /// For an active peering: the servers on its network, as the check read them; null for
    /// any other.
    pub network_servers: Option<Vec<ServerEntry>>,
}

pub fn check(plan: &Plan, check: &Check, names: &NetworkNames) -> CheckDocument {
    CheckDocument {
        format_version: FORMAT_VERSION,
        verdict: check.verdict().as_str(),
        pending: summary(check.pending),
        listed: ListedEntry {
            peerings: check.listed_peerings(),
            halves: check.listed(),
            healthy_halves: check.healthy_count(),
        },
        changes: plan
            .steps()
            .into_iter()
            .filter(|step| !step.is_noop())
            .map(|step| PendingEntry {
                action: step.action(),
                name: step.name().to_owned(),
                platform: step.platform(),
                account: step.account().map(str::to_owned),
            })
            .collect(),
        peerings: check
            .peerings
            .iter()
            .map(|judged| JudgedPlatformEntry::Upcloud(judged_entry(judged, plan, names)))
            .chain(
                check.connections.iter().map(|judged| {
                    JudgedPlatformEntry::Aiven(judged_connection_entry(judged, names))
                }),
            )
            .collect(),
        managed_elsewhere: elsewhere_entries(&plan.elsewhere),
    }
}

fn judged_connection_entry(
    judged: &JudgedConnection,
    names: &NetworkNames,
) -> JudgedConnectionEntry {
    let connection = judged.connection;
    let account = judged.account.map(str::to_owned);
    JudgedConnectionEntry {
        name: judged.name.to_owned(),
        platform: Platform::Aiven,
        place: connection_place(account, &connection.key, names),
        state: connection.state.to_string(),
        health: judged.health.as_str(),
        explanation: connection.state.explanation(),
        advice: (judged.health != Health::Healthy).then(|| health::connection_advice(connection)),
        aiven_message: connection.message.clone(),
        aiven_warnings: aiven_warnings(connection),
    }
}

fn judged_entry(judged: &Judged, plan: &Plan, names: &NetworkNames) -> JudgedEntry {
    let peering = judged.peering;
    let peer = peering.key.peer_network;
    let advice = (judged.health != Health::Healthy).then(|| {
        wording::advice(&peering.state, peering.configured_status, peer, names).into_owned()
    });
    JudgedEntry {
        name: judged.name.to_owned(),
        platform: Platform::Upcloud,
        account: peering.account.clone(),
        uuid: peering.id.to_string(),
        network: peering.key.network.to_string(),
        peer_network: peering.key.peer_network.to_string(),
        network_name: names.name(peering.key.network).map(str::to_owned),
        peer_network_name: names.name(peering.key.peer_network).map(str::to_owned),
        configured_status: peering.configured_status.as_str(),
        state: peering.state.to_string(),
        health: judged.health.as_str(),
        explanation: wording::explanation(&peering.state, peer, names).into_owned(),
        advice,
        network_servers: (peering.state == PeeringState::Active)
            .then(|| server_entries(plan.renewals.servers_on(peering.key.network))),
    }
}
