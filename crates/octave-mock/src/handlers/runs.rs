//! Handlers of the run endpoints: the eight synchronous runs, the asynchronous run and its
//! status.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use octave_types::{
    AgentKind, AsyncAgentRunAccepted, AsyncAgentRunStatus, AsyncAgentRunStatusResponse, RunStatus,
};
use serde_json::{Map, Value};

use super::checks::{check_callback_url, check_inputs, resolve_agent};
use super::query_param;
use crate::auth::KeyIndex;
use crate::body::{Endpoint, check_foreign_fields, decode, read_json_object};
use crate::catalog::find_agent;
use crate::output::{Generate, KindVisitor, generate, visit_kind};
use crate::respond::{ApiError, json_ok, metadata};
use crate::runs::store::{DedupKey, Outcome};
use crate::runs::{NewRun, Phase, Submitted};
use crate::state::{FaultView, Shared, bump};
use crate::time::iso8601;

/// Header that makes asynchronous submissions idempotent per API key.
const EXTERNAL_REQUEST_ID: &str = "x-external-request-id";

/// Value of `status` shown for pending runs under the `unknown_enum_values` fault.
const UNDOCUMENTED_PENDING_STATUS: &str = "queued";

fn unsupported(kind: AgentKind) -> ApiError {
    ApiError::bad_request(format!("this server cannot run {kind} agents"))
}

/// `POST /api/v2/agents/<kind>/run`.
pub(crate) async fn run_sync(shared: Arc<Shared>, kind: AgentKind, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match sync_response(&shared, kind, &parts, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn sync_response(
    shared: &Shared,
    kind: AgentKind,
    parts: &Parts,
    body: Body,
) -> Result<Response, ApiError> {
    let include_future = FaultView::of(parts).get(|faults| faults.unknown_enum_values);
    let fields = read_json_object(&parts.headers, body, shared.config.max_body_bytes).await?;
    check_foreign_fields(kind, Endpoint::Sync, &fields)?;
    let run = SyncRun {
        shared,
        fields,
        include_future,
    };
    visit_kind(kind, run).unwrap_or_else(|| Err(unsupported(kind)))
}

struct SyncRun<'a> {
    shared: &'a Shared,
    fields: Map<String, Value>,
    include_future: bool,
}

impl KindVisitor for SyncRun<'_> {
    type Output = Result<Response, ApiError>;

    fn visit<A: Generate>(self) -> Self::Output {
        let input: A::Input = decode(self.fields.clone())?;
        let agent = resolve_agent(&self.fields, Some(A::KIND), self.include_future)?;
        check_inputs(A::KIND, &self.fields)?;

        let output = generate::<A>(&input, self.shared.config.seed);
        let cost = find_agent(agent.o_id, false).map_or(1.0, |agent| agent.cost_to_run);
        let message = "Agent run completed";
        let response = A::envelope(
            output,
            metadata(&self.shared.ids, message, cost),
            message.to_owned(),
        );
        bump(&self.shared.counters.sync_runs);
        Ok(json_ok(&response))
    }
}

/// `POST /api/v2/async/agent/run`.
pub(crate) async fn run_async(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match async_response(&shared, &parts, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn async_response(shared: &Shared, parts: &Parts, body: Body) -> Result<Response, ApiError> {
    let faults = FaultView::of(parts);
    let dedup_key = dedup_key(parts)?;
    let fields = read_json_object(&parts.headers, body, shared.config.max_body_bytes).await?;
    let include_future = faults.get(|faults| faults.unknown_enum_values);
    let agent = resolve_agent(&fields, None, include_future)?;
    check_foreign_fields(agent.kind, Endpoint::Async, &fields)?;
    let input = visit_kind(agent.kind, PrepareAsync { fields: &fields })
        .unwrap_or_else(|| Err(unsupported(agent.kind)))?;
    check_inputs(agent.kind, &fields)?;
    let callback_url = check_callback_url(&fields)?;

    let new = NewRun {
        kind: agent.kind,
        agent_o_id: agent.o_id.to_owned(),
        input,
        callback_url,
        faults: faults.clone(),
        dedup_key,
    };
    let (id, message) = match crate::runs::submit(shared, new).await {
        Submitted::New(id) => {
            tracing::debug!(request_id = %id, agent = agent.o_id, "async run accepted");
            let message = "Agent run queued; the result is POSTed to callbackUrl when it finishes";
            (id, message)
        }
        Submitted::Duplicate(id) => {
            tracing::debug!(request_id = %id, "duplicate x-external-request-id; returning the existing run");
            let message = "Duplicate x-external-request-id: returning the existing run";
            (id, message)
        }
    };
    let (status, agent_o_id) = match crate::runs::status(shared, &id) {
        Some(snapshot) => (status_value(&snapshot.phase, &faults), snapshot.agent_o_id),
        None => (RunStatus::Pending, agent.o_id.to_owned()),
    };
    let accepted = AsyncAgentRunAccepted {
        agent_o_id: Some(agent_o_id),
        message: Some(message.to_owned()),
        request_id: id.to_string(),
        status,
        extra: Map::new(),
    };
    Ok(json_ok(&accepted))
}

/// Reads `x-external-request-id`; absent or empty means no deduplication.
fn dedup_key(parts: &Parts) -> Result<Option<DedupKey>, ApiError> {
    let Some(value) = parts.headers.get(EXTERNAL_REQUEST_ID) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        ApiError::bad_request(
            "invalid x-external-request-id header: use visible ASCII characters only",
        )
    })?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let key_index = parts.extensions.get::<KeyIndex>().map_or(0, |key| key.0);
    Ok(Some(DedupKey {
        key_index,
        external_id: text.into(),
    }))
}

/// Decodes an asynchronous body into the kind's typed request and returns the synchronous
/// input it contains, as JSON.
struct PrepareAsync<'a> {
    fields: &'a Map<String, Value>,
}

impl KindVisitor for PrepareAsync<'_> {
    type Output = Result<String, ApiError>;

    fn visit<A: Generate>(self) -> Self::Output {
        let async_input: A::AsyncInput = decode(self.fields.clone())?;
        let request = A::wrap_async(async_input);
        let mut value = serde_json::to_value(&request)
            .map_err(|error| ApiError::bad_request(format!("invalid request body: {error}")))?;
        if let Value::Object(fields) = &mut value {
            fields.remove("callbackUrl");
        }
        let input: A::Input = decode(match value {
            Value::Object(fields) => fields,
            _ => Map::new(),
        })?;
        serde_json::to_string(&input)
            .map_err(|error| ApiError::bad_request(format!("invalid request body: {error}")))
    }
}

fn status_value(phase: &Phase, faults: &FaultView) -> RunStatus {
    match phase {
        Phase::Pending if faults.get(|faults| faults.unknown_enum_values) => {
            RunStatus::Unknown(UNDOCUMENTED_PENDING_STATUS.to_owned())
        }
        Phase::Pending => RunStatus::Pending,
        Phase::Running => RunStatus::Running,
        Phase::Finished(Outcome::Completed { .. }) => RunStatus::Completed,
        Phase::Finished(Outcome::Failed { .. }) => RunStatus::Failed,
    }
}

/// `GET /api/v2/async/agent/run/status?requestId=…`. `agentRunOId`, the name some concept
/// pages use, is accepted too.
pub(crate) async fn run_status(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    bump(&shared.counters.status_polls);
    let (parts, _) = request.into_parts();
    let query = parts.uri.query().unwrap_or("");
    let id = query_param(query, "requestId").or_else(|| query_param(query, "agentRunOId"));
    let Some(id) = id.filter(|id| !id.trim().is_empty()) else {
        return ApiError::bad_request(
            "missing query parameter `requestId`; pass the requestId returned by POST \
             /api/v2/async/agent/run",
        )
        .into_response();
    };
    let Some(snapshot) = crate::runs::status(&shared, &id) else {
        return ApiError::not_found(format!(
            "run `{id}` not found: the request ID is unknown, or the run finished more than \
             {} s ago and its state has expired",
            shared.config.finished_run_ttl.as_secs()
        ))
        .into_response();
    };

    let faults = FaultView::of(&parts);
    let status = status_value(&snapshot.phase, &faults);
    let (result, error, completed_at) = match snapshot.phase {
        Phase::Finished(Outcome::Completed { output, at }) => {
            (Some((*output).clone()), None, Some(iso8601(at)))
        }
        Phase::Finished(Outcome::Failed { error, at }) => {
            (None, Some(error.to_string()), Some(iso8601(at)))
        }
        Phase::Pending | Phase::Running => (None, None, None),
    };
    let body = AsyncAgentRunStatusResponse {
        data: AsyncAgentRunStatus {
            agent_o_id: Some(snapshot.agent_o_id),
            completed_at,
            created_at: Some(iso8601(snapshot.created_at)),
            error,
            request_id: id,
            result,
            status: Some(status),
            extra: Map::new(),
        },
        metadata: metadata(&shared.ids, "OK", 0.0),
    };
    json_ok(&body)
}
