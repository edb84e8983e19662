//! Everything that speaks the UpCloud API: its wire format, the HTTP client for one account,
//! credentials and error decoding. Nothing outside this module sees the wire format.

mod client;
#[cfg(test)]
mod client_tests;
mod convert;
mod credentials;
mod error;
mod retry;
pub mod wire;

pub(crate) use client::without_userinfo;
pub use client::{Client, ClientOptions};
pub use credentials::{Credentials, Secret};
pub use error::ApiError;
