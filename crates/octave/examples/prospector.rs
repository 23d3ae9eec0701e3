//! Runs the Prospector agent synchronously, then asynchronously with polling.
//!
//! ```text
//! cargo run -p octave --example prospector
//! ```
//!
//! With `OCTAVE_API_KEY` and `OCTAVE_AGENT_ID` set it calls the Octave API (asynchronous
//! runs also need `OCTAVE_CALLBACK_URL`); otherwise it starts the mock server in-process.

mod common;

use octave::types::SearchContext;
use octave::{AgentKind, WaitOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::Setup::start(AgentKind::Prospector).await?;
    let client = &setup.client;

    let search = SearchContext {
        fuzzy_titles: vec!["Head of Sales".to_owned(), "VP Revenue".to_owned()],
        ..SearchContext::default()
    };
    let result = client
        .prospector(&setup.agent_id)
        .company_domain("example.com")
        .limit(5)
        .search_context(search)
        .run()
        .await?;
    let people = result
        .output
        .and_then(|output| output.people)
        .unwrap_or_default();
    println!(
        "Synchronous run {:?}: {} people",
        result.request_id,
        people.len()
    );
    for person in &people {
        println!(
            "  {} {}, {}",
            person.first_name.as_deref().unwrap_or("?"),
            person.last_name.as_deref().unwrap_or("?"),
            person.title.as_deref().unwrap_or("no title"),
        );
    }

    if let Some(callback_url) = setup.callback_url() {
        let outcome = client
            .prospector(&setup.agent_id)
            .company_domain("example.org")
            .minimal(false)
            .submit_and_wait(Some(&callback_url), setup.wait_options())
            .await?;
        match outcome {
            WaitOutcome::Succeeded(result) => println!(
                "Asynchronous run {:?}: {} people",
                result.request_id,
                result
                    .output
                    .and_then(|output| output.people)
                    .map_or(0, |people| people.len())
            ),
            other => println!("Asynchronous run did not succeed: {other:?}"),
        }
    }

    setup.finish().await;
    Ok(())
}
