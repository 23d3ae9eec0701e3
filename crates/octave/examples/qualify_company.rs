//! Runs the Qualify Company agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example qualify_company
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::{AgentKind, CompanyIdentifier, WaitOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::QualifyCompany).await?;
    let client = &setup.client;

    let result = client
        .qualify_company(&setup.agent_id, CompanyIdentifier::domain("example.com"))
        .run()
        .await?;
    let output = result.output.as_ref();
    println!(
        "Synchronous run {:?}: score {:?}, because {:?}",
        result.request_id,
        output.and_then(|output| output.score),
        output.and_then(|output| output.rationale.clone()),
    );

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .qualify_company(&setup.agent_id, CompanyIdentifier::name("Example Inc."))
            .submit_and_wait(Some(&callback_url), setup.wait_options())
            .await?;
        match outcome {
            WaitOutcome::Succeeded(result) => println!(
                "Asynchronous run {:?}: score {:?}",
                result.request_id,
                result.output.and_then(|output| output.score)
            ),
            other => println!("Asynchronous run did not succeed: {other:?}"),
        }
    }

    setup.finish().await;
    Ok(())
}
