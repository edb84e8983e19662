//! What the platforms' API clients share: a [`Session`] per API root and credentials, which
//! sends each request, retries what is likely to pass (with exponential backoff and full jitter,
//! honouring `Retry-After`), reads answers within bounds, and turns failures into [`ApiError`]s
//! that never show a credential. `upcloud` and `aiven` only say which endpoints to call and how
//! their bodies look.

mod error;
mod gate;
mod retry;
#[cfg(test)]
pub(crate) mod scripted;
mod secret;
mod session;

pub use error::ApiError;
pub(crate) use error::excerpt;
pub use secret::Secret;
pub(crate) use session::without_userinfo;
pub use session::{Authorization, ClientOptions, ClientSetupError, Dialect, Session};
