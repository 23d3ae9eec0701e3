//! Runs the Enrich Company agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example enrich_company
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::{AgentKind, CompanyIdentifier, WaitOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::EnrichCompany).await?;
    let client = &setup.client;

    let result = client
        .enrich_company(&setup.agent_id, CompanyIdentifier::domain("example.com"))
        .include_full_annotation(true)
        .run()
        .await?;
    let company = result.output.and_then(|output| output.company);
    println!(
        "Synchronous run {:?}: {:?} in {:?}, {:?} employees",
        result.request_id,
        company.as_ref().and_then(|company| company.name.clone()),
        company
            .as_ref()
            .and_then(|company| company.industry.clone()),
        company.as_ref().and_then(|company| company.employee_count),
    );

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .enrich_company(&setup.agent_id, CompanyIdentifier::name("Example Inc."))
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
