//! Round trips of every schema in `openapi/octave.yaml`: each fixture decodes into the type
//! generated for its schema, encodes back to the same JSON, and decodes again to an equal value.

mod common;

use std::collections::BTreeSet;
use std::fmt::Debug;

use octave_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use common::{fixture, fixture_value, fixtures_dir};

/// Returns `value` in the form a round trip is compared in. Object members that are `null` are
/// dropped because `None` fields are skipped on output, and numbers become `f64` because fields
/// of JSON type `number` are `f64` and encode a `0` from the service as `0.0`.
fn comparable(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(_, field)| !field.is_null())
                .map(|(key, field)| (key.clone(), comparable(field)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(comparable).collect()),
        Value::Number(number) => number.as_f64().map_or(Value::Null, Value::from),
        other => other.clone(),
    }
}

/// Returns where `actual` first differs from `expected`, as a JSON pointer with both values.
fn first_difference(expected: &Value, actual: &Value, pointer: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(expected_fields), Value::Object(actual_fields)) => {
            let keys: BTreeSet<&String> =
                expected_fields.keys().chain(actual_fields.keys()).collect();
            keys.into_iter().find_map(|key| {
                let path = format!("{pointer}/{key}");
                match (expected_fields.get(key), actual_fields.get(key)) {
                    (Some(left), Some(right)) => first_difference(left, right, &path),
                    (Some(left), None) => Some(format!("{path}: {left} was lost")),
                    (None, Some(right)) => Some(format!("{path}: {right} was added")),
                    (None, None) => None,
                }
            })
        }
        (Value::Array(expected_items), Value::Array(actual_items))
            if expected_items.len() == actual_items.len() =>
        {
            expected_items
                .iter()
                .zip(actual_items)
                .enumerate()
                .find_map(|(index, (left, right))| {
                    first_difference(left, right, &format!("{pointer}/{index}"))
                })
        }
        _ if expected == actual => None,
        _ => Some(format!("{pointer}: expected {expected}, found {actual}")),
    }
}

/// Decodes the fixture of `schema` into `T`, encodes it, compares the JSON, then decodes the
/// encoded JSON and compares the typed values.
fn assert_round_trip<T>(schema: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let original = fixture_value(schema);
    let decoded: T = fixture(schema);
    let encoded = serde_json::to_value(&decoded)
        .unwrap_or_else(|error| panic!("{schema}: the decoded fixture does not encode: {error}"));

    if let Some(difference) = first_difference(&comparable(&original), &comparable(&encoded), "") {
        panic!("{schema}: encoding the decoded fixture changed the JSON at {difference}");
    }

    let decoded_again: T = serde_json::from_value(encoded)
        .unwrap_or_else(|error| panic!("{schema}: the encoded value does not decode: {error}"));
    assert_eq!(
        decoded_again, decoded,
        "{schema}: decoding the encoded value gave a different value"
    );
}

/// Expands to the Rust type a fixture decodes into: `Vec<T>` for `[T]`, a fixture that is a
/// JSON array of values of the schema, and `T` otherwise.
macro_rules! decoded_type {
    ([$schema:ident]) => { Vec<$schema> };
    ($schema:ident) => { $schema };
}

/// Expands to the name of the schema, which is also the fixture's file name.
macro_rules! schema_name {
    ([$schema:ident]) => {
        stringify!($schema)
    };
    ($schema:ident) => {
        stringify!($schema)
    };
}

/// One line per schema: `test_name: Schema;` or, for a fixture that lists several values,
/// `test_name: [Schema];`. Generates a test per line and `ROUND_TRIPPED_SCHEMAS`.
macro_rules! round_trip_tests {
    ($($(#[$attribute:meta])* $test:ident: $schema:tt;)*) => {
        /// Names of the schemas that have a round-trip test below.
        const ROUND_TRIPPED_SCHEMAS: &[&str] = &[$(schema_name!($schema)),*];

        mod round_trips {
            use super::*;

            $(
                $(#[$attribute])*
                #[test]
                fn $test() {
                    assert_round_trip::<decoded_type!($schema)>(schema_name!($schema));
                }
            )*
        }
    };
}

round_trip_tests! {
    run_status: [RunStatus];
    agent_type: [AgentType];
    sequence_output_format: [SequenceOutputFormat];
    match_confidence: [MatchConfidence];
    agent_order_field: [AgentOrderField];
    order_direction: [OrderDirection];
    api_key_status: [ApiKeyStatus];
    metadata: Metadata;
    error_response: ErrorResponse;
    o_id_reference: OIdReference;
    custom_context: CustomContext;
    sequence_step_text: SequenceStepText;
    string_match: StringMatch;
    string_filter: StringFilter;
    person_location_filter: PersonLocationFilter;
    search_context: SearchContext;
    enrich_company_agent_input: EnrichCompanyAgentInput;
    enrich_person_agent_input: EnrichPersonAgentInput;
    content_agent_input: ContentAgentInput;
    sequence_agent_input: SequenceAgentInput;
    qualify_person_agent_input: QualifyPersonAgentInput;
    prospector_agent_input: ProspectorAgentInput;
    qualify_company_agent_input: QualifyCompanyAgentInput;
    call_prep_agent_input: CallPrepAgentInput;
    async_run_options: AsyncRunOptions;
    enrich_company_async_agent_input: EnrichCompanyAsyncAgentInput;
    enrich_person_async_agent_input: EnrichPersonAsyncAgentInput;
    content_async_agent_input: ContentAsyncAgentInput;
    sequence_async_agent_input: SequenceAsyncAgentInput;
    qualify_person_async_agent_input: QualifyPersonAsyncAgentInput;
    prospector_async_agent_input: ProspectorAsyncAgentInput;
    qualify_company_async_agent_input: QualifyCompanyAsyncAgentInput;
    call_prep_async_agent_input: CallPrepAsyncAgentInput;
    async_agent_run_accepted: AsyncAgentRunAccepted;
    async_agent_run_status_response: AsyncAgentRunStatusResponse;
    async_agent_run_status: AsyncAgentRunStatus;
    agent_callback_payload: AgentCallbackPayload;
    enrich_company_agent_response: EnrichCompanyAgentResponse;
    enrich_person_agent_response: EnrichPersonAgentResponse;
    content_agent_response: ContentAgentResponse;
    sequence_agent_response: SequenceAgentResponse;
    qualify_person_agent_response: QualifyPersonAgentResponse;
    prospector_agent_response: ProspectorAgentResponse;
    qualify_company_agent_response: QualifyCompanyAgentResponse;
    call_prep_agent_response: CallPrepAgentResponse;
    enrich_company_agent_output: EnrichCompanyAgentOutput;
    enrich_person_agent_output: EnrichPersonAgentOutput;
    content_agent_output: ContentAgentOutput;
    sequence_agent_output: SequenceAgentOutput;
    qualify_person_agent_output: QualifyPersonAgentOutput;
    prospector_agent_output: ProspectorAgentOutput;
    qualify_company_agent_output: QualifyCompanyAgentOutput;
    call_prep_agent_output: CallPrepAgentOutput;
    company: Company;
    company_location: CompanyLocation;
    funding_round: FundingRound;
    matched_product: MatchedProduct;
    product_details: ProductDetails;
    custom_field: CustomField;
    qualifying_question: QualifyingQuestion;
    matched_playbook: MatchedPlaybook;
    matched_persona: MatchedPersona;
    persona_details: PersonaDetails;
    matched_entity: MatchedEntity;
    qualification_block: QualificationBlock;
    qualification: Qualification;
    qualification_answer: QualificationAnswer;
    person: Person;
    prospect: Prospect;
    sequence_email: SequenceEmail;
    sequence_email_sections: SequenceEmailSections;
    list_agents_response: ListAgentsResponse;
    agent_summary: AgentSummary;
    get_agent_response: GetAgentResponse;
    agent_details: AgentDetails;
    agent_types_response: AgentTypesResponse;
    agent_type_info: AgentTypeInfo;
    validate_api_key_response: ValidateApiKeyResponse;
    api_key_credits: ApiKeyCredits;
}

/// Returns the names under `components/schemas` of `openapi/octave.yaml`.
fn spec_schema_names() -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/octave.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let spec: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not valid YAML: {error}", path.display()));
    let schemas = spec
        .get("components")
        .and_then(|components| components.get("schemas"))
        .and_then(serde_yaml_ng::Value::as_mapping)
        .unwrap_or_else(|| panic!("{} has no components/schemas mapping", path.display()));
    schemas
        .keys()
        .map(|key| {
            key.as_str()
                .unwrap_or_else(|| panic!("schema name {key:?} is not a string"))
                .to_owned()
        })
        .collect()
}

/// Returns the names of the fixture files, without `.json`.
fn fixture_names() -> BTreeSet<String> {
    let dir = fixtures_dir();
    std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("fixture folder entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect()
}

#[test]
fn every_schema_has_fixture_and_test() {
    let schemas = spec_schema_names();
    assert!(
        schemas.len() >= 80,
        "found only {} schemas in the spec",
        schemas.len()
    );
    let fixtures = fixture_names();
    // The async union is decoded per agent kind by `async_request_union_decodes_without_loss`.
    let tested: BTreeSet<&str> = ROUND_TRIPPED_SCHEMAS
        .iter()
        .copied()
        .chain(["AsyncAgentRunRequest"])
        .collect();

    let without_fixture: Vec<&String> = schemas.difference(&fixtures).collect();
    assert!(
        without_fixture.is_empty(),
        "these schemas have no fixture in tests/fixtures (add <Schema>.json): {without_fixture:?}"
    );
    let without_test: Vec<&String> = schemas
        .iter()
        .filter(|schema| !tested.contains(schema.as_str()))
        .collect();
    assert!(
        without_test.is_empty(),
        "these schemas have no line in round_trip_tests!: {without_test:?}"
    );
}

#[test]
fn every_fixture_names_a_schema() {
    let schemas = spec_schema_names();
    let stale: Vec<String> = fixture_names().difference(&schemas).cloned().collect();
    assert!(
        stale.is_empty(),
        "these fixtures match no schema in openapi/octave.yaml (rename or delete them): {stale:?}"
    );
    let unknown: Vec<&str> = ROUND_TRIPPED_SCHEMAS
        .iter()
        .copied()
        .filter(|schema| !schemas.contains(*schema))
        .collect();
    assert!(
        unknown.is_empty(),
        "round_trip_tests! names schemas that the spec does not define: {unknown:?}"
    );
}

/// Decodes the fixture of `schema` into `T` and returns the fixture and the re-encoded JSON.
fn fixture_and_encoding<T: Serialize + DeserializeOwned>(schema: &str) -> (Value, Value) {
    let decoded: T = fixture(schema);
    let encoded = serde_json::to_value(&decoded).expect("generated types encode");
    (fixture_value(schema), encoded)
}

/// Asserts that the fixture contains a value at each pointer and that the encoding contains the
/// same value there.
fn assert_kept(schema: &str, original: &Value, encoded: &Value, pointers: &[&str]) {
    for pointer in pointers {
        let expected = original
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{schema}.json has no value at {pointer}"));
        assert_eq!(
            encoded.pointer(pointer),
            Some(expected),
            "{schema}: the field at {pointer} did not survive decode and encode"
        );
    }
}

#[test]
fn output_extra_fields_survive_round_trip() {
    let schema = "EnrichCompanyAgentOutput";
    let output: EnrichCompanyAgentOutput = fixture(schema);
    let original = fixture_value(schema);

    assert_eq!(output.extra.get("competitors"), original.get("competitors"));
    assert_eq!(output.extra.get("annotations"), original.get("annotations"));
    let company = output.company.as_ref().expect("fixture has a company");
    assert_eq!(
        company.extra.get("linkedInUrl"),
        original.pointer("/company/linkedInUrl")
    );
    let location = company.location.as_ref().expect("fixture has a location");
    assert_eq!(
        location.extra.get("timezone"),
        original.pointer("/company/location/timezone")
    );
    assert_eq!(
        company
            .crunch_base_funding
            .as_ref()
            .expect("funding rounds")[1]
            .extra
            .get("leadInvestor"),
        original.pointer("/company/crunchBaseFunding/1/leadInvestor")
    );

    let (original, encoded) = fixture_and_encoding::<EnrichCompanyAgentOutput>(schema);
    assert_kept(
        schema,
        &original,
        &encoded,
        &[
            "/competitors",
            "/annotations",
            "/company/linkedInUrl",
            "/company/technologies",
            "/company/location/timezone",
            "/company/crunchBaseFunding/1/leadInvestor",
            "/product/matchScore",
            "/product/data/pricingModel",
            "/product/data/customFields/0/fieldType",
            "/product/qualifyingQuestions/0/createdBy",
            "/playbook/archived",
            "/useCases/0/priority",
        ],
    );
}

/// Decodes a schema's fixture and returns the fixture and the re-encoded JSON.
type RoundTrip = fn(&str) -> (Value, Value);

#[test]
fn extra_fields_survive_in_every_output() {
    let cases: [(&str, RoundTrip, &[&str]); 8] = [
        (
            "EnrichPersonAgentOutput",
            fixture_and_encoding::<EnrichPersonAgentOutput>,
            &[
                "/segment",
                "/person/headline",
                "/person/company/linkedInUrl",
                "/persona/seniority",
                "/persona/data/objections",
            ],
        ),
        (
            "ContentAgentOutput",
            fixture_and_encoding::<ContentAgentOutput>,
            &["/proofPoints"],
        ),
        (
            "SequenceAgentOutput",
            fixture_and_encoding::<SequenceAgentOutput>,
            &[
                "/segment",
                "/referenceCustomers",
                "/emails/0/step",
                "/emails/0/sections/wordCount",
            ],
        ),
        (
            "QualifyPersonAgentOutput",
            fixture_and_encoding::<QualifyPersonAgentOutput>,
            &[
                "/disqualifiers",
                "/product/evaluatedAt",
                "/product/qualification/maxScore",
                "/product/qualification/answers/0/sources",
            ],
        ),
        (
            "ProspectorAgentOutput",
            fixture_and_encoding::<ProspectorAgentOutput>,
            &[
                "/totalFound",
                "/searchId",
                "/people/0/email",
                "/people/0/company/technologies",
            ],
        ),
        (
            "QualifyCompanyAgentOutput",
            fixture_and_encoding::<QualifyCompanyAgentOutput>,
            &[
                "/tier",
                "/company/location/timezone",
                "/segment/qualification/answers/0/confidence",
            ],
        ),
        (
            "CallPrepAgentOutput",
            fixture_and_encoding::<CallPrepAgentOutput>,
            &["/objectionHandling"],
        ),
        (
            "AgentCallbackPayload",
            fixture_and_encoding::<AgentCallbackPayload>,
            &["/deliveryAttempt", "/externalRequestId"],
        ),
    ];
    for (schema, round_trip, pointers) in cases {
        let (original, encoded) = round_trip(schema);
        assert_kept(schema, &original, &encoded, pointers);
    }
}

#[test]
fn unknown_run_status_kept_verbatim() {
    let schema = "AsyncAgentRunStatusResponse";
    let response: AsyncAgentRunStatusResponse = fixture(schema);
    assert_eq!(
        response.data.status,
        Some(RunStatus::Unknown("queued".to_owned()))
    );

    let (_, encoded) = fixture_and_encoding::<AsyncAgentRunStatusResponse>(schema);
    assert_eq!(
        encoded.pointer("/data/status"),
        Some(&Value::from("queued"))
    );
}

#[test]
fn unknown_agent_type_kept_verbatim() {
    let schema = "ListAgentsResponse";
    let response: ListAgentsResponse = fixture(schema);
    assert_eq!(
        response.data[1].type_,
        Some(AgentType::Unknown("FUTURE_AGENT".to_owned()))
    );

    let (_, encoded) = fixture_and_encoding::<ListAgentsResponse>(schema);
    assert_eq!(
        encoded.pointer("/data/1/type"),
        Some(&Value::from("FUTURE_AGENT"))
    );
}

#[test]
fn unknown_match_confidence_kept_verbatim() {
    let schema = "EnrichCompanyAgentOutput";
    let output: EnrichCompanyAgentOutput = fixture(schema);
    let playbook = output.playbook.expect("fixture has a playbook");
    assert_eq!(
        playbook.match_confidence,
        Some(MatchConfidence::Unknown("VERY_HIGH".to_owned()))
    );

    let (_, encoded) = fixture_and_encoding::<EnrichCompanyAgentOutput>(schema);
    assert_eq!(
        encoded.pointer("/playbook/matchConfidence"),
        Some(&Value::from("VERY_HIGH"))
    );
}

/// For an enum fixture (every documented value, then one unknown value), checks that the
/// documented values decode to known variants in the spec's order and the last to `Unknown`.
macro_rules! assert_enum_fixture {
    ($schema:ident) => {{
        let values: Vec<$schema> = fixture(stringify!($schema));
        let (unknown, known) = values.split_last().expect("enum fixture is not empty");
        let known_names: Vec<&str> = known.iter().map(|value| value.as_str()).collect();
        assert_eq!(
            known_names,
            $schema::KNOWN,
            "{}: the fixture must list every documented value in the spec's order",
            stringify!($schema)
        );
        for value in known {
            assert!(
                value.is_known(),
                "{}: {value:?} decoded as unknown",
                stringify!($schema)
            );
        }
        assert!(
            matches!(unknown, $schema::Unknown(_)),
            "{}: the last fixture value {unknown:?} should be unknown",
            stringify!($schema)
        );
    }};
}

#[test]
fn enum_fixtures_cover_every_value() {
    assert_enum_fixture!(RunStatus);
    assert_enum_fixture!(AgentType);
    assert_enum_fixture!(SequenceOutputFormat);
    assert_enum_fixture!(MatchConfidence);
    assert_enum_fixture!(AgentOrderField);
    assert_enum_fixture!(OrderDirection);
    assert_enum_fixture!(ApiKeyStatus);
}

/// Asserts that the fixture of `schema` contains `null` at `pointer`, so a check that the decoded
/// field is `None` tests a null and not a missing member.
fn assert_fixture_null(schema: &str, pointer: &str) {
    assert_eq!(
        fixture_value(schema).pointer(pointer),
        Some(&Value::Null),
        "{schema}.json should hold null at {pointer}"
    );
}

#[test]
fn null_fields_decode_as_none() {
    assert_fixture_null("EnrichCompanyAgentInput", "/crmAccountId");
    let input: EnrichCompanyAgentInput = fixture("EnrichCompanyAgentInput");
    assert_eq!(input.crm_account_id, None);

    assert_fixture_null("QualifyPersonAgentInput", "/runtimeContext");
    let input: QualifyPersonAgentInput = fixture("QualifyPersonAgentInput");
    assert_eq!(input.runtime_context, None);

    assert_fixture_null("AsyncAgentRunStatusResponse", "/data/result");
    assert_fixture_null("AsyncAgentRunStatusResponse", "/data/error");
    let response: AsyncAgentRunStatusResponse = fixture("AsyncAgentRunStatusResponse");
    assert_eq!(response.data.result, None);
    assert_eq!(response.data.error, None);

    assert_fixture_null("ContentAgentOutput", "/jsonContent");
    let output: ContentAgentOutput = fixture("ContentAgentOutput");
    assert_eq!(output.json_content, None);

    assert_fixture_null("SequenceAgentResponse", "/message");
    let response: SequenceAgentResponse = fixture("SequenceAgentResponse");
    assert_eq!(response.message, None);

    assert_fixture_null("ProspectorAgentResponse", "/data");
    let response: ProspectorAgentResponse = fixture("ProspectorAgentResponse");
    assert_eq!(response.data, None);

    assert_fixture_null("ProspectorAgentOutput", "/people/1/positions");
    let output: ProspectorAgentOutput = fixture("ProspectorAgentOutput");
    assert_eq!(output.people.as_ref().expect("people")[1].positions, None);

    assert_fixture_null("ListAgentsResponse", "/data/1/description");
    let response: ListAgentsResponse = fixture("ListAgentsResponse");
    assert_eq!(response.data[1].description, None);

    assert_fixture_null("QualifyingQuestion", "/archivedAt");
    let question: QualifyingQuestion = fixture("QualifyingQuestion");
    assert_eq!(question.archived_at, None);

    assert_fixture_null("AgentCallbackPayload", "/error");
    let payload: AgentCallbackPayload = fixture("AgentCallbackPayload");
    assert_eq!(payload.error, None);
    assert!(
        !payload.extra.contains_key("error"),
        "a null known field must not land in extra"
    );
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

#[test]
fn async_request_variants_encode_flat() {
    let requests: [AsyncAgentRunRequest; 8] = [
        fixture::<EnrichCompanyAsyncAgentInput>("EnrichCompanyAsyncAgentInput").into(),
        fixture::<EnrichPersonAsyncAgentInput>("EnrichPersonAsyncAgentInput").into(),
        fixture::<ContentAsyncAgentInput>("ContentAsyncAgentInput").into(),
        fixture::<SequenceAsyncAgentInput>("SequenceAsyncAgentInput").into(),
        fixture::<QualifyPersonAsyncAgentInput>("QualifyPersonAsyncAgentInput").into(),
        fixture::<ProspectorAsyncAgentInput>("ProspectorAsyncAgentInput").into(),
        fixture::<QualifyCompanyAsyncAgentInput>("QualifyCompanyAsyncAgentInput").into(),
        fixture::<CallPrepAsyncAgentInput>("CallPrepAsyncAgentInput").into(),
    ];
    let bodies = fixture_value("AsyncAgentRunRequest");
    let bodies = bodies.as_array().expect("the union fixture is an array");
    assert_eq!(bodies.len(), requests.len(), "one body per agent");

    for (request, body) in requests.iter().zip(bodies) {
        let schema = variant_name(request);
        assert_eq!(
            comparable(body),
            comparable(&fixture_value(schema)),
            "the union fixture's body for {schema} differs from {schema}.json"
        );
        let encoded = serde_json::to_value(request).expect("generated types encode");
        if let Some(difference) = first_difference(&comparable(body), &comparable(&encoded), "") {
            panic!("{schema} in the union encodes differently from its body at {difference}");
        }
    }
}

#[test]
fn async_request_union_decodes_without_loss() {
    let bodies = fixture_value("AsyncAgentRunRequest");
    let bodies = bodies.as_array().expect("the union fixture is an array");
    let expected_variants = [
        "EnrichCompanyAsyncAgentInput",
        "EnrichPersonAsyncAgentInput",
        "ContentAsyncAgentInput",
        "SequenceAsyncAgentInput",
        "QualifyPersonAsyncAgentInput",
        "ProspectorAsyncAgentInput",
        "QualifyCompanyAsyncAgentInput",
        "CallPrepAsyncAgentInput",
    ];
    assert_eq!(bodies.len(), expected_variants.len(), "one body per agent");

    let mut problems = Vec::new();
    for ((body, expected_variant), kind) in bodies.iter().zip(expected_variants).zip(AgentKind::ALL)
    {
        let request = AsyncAgentRunRequest::from_value_for(kind, body.clone())
            .unwrap_or_else(|error| panic!("the {expected_variant} body does not decode: {error}"));
        let encoded = comparable(&serde_json::to_value(&request).expect("generated types encode"));
        let original = comparable(body);
        let lost: Vec<&String> = original
            .as_object()
            .expect("each body is an object")
            .keys()
            .filter(|key| encoded.get(key.as_str()) != original.get(key.as_str()))
            .collect();
        if !lost.is_empty() {
            problems.push(format!(
                "the {expected_variant} body decoded as {} and lost {lost:?}",
                variant_name(&request)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
