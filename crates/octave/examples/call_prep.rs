//! Runs the Call Prep agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example call_prep
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::{AgentKind, PersonIdentifier, WaitOutcome};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::CallPrep).await?;
    let client = &setup.client;

    let result = client
        .call_prep(&setup.agent_id, PersonIdentifier::email("jane@example.com"))
        .company_domain("example.com")
        .runtime_context(json!({"meeting": "Discovery call, 30 minutes"}))
        .run()
        .await?;
    let questions = result
        .output
        .and_then(|output| output.discovery_questions)
        .unwrap_or_default();
    println!("Synchronous run {:?}:", result.request_id);
    for question in &questions {
        println!("  - {question}");
    }

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .call_prep(&setup.agent_id, PersonIdentifier::email("sam@example.org"))
            .submit_and_wait(Some(&callback_url), setup.wait_options())
            .await?;
        match outcome {
            WaitOutcome::Succeeded(result) => println!(
                "Asynchronous run {:?}: script of {} characters",
                result.request_id,
                result
                    .output
                    .and_then(|output| output.call_script)
                    .map_or(0, |script| script.len())
            ),
            other => println!("Asynchronous run did not succeed: {other:?}"),
        }
    }

    setup.finish().await;
    Ok(())
}
