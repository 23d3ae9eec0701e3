//! `octave agents list|get|types`.

use futures::TryStreamExt;
use octave::{Client, ListAgentsQuery};
use octave_types::{AgentKind, AgentSummary};
use serde_json::{Value, json};

use crate::api;
use crate::args::{AgentsCommand, ListArgs};
use crate::exit::{CliResult, Exit};
use crate::render::{self, format_number};
use crate::stdio::outln;

/// Runs an `agents` subcommand.
///
/// # Errors
///
/// The SDK's errors mapped to exit codes (an unknown OId is exit code 1).
pub async fn run(command: AgentsCommand, client: Client, json: bool) -> CliResult<Exit> {
    match command {
        AgentsCommand::List(args) => list(args, &client, json).await,
        AgentsCommand::Get { oid } => get(&oid, &client, json).await,
        AgentsCommand::Types => types(&client, json).await,
    }
}

async fn list(args: ListArgs, client: &Client, json: bool) -> CliResult<Exit> {
    let mut query = ListAgentsQuery::new().limit(args.limit).offset(args.offset);
    if let Some(kind) = args.kind {
        query = query.agent_type(kind.agent_type());
    }
    if let Some(text) = &args.query {
        query = query.search(text.clone());
    }

    let (agents, total, has_next) = if args.all {
        let agents: Vec<AgentSummary> = client
            .list_all_agents(query)
            .try_collect()
            .await
            .map_err(api::cli_error)?;
        let total = agents.len() as i64;
        (agents, Some(total), Some(false))
    } else {
        let page = client.list_agents(query).await.map_err(api::cli_error)?;
        (page.data, page.total, page.has_next)
    };

    if json {
        let line = json!({"total": total, "hasNext": has_next, "agents": agents});
        outln!("{line}");
        return Ok(Exit::Success);
    }
    if agents.is_empty() {
        outln!("No agents found.");
        return Ok(Exit::Success);
    }
    let rows: Vec<Vec<String>> = agents.iter().map(summary_row).collect();
    render::print_table(&["OID", "KIND", "COST", "NAME"], &rows);
    if has_next == Some(true) {
        let shown = args.offset as usize + agents.len();
        let of_total = total
            .map(|total| format!(" of {total}"))
            .unwrap_or_default();
        outln!(
            "\nShowing {}-{shown}{of_total}; use --offset {shown} for more, or --all",
            args.offset + 1
        );
    }
    Ok(Exit::Success)
}

fn summary_row(agent: &AgentSummary) -> Vec<String> {
    let kind = agent
        .type_
        .as_ref()
        .map(|agent_type| match AgentKind::from_agent_type(agent_type) {
            Some(kind) => kind.slug().to_owned(),
            None => agent_type.to_string(),
        })
        .unwrap_or_default();
    vec![
        agent.o_id.clone().unwrap_or_default(),
        kind,
        agent.cost_to_run.map(format_number).unwrap_or_default(),
        agent.name.clone().unwrap_or_default(),
    ]
}

async fn get(oid: &str, client: &Client, json: bool) -> CliResult<Exit> {
    let response = client.get_agent(oid).await.map_err(api::cli_error)?;
    let agent = response.data;
    if json {
        outln!("{}", serde_json::to_value(&agent).unwrap_or(Value::Null));
        return Ok(Exit::Success);
    }

    let field = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            outln!("{label:<13}{value}");
        }
    };
    field("OId:", agent.o_id.clone());
    field("Name:", agent.name.clone());
    field(
        "Kind:",
        agent
            .type_
            .as_ref()
            .map(|agent_type| match AgentKind::from_agent_type(agent_type) {
                Some(kind) => format!("{} ({agent_type})", kind.slug()),
                None => agent_type.to_string(),
            }),
    );
    field("Description:", agent.description.clone());
    field("Cost to run:", agent.cost_to_run.map(format_number));
    field("Created:", agent.created_at.clone());
    field("Updated:", agent.updated_at.clone());
    for warning in &agent.warnings {
        outln!("Warning:     {warning}");
    }
    if let Some(data) = &agent.data {
        outln!("Configuration:");
        render::print_json(data, false);
    }
    Ok(Exit::Success)
}

async fn types(client: &Client, json: bool) -> CliResult<Exit> {
    let response = client.list_agent_types().await.map_err(api::cli_error)?;
    if json {
        outln!("{}", json!({"types": response.data}));
        return Ok(Exit::Success);
    }
    let rows: Vec<Vec<String>> = response
        .data
        .iter()
        .map(|info| {
            let agent_type = info
                .type_
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let slug = info
                .type_
                .as_ref()
                .and_then(AgentKind::from_agent_type)
                .map(|kind| kind.slug().to_owned())
                .unwrap_or_else(|| "-".to_owned());
            vec![
                agent_type,
                slug,
                info.name.clone().unwrap_or_default(),
                info.description.clone().unwrap_or_default(),
            ]
        })
        .collect();
    render::print_table(&["TYPE", "KIND", "NAME", "DESCRIPTION"], &rows);
    Ok(Exit::Success)
}
