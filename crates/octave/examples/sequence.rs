//! Runs the Sequence agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example sequence
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::types::SequenceOutputFormat;
use octave::{AgentKind, AgentTarget, CompanyIdentifier, PersonIdentifier, WaitOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::Sequence).await?;
    let client = &setup.client;

    let result = client
        .sequence(AgentTarget::agent(&setup.agent_id))
        .person(PersonIdentifier::name(
            "Jane",
            CompanyIdentifier::domain("example.com"),
        ))
        .job_title("Head of Revenue")
        .output_format(SequenceOutputFormat::Text)
        .context_for_all_emails("They opened a second office in Lisbon last month.")
        .instructions_for_email(1, "Keep it under 90 words.")
        .run()
        .await?;
    let emails = result
        .output
        .and_then(|output| output.emails)
        .unwrap_or_default();
    println!(
        "Synchronous run {:?}: {} emails",
        result.request_id,
        emails.len()
    );
    for (step, email) in emails.iter().enumerate() {
        println!(
            "  {}. {}",
            step + 1,
            email.subject.as_deref().unwrap_or("(no subject)")
        );
    }

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .sequence(AgentTarget::agent(&setup.agent_id))
            .person(PersonIdentifier::email("jane@example.com"))
            .lang("es")
            .submit_and_wait(Some(&callback_url), setup.wait_options())
            .await?;
        match outcome {
            WaitOutcome::Succeeded(result) => println!(
                "Asynchronous run {:?}: found = {}",
                result.request_id, result.found
            ),
            other => println!("Asynchronous run did not succeed: {other:?}"),
        }
    }

    setup.finish().await;
    Ok(())
}
