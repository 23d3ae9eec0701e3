//! `octave listen`: a callback receiver that prints each callback as one JSON line.

use axum::Router;
use axum::body::Bytes;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::routing::{get, post};
use octave_types::{RunState, decode_callback};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::args::ListenArgs;
use crate::exit::{CliError, CliResult, Exit};
use crate::stdio::{errln, outln};

/// Largest callback body accepted, in bytes.
const MAX_BODY_BYTES: usize = 16 << 20;

/// Runs the receiver until Ctrl-C.
///
/// # Errors
///
/// Fails when the address cannot be bound or the server stops with an error.
pub async fn run(args: ListenArgs) -> CliResult<Exit> {
    let listener = TcpListener::bind(args.addr).await.map_err(|error| {
        CliError::usage(format!(
            "failed to listen on {}: {error}; pick another --addr",
            args.addr
        ))
    })?;
    let local = listener.local_addr().map_err(|error| {
        CliError::new(
            Exit::Io,
            format!("failed to read the bound address: {error}"),
        )
    })?;

    // Callbacks may use any path, so every path takes POST; other methods get 405.
    let router = Router::new()
        .route("/", get(describe).post(receive))
        .fallback_service(post(receive).fallback(reject_method))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES));

    errln!("listening on http://{local}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|error| {
            CliError::new(Exit::Io, format!("the callback receiver failed: {error}"))
        })?;
    Ok(Exit::Success)
}

async fn describe() -> &'static str {
    "octave listen: POST callbacks to any path\n"
}

async fn reject_method() -> (StatusCode, &'static str) {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        "octave listen accepts callbacks as POST requests only\n",
    )
}

async fn receive(OriginalUri(uri): OriginalUri, body: Bytes) -> (StatusCode, &'static str) {
    let path = uri.path().to_owned();
    match decode_callback(&body) {
        Ok(event) => {
            let (state, output, error) = match event.state {
                RunState::Succeeded(output) => ("succeeded", output, Value::Null),
                RunState::Failed(message) => ("failed", Value::Null, Value::String(message)),
                _ => ("in_progress", Value::Null, Value::Null),
            };
            let line = json!({
                "path": path,
                "runId": event.run_id,
                "status": event.status.map(|status| status.to_string()),
                "state": state,
                "output": output,
                "error": error,
            });
            outln!("{line}");
            (StatusCode::OK, "ok\n")
        }
        Err(error) => {
            tracing::warn!(path, error = %error, "rejected a callback body that is not a JSON object");
            (StatusCode::BAD_REQUEST, "invalid callback body\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use octave_types::decode_callback;

    #[test]
    fn callback_shapes_decode() {
        let event = decode_callback(br#"{"agentRunOId":"r1","status":"failed","error":"boom"}"#)
            .expect("decodes");
        assert_eq!(event.run_id.as_deref(), Some("r1"));
    }
}
