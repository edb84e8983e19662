//! Everything that speaks the UpCloud API: its wire format, the HTTP client for one account,
//! credentials and error decoding. Nothing outside this module sees the wire format.

mod client;
#[cfg(test)]
mod client_tests;
mod convert;
mod credentials;
mod error;
pub mod wire;

pub use client::Client;
pub use credentials::{Credentials, PASSWORD_VAR, TOKEN_VAR, USERNAME_VAR};
