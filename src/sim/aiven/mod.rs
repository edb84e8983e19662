//! Simulated Aiven: the project VPC endpoints of Aiven's API (`/v1/...`, on the same server as
//! UpCloud's), with VPCs whose networks are UpCloud networks of the same world.
//!
//! It behaves as `shared/reference/aiven-vpc-peering-api.md` describes: a VPC is read with all
//! its connections, and there is no read of one connection; a new connection is `APPROVED`;
//! `approval_ms` later (at the next request), Aiven builds its UpCloud half, from the VPC's
//! network to the customer's network, in the account that holds the VPC's network, and the
//! connection is `PENDING_PEER`; it is `ACTIVE` once the customer's half (from their network to
//! the VPC's) exists; a delete answers the connection `DELETING`, and `deletion_ms` later it is
//! gone, with Aiven's half. The answer shapes and the inferred statuses are `aiven::wire`'s and
//! [`errors`]'.
//!
//! Also inferred, here: a connection to a network that does not exist, is not private or is in
//! another zone is `INVALID_SPECIFICATION`; one whose half Aiven could not build (the VPC's
//! network has no router, ...) or whose half disappeared is `ERROR`; `state_info.warnings`
//! holds `overlapping-peer-vpc-ip-ranges` when the two networks' ranges overlap, and
//! `upcloud-peering-in-error` when Aiven's half is `conflict-subnet`, misses a router, or lost
//! its peer network. The Aiven network ID is shown under `network_id_key` from `PENDING_PEER`
//! on, or nowhere (a world setting, since where the real API shows it is not known). States no
//! request leads to (`REJECTED_BY_PEER`, ...) can be pinned by a world file.

mod errors;
mod lifecycle;
mod routes;
#[cfg(test)]
mod tests;
mod world;

pub use errors::AivenError;
pub(super) use lifecycle::{advance, is_due};
pub use routes::router;
pub use world::{AivenCloud, AivenToken, SimConnection, SimVpc, SimVpcState};
