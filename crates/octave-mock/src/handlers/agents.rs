//! Handlers of the catalogue endpoints: list agents, get agent, agent types, and API-key
//! validation.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use octave_types::{
    AgentTypesResponse, ApiKeyCredits, ApiKeyStatus, GetAgentResponse, ListAgentsResponse,
    ValidateApiKeyResponse,
};

use serde_json::Map;

use super::query_param;
use crate::catalog::{SavedAgent, agent_types, all_agents, find_agent};
use crate::respond::{ApiError, json_ok, metadata};
use crate::state::{FaultView, Shared};

/// Largest page `GET /api/v2/agents/list` returns.
const MAX_PAGE: u64 = 100;

/// Query of `GET /api/v2/agents/list`, with the documented defaults.
struct ListQuery {
    agent_type: Option<String>,
    search: String,
    offset: u64,
    limit: u64,
    by_updated: bool,
    ascending: bool,
    include_experiments: bool,
}

fn invalid_param(name: &str, value: &str, expected: &str) -> ApiError {
    ApiError::bad_request(format!(
        "invalid value for query parameter `{name}`: `{value}`; expected {expected}"
    ))
}

fn parse_list_query(query: &str) -> Result<ListQuery, ApiError> {
    let param = |name: &str| query_param(query, name).filter(|value| !value.is_empty());
    let offset = match param("offset") {
        Some(value) => value
            .parse::<u64>()
            .map_err(|_| invalid_param("offset", &value, "an integer of 0 or more"))?,
        None => 0,
    };
    let limit = match param("limit") {
        Some(value) => value
            .parse::<u64>()
            .ok()
            .filter(|limit| (1..=MAX_PAGE).contains(limit))
            .ok_or_else(|| invalid_param("limit", &value, "an integer from 1 to 100"))?,
        None => 10,
    };
    let by_updated = match param("orderField").as_deref() {
        None | Some("createdAt") => false,
        Some("updatedAt") => true,
        Some(other) => {
            return Err(invalid_param(
                "orderField",
                other,
                "`createdAt` or `updatedAt`",
            ));
        }
    };
    let ascending = match param("orderDirection").map(|value| value.to_ascii_uppercase()) {
        None => false,
        Some(value) if value == "DESC" => false,
        Some(value) if value == "ASC" => true,
        Some(value) => return Err(invalid_param("orderDirection", &value, "`ASC` or `DESC`")),
    };
    let include_experiments = match param("includeExperiments").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(invalid_param(
                "includeExperiments",
                other,
                "`true` or `false`",
            ));
        }
    };
    Ok(ListQuery {
        agent_type: param("type"),
        search: param("query").unwrap_or_default().to_lowercase(),
        offset,
        limit,
        by_updated,
        ascending,
        include_experiments,
    })
}

/// `GET /api/v2/agents/list`: pages through the saved agents with `offset` and `limit`,
/// filtered by `type` and by `query` (case-insensitive, in name, description and OId).
pub(crate) async fn list_agents(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let query = match parse_list_query(parts.uri.query().unwrap_or("")) {
        Ok(query) => query,
        Err(error) => return error.into_response(),
    };
    let include_future = FaultView::of(&parts).get(|faults| faults.unknown_enum_values);

    let matches = |agent: &&SavedAgent| {
        let type_matches = query
            .agent_type
            .as_deref()
            .is_none_or(|wanted| agent.type_name() == wanted);
        let text_matches = query.search.is_empty()
            || [agent.name, agent.description, agent.o_id]
                .iter()
                .any(|text| text.to_lowercase().contains(&query.search));
        type_matches && text_matches && (query.include_experiments || !agent.is_experiment)
    };
    let mut selected: Vec<&SavedAgent> = all_agents(include_future).filter(matches).collect();
    selected.sort_by(|left, right| {
        let key = |agent: &SavedAgent| {
            if query.by_updated {
                (agent.updated_at, agent.o_id)
            } else {
                (agent.created_at, agent.o_id)
            }
        };
        let order = key(left).cmp(&key(right));
        if query.ascending {
            order
        } else {
            order.reverse()
        }
    });

    let total = selected.len() as u64;
    let page: Vec<_> = selected
        .into_iter()
        .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
        .take(query.limit as usize)
        .map(SavedAgent::summary)
        .collect();
    let has_next = query.offset.saturating_add(page.len() as u64) < total;
    let body = ListAgentsResponse {
        data: page,
        has_next: Some(has_next),
        metadata: metadata(&shared.ids, "OK", 0.0),
        total: Some(total as i64),
    };
    json_ok(&body)
}

/// `GET /api/v2/agents/get?oId=…`.
pub(crate) async fn get_agent(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let query = parts.uri.query().unwrap_or("");
    let Some(o_id) = query_param(query, "oId").filter(|o_id| !o_id.trim().is_empty()) else {
        return ApiError::bad_request(
            "missing query parameter `oId`; pass the OId of a saved agent",
        )
        .into_response();
    };
    let include_future = FaultView::of(&parts).get(|faults| faults.unknown_enum_values);
    let Some(agent) = find_agent(&o_id, include_future) else {
        return ApiError::not_found(format!(
            "agent `{o_id}` not found; list the saved agents with GET /api/v2/agents/list"
        ))
        .into_response();
    };
    let body = GetAgentResponse {
        data: agent.details(),
        metadata: metadata(&shared.ids, "OK", 0.0),
    };
    json_ok(&body)
}

/// `GET /api/v2/agents/types`.
pub(crate) async fn list_agent_types(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let include_future = FaultView::of(&parts).get(|faults| faults.unknown_enum_values);
    let types = agent_types(include_future);
    let body = AgentTypesResponse {
        total: Some(types.len() as i64),
        data: types,
        metadata: metadata(&shared.ids, "OK", 0.0),
    };
    json_ok(&body)
}

/// `GET /api/v2/api-key/validate`: the key already passed authentication, so it is valid.
pub(crate) async fn validate_api_key(State(shared): State<Arc<Shared>>) -> Response {
    let body = ValidateApiKeyResponse {
        credits: Some(ApiKeyCredits {
            credits_available: Some(9_000.0),
            credits_used: Some(1_000.0),
            period: Some("month".to_owned()),
            quota_available: Some(9_000.0),
            quota_max: Some(10_000.0),
            quota_used: Some(1_000.0),
            total_max: Some(10_000.0),
            total_remaining: Some(9_000.0),
            total_used: Some(1_000.0),
        }),
        metadata: metadata(&shared.ids, "OK", 0.0),
        organization_domain: Some("example.com".to_owned()),
        organization_name: Some("Mock Organization".to_owned()),
        organization_o_id: Some("og_mock01".to_owned()),
        organization_slug: Some("mock-organization".to_owned()),
        status: Some(ApiKeyStatus::Ok),
        valid: Some(true),
        workspace_domain: Some("example.com".to_owned()),
        workspace_name: Some("Mock Workspace".to_owned()),
        workspace_o_id: Some("wa_mock01".to_owned()),
        extra: Map::new(),
    };
    json_ok(&body)
}
