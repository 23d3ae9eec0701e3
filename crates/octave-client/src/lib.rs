//! Client.
#[allow(missing_docs, clippy::all)]
#[rustfmt::skip]
mod generated;
pub use generated::*;
