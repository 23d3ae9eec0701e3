//! `octave status` and `octave wait`, and the interactive wait that `octave run --async`
//! shares.

use std::time::Duration;

use octave::{Client, DynamicRunHandle};
use octave_types::{AgentKind, RunState};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api::{self, RunOutcome};
use crate::args::{StatusArgs, WaitArgs};
use crate::exit::{CliError, CliResult, Exit};
use crate::render::{self, Spinner};
use crate::stdio::{errln, outln};

/// Maximum delay between two polls of an interactive wait.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(10);

/// Builds a handle for a request id. The kind only labels the SDK's log spans when the user
/// gave none.
fn handle(client: &Client, kind: Option<AgentKind>, request_id: &str) -> DynamicRunHandle {
    // NOTE: the SDK's status call takes a kind although the endpoint needs only the request
    // id, so an unknown kind is filled with an arbitrary one that is never shown.
    let kind = kind.unwrap_or(AgentKind::EnrichCompany);
    DynamicRunHandle::from_request_id(client, kind, request_id)
}

/// Runs `octave status`: fetches the status once. Exit code 1 when the run failed.
///
/// # Errors
///
/// The SDK's errors mapped to exit codes.
pub async fn status(args: StatusArgs, client: Client, json: bool) -> CliResult<Exit> {
    let status = handle(&client, args.kind, &args.request_id)
        .status()
        .await
        .map_err(api::cli_error)?;
    let state = status.state();
    let (state_name, output, error) = match &state {
        RunState::Succeeded(output) => {
            let output = match args.kind {
                Some(kind) => api::typed_output(kind, output.clone()),
                None => output.clone(),
            };
            ("succeeded", output, None)
        }
        RunState::Failed(message) => ("failed", Value::Null, Some(message.clone())),
        _ => ("in_progress", Value::Null, None),
    };
    let status_text = status
        .status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| state_name.to_owned());

    if json {
        let line = json!({
            "requestId": status.request_id,
            "status": status_text,
            "state": state_name,
            "createdAt": status.created_at,
            "completedAt": status.completed_at,
            "output": output,
            "error": error,
        });
        outln!("{line}");
    } else {
        outln!("run {}: {status_text}", status.request_id);
        if let Some(created) = &status.created_at {
            outln!("created:   {created}");
        }
        if let Some(completed) = &status.completed_at {
            outln!("completed: {completed}");
        }
        if let Some(error) = &error {
            outln!("error:     {error}");
        }
        if !output.is_null() {
            render::print_json(&output, false);
        }
    }
    Ok(if error.is_some() {
        Exit::Failed
    } else {
        Exit::Success
    })
}

/// Runs `octave wait`: polls until the run finishes or the timeout passes.
///
/// # Errors
///
/// Exit code 5 when the timeout passes; the SDK's errors mapped to exit codes.
pub async fn wait(args: WaitArgs, client: Client, json: bool) -> CliResult<Exit> {
    let handle = handle(&client, args.kind, &args.request_id);
    let outcome = wait_interactive(&handle, args.timeout, args.poll_interval).await?;
    Ok(print_outcome(args.kind, &args.request_id, outcome, json))
}

/// Polls a run with a spinner on stderr until it finishes or `timeout` passes. Polls back
/// off from `first_poll` to 10 s; a poll that fails with a retryable error is logged and
/// the wait goes on.
///
/// # Errors
///
/// Exit code 5 when the timeout passes, and the SDK's non-retryable errors.
pub async fn wait_interactive(
    handle: &DynamicRunHandle,
    timeout: Duration,
    first_poll: Duration,
) -> CliResult<RunOutcome> {
    let request_id = handle.request_id().to_owned();
    let spinner = Spinner::start(format!("waiting for run {request_id}"));
    let started = Instant::now();
    let deadline = started + timeout;
    let mut interval = first_poll;
    let mut next_poll = (started + interval).min(deadline);
    let mut polls = 0u32;

    loop {
        tokio::time::sleep_until(next_poll).await;
        polls += 1;
        let is_last = Instant::now() >= deadline;
        match handle.status().await {
            Ok(status) => match status.state() {
                RunState::Succeeded(output) => {
                    spinner.finish();
                    return Ok(RunOutcome::Succeeded(output));
                }
                RunState::Failed(message) => {
                    spinner.finish();
                    return Ok(RunOutcome::Failed(message));
                }
                RunState::InProgress(status) => spinner.polled(polls, &status.to_string()),
                _ => spinner.polled(polls, "unknown state"),
            },
            Err(error) if error.is_retryable() => {
                tracing::warn!(request_id, poll = polls, error = %error, "status poll failed; polling again");
                spinner.polled(polls, "poll failed, retrying");
            }
            Err(error) => {
                spinner.finish();
                return Err(api::cli_error(error));
            }
        }
        if is_last {
            spinner.finish();
            let plural = if polls == 1 { "" } else { "s" };
            return Err(CliError::new(
                Exit::TimedOut,
                format!(
                    "run {request_id} is still in progress after {:.1}s ({polls} poll{plural}); \
                     run `octave wait {request_id}` to keep waiting",
                    started.elapsed().as_secs_f64()
                ),
            ));
        }
        interval = (interval * 2).min(MAX_POLL_INTERVAL.max(first_poll));
        next_poll = (Instant::now() + interval).min(deadline);
    }
}

/// Prints how a run ended and returns the exit code: 0 for success, 1 for a failed run.
pub fn print_outcome(
    kind: Option<AgentKind>,
    request_id: &str,
    outcome: RunOutcome,
    json: bool,
) -> Exit {
    match outcome {
        RunOutcome::Succeeded(output) => {
            let output = match kind {
                Some(kind) => api::typed_output(kind, output),
                None => output,
            };
            if json {
                let line = json!({
                    "requestId": request_id,
                    "kind": kind.map(AgentKind::slug),
                    "status": "succeeded",
                    "output": output,
                });
                outln!("{line}");
            } else {
                errln!("run {request_id} succeeded");
                render::print_json(&output, false);
            }
            Exit::Success
        }
        RunOutcome::Failed(message) => {
            if json {
                let line = json!({
                    "requestId": request_id,
                    "kind": kind.map(AgentKind::slug),
                    "status": "failed",
                    "error": message,
                });
                outln!("{line}");
            } else {
                errln!("error: run {request_id} failed: {message}");
            }
            Exit::Failed
        }
    }
}
