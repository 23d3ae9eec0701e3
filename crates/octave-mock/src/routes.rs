//! The router: API endpoints behind fault injection and authentication, test controls, and
//! JSON errors for unknown paths (404) and wrong methods (405).

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use octave_types::AgentKind;

use crate::auth::authenticate;
use crate::control;
use crate::faults::inject;
use crate::handlers::agents::{get_agent, list_agent_types, list_agents, validate_api_key};
use crate::handlers::runs::{run_async, run_status, run_sync};
use crate::respond::ApiError;
use crate::state::Shared;

/// Paths of the API endpoints other than the synchronous runs, with their method.
const API_ROUTES: &[(&str, &str)] = &[
    ("/api/v2/async/agent/run", "POST"),
    ("/api/v2/async/agent/run/status", "GET"),
    ("/api/v2/agents/list", "GET"),
    ("/api/v2/agents/get", "GET"),
    ("/api/v2/agents/types", "GET"),
    ("/api/v2/api-key/validate", "GET"),
];

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    // Layers added later run first: faults, then authentication, then the handler. Route
    // layers run only when the method matches, so a wrong method gets 405 without a key.
    let api = |route: MethodRouter<Arc<Shared>>| {
        route
            .route_layer(from_fn_with_state(Arc::clone(&shared), authenticate))
            .route_layer(from_fn_with_state(Arc::clone(&shared), inject))
    };

    let mut router = Router::new()
        .route("/api/v2/async/agent/run", api(post(run_async)))
        .route("/api/v2/async/agent/run/status", api(get(run_status)))
        .route("/api/v2/agents/list", api(get(list_agents)))
        .route("/api/v2/agents/get", api(get(get_agent)))
        .route("/api/v2/agents/types", api(get(list_agent_types)))
        .route("/api/v2/api-key/validate", api(get(validate_api_key)));
    for kind in AgentKind::ALL {
        let handler = move |axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
                            request: Request| run_sync(shared, kind, request);
        router = router.route(kind.sync_path(), api(post(handler)));
    }

    router
        .route("/_mock/stats", get(control::stats))
        .route(
            "/_mock/faults",
            get(control::get_faults).put(control::put_faults),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

/// Returns the methods a path accepts, as listed in an `Allow` header.
fn allowed_methods(path: &str) -> Option<&'static str> {
    if AgentKind::ALL
        .into_iter()
        .any(|kind| kind.sync_path() == path)
    {
        return Some("POST");
    }
    let api = API_ROUTES.iter().find(|(route, _)| *route == path);
    api.map(|(_, method)| *method).or(match path {
        "/_mock/stats" => Some("GET"),
        "/_mock/faults" => Some("GET, PUT"),
        _ => None,
    })
}

async fn not_found(request: Request) -> Response {
    ApiError::not_found(format!(
        "no endpoint at {} {}; the API paths start with /api/v2/",
        request.method(),
        request.uri().path()
    ))
    .into_response()
}

async fn method_not_allowed(request: Request) -> Response {
    let path = request.uri().path();
    let allowed = allowed_methods(path);
    let hint = allowed
        .map(|methods| format!("; use {methods}"))
        .unwrap_or_default();
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {} is not allowed on {path}{hint}", request.method()),
    )
    .into_response();
    if let Some(methods) = allowed {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(methods));
    }
    response
}
