//! Everything that speaks Aiven's API: the wire format of the project VPC endpoints and the
//! HTTP client for one token. Aiven is a second platform beside `upcloud`, sharing only the
//! HTTP machinery (`crate::http`). Nothing outside this module sees the wire format.

mod client;
#[cfg(test)]
mod client_tests;
mod convert;
pub mod wire;

pub use client::{AivenClient, Created};

/// The environment variable that holds the token when `[aiven]` names none (Aiven's Go client
/// and Terraform provider read it too) [C].
pub const TOKEN_VAR: &str = "AIVEN_TOKEN";
/// Aiven's API root [C].
pub const DEFAULT_API_URL: &str = "https://api.aiven.io";
