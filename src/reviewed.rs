//! The reviewed-plan guarantee: `plan --out FILE` records a checksum of everything the plan was
//! computed from and of what it does, and `apply --plan FILE` applies only if planning afresh
//! gives the same checksum, so what runs is what the reviewer approved.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use similar::{ChangeTag, TextDiff};

use crate::config::Desired;
use crate::model::{Labels, Peering};
use crate::plan::Plan;
use crate::render::json::PlanDocument;

/// The plan file's own format; `format_version` 1 of the plan inside it is independent.
/// Version 2: the checksum also covers the plan's changes.
pub const PLAN_FILE_VERSION: u32 = 2;

/// Everything a plan depends on, in a canonical order: the file's desired state and, of the
/// account, each peering the plan compares or acts on. Observed `state` is left out on purpose:
/// a peer accepting its half changes no action. Holds no credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub prune: bool,
    /// The file's `owner`, which decides which peerings are its own.
    pub owner: Option<String>,
    pub desired: Vec<DesiredFact>,
    pub existing: Vec<ExistingFact>,
    /// How many peerings of the accounts are this file's own (the delete safety threshold
    /// depends on it).
    pub owned: usize,
    /// The file's `[[aiven_peering]]` tables; left out of files without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aiven: Vec<AivenFact>,
    /// Whether the file has `[aiven]`, which lets prune delete Aiven connections.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manages_aiven: bool,
}

/// One `[[aiven_peering]]`, as the file asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AivenFact {
    pub account: Option<String>,
    pub name: String,
    pub project: String,
    pub vpc: String,
    pub network: String,
    pub aiven_network: Option<String>,
    pub configured_status: String,
    pub labels: Labels,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredFact {
    pub account: Option<String>,
    pub name: String,
    pub network: String,
    pub peer_network: String,
    pub configured_status: String,
    pub labels: Labels,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingFact {
    pub account: Option<String>,
    pub uuid: String,
    pub name: String,
    pub network: String,
    pub peer_network: String,
    pub configured_status: String,
    pub labels: Labels,
}

/// One change as the plan file shows it, without what is only shown (the observed `state`, the
/// networks' names, warnings): the part of each entry of `plan.changes` that the checksum covers.
/// Read from the file's JSON, unknown keys ignored, so its fields are those of
/// [`crate::render::json::ChangeEntry`] and [`crate::render::json::AivenEntry`] under the same
/// names. What only one platform's changes have is absent from the other's, and then left out
/// of the checksum, so an UpCloud change counts as it always did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFact {
    pub action: String,
    pub name: String,
    pub account: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    pub network: String,
    /// Null for an UpCloud half whose peer is learnt from its Aiven half.
    #[serde(default)]
    pub peer_network: Option<String>,
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    #[serde(default)]
    pub adopt: bool,
    #[serde(default)]
    pub fields: Vec<serde_json::Value>,
    /// An Aiven change's project and VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
}

/// A plan as its checksum sees it: what it was computed from, and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRecord {
    pub facts: Facts,
    pub changes: Vec<ChangeFact>,
}

impl Facts {
    pub fn new(desired: &Desired, plan: &Plan) -> Facts {
        let mut wanted: Vec<DesiredFact> = desired
            .peerings
            .iter()
            .map(|p| DesiredFact {
                account: p.account.clone(),
                name: p.name.clone(),
                network: p.key.network.to_string(),
                peer_network: p.key.peer_network.to_string(),
                configured_status: p.configured_status.to_string(),
                labels: p.labels.clone(),
            })
            .collect();
        wanted.sort_by(|a, b| a.name.cmp(&b.name));
        let mut existing: Vec<ExistingFact> = plan
            .changes
            .iter()
            .filter_map(|change| change.action.current())
            .chain(&plan.kept)
            .map(existing_fact)
            .collect();
        existing.sort_by(|a, b| a.uuid.cmp(&b.uuid));
        let mut aiven: Vec<AivenFact> = desired
            .aiven_peerings
            .iter()
            .map(|p| AivenFact {
                account: p.account.clone(),
                name: p.name.clone(),
                project: p.vpc.project.clone(),
                vpc: p.vpc.vpc.to_string(),
                network: p.network.to_string(),
                aiven_network: p.aiven_network.map(|id| id.to_string()),
                configured_status: p.configured_status.to_string(),
                labels: p.labels.clone(),
            })
            .collect();
        aiven.sort_by(|a, b| a.name.cmp(&b.name));
        Facts {
            prune: desired.prune,
            owner: desired.owner.clone(),
            desired: wanted,
            existing,
            owned: plan.owned,
            aiven,
            manages_aiven: desired.aiven.is_some(),
        }
    }
}

fn existing_fact(peering: &Peering) -> ExistingFact {
    ExistingFact {
        account: peering.account.clone(),
        uuid: peering.id.to_string(),
        name: peering.name.clone(),
        network: peering.key.network.to_string(),
        peer_network: peering.key.peer_network.to_string(),
        configured_status: peering.configured_status.to_string(),
        labels: peering.labels.clone(),
    }
}

impl PlanRecord {
    /// The record of a fresh plan: its facts, and its changes as `document` (the plan as
    /// `--output json` shows it) has them, read back the way a plan file is.
    pub fn new(
        desired: &Desired,
        plan: &Plan,
        document: &PlanDocument,
    ) -> Result<PlanRecord, serde_json::Error> {
        let changes = serde_json::from_value(serde_json::to_value(&document.changes)?)?;
        Ok(PlanRecord {
            facts: Facts::new(desired, plan),
            changes,
        })
    }

    /// SHA-256 of the canonical JSON, as `sha256:<hex>`.
    pub fn checksum(&self) -> Result<String, serde_json::Error> {
        let canonical = serde_json::to_vec(self)?;
        let digest = Sha256::digest(&canonical);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Ok(format!("sha256:{hex}"))
    }

    /// What differs between this record (the reviewed one) and `now`, as `-`/`+` lines.
    pub fn differences(&self, now: &PlanRecord) -> String {
        let pretty =
            |record: &PlanRecord| serde_json::to_string_pretty(record).unwrap_or_default() + "\n";
        let (old, new) = (pretty(self), pretty(now));
        let mut out = String::new();
        for change in TextDiff::from_lines(&old, &new).iter_all_changes() {
            let sign = match change.tag() {
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
                ChangeTag::Equal => continue,
            };
            out.push_str(&format!("  {sign} {}\n", change.value().trim_end()));
        }
        out
    }
}

/// What `plan --out` writes: the plan as `--output json` shows it, plus what it was computed
/// from and the checksum over both.
#[derive(Debug, Serialize)]
pub struct PlanFile<'a> {
    pub plan_file_version: u32,
    pub checksum: String,
    pub facts: &'a Facts,
    pub plan: &'a PlanDocument,
}

impl<'a> PlanFile<'a> {
    pub fn new(
        record: &'a PlanRecord,
        plan: &'a PlanDocument,
    ) -> Result<PlanFile<'a>, serde_json::Error> {
        Ok(PlanFile {
            plan_file_version: PLAN_FILE_VERSION,
            checksum: record.checksum()?,
            facts: &record.facts,
            plan,
        })
    }
}

/// Why a file is not a plan file this version can apply.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("it is not a plan file written by `peerings plan --out` ({0})")]
    NotAPlanFile(String),
    #[error(
        "it has plan file version {0}, and this version of peerings reads version {PLAN_FILE_VERSION}"
    )]
    Version(u64),
    #[error(
        "it was changed after `peerings plan --out` wrote it: its checksum does not match its content"
    )]
    Edited,
}

/// The plan file's text, read back: its record, checked against its own checksum.
pub fn parse_plan_file(text: &[u8]) -> Result<PlanRecord, PlanFileError> {
    let not_a_plan_file = |error: serde_json::Error| PlanFileError::NotAPlanFile(error.to_string());
    let document: serde_json::Value = serde_json::from_slice(text).map_err(not_a_plan_file)?;
    let version = document
        .get("plan_file_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| PlanFileError::NotAPlanFile("it has no `plan_file_version`".to_owned()))?;
    if version != u64::from(PLAN_FILE_VERSION) {
        return Err(PlanFileError::Version(version));
    }
    let read: ReadPlanFile = serde_json::from_value(document).map_err(not_a_plan_file)?;
    let record = PlanRecord {
        facts: read.facts,
        changes: read.plan.changes,
    };
    // An error here means the record cannot be written as JSON, so neither could a checksum of
    // it have been: whatever the file says, it does not vouch for this content.
    match record.checksum() {
        Ok(checksum) if checksum == read.checksum => Ok(record),
        _ => Err(PlanFileError::Edited),
    }
}

/// Whether `text` is a plan file of any version: only such a file may `plan --out` replace.
pub fn is_plan_file(text: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(text)
        .is_ok_and(|document| document.get("plan_file_version").is_some())
}

/// A plan file as read back: the plan itself is only shown, never trusted; of it, only the part
/// of each change that the checksum covers is read.
#[derive(Deserialize)]
struct ReadPlanFile {
    checksum: String,
    facts: Facts,
    plan: ReadPlan,
}

#[derive(Deserialize)]
struct ReadPlan {
    changes: Vec<ChangeFact>,
}
