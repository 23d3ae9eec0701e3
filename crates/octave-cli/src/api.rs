//! The CLI's calls into the `octave` SDK, and how SDK errors map to exit codes.

use std::time::Duration;

use octave::{
    Client, DynamicRunHandle, Error, RunBuilder, SupportedAgent, WaitOptions, WaitOutcome,
};
use octave_types::agents::{
    CallPrep, Content, EnrichCompany, EnrichPerson, Prospector, QualifyCompany, QualifyPerson,
    Sequence,
};
use octave_types::{Agent, AgentKind};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::exit::{CliError, Exit};

/// Polling schedule and deadline of a wait.
#[derive(Clone, Debug)]
pub struct WaitSettings {
    /// Overall time limit.
    pub timeout: Duration,
    /// Delay before the first poll, and the shortest delay between polls.
    pub first_poll: Duration,
    /// Maximum delay between polls.
    pub max_poll: Duration,
}

/// Outcome of a finished run.
#[derive(Debug)]
pub enum RunOutcome {
    /// The run's output (`data`).
    Succeeded(Value),
    /// The service's error message.
    Failed(String),
}

/// Category of an SDK error, which decides the CLI's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The input failed a check before anything was sent.
    Invalid,
    /// The API rejected the request for a reason that retrying cannot fix.
    Rejected,
    /// The API key is missing or rejected, or the configuration is invalid.
    Auth,
    /// The service kept failing or could not be reached.
    Unavailable,
    /// A wait ran out of time; the run may still finish.
    TimedOut,
}

/// Classifies an SDK error.
pub fn classify(error: &Error) -> ErrorClass {
    match error {
        Error::InvalidInput { .. } => ErrorClass::Invalid,
        Error::Config { .. } => ErrorClass::Auth,
        Error::DeadlineExceeded { .. } => ErrorClass::TimedOut,
        Error::RunFailed { .. } | Error::OutputMismatch { .. } => ErrorClass::Rejected,
        _ => match error.status().map(|status| status.as_u16()) {
            Some(401 | 403) => ErrorClass::Auth,
            _ if error.is_retryable() => ErrorClass::Unavailable,
            Some(status) if status < 500 => ErrorClass::Rejected,
            _ => ErrorClass::Unavailable,
        },
    }
}

/// Turns an SDK error into the error that ends the command.
pub fn cli_error(error: Error) -> CliError {
    let exit = match classify(&error) {
        ErrorClass::Invalid => Exit::Usage,
        ErrorClass::Rejected => Exit::Failed,
        ErrorClass::Auth => Exit::Config,
        ErrorClass::Unavailable => Exit::Unavailable,
        ErrorClass::TimedOut => Exit::TimedOut,
    };
    CliError::new(exit, describe_error(&error, InputNames::Flags))
}

/// Naming style of the agent's input fields in messages: `octave run` flags or batch columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputNames {
    /// Command-line flags such as `--domain`.
    Flags,
    /// CSV columns or JSON Lines keys such as `companyDomain`.
    Columns,
}

/// Formats an SDK error in the CLI's terms: input problems name flags or columns, not the
/// SDK's builder methods, and configuration problems name the environment variable and flag.
pub fn describe_error(error: &Error, names: InputNames) -> String {
    match error {
        Error::InvalidInput { field, message } => describe_invalid_input(field, message, names),
        Error::Config { setting, message } => describe_config(setting, message),
        other => other.to_string(),
    }
}

fn describe_invalid_input(field: &str, message: &str, names: InputNames) -> String {
    let flags = names == InputNames::Flags;
    if message.starts_with("no company given") {
        return if flags {
            "no company given; pass --domain or --company-name".to_owned()
        } else {
            "no company given; fill the companyDomain or companyName column".to_owned()
        };
    }
    if message.starts_with("no person given") {
        return if flags {
            "no person given; pass --email, --linkedin, or --first-name together with \
             --company-name or --domain"
                .to_owned()
        } else {
            "no person given; fill the email or linkedInProfile column, or firstName together \
             with companyDomain or companyName"
                .to_owned()
        };
    }
    if field == "agentOId" && message.contains("both set") {
        return if flags {
            "both an agent and an experiment are given; pass only one of --agent and \
             --experiment"
                .to_owned()
        } else {
            "the row sets both agentOId and experimentOId; set only one".to_owned()
        };
    }
    if field == "agentOId" && message.starts_with("neither") {
        return if flags {
            "no agent given; pass --agent OID or --experiment OID".to_owned()
        } else {
            "no agent given; pass --agent OID or --experiment OID, or add an agentOId column"
                .to_owned()
        };
    }

    let name = match (names, crate::fields::by_json_name(field)) {
        (
            InputNames::Flags,
            Some(crate::fields::Field {
                flag: Some(flag), ..
            }),
        ) => {
            format!("--{flag}")
        }
        (InputNames::Flags, _) if field == "callbackUrl" => "--callback-url".to_owned(),
        _ => field.to_owned(),
    };
    format!("invalid {name}: {message}")
}

fn describe_config(setting: &str, message: &str) -> String {
    match setting {
        "OCTAVE_API_KEY" if message.contains("not set") => {
            "missing API key: set OCTAVE_API_KEY to the workspace's key from the Octave \
             dashboard (Settings > API Keys), or pass --api-key-file FILE"
                .to_owned()
        }
        "OCTAVE_API_KEY" => format!("invalid API key: OCTAVE_API_KEY {message}"),
        "api_key" => {
            let message = message.replace("ClientBuilder::api_key", "--api-key-file");
            format!("invalid API key from --api-key-file: {message}")
        }
        "OCTAVE_BASE_URL" => format!("invalid OCTAVE_BASE_URL: {message}"),
        // clap fills `--base-url` from OCTAVE_BASE_URL too, so name both.
        "base_url" => format!("invalid --base-url (or OCTAVE_BASE_URL): {message}"),
        "callback_url" => format!("invalid --callback-url: {message}"),
        "request_timeout" => format!("invalid --request-timeout: {message}"),
        _ => format!("invalid configuration of {setting}: {message}"),
    }
}

/// Builds the wait options of the SDK.
pub fn wait_options(settings: &WaitSettings) -> WaitOptions {
    WaitOptions::new(settings.timeout)
        .min_interval(settings.first_poll)
        .max_interval(settings.max_poll)
}

/// Submits one asynchronous run and returns its request id.
///
/// # Errors
///
/// Returns the SDK's error once its retries are spent.
pub async fn submit(
    client: &Client,
    kind: AgentKind,
    input: Value,
    callback_url: &str,
    external_id: &str,
) -> Result<String, Error> {
    let handle = client
        .submit_dynamic(kind, input, callback_url, Some(external_id.to_owned()))
        .await?;
    Ok(handle.request_id().to_owned())
}

/// Waits for a run by polling until it finishes or the timeout passes.
///
/// # Errors
///
/// [`Error::DeadlineExceeded`] when the timeout passes, and the SDK's request errors.
pub async fn wait(
    client: &Client,
    kind: AgentKind,
    request_id: &str,
    settings: &WaitSettings,
) -> Result<RunOutcome, Error> {
    let handle = DynamicRunHandle::from_request_id(client, kind, request_id);
    match handle.wait(wait_options(settings)).await? {
        WaitOutcome::Succeeded(output) => Ok(RunOutcome::Succeeded(
            output.into_output().unwrap_or(Value::Null),
        )),
        WaitOutcome::Failed { error, .. } => Ok(RunOutcome::Failed(error)),
        other => Err(other
            .into_result()
            .err()
            .unwrap_or_else(|| Error::DeadlineExceeded {
                request_id: request_id.to_owned(),
                elapsed: settings.timeout,
                polls: 0,
            })),
    }
}

/// Checks an input as the SDK will before sending it: it must decode into the kind's input
/// type and pass the kind's input checks. The reason names the first field at fault.
///
/// # Errors
///
/// Returns the reason as text.
pub fn check_input(
    client: &Client,
    kind: AgentKind,
    input: &Value,
    names: InputNames,
) -> Result<(), String> {
    fn check<A: SupportedAgent>(
        client: &Client,
        input: &Value,
        names: InputNames,
    ) -> Result<(), String> {
        let decoded = serde_path_to_error::deserialize::<_, A::Input>(input).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let text = inner.to_string();
            if text.contains("missing field `agentOId`") {
                return describe_invalid_input("agentOId", "neither", names);
            }
            if path == "." {
                inner.to_string()
            } else {
                format!("invalid field `{path}`: {inner}")
            }
        })?;
        RunBuilder::<A>::from_input(client, decoded)
            .check()
            .map_err(|error| describe_error(&error, names))
    }
    match kind {
        AgentKind::EnrichCompany => check::<EnrichCompany>(client, input, names),
        AgentKind::EnrichPerson => check::<EnrichPerson>(client, input, names),
        AgentKind::Content => check::<Content>(client, input, names),
        AgentKind::Sequence => check::<Sequence>(client, input, names),
        AgentKind::QualifyPerson => check::<QualifyPerson>(client, input, names),
        AgentKind::Prospector => check::<Prospector>(client, input, names),
        AgentKind::QualifyCompany => check::<QualifyCompany>(client, input, names),
        AgentKind::CallPrep => check::<CallPrep>(client, input, names),
        _ => Ok(()),
    }
}

/// Passes an output through the kind's output type, so it is printed as that type
/// serializes it. An output that does not fit is kept as it came.
pub fn typed_output(kind: AgentKind, output: Value) -> Value {
    let typed = typed_output_json(kind, &output);
    serde_json::from_str(typed.get()).unwrap_or(output)
}

/// Serializes an output through the kind's output type, straight to JSON text; an output
/// that does not fit is serialized as it came.
pub fn typed_output_json(kind: AgentKind, output: &Value) -> Box<RawValue> {
    fn encode<A: Agent>(output: &Value) -> Option<Box<RawValue>> {
        let typed = A::Output::deserialize(output).ok()?;
        serde_json::value::to_raw_value(&typed).ok()
    }
    let typed = match kind {
        _ if output.is_null() => None,
        AgentKind::EnrichCompany => encode::<EnrichCompany>(output),
        AgentKind::EnrichPerson => encode::<EnrichPerson>(output),
        AgentKind::Content => encode::<Content>(output),
        AgentKind::Sequence => encode::<Sequence>(output),
        AgentKind::QualifyPerson => encode::<QualifyPerson>(output),
        AgentKind::Prospector => encode::<Prospector>(output),
        AgentKind::QualifyCompany => encode::<QualifyCompany>(output),
        AgentKind::CallPrep => encode::<CallPrep>(output),
        _ => None,
    };
    typed
        .or_else(|| serde_json::value::to_raw_value(output).ok())
        .unwrap_or_else(|| RawValue::NULL.to_owned())
}
