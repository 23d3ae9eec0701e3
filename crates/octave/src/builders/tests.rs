//! Builder tests that need no server: what the constructors and setters put in the input.

use octave_types::SequenceOutputFormat;
use octave_types::agents::{EnrichCompany, QualifyPerson};
use serde_json::json;

use super::*;
use crate::identifiers::{AgentTarget, CompanyIdentifier, PersonIdentifier};
use crate::wait::WaitOptions;

fn client() -> Client {
    Client::builder()
        .api_key("key")
        .base_url("http://127.0.0.1:1")
        .build()
        .expect("client")
}

#[test]
fn enrich_company_setters_fill_input() {
    let builder = client()
        .enrich_company("ca_1", CompanyIdentifier::domain("example.com"))
        .company_name("Example")
        .crm_account_id("acc_1")
        .experiment("ae_1")
        .runtime_context(json!({"user": {"oId": "user_123"}}))
        .include_full_annotation(true);

    let input = builder.input();
    assert_eq!(input.agent_o_id, "ca_1");
    assert_eq!(input.company_domain.as_deref(), Some("example.com"));
    assert_eq!(input.company_name.as_deref(), Some("Example"));
    assert_eq!(input.crm_account_id.as_deref(), Some("acc_1"));
    assert_eq!(input.experiment_o_id.as_deref(), Some("ae_1"));
    assert_eq!(
        input.runtime_context,
        Some(json!({"user": {"oId": "user_123"}}))
    );
    assert_eq!(input.include_full_annotation, Some(true));
    assert!(builder.check().is_ok());
}

#[test]
fn person_name_sets_company() {
    let builder = client().qualify_person(
        "ca_1",
        PersonIdentifier::name("Jane", CompanyIdentifier::name("Example")),
    );

    let input = builder.input();
    assert_eq!(input.first_name.as_deref(), Some("Jane"));
    assert_eq!(input.company_name.as_deref(), Some("Example"));
    assert_eq!(input.email, None);
    assert!(builder.check().is_ok());
}

#[test]
fn target_sets_exactly_one_id() {
    let client = client();
    let agent = client.content(AgentTarget::agent("ca_1"));
    assert_eq!(agent.input().agent_o_id.as_deref(), Some("ca_1"));
    assert_eq!(agent.input().experiment_o_id, None);

    let experiment = client.sequence(AgentTarget::experiment("ae_1"));
    assert_eq!(experiment.input().agent_o_id, None);
    assert_eq!(experiment.input().experiment_o_id.as_deref(), Some("ae_1"));
}

#[test]
fn sequence_steps_merge() {
    let builder = client()
        .sequence(AgentTarget::agent("ca_1"))
        .email("jane@example.com")
        .output_format(SequenceOutputFormat::Html)
        .context_for_all_emails("shared fact")
        .context_for_email(2, "second email fact")
        .instructions_for_all_emails("be brief");

    let input = builder.input();
    let context = input.runtime_context.as_ref().expect("context set");
    assert_eq!(context.get("all").map(String::as_str), Some("shared fact"));
    assert_eq!(
        context.get("2").map(String::as_str),
        Some("second email fact")
    );
    let instructions = input
        .runtime_instructions
        .as_ref()
        .expect("instructions set");
    assert_eq!(instructions.len(), 1);
    assert_eq!(input.output_format, Some(SequenceOutputFormat::Html));
    assert!(builder.check().is_ok());
}

#[test]
fn prospector_limit_checked_on_send() {
    let builder = client().prospector("ca_1").limit(1001);
    assert_eq!(builder.input().limit, Some(1001));
    assert!(matches!(
        builder.check(),
        Err(Error::InvalidInput { field, .. }) if field == "limit"
    ));
}

#[test]
fn callback_url_falls_back_to_default() {
    let with_default = Client::builder()
        .api_key("key")
        .base_url("http://127.0.0.1:1")
        .callback_url("https://example.com/cb")
        .build()
        .expect("client");
    assert_eq!(
        resolve_callback_url(&with_default, None).expect("default"),
        "https://example.com/cb"
    );
    assert_eq!(
        resolve_callback_url(&with_default, Some("https://other.test/cb")).expect("explicit"),
        "https://other.test/cb"
    );
    assert!(resolve_callback_url(&client(), None).is_err());
}

#[test]
fn generated_external_ids_are_random_hex() {
    let first = send::external_request_id(None).expect("id");
    let second = send::external_request_id(None).expect("id");
    assert_eq!(first.len(), 32);
    assert!(first.bytes().all(|byte| byte.is_ascii_hexdigit()));
    assert_ne!(first, second);
    let kept = send::external_request_id(Some("mine".into())).expect("id");
    assert_eq!(kept, "mine");
}

#[test]
fn client_and_futures_are_send() {
    fn assert_shareable<T: Clone + Send + Sync>() {}
    fn assert_send<T: Send>(_: &T) {}
    assert_shareable::<Client>();
    assert_shareable::<crate::RunHandle<EnrichCompany>>();

    let client = client();
    let run = client
        .enrich_company("ca_1", CompanyIdentifier::domain("example.com"))
        .run();
    assert_send(&run);
    let submit_and_wait = client
        .qualify_person("ca_1", PersonIdentifier::email("a@b.c"))
        .submit_and_wait(None, WaitOptions::new(std::time::Duration::from_secs(1)));
    assert_send(&submit_and_wait);
    let handle = crate::RunHandle::<QualifyPerson>::from_request_id(&client, "r");
    let wait = handle.wait(WaitOptions::new(std::time::Duration::from_secs(1)));
    assert_send(&wait);
    let dynamic = client.run_dynamic(octave_types::AgentKind::Content, json!({}));
    assert_send(&dynamic);
}
