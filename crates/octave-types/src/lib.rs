//! Request, response and callback types of the Octave agents API.
//!
//! This crate depends on `serde` and `serde_json` only, so a service that just receives
//! callbacks or stores results can use it without an HTTP stack.
//!
//! - The schema types are generated from `openapi/octave.yaml` by `cargo xtask generate`.
//!   Unknown fields are ignored, and output types keep them in `extra`, so nothing the
//!   service adds is lost. Every enum has an `Unknown(String)` variant for values this
//!   version does not know.
//! - [`Agent`] and [`AgentKind`] describe the eight agents once, for code that works over
//!   all of them.
//! - [`RunState`] is the meaning of a run's status, and [`decode_callback`] reads callback
//!   bodies in every shape the service is known or expected to send.
//!
//! ```
//! use octave_types::{RunState, decode_callback};
//!
//! let body = br#"{"requestId": "asyncReqID_1", "status": "succeeded", "result": {"score": 8}}"#;
//! let event = decode_callback(body).unwrap();
//! assert_eq!(event.run_id.as_deref(), Some("asyncReqID_1"));
//! assert!(matches!(event.state, RunState::Succeeded(_)));
//! ```

mod agent;
mod callback;
#[allow(missing_docs, clippy::all)]
#[rustfmt::skip]
mod generated;
mod run_state;

pub use agent::{Agent, AgentKind, AgentResponseParts, UnknownAgentKind, agents};
pub use callback::{CallbackError, CallbackEvent, decode_callback, decode_callback_value};
pub use generated::*;
pub use run_state::{RunState, unwrap_envelope};
