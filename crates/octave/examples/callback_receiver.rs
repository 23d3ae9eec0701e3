//! Waits for asynchronous runs by callback with a `CallbackReceiver`.
//!
//! ```text
//! cargo run -p octave --example callback_receiver
//! ```
//!
//! Without `OCTAVE_API_KEY` it starts the mock server in-process and listens for callbacks
//! on 127.0.0.1. With `OCTAVE_API_KEY` set it calls the Octave API, and also needs
//! `OCTAVE_AGENT_ID` (a saved Qualify Company agent) and `OCTAVE_CALLBACK_BASE_URL`, a
//! public URL that forwards to `OCTAVE_CALLBACK_LISTEN` (default `127.0.0.1:8080`).

use std::error::Error;
use std::time::Duration;

use octave::callbacks::CallbackReceiver;
use octave::{AgentKind, Client, CompanyIdentifier, WaitOptions, WaitOutcome};
use octave_mock::{MockConfig, MockServer, seeded_agent_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (client, agent_id, receiver, mock) = if std::env::var_os(octave::API_KEY_ENV).is_some() {
        let agent_id = std::env::var("OCTAVE_AGENT_ID")
            .map_err(|_| "OCTAVE_AGENT_ID is not set; set it to a saved Qualify Company agent")?;
        let public = std::env::var("OCTAVE_CALLBACK_BASE_URL").map_err(|_| {
            "OCTAVE_CALLBACK_BASE_URL is not set; set it to a public URL that forwards to \
             this machine"
        })?;
        let listen =
            std::env::var("OCTAVE_CALLBACK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
        let receiver = CallbackReceiver::bind(listen.as_str(), public).await?;
        (Client::from_env()?, agent_id, receiver, None)
    } else {
        let config = MockConfig {
            run_duration: Duration::from_millis(300),
            ..MockConfig::default()
        };
        let mock = MockServer::start(config).await?;
        println!(
            "OCTAVE_API_KEY is not set; using a mock server at {}",
            mock.url()
        );
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.url())
            .build()?;
        let receiver = CallbackReceiver::builder().bind("127.0.0.1:0").await?;
        let agent_id = seeded_agent_id(AgentKind::QualifyCompany).to_owned();
        (client, agent_id, receiver, Some(mock))
    };
    receiver.attach(&client);
    println!("Receiving callbacks under {}", receiver.public_base_url());

    // Polls are only a fallback: the first comes after a minute.
    let options = WaitOptions::new(Duration::from_secs(600))
        .min_interval(Duration::from_secs(60))
        .max_interval(Duration::from_secs(120));

    // The simplest way: the receiver hands out the URL, and the callback ends the wait.
    let outcome = client
        .qualify_company(&agent_id, CompanyIdentifier::domain("example.com"))
        .submit_and_wait(None, options.clone())
        .await?;
    report("submit_and_wait", outcome);

    // submit binds the receiver's URL to the request id, so the callback is trusted without
    // a poll. `register_run` does the same for a run submitted by other means.
    let url = receiver.callback_url();
    let handle = client
        .qualify_company(&agent_id, CompanyIdentifier::domain("example.org"))
        .submit(&url)
        .await?;
    report("registered run", handle.wait(options).await?);

    println!("Receiver counters: {:?}", receiver.stats());
    receiver.shutdown().await;
    if let Some(mock) = mock {
        println!("Status polls: {}", mock.stats().status_polls);
        mock.shutdown().await;
    }
    Ok(())
}

fn report(label: &str, outcome: WaitOutcome<octave::types::QualifyCompanyAgentOutput>) {
    match outcome {
        WaitOutcome::Succeeded(run) => println!(
            "{label}: run {:?} scored {:?}",
            run.request_id,
            run.output.and_then(|output| output.score)
        ),
        other => println!("{label}: run did not succeed: {other:?}"),
    }
}
