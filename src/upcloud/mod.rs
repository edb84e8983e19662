//! Everything that speaks the UpCloud API: its wire format, the HTTP client for one account,
//! credentials and error decoding. Nothing outside this module sees the wire format.

mod client;
mod convert;
mod credentials;
mod error;
pub mod wire;

pub use client::{Client, ClientSetupError};
pub use credentials::{Credentials, CredentialsError, Secret};
pub use error::ApiError;
