//! The reviewed-plan guarantee: `plan --out FILE` records a checksum of everything the plan was
//! computed from, and `apply --plan FILE` applies only if planning afresh gives the same
//! checksum, so what runs is what the reviewer approved.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use similar::{ChangeTag, TextDiff};

use crate::config::Desired;
use crate::model::Peering;
use crate::plan::Plan;
use crate::render::json::PlanDocument;

/// The plan file's own format; `format_version` 1 of the plan inside it is independent.
pub const PLAN_FILE_VERSION: u32 = 1;

/// Everything a plan depends on, in a canonical order: the file's desired state and, of the
/// account, each peering the plan compares or acts on. Observed `state` is left out on purpose:
/// a peer accepting its half changes no action. Holds no credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub prune: bool,
    pub desired: Vec<DesiredFact>,
    pub existing: Vec<ExistingFact>,
    /// How many peerings the accounts have that carry the ownership label (the delete safety
    /// threshold depends on it).
    pub owned: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredFact {
    pub account: Option<String>,
    pub name: String,
    pub network: String,
    pub peer_network: String,
    pub configured_status: String,
    pub labels: crate::model::Labels,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingFact {
    pub account: Option<String>,
    pub uuid: String,
    pub name: String,
    pub network: String,
    pub peer_network: String,
    pub configured_status: String,
    pub labels: crate::model::Labels,
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
        Facts {
            prune: desired.prune,
            desired: wanted,
            existing,
            owned: plan.owned,
        }
    }

    /// SHA-256 of the canonical JSON, as `sha256:<hex>`.
    pub fn checksum(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&canonical);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// What differs between these facts (the reviewed ones) and `now`, as `-`/`+` lines.
    pub fn differences(&self, now: &Facts) -> String {
        let pretty = |facts: &Facts| serde_json::to_string_pretty(facts).unwrap_or_default() + "\n";
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

/// What `plan --out` writes: the plan as `--output json` shows it, plus what it was computed
/// from and the checksum over that.
#[derive(Debug, Serialize, Deserialize)]
pub struct PlanFile<P> {
    pub plan_file_version: u32,
    pub checksum: String,
    pub facts: Facts,
    pub plan: P,
}

impl PlanFile<PlanDocument> {
    pub fn new(facts: Facts, plan: PlanDocument) -> Self {
        PlanFile {
            plan_file_version: PLAN_FILE_VERSION,
            checksum: facts.checksum(),
            facts,
            plan,
        }
    }
}

/// A plan file as read back: the plan itself is only shown, never trusted, so it stays JSON.
pub type ReadPlanFile = PlanFile<serde_json::Value>;
