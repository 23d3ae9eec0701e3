//! `octave whoami`: validates the API key and prints the workspace and its credits.

use octave::Client;
use serde_json::json;

use crate::api;
use crate::exit::{CliResult, Exit};
use crate::render::format_number;
use crate::stdio::outln;

/// Runs the command. A rejected key ends with exit code 3.
///
/// # Errors
///
/// The SDK's errors mapped to exit codes.
pub async fn run(client: Client, json: bool) -> CliResult<Exit> {
    let response = client.validate_api_key().await.map_err(api::cli_error)?;
    let credits = response.credits.clone().unwrap_or_default();

    if json {
        let line = json!({
            "valid": response.valid,
            "workspaceOId": response.workspace_o_id,
            "workspaceName": response.workspace_name,
            "workspaceDomain": response.workspace_domain,
            "organizationOId": response.organization_o_id,
            "organizationName": response.organization_name,
            "credits": response.credits,
            "baseUrl": client.base_url(),
        });
        outln!("{line}");
        return Ok(Exit::Success);
    }

    let unknown = || "unknown".to_owned();
    let workspace = response.workspace_name.clone().unwrap_or_else(unknown);
    let mut workspace_line = format!("Workspace:    {workspace}");
    if let Some(id) = &response.workspace_o_id {
        workspace_line.push_str(&format!(" ({id})"));
    }
    if let Some(domain) = &response.workspace_domain {
        workspace_line.push_str(&format!(", {domain}"));
    }
    outln!("{workspace_line}");
    if let Some(organization) = &response.organization_name {
        let id = response
            .organization_o_id
            .as_ref()
            .map(|id| format!(" ({id})"))
            .unwrap_or_default();
        outln!("Organization: {organization}{id}");
    }

    let remaining = credits
        .total_remaining
        .or(credits.credits_available)
        .map(format_number);
    let maximum = credits.total_max.map(format_number);
    let credit_line = match (remaining, maximum) {
        (Some(remaining), Some(maximum)) => format!("{remaining} remaining of {maximum}"),
        (Some(remaining), None) => format!("{remaining} remaining"),
        _ => "not reported".to_owned(),
    };
    let period = credits
        .period
        .as_ref()
        .map(|period| format!(" (period: {period})"))
        .unwrap_or_default();
    outln!("Credits:      {credit_line}{period}");
    outln!("API:          {}", client.base_url());
    Ok(Exit::Success)
}
