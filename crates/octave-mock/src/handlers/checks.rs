//! Checks of a run body that need more than its types: which saved agent it names, the
//! identifiers each agent kind needs, the Prospector limit and the callback URL.

use octave_types::AgentKind;
use serde_json::{Map, Value};

use crate::body::{id_field, text};
use crate::catalog::{SavedAgent, find_agent};
use crate::respond::ApiError;

/// The saved agent or experiment a run body names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResolvedAgent {
    pub kind: AgentKind,
    /// OId of the saved agent, or of the experiment when the body names only an experiment.
    pub o_id: &'static str,
}

/// Kinds whose body sets exactly one of `agentOId` and `experimentOId`.
fn experiment_or_agent(kind: AgentKind) -> bool {
    matches!(kind, AgentKind::Sequence | AgentKind::Content)
}

/// Finds the saved agent (and experiment) that a body names and checks that they fit the
/// endpoint. `expected` is the kind of a synchronous endpoint, `None` for the asynchronous
/// one, which takes its kind from the agent.
///
/// Unknown OIds are 404s; an agent of the wrong kind, an experiment sent as `agentOId` and
/// other misuse are 400s. `include_future` makes the `FUTURE_AGENT` agent known (it is listed
/// under the `unknown_enum_values` fault), so naming it gets a 400 instead of a 404.
pub(crate) fn resolve_agent(
    fields: &Map<String, Value>,
    expected: Option<AgentKind>,
    include_future: bool,
) -> Result<ResolvedAgent, ApiError> {
    let agent = match id_field(fields, "agentOId")? {
        Some(o_id) => Some(lookup_agent(o_id, include_future)?),
        None => None,
    };
    let experiment = match id_field(fields, "experimentOId")? {
        Some(o_id) => Some(lookup_experiment(o_id)?),
        None => None,
    };

    let (kind, o_id) = match (agent, experiment) {
        (Some((kind, agent)), _) => (kind, agent.o_id),
        (None, Some((kind, experiment))) => (kind, experiment.o_id),
        (None, None) => {
            let message = match expected {
                Some(kind) if experiment_or_agent(kind) => format!(
                    "set exactly one of `agentOId` and `experimentOId`; the body has neither, \
                     and the {} agent needs one",
                    kind.display_name()
                ),
                _ => "missing field `agentOId`; name the saved agent to run".to_owned(),
            };
            return Err(ApiError::bad_request(message));
        }
    };

    if let Some(expected) = expected
        && kind != expected
    {
        return Err(ApiError::bad_request(format!(
            "agent `{o_id}` has type {}, but this endpoint runs agents of type {}; call {} \
             or name an agent of type {}",
            kind.agent_type(),
            expected.agent_type(),
            kind.sync_path(),
            expected.agent_type()
        )));
    }
    if let (Some((agent_kind, agent)), Some((experiment_kind, experiment))) = (agent, experiment) {
        if experiment_or_agent(kind) {
            return Err(ApiError::bad_request(format!(
                "set exactly one of `agentOId` and `experimentOId`, not both; the body names \
                 agent `{}` and experiment `{}`",
                agent.o_id, experiment.o_id
            )));
        }
        if agent_kind != experiment_kind {
            return Err(ApiError::bad_request(format!(
                "experiment `{}` has type {}, but agent `{}` has type {}",
                experiment.o_id,
                experiment_kind.agent_type(),
                agent.o_id,
                agent_kind.agent_type()
            )));
        }
    }
    if agent.is_none() && !experiment_or_agent(kind) {
        return Err(ApiError::bad_request(format!(
            "missing field `agentOId`: the {} agent needs it even when `experimentOId` is set",
            kind.display_name()
        )));
    }
    Ok(ResolvedAgent { kind, o_id })
}

fn lookup_agent(
    o_id: &str,
    include_future: bool,
) -> Result<(AgentKind, &'static SavedAgent), ApiError> {
    let Some(agent) = find_agent(o_id, include_future) else {
        return Err(ApiError::not_found(format!(
            "agent `{o_id}` not found; list the saved agents with GET /api/v2/agents/list"
        )));
    };
    if agent.is_experiment {
        return Err(ApiError::bad_request(format!(
            "`{o_id}` is an agent experiment, not a saved agent; send it as `experimentOId`"
        )));
    }
    let Some(kind) = agent.kind else {
        return Err(ApiError::bad_request(format!(
            "agent `{o_id}` has type {}, which this server cannot run",
            agent.type_name()
        )));
    };
    Ok((kind, agent))
}

fn lookup_experiment(o_id: &str) -> Result<(AgentKind, &'static SavedAgent), ApiError> {
    let found = find_agent(o_id, false);
    let Some(experiment) = found.filter(|agent| agent.is_experiment) else {
        if found.is_some() {
            return Err(ApiError::bad_request(format!(
                "`{o_id}` is a saved agent, not an experiment; send it as `agentOId`"
            )));
        }
        return Err(ApiError::not_found(format!(
            "experiment `{o_id}` not found; list experiments with GET \
             /api/v2/agents/list?includeExperiments=true"
        )));
    };
    match experiment.kind {
        Some(kind) => Ok((kind, experiment)),
        None => Err(ApiError::not_found(format!(
            "experiment `{o_id}` not found"
        ))),
    }
}

/// Checks the inputs each kind needs beyond its schema: a company for the company agents, a
/// way to identify the person for the person agents, and the Prospector limit.
pub(crate) fn check_inputs(kind: AgentKind, fields: &Map<String, Value>) -> Result<(), ApiError> {
    let has = |name: &str| text(fields, name).is_some();
    let names_person = has("email")
        || has("linkedInProfile")
        || (has("firstName") && (has("companyName") || has("companyDomain")));
    match kind {
        AgentKind::EnrichCompany | AgentKind::QualifyCompany
            if !has("companyDomain") && !has("companyName") =>
        {
            Err(ApiError::bad_request(format!(
                "the {} agent needs `companyDomain` or `companyName`; the body has neither",
                kind.display_name()
            )))
        }
        AgentKind::EnrichPerson | AgentKind::QualifyPerson | AgentKind::CallPrep
            if !names_person =>
        {
            Err(ApiError::bad_request(format!(
                "the {} agent needs a way to identify the person: `email`, \
                 `linkedInProfile`, or `firstName` with `companyName` or `companyDomain`",
                kind.display_name()
            )))
        }
        AgentKind::Prospector => match fields.get("limit").and_then(Value::as_i64) {
            Some(limit) if !(1..=1000).contains(&limit) => Err(ApiError::bad_request(format!(
                "invalid value for field `limit`: {limit} is outside 1..=1000"
            ))),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Returns the callback URL after checking that it is an absolute http or https URL.
pub(crate) fn check_callback_url(fields: &Map<String, Value>) -> Result<String, ApiError> {
    let raw = fields
        .get("callbackUrl")
        .and_then(Value::as_str)
        .unwrap_or("");
    let valid = url::Url::parse(raw)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
    match valid {
        Some(_) => Ok(raw.to_owned()),
        None => Err(ApiError::bad_request(format!(
            "invalid value for field `callbackUrl`: `{raw}` is not an absolute http(s) URL"
        ))),
    }
}
