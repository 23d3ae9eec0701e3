//! The eight agents the API runs, described once so code can be written over all of them.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::generated::*;

/// One of the eight agents that the API runs synchronously and asynchronously.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AgentKind {
    /// Enrich Company: firmographics plus the matched product, playbook and persona.
    EnrichCompany,
    /// Enrich Person: a person's profile plus the matched entities.
    EnrichPerson,
    /// Content: free-form content about a person, company or URL.
    Content,
    /// Sequence (agent type `EMAIL`): an outbound email sequence.
    Sequence,
    /// Qualify Person: a score and rationale for a person against the ideal customer profile.
    QualifyPerson,
    /// Prospector: people to contact at a company.
    Prospector,
    /// Qualify Company: a score and rationale for a company against the ideal customer profile.
    QualifyCompany,
    /// Call Prep: briefs, discovery questions and a call script.
    CallPrep,
}

impl AgentKind {
    /// Every kind, in the order the API reference lists the async variants.
    pub const ALL: [AgentKind; 8] = [
        AgentKind::EnrichCompany,
        AgentKind::EnrichPerson,
        AgentKind::Content,
        AgentKind::Sequence,
        AgentKind::QualifyPerson,
        AgentKind::Prospector,
        AgentKind::QualifyCompany,
        AgentKind::CallPrep,
    ];

    /// Returns the kebab-case name used on the command line and in logs, e.g.
    /// `enrich-company`.
    pub fn slug(self) -> &'static str {
        match self {
            AgentKind::EnrichCompany => "enrich-company",
            AgentKind::EnrichPerson => "enrich-person",
            AgentKind::Content => "content",
            AgentKind::Sequence => "sequence",
            AgentKind::QualifyPerson => "qualify-person",
            AgentKind::Prospector => "prospector",
            AgentKind::QualifyCompany => "qualify-company",
            AgentKind::CallPrep => "call-prep",
        }
    }

    /// Returns the human-readable name, e.g. `Enrich Company`.
    pub fn display_name(self) -> &'static str {
        match self {
            AgentKind::EnrichCompany => "Enrich Company",
            AgentKind::EnrichPerson => "Enrich Person",
            AgentKind::Content => "Content",
            AgentKind::Sequence => "Sequence",
            AgentKind::QualifyPerson => "Qualify Person",
            AgentKind::Prospector => "Prospector",
            AgentKind::QualifyCompany => "Qualify Company",
            AgentKind::CallPrep => "Call Prep",
        }
    }

    /// Returns the path of the synchronous run endpoint.
    pub fn sync_path(self) -> &'static str {
        match self {
            AgentKind::EnrichCompany => "/api/v2/agents/enrich-company/run",
            AgentKind::EnrichPerson => "/api/v2/agents/enrich-person/run",
            AgentKind::Content => "/api/v2/agents/generate-content/run",
            AgentKind::Sequence => "/api/v2/agents/sequence/run",
            AgentKind::QualifyPerson => "/api/v2/agents/qualify-person/run",
            AgentKind::Prospector => "/api/v2/agents/prospector/run",
            AgentKind::QualifyCompany => "/api/v2/agents/qualify-company/run",
            AgentKind::CallPrep => "/api/v2/agents/call-prep/run",
        }
    }

    /// Returns the saved agent's `type` value for this kind.
    pub fn agent_type(self) -> AgentType {
        match self {
            AgentKind::EnrichCompany => AgentType::EnrichCompany,
            AgentKind::EnrichPerson => AgentType::EnrichPerson,
            AgentKind::Content => AgentType::Content,
            AgentKind::Sequence => AgentType::Email,
            AgentKind::QualifyPerson => AgentType::QualifyPerson,
            AgentKind::Prospector => AgentType::Prospector,
            AgentKind::QualifyCompany => AgentType::QualifyCompany,
            AgentKind::CallPrep => AgentType::CallPrep,
        }
    }

    /// Maps a saved agent's `type` to its kind, or `None` for types that have no run endpoint
    /// here (`CONTEXT`, `PERSONALIZE_TEMPLATE` and unknown values).
    pub fn from_agent_type(agent_type: &AgentType) -> Option<Self> {
        AgentKind::ALL
            .into_iter()
            .find(|kind| &kind.agent_type() == agent_type)
    }

    /// Returns the JSON names of the fields the synchronous input accepts.
    pub fn input_field_names(self) -> &'static [&'static str] {
        match self {
            AgentKind::EnrichCompany => EnrichCompanyAgentInput::FIELD_NAMES,
            AgentKind::EnrichPerson => EnrichPersonAgentInput::FIELD_NAMES,
            AgentKind::Content => ContentAgentInput::FIELD_NAMES,
            AgentKind::Sequence => SequenceAgentInput::FIELD_NAMES,
            AgentKind::QualifyPerson => QualifyPersonAgentInput::FIELD_NAMES,
            AgentKind::Prospector => ProspectorAgentInput::FIELD_NAMES,
            AgentKind::QualifyCompany => QualifyCompanyAgentInput::FIELD_NAMES,
            AgentKind::CallPrep => CallPrepAgentInput::FIELD_NAMES,
        }
    }

    /// Returns the JSON names of the fields the asynchronous request accepts: the input's
    /// fields plus `callbackUrl`.
    pub fn async_field_names(self) -> &'static [&'static str] {
        match self {
            AgentKind::EnrichCompany => EnrichCompanyAsyncAgentInput::FIELD_NAMES,
            AgentKind::EnrichPerson => EnrichPersonAsyncAgentInput::FIELD_NAMES,
            AgentKind::Content => ContentAsyncAgentInput::FIELD_NAMES,
            AgentKind::Sequence => SequenceAsyncAgentInput::FIELD_NAMES,
            AgentKind::QualifyPerson => QualifyPersonAsyncAgentInput::FIELD_NAMES,
            AgentKind::Prospector => ProspectorAsyncAgentInput::FIELD_NAMES,
            AgentKind::QualifyCompany => QualifyCompanyAsyncAgentInput::FIELD_NAMES,
            AgentKind::CallPrep => CallPrepAsyncAgentInput::FIELD_NAMES,
        }
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.slug())
    }
}

/// Error from parsing an [`AgentKind`] name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownAgentKind(pub String);

impl fmt::Display for UnknownAgentKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = AgentKind::ALL.iter().map(|kind| kind.slug()).collect();
        write!(
            formatter,
            "unknown agent kind `{}`; expected one of: {}",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownAgentKind {}

impl FromStr for AgentKind {
    type Err = UnknownAgentKind;

    /// Accepts the slug (`enrich-company`), snake case (`enrich_company`) or the agent type
    /// (`ENRICH_COMPANY`, and `EMAIL` for Sequence), in any letter case.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let normalized = value.trim().to_ascii_lowercase().replace('_', "-");
        let found = match normalized.as_str() {
            "email" => Some(AgentKind::Sequence),
            "generate-content" => Some(AgentKind::Content),
            other => AgentKind::ALL.into_iter().find(|kind| kind.slug() == other),
        };
        found.ok_or_else(|| UnknownAgentKind(value.to_owned()))
    }
}

/// Compile-time description of one agent: its input, output, envelopes and async request.
///
/// Implemented by the marker types in [`agents`](crate::agents), so generic code such as a
/// client's `run::<EnrichCompany>(input)` is written once for all eight.
pub trait Agent: Send + Sync + 'static {
    /// The agent's kind.
    const KIND: AgentKind;

    /// Body of the synchronous run.
    type Input: Serialize + DeserializeOwned + Clone + fmt::Debug + Send + Sync + 'static;

    /// The `data` of a successful run.
    type Output: Serialize + DeserializeOwned + Clone + fmt::Debug + Send + Sync + 'static;

    /// Envelope of the synchronous response: `{_metadata, found, message, data}`.
    type Response: Serialize + DeserializeOwned + Clone + fmt::Debug + Send + Sync + 'static;

    /// This agent's variant of the asynchronous request body.
    type AsyncInput: Serialize + DeserializeOwned + Clone + fmt::Debug + Send + Sync + 'static;

    /// Wraps this agent's async input in the request union.
    fn wrap_async(input: Self::AsyncInput) -> AsyncAgentRunRequest;

    /// Splits a synchronous response into its parts.
    fn split_response(response: Self::Response) -> AgentResponseParts<Self::Output>;

    /// Builds the async request from a synchronous input and a callback URL.
    ///
    /// # Errors
    ///
    /// Fails only if the input cannot be represented as a JSON object, which the generated
    /// input types never do.
    fn async_request(
        input: &Self::Input,
        callback_url: &str,
    ) -> Result<AsyncAgentRunRequest, serde_json::Error> {
        let mut fields = match serde_json::to_value(input)? {
            serde_json::Value::Object(fields) => fields,
            other => {
                let mut fields = serde_json::Map::new();
                fields.insert("input".to_owned(), other);
                fields
            }
        };
        fields.insert(
            "callbackUrl".to_owned(),
            serde_json::Value::String(callback_url.to_owned()),
        );
        let async_input: Self::AsyncInput =
            serde_json::from_value(serde_json::Value::Object(fields))?;
        Ok(Self::wrap_async(async_input))
    }
}

/// The parts of a synchronous agent response.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentResponseParts<O> {
    /// Request id, timestamp, credits used and message.
    pub metadata: Metadata,
    /// Whether the agent found what it looked for.
    pub found: bool,
    /// Additional information from the service.
    pub message: Option<String>,
    /// The agent's output; `None` when the service sent no `data`.
    pub data: Option<O>,
}

macro_rules! agents {
    ($(
        $(#[$doc:meta])*
        $marker:ident => $kind:ident, $input:ident, $output:ident, $response:ident,
            $async_input:ident, $variant:ident;
    )*) => {
        /// Marker types, one per agent, that implement [`Agent`].
        pub mod agents {
            use super::*;

            $(
                $(#[$doc])*
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                pub struct $marker;

                impl Agent for $marker {
                    const KIND: AgentKind = AgentKind::$kind;
                    type Input = $input;
                    type Output = $output;
                    type Response = $response;
                    type AsyncInput = $async_input;

                    fn wrap_async(input: Self::AsyncInput) -> AsyncAgentRunRequest {
                        AsyncAgentRunRequest::$variant(input)
                    }

                    fn split_response(response: Self::Response) -> AgentResponseParts<Self::Output> {
                        AgentResponseParts {
                            metadata: response.metadata,
                            found: response.found,
                            message: response.message,
                            data: response.data,
                        }
                    }
                }
            )*
        }
    };
}

agents! {
    /// The Enrich Company agent.
    EnrichCompany => EnrichCompany, EnrichCompanyAgentInput, EnrichCompanyAgentOutput,
        EnrichCompanyAgentResponse, EnrichCompanyAsyncAgentInput, EnrichCompanyAsyncAgentInput;
    /// The Enrich Person agent.
    EnrichPerson => EnrichPerson, EnrichPersonAgentInput, EnrichPersonAgentOutput,
        EnrichPersonAgentResponse, EnrichPersonAsyncAgentInput, EnrichPersonAsyncAgentInput;
    /// The Content agent.
    Content => Content, ContentAgentInput, ContentAgentOutput,
        ContentAgentResponse, ContentAsyncAgentInput, ContentAsyncAgentInput;
    /// The Sequence agent (agent type `EMAIL`).
    Sequence => Sequence, SequenceAgentInput, SequenceAgentOutput,
        SequenceAgentResponse, SequenceAsyncAgentInput, SequenceAsyncAgentInput;
    /// The Qualify Person agent.
    QualifyPerson => QualifyPerson, QualifyPersonAgentInput, QualifyPersonAgentOutput,
        QualifyPersonAgentResponse, QualifyPersonAsyncAgentInput, QualifyPersonAsyncAgentInput;
    /// The Prospector agent.
    Prospector => Prospector, ProspectorAgentInput, ProspectorAgentOutput,
        ProspectorAgentResponse, ProspectorAsyncAgentInput, ProspectorAsyncAgentInput;
    /// The Qualify Company agent.
    QualifyCompany => QualifyCompany, QualifyCompanyAgentInput, QualifyCompanyAgentOutput,
        QualifyCompanyAgentResponse, QualifyCompanyAsyncAgentInput, QualifyCompanyAsyncAgentInput;
    /// The Call Prep agent.
    CallPrep => CallPrep, CallPrepAgentInput, CallPrepAgentOutput,
        CallPrepAgentResponse, CallPrepAsyncAgentInput, CallPrepAsyncAgentInput;
}

impl AsyncAgentRunRequest {
    /// Decodes an async request body as the variant of `kind`.
    ///
    /// A body alone does not say which agent it is for: the service picks the schema from the
    /// agent that `agentOId` names. The derived `Deserialize` of this untagged enum takes the
    /// first variant that fits and drops the fields of the others, so decode with this method
    /// whenever the kind is known.
    ///
    /// # Errors
    ///
    /// Fails when the body does not match the kind's async input schema.
    pub fn from_value_for(kind: AgentKind, body: serde_json::Value) -> serde_json::Result<Self> {
        use crate::agents::*;

        fn decode<A: Agent>(body: serde_json::Value) -> serde_json::Result<AsyncAgentRunRequest> {
            serde_json::from_value::<A::AsyncInput>(body).map(A::wrap_async)
        }

        match kind {
            AgentKind::EnrichCompany => decode::<EnrichCompany>(body),
            AgentKind::EnrichPerson => decode::<EnrichPerson>(body),
            AgentKind::Content => decode::<Content>(body),
            AgentKind::Sequence => decode::<Sequence>(body),
            AgentKind::QualifyPerson => decode::<QualifyPerson>(body),
            AgentKind::Prospector => decode::<Prospector>(body),
            AgentKind::QualifyCompany => decode::<QualifyCompany>(body),
            AgentKind::CallPrep => decode::<CallPrep>(body),
        }
    }

    /// Returns the agent kind of this variant.
    pub fn kind(&self) -> AgentKind {
        match self {
            AsyncAgentRunRequest::EnrichCompanyAsyncAgentInput(_) => AgentKind::EnrichCompany,
            AsyncAgentRunRequest::EnrichPersonAsyncAgentInput(_) => AgentKind::EnrichPerson,
            AsyncAgentRunRequest::ContentAsyncAgentInput(_) => AgentKind::Content,
            AsyncAgentRunRequest::SequenceAsyncAgentInput(_) => AgentKind::Sequence,
            AsyncAgentRunRequest::QualifyPersonAsyncAgentInput(_) => AgentKind::QualifyPerson,
            AsyncAgentRunRequest::ProspectorAsyncAgentInput(_) => AgentKind::Prospector,
            AsyncAgentRunRequest::QualifyCompanyAsyncAgentInput(_) => AgentKind::QualifyCompany,
            AsyncAgentRunRequest::CallPrepAsyncAgentInput(_) => AgentKind::CallPrep,
        }
    }

    /// Returns the saved agent's id that the body names, if it names one.
    pub fn agent_o_id(&self) -> Option<&str> {
        match self {
            AsyncAgentRunRequest::EnrichCompanyAsyncAgentInput(input) => Some(&input.agent_o_id),
            AsyncAgentRunRequest::EnrichPersonAsyncAgentInput(input) => Some(&input.agent_o_id),
            AsyncAgentRunRequest::ContentAsyncAgentInput(input) => input.agent_o_id.as_deref(),
            AsyncAgentRunRequest::SequenceAsyncAgentInput(input) => input.agent_o_id.as_deref(),
            AsyncAgentRunRequest::QualifyPersonAsyncAgentInput(input) => Some(&input.agent_o_id),
            AsyncAgentRunRequest::ProspectorAsyncAgentInput(input) => Some(&input.agent_o_id),
            AsyncAgentRunRequest::QualifyCompanyAsyncAgentInput(input) => Some(&input.agent_o_id),
            AsyncAgentRunRequest::CallPrepAsyncAgentInput(input) => Some(&input.agent_o_id),
        }
    }
}
