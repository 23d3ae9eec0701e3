//! Qualifies many companies with `Client::bulk`, waiting for each run by callback.
//!
//! ```text
//! cargo run -p octave --example bulk_run
//! ```
//!
//! It starts the mock server in-process and listens for callbacks on 127.0.0.1, so it
//! needs no API key. The batch id makes a second run of the same batch reuse the runs of
//! the first, which the mock reports as deduplicated submits.

use std::error::Error;
use std::time::{Duration, Instant};

use futures::StreamExt;
use octave::agents::QualifyCompany;
use octave::callbacks::CallbackReceiver;
use octave::{AgentKind, Client, CompanyIdentifier};
use octave_mock::{MockConfig, MockServer, seeded_agent_id};

const COMPANIES: usize = 1_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let config = MockConfig {
        run_duration: Duration::from_millis(50),
        ..MockConfig::default()
    };
    let mock = MockServer::start(config).await?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .build()?;
    let receiver = CallbackReceiver::builder().bind("127.0.0.1:0").await?;
    receiver.attach(&client);

    let agent_id = seeded_agent_id(AgentKind::QualifyCompany);
    let domains: Vec<String> = (0..COMPANIES)
        .map(|index| format!("company-{index}.example.com"))
        .collect();

    for attempt in 1..=2 {
        let inputs: Vec<_> = domains
            .iter()
            .map(|domain| {
                client
                    .qualify_company(agent_id, CompanyIdentifier::domain(domain))
                    .into_input()
            })
            .collect();
        let started = Instant::now();
        let mut results = client
            .bulk::<QualifyCompany>()
            .concurrency(64)
            .batch_id("example-batch")
            .run(futures::stream::iter(inputs))?;

        let mut best: Option<(f64, usize)> = None;
        let mut failures = 0;
        while let Some(item) = results.next().await {
            match item.result {
                Ok(run) => {
                    let score = run.output.and_then(|output| output.score).unwrap_or(0.0);
                    if best.is_none_or(|(top, _)| score > top) {
                        best = Some((score, item.index));
                    }
                }
                Err(error) => {
                    failures += 1;
                    eprintln!("{}: {error}", domains[item.index]);
                }
            }
        }
        println!(
            "Attempt {attempt}: {COMPANIES} companies in {:.2} s, {failures} failed; best {:?}",
            started.elapsed().as_secs_f64(),
            best.map(|(score, index)| (&domains[index], score)),
        );
    }

    let stats = mock.stats();
    println!(
        "Mock: {} runs created, {} submits deduplicated, {} status polls",
        stats.runs_created, stats.duplicates_avoided, stats.status_polls
    );
    receiver.shutdown().await;
    mock.shutdown().await;
    Ok(())
}
