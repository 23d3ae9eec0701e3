//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use octave_types::AgentKind;

use crate::batch::input::InputFormat;
use crate::duration::{parse_duration, parse_positive_duration};
use crate::exit::EXIT_CODES_HELP;

/// Run Octave agents from a terminal, one at a time or over files of thousands of rows.
#[derive(Debug, Parser)]
#[command(name = "octave", version, after_help = EXIT_CODES_HELP)]
#[command(
    long_about = "Run Octave agents from a terminal, one at a time or over files of thousands \
                  of rows.\n\nThe API key is read from OCTAVE_API_KEY or --api-key-file and is \
                  never printed."
)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Heading of the options that every command accepts.
const GLOBAL: &str = "Global options";

/// Settings shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Base URL of the Octave API [default: https://app.octavehq.com]
    #[arg(long, env = "OCTAVE_BASE_URL", hide_env_values = true, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub base_url: Option<String>,

    /// Read the API key from this file instead of OCTAVE_API_KEY
    #[arg(long, global = true, value_name = "PATH", help_heading = GLOBAL)]
    pub api_key_file: Option<PathBuf>,

    /// Print JSON for scripts instead of human-readable text
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// Timeout of each HTTP request, e.g. 30s or 2m
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_positive_duration, help_heading = GLOBAL)]
    pub request_timeout: Option<Duration>,

    /// Log requests and retries to stderr (-vv for more detail)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the API key and print the workspace and remaining credits
    Whoami,
    /// List and inspect saved agents
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Run one agent
    Run(Box<RunArgs>),
    /// Print the status of an asynchronous run
    Status(StatusArgs),
    /// Wait for an asynchronous run to finish and print its output
    Wait(WaitArgs),
    /// Run an agent over every row of a CSV or JSON Lines file; resumable
    Batch(BatchArgs),
    /// Run the local mock server of the Octave API
    Mock(MockArgs),
    /// Receive run callbacks and print each one as a JSON line
    Listen(ListenArgs),
}

/// `octave agents` subcommands.
#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// List saved agents
    List(ListArgs),
    /// Show one saved agent
    Get {
        /// The agent's id, e.g. ca_...
        #[arg(value_name = "OID")]
        oid: String,
    },
    /// List the agent types the API supports
    Types,
}

/// Arguments of `octave agents list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only agents of this kind (e.g. enrich-company, EMAIL)
    #[arg(long = "type", value_name = "KIND")]
    pub kind: Option<AgentKind>,

    /// Only agents whose name matches this text
    #[arg(long, value_name = "TEXT")]
    pub query: Option<String>,

    /// Number of agents per page
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u32,

    /// Number of agents to skip
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: u32,

    /// Fetch every page
    #[arg(long)]
    pub all: bool,
}

/// Arguments of `octave run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Agent kind: enrich-company, enrich-person, content, sequence, qualify-person,
    /// prospector, qualify-company or call-prep
    #[arg(value_name = "KIND")]
    pub kind: AgentKind,

    /// Read input fields from a JSON object in FILE, or `-` for stdin; flags override them
    #[arg(long, value_name = "FILE|-")]
    pub input_json: Option<PathBuf>,

    /// Submit asynchronously and wait by polling (a spinner shows progress on a terminal)
    #[arg(long = "async", conflicts_with = "no_wait")]
    pub run_async: bool,

    /// Submit asynchronously, print the requestId and exit without waiting
    #[arg(long)]
    pub no_wait: bool,

    /// URL the service POSTs the result to (asynchronous runs)
    #[arg(
        long,
        value_name = "URL",
        env = "OCTAVE_CALLBACK_URL",
        hide_env_values = true
    )]
    pub callback_url: Option<String>,

    /// Value of the x-external-request-id header (asynchronous runs); the API deduplicates
    /// submissions with the same value
    #[arg(long, value_name = "ID")]
    pub external_request_id: Option<String>,

    /// How long --async waits for the run to finish
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "10m")]
    pub timeout: Duration,

    /// Delay before the first status poll of --async; later polls back off up to 10s
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "2s")]
    pub poll_interval: Duration,

    /// Input fields of the agent.
    #[command(
        flatten,
        next_help_heading = "Input fields (each applies to the kinds whose input has it)"
    )]
    pub inputs: InputFlags,
}

/// Flags for the agents' documented scalar inputs. Each applies to the kinds whose input has
/// the field; the JSON name is given in brackets.
#[derive(Debug, Default, Args)]
pub struct InputFlags {
    /// Saved agent to run [agentOId]
    #[arg(long, value_name = "OID", conflicts_with = "experiment")]
    pub agent: Option<String>,
    /// Agent experiment to run instead of an agent [experimentOId]
    #[arg(long, value_name = "OID")]
    pub experiment: Option<String>,
    /// Company domain, e.g. example.com [companyDomain]
    #[arg(long, visible_alias = "company-domain", value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Company name [companyName]
    #[arg(long, value_name = "NAME")]
    pub company_name: Option<String>,
    /// Person's email address [email]
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Person's LinkedIn profile URL [linkedInProfile]
    #[arg(long, visible_alias = "linkedin-profile", value_name = "URL")]
    pub linkedin: Option<String>,
    /// Person's first name [firstName]
    #[arg(long, value_name = "NAME")]
    pub first_name: Option<String>,
    /// Person's last name [lastName]
    #[arg(long, value_name = "NAME")]
    pub last_name: Option<String>,
    /// Person's job title [jobTitle]
    #[arg(long, value_name = "TITLE")]
    pub job_title: Option<String>,
    /// CRM account id [crmAccountId]
    #[arg(long, value_name = "ID")]
    pub crm_account_id: Option<String>,
    /// CRM contact id [crmContactId]
    #[arg(long, value_name = "ID")]
    pub crm_contact_id: Option<String>,
    /// CRM lead id [crmLeadId]
    #[arg(long, value_name = "ID")]
    pub crm_lead_id: Option<String>,
    /// URL to write content about [url]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Output format, e.g. text, html or markdown [outputFormat]
    #[arg(long, value_name = "FORMAT")]
    pub output_format: Option<String>,
    /// Language code, e.g. en or es [lang]
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    /// Client-supplied id sent inside the Sequence input [requestId]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
    /// Hint used to pick the playbook [playbookSelectionContext]
    #[arg(long, value_name = "TEXT")]
    pub playbook_selection_context: Option<String>,
    /// Maximum number of people to return, 1 to 1000 [limit]
    #[arg(long, value_name = "N")]
    pub limit: Option<String>,
    /// Leave positions, pictures and nested companies out of results [minimal]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub minimal: Option<String>,
    /// Return full annotation data [includeFullAnnotation]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub include_full_annotation: Option<String>,
    /// Facts for the agent: JSON, or plain text [runtimeContext]
    #[arg(long, value_name = "JSON|TEXT")]
    pub runtime_context: Option<String>,
}

impl InputFlags {
    /// Returns each flag's long name and value, for the flags that were given.
    pub fn given(&self) -> Vec<(&'static str, &str)> {
        let all: [(&'static str, &Option<String>); 21] = [
            ("agent", &self.agent),
            ("experiment", &self.experiment),
            ("domain", &self.domain),
            ("company-name", &self.company_name),
            ("email", &self.email),
            ("linkedin", &self.linkedin),
            ("first-name", &self.first_name),
            ("last-name", &self.last_name),
            ("job-title", &self.job_title),
            ("crm-account-id", &self.crm_account_id),
            ("crm-contact-id", &self.crm_contact_id),
            ("crm-lead-id", &self.crm_lead_id),
            ("url", &self.url),
            ("output-format", &self.output_format),
            ("lang", &self.lang),
            ("request-id", &self.request_id),
            (
                "playbook-selection-context",
                &self.playbook_selection_context,
            ),
            ("limit", &self.limit),
            ("minimal", &self.minimal),
            ("include-full-annotation", &self.include_full_annotation),
            ("runtime-context", &self.runtime_context),
        ];
        all.into_iter()
            .filter_map(|(flag, value)| value.as_deref().map(|value| (flag, value)))
            .collect()
    }
}

/// Arguments of `octave status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The run's requestId, as printed by `octave run --no-wait`
    #[arg(value_name = "REQUEST_ID")]
    pub request_id: String,

    /// Agent kind of the run, to decode its output into the kind's type
    #[arg(long, value_name = "KIND")]
    pub kind: Option<AgentKind>,
}

/// Arguments of `octave wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The run's requestId, as printed by `octave run --no-wait`
    #[arg(value_name = "REQUEST_ID")]
    pub request_id: String,

    /// Agent kind of the run, to decode its output into the kind's type
    #[arg(long, value_name = "KIND")]
    pub kind: Option<AgentKind>,

    /// How long to wait before giving up (exit code 5)
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "10m")]
    pub timeout: Duration,

    /// Delay before the first status poll; later polls back off up to 10s
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "2s")]
    pub poll_interval: Duration,
}

/// Arguments of `octave batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Agent kind to run for every row
    #[arg(value_name = "KIND")]
    pub kind: AgentKind,

    /// Input file (.csv, .jsonl or .ndjson), or `-` for stdin
    #[arg(long, value_name = "FILE|-")]
    pub input: PathBuf,

    /// Output file: one JSON line per input row; OUTPUT.journal beside it makes the batch
    /// resumable
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,

    /// Input format; by default taken from the input file's extension
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,

    /// Maximum number of runs in flight at once
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,

    /// Maximum number of submissions per second (no limit by default)
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<f64>,

    /// Saved agent for rows that name none [agentOId]
    #[arg(long, value_name = "OID", conflicts_with = "experiment")]
    pub agent: Option<String>,

    /// Agent experiment for rows that name neither an agent nor an experiment [experimentOId]
    #[arg(long, value_name = "OID")]
    pub experiment: Option<String>,

    /// URL the service POSTs each result to (required, or set OCTAVE_CALLBACK_URL); the
    /// batch itself polls for results
    #[arg(
        long,
        value_name = "URL",
        env = "OCTAVE_CALLBACK_URL",
        hide_env_values = true
    )]
    pub callback_url: Option<String>,

    /// How long one run may take before the batch stops waiting for it; it is resumed by
    /// running the same command again
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "30m")]
    pub row_timeout: Duration,

    /// Delay before the first status poll of each run
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "1s")]
    pub poll_interval: Duration,

    /// Maximum delay between status polls of one run
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "10s")]
    pub max_poll_interval: Duration,
}

/// Arguments of `octave mock`.
#[derive(Debug, Args)]
pub struct MockArgs {
    /// Address to listen on; port 0 picks a free port
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,

    /// Time an asynchronous run takes to finish, e.g. 2s or 50ms
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "2s")]
    pub run_duration: Duration,

    /// Seed of generated outputs, request ids and fault decisions
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// API key the server accepts; repeat to accept several [default: octave-mock-key]
    #[arg(long = "accept-key", value_name = "KEY")]
    pub accept_keys: Vec<String>,

    /// Requests per second allowed per API key (no limit by default)
    #[arg(long, value_name = "PER_SECOND")]
    pub rate_limit: Option<u32>,

    /// Faults to inject from the start, as JSON, e.g. '{"error_rate":0.1,"latency_ms":50}'
    #[arg(long, value_name = "JSON")]
    pub faults: Option<String>,
}

/// Arguments of `octave listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to listen on, e.g. 127.0.0.1:8800
    #[arg(long, value_name = "ADDR")]
    pub addr: SocketAddr,
}
