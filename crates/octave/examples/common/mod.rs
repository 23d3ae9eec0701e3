//! Setup shared by the examples: a client for the real service when `OCTAVE_API_KEY` is
//! set, otherwise for a mock server started in-process.

use std::error::Error;
use std::time::Duration;

use octave::{AgentKind, Client, WaitOptions};
use octave_mock::{MockConfig, MockServer, seeded_agent_id};

/// Environment variable with the OId of the saved agent to run against the real service.
const AGENT_ID_ENV: &str = "OCTAVE_AGENT_ID";

/// Environment variable with a callback URL for asynchronous runs against the real
/// service. Without it, the examples run only synchronously there.
const CALLBACK_URL_ENV: &str = "OCTAVE_CALLBACK_URL";

/// Callback URL given to the mock server. Nothing listens there, so its callback POSTs
/// fail and the examples rely on polling, which is what they show.
const MOCK_CALLBACK_URL: &str = "http://127.0.0.1:9/octave/callback";

/// A client, the agent to run, and the mock server when one was started.
pub struct Setup {
    pub client: Client,
    pub agent_id: String,
    mock: Option<MockServer>,
}

impl Setup {
    /// Connects to the real service when `OCTAVE_API_KEY` is set (then `OCTAVE_AGENT_ID`
    /// must name a saved agent of `kind`), else starts the mock server.
    pub async fn start(kind: AgentKind) -> Result<Setup, Box<dyn Error>> {
        if std::env::var_os(octave::API_KEY_ENV).is_some() {
            let agent_id = std::env::var(AGENT_ID_ENV).map_err(|_| {
                format!(
                    "{AGENT_ID_ENV} is not set; set it to the OId of a saved {} agent \
                     (see `list_agents`), or unset OCTAVE_API_KEY to run against the mock",
                    kind.display_name()
                )
            })?;
            let client = Client::from_env()?;
            println!("Using the Octave API at {}", client.base_url());
            return Ok(Setup {
                client,
                agent_id,
                mock: None,
            });
        }

        let config = MockConfig {
            run_duration: Duration::from_millis(500),
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
        Ok(Setup {
            client,
            agent_id: seeded_agent_id(kind).to_owned(),
            mock: Some(mock),
        })
    }

    /// Returns the callback URL for asynchronous runs, or `None` when there is none.
    pub fn callback_url(&self) -> Option<String> {
        match self.mock {
            Some(_) => Some(MOCK_CALLBACK_URL.to_owned()),
            None => std::env::var(CALLBACK_URL_ENV).ok(),
        }
    }

    /// Returns wait options: quick polls against the mock, the service's advice otherwise.
    pub fn wait_options(&self) -> WaitOptions {
        match self.mock {
            Some(_) => WaitOptions::new(Duration::from_secs(30))
                .min_interval(Duration::from_millis(100))
                .max_interval(Duration::from_millis(400)),
            None => WaitOptions::new(Duration::from_secs(600)),
        }
    }

    /// Stops the mock server, if one was started.
    pub async fn finish(self) {
        if let Some(mock) = self.mock {
            mock.shutdown().await;
        }
    }
}
