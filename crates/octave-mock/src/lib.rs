#![doc = include_str!("../README.md")]

mod auth;
mod body;
mod catalog;
mod config;
mod control;
mod faults;
mod handlers;
mod output;
mod respond;
mod routes;
mod runs;
mod server;
mod state;
mod time;

pub use catalog::seeded_agent_id;
pub use config::{CallbackShape, Faults, MockConfig, MockStats};
pub use server::MockServer;

/// API key the server accepts when [`MockConfig::api_keys`] is left at its default.
pub const DEFAULT_API_KEY: &str = "octave-mock-key";
