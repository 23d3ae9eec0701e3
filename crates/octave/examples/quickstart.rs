//! Runs all eight agents synchronously, then two asynchronously: one completed by a callback
//! and one by polling.
//!
//! Without `OCTAVE_BASE_URL` it starts the mock server in-process and needs nothing else.
//! With `OCTAVE_BASE_URL` and `OCTAVE_API_KEY` set, it runs against that service and uses the
//! first saved agent of each kind in the workspace. The callback run then needs
//! `OCTAVE_CALLBACK_BASE_URL`: a public URL that forwards to this process's receiver on
//! `OCTAVE_CALLBACK_LISTEN` (default 127.0.0.1:8085), and the polling run needs
//! `OCTAVE_CALLBACK_URL`, any URL the service may POST to. Without them, those runs are skipped.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use std::collections::BTreeMap;
use std::error::Error;
use std::time::Duration;

use octave::callbacks::CallbackReceiver;
use octave::types::{
    CallPrepAgentOutput, ContentAgentOutput, EnrichCompanyAgentOutput, EnrichPersonAgentOutput,
    ProspectorAgentOutput, QualifyCompanyAgentOutput, QualifyPersonAgentOutput,
    SequenceAgentOutput,
};
use octave::{
    AgentKind, AgentTarget, Client, CompanyIdentifier, ListAgentsQuery, PersonIdentifier,
    RunOutput, WaitOptions, WaitOutcome,
};
use octave_mock::{MockConfig, MockServer, seeded_agent_id};

/// Maximum time to wait for either asynchronous run.
const WAIT_DEADLINE: Duration = Duration::from_secs(600);

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let target = Target::connect().await?;
    let client = &target.client;
    let agents = &target.agent_ids;

    println!("Synchronous runs");
    for kind in AgentKind::ALL {
        match agents.get(&kind) {
            Some(agent_id) => run_sync(client, kind, agent_id).await?,
            None => println!("  {:<16} skipped: no saved agent of this kind", kind.slug()),
        }
    }

    println!("\nAsynchronous runs");
    if let Some(agent_id) = agents.get(&AgentKind::QualifyCompany) {
        run_with_callback(&target, agent_id).await?;
    }
    if let Some(agent_id) = agents.get(&AgentKind::EnrichCompany) {
        run_with_polling(&target, agent_id).await?;
    }

    target.shutdown().await;
    Ok(())
}

/// Runs one agent synchronously and prints a one-line summary of its typed output.
async fn run_sync(client: &Client, kind: AgentKind, agent_id: &str) -> Result<(), Box<dyn Error>> {
    let company = || CompanyIdentifier::domain("example.com");
    let person = || PersonIdentifier::email("jane.doe@example.com");

    let summary = match kind {
        AgentKind::EnrichCompany => {
            let run = client.enrich_company(agent_id, company()).run().await?;
            summarize(&run, describe_enriched_company)
        }
        AgentKind::EnrichPerson => {
            let run = client.enrich_person(agent_id, person()).run().await?;
            summarize(&run, describe_enriched_person)
        }
        AgentKind::Content => {
            let run = client
                .content(AgentTarget::agent(agent_id))
                .person(person())
                .run()
                .await?;
            summarize(&run, describe_content)
        }
        AgentKind::Sequence => {
            let run = client
                .sequence(AgentTarget::agent(agent_id))
                .person(person())
                .context_for_all_emails("They are hiring their first sales team.")
                .run()
                .await?;
            summarize(&run, describe_sequence)
        }
        AgentKind::QualifyPerson => {
            let run = client.qualify_person(agent_id, person()).run().await?;
            summarize(&run, describe_qualified_person)
        }
        AgentKind::Prospector => {
            let run = client
                .prospector(agent_id)
                .company_domain("example.com")
                .limit(5)
                .run()
                .await?;
            summarize(&run, describe_prospects)
        }
        AgentKind::QualifyCompany => {
            let run = client.qualify_company(agent_id, company()).run().await?;
            summarize(&run, describe_qualified_company)
        }
        AgentKind::CallPrep => {
            let run = client.call_prep(agent_id, person()).run().await?;
            summarize(&run, describe_call_prep)
        }
        _ => "not covered by this example".to_owned(),
    };
    println!("  {:<16} {summary}", kind.slug());
    Ok(())
}

/// Submits a Qualify Company run whose callback ends the wait.
async fn run_with_callback(target: &Target, agent_id: &str) -> Result<(), Box<dyn Error>> {
    let Some(receiver) = &target.receiver else {
        println!("  callback         skipped: set OCTAVE_CALLBACK_BASE_URL to a public URL");
        return Ok(());
    };

    let outcome = target
        .client
        .qualify_company(agent_id, CompanyIdentifier::domain("example.org"))
        .submit_and_wait(None, WaitOptions::new(WAIT_DEADLINE))
        .await?;
    let delivery = format!(
        "{} callback(s) received, {} verified",
        receiver.stats().received,
        receiver.stats().verified
    );
    print_outcome("callback", outcome, describe_qualified_company, &delivery);
    Ok(())
}

/// Submits an Enrich Company run and waits for it by polling the status endpoint.
async fn run_with_polling(target: &Target, agent_id: &str) -> Result<(), Box<dyn Error>> {
    let Some(callback_url) = &target.polling_callback_url else {
        println!("  polling          skipped: set OCTAVE_CALLBACK_URL");
        return Ok(());
    };

    // This client has no callback receiver attached, so only polls can end its wait.
    let handle = target
        .polling_client
        .enrich_company(agent_id, CompanyIdentifier::domain("example.net"))
        .submit(callback_url)
        .await?;
    println!("  polling          submitted {}", handle.request_id());

    // The mock finishes runs in under a second, and the service recommends polls 5 to 10 s
    // apart, which the default options follow.
    let options = match target.mock {
        Some(_) => WaitOptions::new(WAIT_DEADLINE)
            .min_interval(Duration::from_millis(250))
            .max_interval(Duration::from_secs(1)),
        None => WaitOptions::new(WAIT_DEADLINE),
    };
    let outcome = handle.wait(options).await?;
    print_outcome("polling", outcome, describe_enriched_company, "by polling");
    Ok(())
}

fn print_outcome<O>(
    label: &str,
    outcome: WaitOutcome<O>,
    describe: fn(&O) -> String,
    delivery: &str,
) {
    match outcome {
        WaitOutcome::Succeeded(run) => {
            println!("  {label:<16} {} ({delivery})", summarize(&run, describe));
        }
        WaitOutcome::Failed { error, request_id } => {
            println!("  {label:<16} run {request_id} failed: {error}");
        }
        WaitOutcome::DeadlineExceeded { elapsed, polls, .. } => {
            println!("  {label:<16} not finished after {elapsed:?} and {polls} polls");
        }
        _ => println!("  {label:<16} ended in a state this example does not know"),
    }
}

/// Formats a run's output with `describe`, followed by its request id.
fn summarize<O>(run: &RunOutput<O>, describe: fn(&O) -> String) -> String {
    let text = match &run.output {
        Some(output) => describe(output),
        None => "no data returned".to_owned(),
    };
    match &run.request_id {
        Some(request_id) => format!("{text} [request {request_id}]"),
        None => text,
    }
}

fn describe_enriched_company(output: &EnrichCompanyAgentOutput) -> String {
    let Some(company) = &output.company else {
        return "no company found".to_owned();
    };
    format!(
        "{}, {} employees, industry {}",
        text(&company.name),
        number(company.employee_count),
        text(&company.industry)
    )
}

fn describe_enriched_person(output: &EnrichPersonAgentOutput) -> String {
    let Some(person) = &output.person else {
        return "no person found".to_owned();
    };
    format!(
        "{} {}, {}",
        text(&person.first_name),
        text(&person.last_name),
        text(&person.title)
    )
}

fn describe_content(output: &ContentAgentOutput) -> String {
    let content = output.content.as_deref().unwrap_or("");
    let preview: String = content
        .chars()
        .take(60)
        .map(|character| {
            if character.is_whitespace() {
                ' '
            } else {
                character
            }
        })
        .collect();
    format!("{} characters: \"{preview}…\"", content.chars().count())
}

fn describe_sequence(output: &SequenceAgentOutput) -> String {
    let emails = output.emails.as_deref().unwrap_or_default();
    let first_subject = emails.first().and_then(|email| email.subject.as_deref());
    format!(
        "{} emails, first subject \"{}\"",
        emails.len(),
        first_subject.unwrap_or("-")
    )
}

fn describe_qualified_person(output: &QualifyPersonAgentOutput) -> String {
    format!("score {}", score(output.score))
}

fn describe_prospects(output: &ProspectorAgentOutput) -> String {
    let people = output.people.as_deref().unwrap_or_default();
    let names: Vec<String> = people
        .iter()
        .take(3)
        .map(|person| format!("{} ({})", text(&person.first_name), text(&person.title)))
        .collect();
    format!("{} people, e.g. {}", people.len(), names.join(", "))
}

fn describe_qualified_company(output: &QualifyCompanyAgentOutput) -> String {
    format!("score {}", score(output.score))
}

fn describe_call_prep(output: &CallPrepAgentOutput) -> String {
    let questions = output.discovery_questions.as_deref().unwrap_or_default();
    format!(
        "{} discovery questions, first: \"{}\"",
        questions.len(),
        questions.first().map(String::as_str).unwrap_or("-")
    )
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("-")
}

fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "?".to_owned(), |value| value.to_string())
}

fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "?".to_owned(), |value| format!("{value:.1}"))
}

/// The service the quickstart talks to, with what it needs to run there.
struct Target {
    client: Client,
    /// A saved agent per kind.
    agent_ids: BTreeMap<AgentKind, String>,
    /// Callback receiver, or `None` against the real service without a public URL.
    receiver: Option<CallbackReceiver>,
    /// Client without a callback receiver, for the run that is waited for by polling.
    polling_client: Client,
    /// Callback URL of that run; nothing reads what is posted there.
    polling_callback_url: Option<String>,
    mock: Option<MockServer>,
}

impl Target {
    /// Connects to `OCTAVE_BASE_URL` when it is set, else starts the mock server.
    async fn connect() -> Result<Target, Box<dyn Error>> {
        if std::env::var_os(octave::BASE_URL_ENV).is_some() {
            return Target::connect_to_service().await;
        }

        let config = MockConfig {
            run_duration: Duration::from_millis(800),
            ..MockConfig::default()
        };
        let mock = MockServer::start(config).await?;
        println!(
            "OCTAVE_BASE_URL is not set: using a mock server at {}\n",
            mock.url()
        );

        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.url())
            .build()?;
        let polling_client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.url())
            .build()?;
        let receiver = CallbackReceiver::builder().bind("127.0.0.1:0").await?;
        receiver.attach(&client);
        let agent_ids = AgentKind::ALL
            .into_iter()
            .map(|kind| (kind, seeded_agent_id(kind).to_owned()))
            .collect();
        // Nothing listens on port 9 (discard), so the mock's callback for this run fails
        // and the run is found by polling, as intended.
        Ok(Target {
            polling_client,
            polling_callback_url: Some("http://127.0.0.1:9/octave/callback".to_owned()),
            client,
            agent_ids,
            receiver: Some(receiver),
            mock: Some(mock),
        })
    }

    async fn connect_to_service() -> Result<Target, Box<dyn Error>> {
        let client = Client::from_env()?;
        println!("Using the Octave API at {}\n", client.base_url());

        let mut agent_ids = BTreeMap::new();
        for kind in AgentKind::ALL {
            let query = ListAgentsQuery::new()
                .agent_type(kind.agent_type())
                .limit(1);
            let page = client.list_agents(query).await?;
            if let Some(agent_id) = page.data.into_iter().find_map(|agent| agent.o_id) {
                agent_ids.insert(kind, agent_id);
            }
        }

        let receiver = match std::env::var("OCTAVE_CALLBACK_BASE_URL") {
            Ok(public_base_url) => {
                let listen = std::env::var("OCTAVE_CALLBACK_LISTEN")
                    .unwrap_or_else(|_| "127.0.0.1:8085".to_owned());
                let receiver = CallbackReceiver::bind(listen, public_base_url).await?;
                receiver.attach(&client);
                Some(receiver)
            }
            Err(_) => None,
        };
        Ok(Target {
            polling_client: Client::from_env()?,
            polling_callback_url: std::env::var("OCTAVE_CALLBACK_URL").ok(),
            client,
            agent_ids,
            receiver,
            mock: None,
        })
    }

    async fn shutdown(self) {
        if let Some(receiver) = self.receiver {
            receiver.shutdown().await;
        }
        if let Some(mock) = self.mock {
            mock.shutdown().await;
        }
    }
}
