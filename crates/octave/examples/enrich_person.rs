//! Runs the Enrich Person agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example enrich_person
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::{AgentKind, PersonIdentifier, WaitOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::EnrichPerson).await?;
    let client = &setup.client;

    let result = client
        .enrich_person(
            &setup.agent_id,
            PersonIdentifier::linked_in_profile("https://www.linkedin.com/in/jane-doe/"),
        )
        .job_title("VP Sales")
        .run()
        .await?;
    let person = result.output.and_then(|output| output.person);
    println!(
        "Synchronous run {:?}: {:?} {:?}, {:?}",
        result.request_id,
        person.as_ref().and_then(|person| person.first_name.clone()),
        person.as_ref().and_then(|person| person.last_name.clone()),
        person.as_ref().and_then(|person| person.title.clone()),
    );

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .enrich_person(&setup.agent_id, PersonIdentifier::email("jane@example.com"))
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
