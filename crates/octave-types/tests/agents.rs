//! The description of the eight agents: kind names, agent types, endpoints, and the async
//! request built from a synchronous input.

mod common;

use std::collections::BTreeSet;

use octave_types::agents::{
    CallPrep, Content, EnrichCompany, EnrichPerson, Prospector, QualifyCompany, QualifyPerson,
    Sequence,
};
use octave_types::{Agent, AgentKind, AgentType, AsyncAgentRunRequest, UnknownAgentKind};
use serde_json::Value;

use common::fixture;

const CALLBACK_URL: &str = "https://example.com/api/callbacks/unique-id";

/// Returns the prefix of the kind's schema names, such as `EnrichCompany` in
/// `EnrichCompanyAgentInput`.
fn schema_prefix(kind: AgentKind) -> String {
    kind.display_name().replace(' ', "")
}

#[test]
fn all_lists_eight_distinct_kinds() {
    let distinct: BTreeSet<AgentKind> = AgentKind::ALL.into_iter().collect();

    assert_eq!(distinct.len(), 8);
}

#[test]
fn slug_parses_back_to_kind() {
    for kind in AgentKind::ALL {
        let parsed: AgentKind = kind
            .slug()
            .parse()
            .unwrap_or_else(|error| panic!("slug of {kind:?} does not parse: {error}"));

        assert_eq!(parsed, kind);
        assert_eq!(kind.to_string(), kind.slug());
    }
}

#[test]
fn agent_type_and_snake_case_parse() {
    for kind in AgentKind::ALL {
        let type_name = kind.agent_type().as_str().to_owned();
        let snake_case = kind.slug().replace('-', "_");
        let shouted_slug = kind.slug().to_ascii_uppercase();

        for name in [type_name, snake_case, shouted_slug] {
            assert_eq!(name.parse::<AgentKind>(), Ok(kind), "parsing {name:?}");
        }
    }
}

#[test]
fn email_parses_as_sequence() {
    for name in ["EMAIL", "email", " Email "] {
        assert_eq!(
            name.parse::<AgentKind>(),
            Ok(AgentKind::Sequence),
            "parsing {name:?}"
        );
    }
}

#[test]
fn generate_content_parses_as_content() {
    for name in ["generate-content", "GENERATE_CONTENT", "CONTENT"] {
        assert_eq!(
            name.parse::<AgentKind>(),
            Ok(AgentKind::Content),
            "parsing {name:?}"
        );
    }
}

#[test]
fn unknown_kind_error_lists_values() {
    for name in [
        "context",
        "CONTEXT",
        "PERSONALIZE_TEMPLATE",
        "",
        "enrich company",
        "enrich",
    ] {
        let error = name
            .parse::<AgentKind>()
            .expect_err("not an agent kind with a run endpoint");

        assert_eq!(error, UnknownAgentKind(name.to_owned()));
        let message = error.to_string();
        assert!(
            message.contains(&format!("`{name}`")),
            "the message {message:?} should quote the rejected value"
        );
        for kind in AgentKind::ALL {
            assert!(
                message.contains(kind.slug()),
                "the message {message:?} should list {}",
                kind.slug()
            );
        }
    }
}

#[test]
fn from_agent_type_maps_eight_kinds() {
    for kind in AgentKind::ALL {
        assert_eq!(AgentKind::from_agent_type(&kind.agent_type()), Some(kind));
    }
    assert_eq!(
        AgentKind::from_agent_type(&AgentType::Email),
        Some(AgentKind::Sequence)
    );
    assert_eq!(AgentKind::Sequence.agent_type(), AgentType::Email);
}

#[test]
fn from_agent_type_without_endpoint() {
    for agent_type in [
        AgentType::Context,
        AgentType::PersonalizeTemplate,
        AgentType::Unknown("FUTURE_AGENT".to_owned()),
        AgentType::from("enrich_company"),
    ] {
        assert_eq!(
            AgentKind::from_agent_type(&agent_type),
            None,
            "{agent_type:?}"
        );
    }
}

#[test]
fn sync_paths_exist_in_spec() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/octave.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let spec: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not valid YAML: {error}", path.display()));

    for kind in AgentKind::ALL {
        let operation = spec
            .get("paths")
            .and_then(|paths| paths.get(kind.sync_path()))
            .and_then(|path_item| path_item.get("post"));
        assert!(
            operation.is_some(),
            "{} names no POST operation in openapi/octave.yaml",
            kind.sync_path()
        );
    }
}

#[test]
fn async_fields_extend_input_fields() {
    for kind in AgentKind::ALL {
        let mut expected: BTreeSet<&str> = kind.input_field_names().iter().copied().collect();
        expected.insert("callbackUrl");
        let actual: BTreeSet<&str> = kind.async_field_names().iter().copied().collect();

        assert_eq!(actual, expected, "{kind:?}");
        assert!(
            kind.input_field_names().contains(&"agentOId"),
            "{kind:?} input has no agentOId"
        );
    }
}

#[test]
fn marker_kinds_follow_all() {
    let kinds = [
        EnrichCompany::KIND,
        EnrichPerson::KIND,
        Content::KIND,
        Sequence::KIND,
        QualifyPerson::KIND,
        Prospector::KIND,
        QualifyCompany::KIND,
        CallPrep::KIND,
    ];

    assert_eq!(kinds, AgentKind::ALL);
}

/// Returns the name of the union variant, which is also the schema of its body.
fn variant_name(request: &AsyncAgentRunRequest) -> &'static str {
    match request {
        AsyncAgentRunRequest::EnrichCompanyAsyncAgentInput(_) => "EnrichCompanyAsyncAgentInput",
        AsyncAgentRunRequest::EnrichPersonAsyncAgentInput(_) => "EnrichPersonAsyncAgentInput",
        AsyncAgentRunRequest::ContentAsyncAgentInput(_) => "ContentAsyncAgentInput",
        AsyncAgentRunRequest::SequenceAsyncAgentInput(_) => "SequenceAsyncAgentInput",
        AsyncAgentRunRequest::QualifyPersonAsyncAgentInput(_) => "QualifyPersonAsyncAgentInput",
        AsyncAgentRunRequest::ProspectorAsyncAgentInput(_) => "ProspectorAsyncAgentInput",
        AsyncAgentRunRequest::QualifyCompanyAsyncAgentInput(_) => "QualifyCompanyAsyncAgentInput",
        AsyncAgentRunRequest::CallPrepAsyncAgentInput(_) => "CallPrepAsyncAgentInput",
    }
}

/// Returns the `callbackUrl` field of the variant's typed body.
fn callback_url(request: &AsyncAgentRunRequest) -> &str {
    match request {
        AsyncAgentRunRequest::EnrichCompanyAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::EnrichPersonAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::ContentAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::SequenceAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::QualifyPersonAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::ProspectorAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::QualifyCompanyAsyncAgentInput(body) => &body.callback_url,
        AsyncAgentRunRequest::CallPrepAsyncAgentInput(body) => &body.callback_url,
    }
}

/// Builds the async request of agent `A` from its input fixture and checks the variant, the
/// callback URL, and that the body is the input's JSON plus `callbackUrl` and nothing else.
fn assert_async_request<A: Agent>() {
    let prefix = schema_prefix(A::KIND);
    let input: A::Input = fixture(&format!("{prefix}AgentInput"));

    let request = A::async_request(&input, CALLBACK_URL)
        .unwrap_or_else(|error| panic!("{prefix}: async_request failed: {error}"));

    assert_eq!(variant_name(&request), format!("{prefix}AsyncAgentInput"));
    assert_eq!(callback_url(&request), CALLBACK_URL);

    let mut expected = serde_json::to_value(&input).expect("generated types encode");
    let fields = expected
        .as_object_mut()
        .expect("an input encodes as an object");
    assert!(
        fields.len() >= 5,
        "{prefix}AgentInput.json should set several fields so the copy is tested, found {fields:?}"
    );
    fields.insert("callbackUrl".to_owned(), Value::from(CALLBACK_URL));
    let encoded = serde_json::to_value(&request).expect("generated types encode");
    assert_eq!(
        encoded, expected,
        "{prefix}: the async body is not input + callbackUrl"
    );

    assert_eq!(
        request.agent_o_id(),
        expected.get("agentOId").and_then(Value::as_str),
        "{prefix}: agent_o_id()"
    );
}

#[test]
fn async_request_enrich_company() {
    assert_async_request::<EnrichCompany>();
}

#[test]
fn async_request_enrich_person() {
    assert_async_request::<EnrichPerson>();
}

#[test]
fn async_request_content() {
    assert_async_request::<Content>();
}

#[test]
fn async_request_sequence() {
    assert_async_request::<Sequence>();
}

#[test]
fn async_request_qualify_person() {
    assert_async_request::<QualifyPerson>();
}

#[test]
fn async_request_prospector() {
    assert_async_request::<Prospector>();
}

#[test]
fn async_request_qualify_company() {
    assert_async_request::<QualifyCompany>();
}

#[test]
fn async_request_call_prep() {
    assert_async_request::<CallPrep>();
}

#[test]
fn async_request_keeps_experiment_only() {
    let mut input: <Sequence as Agent>::Input = fixture("SequenceAgentInput");
    input.agent_o_id = None;
    input.experiment_o_id = Some("ae_...".to_owned());

    let request = Sequence::async_request(&input, CALLBACK_URL).expect("the input encodes");

    let AsyncAgentRunRequest::SequenceAsyncAgentInput(body) = &request else {
        panic!(
            "expected the Sequence variant, found {}",
            variant_name(&request)
        );
    };
    assert_eq!(body.experiment_o_id.as_deref(), Some("ae_..."));
    assert_eq!(request.agent_o_id(), None);
    let encoded = serde_json::to_value(&request).expect("generated types encode");
    assert!(encoded.get("agentOId").is_none(), "no agentOId is sent");
}

/// Splits the response fixture of agent `A` and compares each part with the response's JSON.
fn assert_split_response<A: Agent>() {
    let prefix = schema_prefix(A::KIND);
    let response: A::Response = fixture(&format!("{prefix}AgentResponse"));
    let encoded = serde_json::to_value(&response).expect("generated types encode");

    let parts = A::split_response(response);

    assert_eq!(
        Some(&Value::from(parts.found)),
        encoded.get("found"),
        "{prefix}: found"
    );
    assert_eq!(
        parts.message.as_deref(),
        encoded.get("message").and_then(Value::as_str),
        "{prefix}: message"
    );
    assert_eq!(
        Some(&serde_json::to_value(&parts.metadata).expect("metadata encodes")),
        encoded.get("_metadata"),
        "{prefix}: metadata"
    );
    assert_eq!(
        serde_json::to_value(&parts.data).expect("output encodes"),
        encoded.get("data").cloned().unwrap_or(Value::Null),
        "{prefix}: data"
    );
}

#[test]
fn split_response_returns_every_part() {
    assert_split_response::<EnrichCompany>();
    assert_split_response::<EnrichPerson>();
    assert_split_response::<Content>();
    assert_split_response::<Sequence>();
    assert_split_response::<QualifyPerson>();
    assert_split_response::<Prospector>();
    assert_split_response::<QualifyCompany>();
    assert_split_response::<CallPrep>();
}
