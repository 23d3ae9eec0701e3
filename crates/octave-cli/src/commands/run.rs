//! `octave run`: one agent run, synchronous by default, or submitted asynchronously.

use std::io::Read;
use std::path::Path;

use octave::Client;
use octave_types::AgentKind;
use serde_json::{Map, Value, json};

use super::wait::{print_outcome, wait_interactive};
use crate::api;
use crate::args::{InputFlags, RunArgs};
use crate::exit::{CliError, CliResult, Exit};
use crate::fields;
use crate::render;
use crate::stdio::{errln, outln};

/// Runs the command.
///
/// # Errors
///
/// Usage errors for flags that do not apply to the kind or an invalid input; the SDK's
/// errors mapped to exit codes.
pub async fn run(args: RunArgs, client: Client, json: bool) -> CliResult<Exit> {
    let synchronous = !args.run_async && !args.no_wait;
    if synchronous && callback_flag_given(args.callback_url.as_deref()) {
        return Err(CliError::usage(
            "--callback-url applies only to asynchronous runs; add --async or --no-wait, or \
             drop --callback-url",
        ));
    }

    let input = build_input(&client, args.kind, &args.inputs, args.input_json.as_deref())?;
    if synchronous {
        return run_sync(&client, args.kind, input, json).await;
    }

    let callback_url = require_callback_url(args.callback_url.as_deref(), "--async and --no-wait")?;
    let handle = client
        .submit_dynamic(
            args.kind,
            input,
            &callback_url,
            args.external_request_id.clone(),
        )
        .await
        .map_err(api::cli_error)?;

    if args.no_wait {
        if json {
            let accepted = json!({
                "requestId": handle.request_id(),
                "externalRequestId": handle.external_request_id(),
                "kind": args.kind.slug(),
            });
            outln!("{accepted}");
        } else {
            outln!("{}", handle.request_id());
        }
        return Ok(Exit::Success);
    }

    let outcome = wait_interactive(&handle, args.timeout, args.poll_interval).await?;
    Ok(print_outcome(
        Some(args.kind),
        handle.request_id(),
        outcome,
        json,
    ))
}

async fn run_sync(client: &Client, kind: AgentKind, input: Value, json: bool) -> CliResult<Exit> {
    let result = client
        .run_dynamic(kind, input)
        .await
        .map_err(api::cli_error)?;
    let output = result
        .output
        .clone()
        .map(|output| api::typed_output(kind, output));
    if json {
        let line = json!({
            "kind": kind.slug(),
            "requestId": result.request_id,
            "status": "succeeded",
            "found": result.found,
            "message": result.message,
            "usage": result.usage,
            "output": output,
        });
        outln!("{line}");
    } else {
        let mut summary = format!("{} run", kind.display_name());
        if let Some(request_id) = &result.request_id {
            summary.push_str(&format!(" {request_id}"));
        }
        summary.push_str(if result.found {
            " succeeded"
        } else {
            " finished without a match"
        });
        if let Some(usage) = result.usage {
            let unit = if usage == 1.0 { "credit" } else { "credits" };
            summary.push_str(&format!(" ({} {unit})", render::format_number(usage)));
        }
        if let Some(message) = result.message.as_deref().filter(|text| !text.is_empty()) {
            summary.push_str(&format!(": {message}"));
        }
        errln!("{summary}");
        render::print_json(&output.unwrap_or(Value::Null), false);
    }
    Ok(Exit::Success)
}

/// Returns `true` when the callback URL came from `--callback-url` rather than from
/// `OCTAVE_CALLBACK_URL`, which may be set for every command and is not an error to have.
fn callback_flag_given(url: Option<&str>) -> bool {
    url.is_some_and(|url| std::env::var("OCTAVE_CALLBACK_URL").ok().as_deref() != Some(url))
}

/// Returns the callback URL, or a usage error that explains why it is needed.
///
/// # Errors
///
/// Fails when `url` is `None`.
pub fn require_callback_url(url: Option<&str>, mode: &str) -> CliResult<String> {
    url.map(str::to_owned).ok_or_else(|| {
        CliError::usage(format!(
            "missing callback URL: {mode} need --callback-url URL or the environment variable \
             OCTAVE_CALLBACK_URL, because the API requires one for every asynchronous run and \
             POSTs the result there (the CLI itself polls for the result). Run `octave listen \
             --addr 127.0.0.1:8800` to receive them locally"
        ))
    })
}

/// Builds the agent input from `--input-json` and the flags (flags win), checks that each
/// flag applies to the kind, and checks the result against the kind's input type.
///
/// # Errors
///
/// Usage errors naming the flag, key or field at fault.
pub fn build_input(
    client: &Client,
    kind: AgentKind,
    flags: &InputFlags,
    input_json: Option<&Path>,
) -> CliResult<Value> {
    let mut input = match input_json {
        Some(path) => read_input_json(kind, path)?,
        None => Map::new(),
    };

    for (flag, text) in flags.given() {
        let field = fields::FIELDS
            .iter()
            .find(|field| field.flag == Some(flag))
            .ok_or_else(|| CliError::usage(format!("--{flag} is not an input flag")))?;
        if !fields::accepts(kind, field.json_name) {
            return Err(CliError::usage(format!(
                "--{flag} does not apply to {kind}; input flags for {kind}: {}",
                flags_for(kind)
            )));
        }
        let value = fields::parse_text(field.json_name, text)
            .map_err(|reason| CliError::usage(format!("--{flag}: {reason}")))?;
        input.insert(field.json_name.to_owned(), value);
    }

    let input = Value::Object(input);
    api::check_input(client, kind, &input, api::InputNames::Flags)
        .map_err(|reason| CliError::usage(format!("invalid input for {kind}: {reason}")))?;
    Ok(input)
}

fn read_input_json(kind: AgentKind, path: &Path) -> CliResult<Map<String, Value>> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|content| text = content)
    };
    read.map_err(|error| CliError::io("read", path, &error))?;

    let object = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            return Err(CliError::usage(format!(
                "--input-json {}: expected a JSON object of input fields",
                path.display()
            )));
        }
        Err(error) => {
            return Err(CliError::usage(format!(
                "--input-json {}: invalid JSON: {error}",
                path.display()
            )));
        }
    };
    fields::map_object(kind, object)
        .map_err(|reason| CliError::usage(format!("--input-json {}: {reason}", path.display())))
}

/// Lists the input flags that apply to a kind.
fn flags_for(kind: AgentKind) -> String {
    fields::FIELDS
        .iter()
        .filter(|field| fields::accepts(kind, field.json_name))
        .filter_map(|field| field.flag)
        .map(|flag| format!("--{flag}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder()
            .api_key("test-key")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client")
    }

    #[test]
    fn flag_for_other_kind_rejected() {
        let flags = InputFlags {
            agent: Some("ca_1".into()),
            limit: Some("5".into()),
            ..InputFlags::default()
        };
        let error =
            build_input(&client(), AgentKind::EnrichCompany, &flags, None).expect_err("limit");
        assert_eq!(error.exit, Exit::Usage);
        assert!(error.message.contains("--limit"), "{}", error.message);
        assert!(
            error.message.contains("enrich-company"),
            "{}",
            error.message
        );
    }

    #[test]
    fn flags_become_typed_fields() {
        let flags = InputFlags {
            agent: Some("ca_1".into()),
            domain: Some("acme.com".into()),
            limit: Some("5".into()),
            minimal: Some("false".into()),
            ..InputFlags::default()
        };
        let input = build_input(&client(), AgentKind::Prospector, &flags, None).expect("input");
        assert_eq!(input["agentOId"], "ca_1");
        assert_eq!(input["companyDomain"], "acme.com");
        assert_eq!(input["limit"], 5);
        assert_eq!(input["minimal"], false);
    }

    #[test]
    fn flags_override_input_json() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("input.json");
        std::fs::write(&path, r#"{"agent_o_id":"ca_1","companyDomain":"old.com"}"#).expect("write");
        let flags = InputFlags {
            domain: Some("new.com".into()),
            ..InputFlags::default()
        };
        let input =
            build_input(&client(), AgentKind::EnrichCompany, &flags, Some(&path)).expect("input");
        assert_eq!(input["companyDomain"], "new.com");
        assert_eq!(input["agentOId"], "ca_1");
    }

    #[test]
    fn every_flag_is_in_field_table() {
        let flags = InputFlags {
            agent: Some(String::new()),
            experiment: Some(String::new()),
            domain: Some(String::new()),
            company_name: Some(String::new()),
            email: Some(String::new()),
            linkedin: Some(String::new()),
            first_name: Some(String::new()),
            last_name: Some(String::new()),
            job_title: Some(String::new()),
            crm_account_id: Some(String::new()),
            crm_contact_id: Some(String::new()),
            crm_lead_id: Some(String::new()),
            url: Some(String::new()),
            output_format: Some(String::new()),
            lang: Some(String::new()),
            request_id: Some(String::new()),
            playbook_selection_context: Some(String::new()),
            limit: Some(String::new()),
            minimal: Some(String::new()),
            include_full_annotation: Some(String::new()),
            runtime_context: Some(String::new()),
        };
        let given = flags.given();
        assert_eq!(given.len(), 21);
        for (flag, _) in given {
            assert!(
                fields::FIELDS.iter().any(|field| field.flag == Some(flag)),
                "{flag}"
            );
        }
        let with_flags = fields::FIELDS
            .iter()
            .filter(|field| field.flag.is_some())
            .count();
        assert_eq!(with_flags, 21);
    }
}
