//! Runs the Content agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example content
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::{AgentKind, AgentTarget, PersonIdentifier, WaitOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::Content).await?;
    let client = &setup.client;

    let result = client
        .content(AgentTarget::agent(&setup.agent_id))
        .person(PersonIdentifier::email("jane@example.com"))
        .url("https://example.com/blog/launch")
        .output_format("MARKDOWN")
        .run()
        .await?;
    let content = result.output.and_then(|output| output.content);
    println!(
        "Synchronous run {:?}:\n{}",
        result.request_id,
        content.unwrap_or_default()
    );

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .content(AgentTarget::agent(&setup.agent_id))
            .company_domain("example.com")
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
