//! The saved agents, experiments and agent types the mock serves.

use octave_types::{AgentDetails, AgentKind, AgentSummary, AgentType, AgentTypeInfo};
use serde_json::{Map, json};

/// A saved agent or agent experiment.
pub(crate) struct SavedAgent {
    pub o_id: &'static str,
    /// `None` for the agent of type `FUTURE_AGENT`, which no endpoint can run.
    pub kind: Option<AgentKind>,
    pub name: &'static str,
    pub description: &'static str,
    pub created_at: &'static str,
    pub updated_at: &'static str,
    pub cost_to_run: f64,
    /// Emails in a sequence, people per prospecting run, and 1 for the other kinds.
    pub steps: i64,
    pub is_experiment: bool,
}

/// Type name of the agent that appears only under the `unknown_enum_values` fault.
pub(crate) const FUTURE_AGENT_TYPE: &str = "FUTURE_AGENT";

macro_rules! agent {
    ($o_id:literal, $kind:ident, $name:literal, $description:literal, $created:literal,
     $updated:literal, $cost:literal, $steps:literal, $experiment:literal) => {
        SavedAgent {
            o_id: $o_id,
            kind: Some(AgentKind::$kind),
            name: $name,
            description: $description,
            created_at: $created,
            updated_at: $updated,
            cost_to_run: $cost,
            steps: $steps,
            is_experiment: $experiment,
        }
    };
}

/// Saved agents (two per kind) and experiments, in creation order.
static AGENTS: &[SavedAgent] = &[
    agent!(
        "ca_enrich_company_01",
        EnrichCompany,
        "Enrich Company",
        "Firmographics and the best-matching product for any company.",
        "2025-01-06T09:00:00.000Z",
        "2025-03-02T10:15:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_enrich_person_01",
        EnrichPerson,
        "Enrich Person",
        "Profile of a person and the persona, product and playbook that fit them.",
        "2025-01-07T09:00:00.000Z",
        "2025-02-11T16:40:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_content_01",
        Content,
        "Content",
        "Short outbound content about a company, person or page.",
        "2025-01-08T09:00:00.000Z",
        "2025-04-21T08:05:00.000Z",
        2.0,
        1,
        false
    ),
    agent!(
        "ca_sequence_01",
        Sequence,
        "Outbound sequence",
        "Three-step cold email sequence.",
        "2025-01-09T09:00:00.000Z",
        "2025-03-30T12:00:00.000Z",
        3.0,
        3,
        false
    ),
    agent!(
        "ca_qualify_person_01",
        QualifyPerson,
        "Qualify Person",
        "Scores a person against the ideal customer profile.",
        "2025-01-10T09:00:00.000Z",
        "2025-02-01T09:30:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_prospector_01",
        Prospector,
        "Prospector",
        "Finds decision makers at a company.",
        "2025-01-13T09:00:00.000Z",
        "2025-05-05T14:20:00.000Z",
        5.0,
        10,
        false
    ),
    agent!(
        "ca_qualify_company_01",
        QualifyCompany,
        "Qualify Company",
        "Scores a company against the ideal customer profile.",
        "2025-01-14T09:00:00.000Z",
        "2025-01-20T11:00:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_call_prep_01",
        CallPrep,
        "Call Prep",
        "Briefs, discovery questions and a script for a first call.",
        "2025-01-15T09:00:00.000Z",
        "2025-04-02T17:45:00.000Z",
        2.0,
        1,
        false
    ),
    agent!(
        "ca_enrich_company_02",
        EnrichCompany,
        "Enrich Company (EMEA)",
        "Enrichment tuned for European accounts.",
        "2025-02-03T09:00:00.000Z",
        "2025-02-03T09:00:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_enrich_person_02",
        EnrichPerson,
        "Enrich Person (executives)",
        "Enrichment tuned for senior leaders.",
        "2025-02-04T09:00:00.000Z",
        "2025-06-10T10:10:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_content_02",
        Content,
        "Content (LinkedIn posts)",
        "Short posts written for LinkedIn.",
        "2025-02-05T09:00:00.000Z",
        "2025-02-06T13:00:00.000Z",
        2.0,
        1,
        false
    ),
    agent!(
        "ca_sequence_02",
        Sequence,
        "Follow-up sequence",
        "Four-step follow-up after a demo.",
        "2025-02-06T09:00:00.000Z",
        "2025-05-19T15:30:00.000Z",
        4.0,
        4,
        false
    ),
    agent!(
        "ca_qualify_person_02",
        QualifyPerson,
        "Qualify Person (strict)",
        "Strict scoring for enterprise buyers.",
        "2025-02-07T09:00:00.000Z",
        "2025-02-07T09:00:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_prospector_02",
        Prospector,
        "Prospector (lookalikes)",
        "Finds people at companies similar to the seed company.",
        "2025-02-10T09:00:00.000Z",
        "2025-03-15T09:45:00.000Z",
        5.0,
        25,
        false
    ),
    agent!(
        "ca_qualify_company_02",
        QualifyCompany,
        "Qualify Company (mid-market)",
        "Scoring tuned for mid-market companies.",
        "2025-02-11T09:00:00.000Z",
        "2025-04-30T07:50:00.000Z",
        1.0,
        1,
        false
    ),
    agent!(
        "ca_call_prep_02",
        CallPrep,
        "Call Prep (renewals)",
        "Preparation for renewal calls with existing customers.",
        "2025-02-12T09:00:00.000Z",
        "2025-02-12T09:00:00.000Z",
        2.0,
        1,
        false
    ),
    agent!(
        "ae_sequence_01",
        Sequence,
        "Outbound sequence: shorter subject lines",
        "Experiment on the outbound sequence.",
        "2025-03-03T09:00:00.000Z",
        "2025-03-04T09:00:00.000Z",
        3.0,
        3,
        true
    ),
    agent!(
        "ae_content_01",
        Content,
        "Content: question-led openings",
        "Experiment on the content agent.",
        "2025-03-05T09:00:00.000Z",
        "2025-03-05T09:00:00.000Z",
        2.0,
        1,
        true
    ),
];

/// The agent listed only under the `unknown_enum_values` fault.
static FUTURE_AGENT: SavedAgent = SavedAgent {
    o_id: "ca_future_agent_01",
    kind: None,
    name: "Future agent",
    description: "An agent of a type this version of the API does not document.",
    created_at: "2025-07-01T09:00:00.000Z",
    updated_at: "2025-07-01T09:00:00.000Z",
    cost_to_run: 1.0,
    steps: 1,
    is_experiment: false,
};

/// Returns the ID of the first seeded saved agent of a kind, e.g. `ca_enrich_company_01`.
///
/// Every kind has two seeded agents, `…_01` and `…_02`; both are listed by
/// `GET /api/v2/agents/list`. Kinds added to `AgentKind` after this version return
/// `ca_unknown_kind`, which names no agent.
pub fn seeded_agent_id(kind: AgentKind) -> &'static str {
    AGENTS
        .iter()
        .find(|agent| agent.kind == Some(kind) && !agent.is_experiment)
        .map_or("ca_unknown_kind", |agent| agent.o_id)
}

/// Returns every saved agent and experiment, plus the `FUTURE_AGENT` one when asked.
pub(crate) fn all_agents(include_future: bool) -> impl Iterator<Item = &'static SavedAgent> {
    AGENTS.iter().chain(include_future.then_some(&FUTURE_AGENT))
}

/// Looks up a saved agent or experiment by OId.
pub(crate) fn find_agent(o_id: &str, include_future: bool) -> Option<&'static SavedAgent> {
    all_agents(include_future).find(|agent| agent.o_id == o_id)
}

impl SavedAgent {
    /// Returns the agent's `type`.
    pub fn agent_type(&self) -> AgentType {
        match self.kind {
            Some(kind) => kind.agent_type(),
            None => AgentType::Unknown(FUTURE_AGENT_TYPE.to_owned()),
        }
    }

    /// Returns the `type` as it appears on the wire, for messages.
    pub fn type_name(&self) -> String {
        self.agent_type().as_str().to_owned()
    }

    pub fn summary(&self) -> AgentSummary {
        AgentSummary {
            cost_to_run: Some(self.cost_to_run),
            created_at: Some(self.created_at.to_owned()),
            description: Some(self.description.to_owned()),
            item_type: Some(
                if self.is_experiment {
                    "experiment"
                } else {
                    "agent"
                }
                .to_owned(),
            ),
            name: Some(self.name.to_owned()),
            o_id: Some(self.o_id.to_owned()),
            steps: Some(self.steps),
            type_: Some(self.agent_type()),
            updated_at: Some(self.updated_at.to_owned()),
            extra: Map::new(),
        }
    }

    pub fn details(&self) -> AgentDetails {
        let configuration = json!({
            "kind": self.kind.map_or(FUTURE_AGENT_TYPE, |kind| kind.slug()),
            "steps": self.steps,
            "language": "en",
            "experiment": self.is_experiment,
        });
        AgentDetails {
            cost_to_run: Some(self.cost_to_run),
            created_at: Some(self.created_at.to_owned()),
            data: Some(configuration),
            description: Some(self.description.to_owned()),
            name: Some(self.name.to_owned()),
            o_id: Some(self.o_id.to_owned()),
            type_: Some(self.agent_type()),
            updated_at: Some(self.updated_at.to_owned()),
            warnings: Vec::new(),
            extra: Map::new(),
        }
    }
}

/// Returns the number of steps of a saved agent or experiment, or `default` when the OId is
/// unknown.
pub(crate) fn steps_of(o_id: Option<&str>, default: i64) -> i64 {
    o_id.and_then(|o_id| find_agent(o_id, false))
        .map_or(default, |agent| agent.steps)
}

/// Returns the agent types the service documents, plus `FUTURE_AGENT` when asked.
pub(crate) fn agent_types(include_future: bool) -> Vec<AgentTypeInfo> {
    let documented: [(AgentType, &str, &str, &str); 9] = [
        (
            AgentType::Prospector,
            "Prospector",
            "Finds people to contact at a company or at lookalike companies.",
            "prospecting",
        ),
        (
            AgentType::Content,
            "Content",
            "Writes content about a person, company or page.",
            "content",
        ),
        (
            AgentType::Email,
            "Sequence",
            "Writes a sequence of one to four outbound emails.",
            "content",
        ),
        (
            AgentType::EnrichPerson,
            "Enrich Person",
            "Enriches a person and matches them to the library.",
            "enrichment",
        ),
        (
            AgentType::EnrichCompany,
            "Enrich Company",
            "Enriches a company and matches it to the library.",
            "enrichment",
        ),
        (
            AgentType::QualifyPerson,
            "Qualify Person",
            "Scores a person against the ideal customer profile.",
            "qualification",
        ),
        (
            AgentType::QualifyCompany,
            "Qualify Company",
            "Scores a company against the ideal customer profile.",
            "qualification",
        ),
        (
            AgentType::CallPrep,
            "Call Prep",
            "Prepares briefs, questions and a script for a call.",
            "sales",
        ),
        (
            AgentType::Context,
            "Context",
            "Answers a question from the library and resources.",
            "research",
        ),
    ];
    let mut types: Vec<AgentTypeInfo> = documented
        .into_iter()
        .map(|(type_, name, description, category)| AgentTypeInfo {
            category: Some(category.to_owned()),
            description: Some(description.to_owned()),
            name: Some(name.to_owned()),
            type_: Some(type_),
        })
        .collect();
    if include_future {
        types.push(AgentTypeInfo {
            category: Some("future".to_owned()),
            description: Some(FUTURE_AGENT.description.to_owned()),
            name: Some(FUTURE_AGENT.name.to_owned()),
            type_: Some(AgentType::Unknown(FUTURE_AGENT_TYPE.to_owned())),
        });
    }
    types
}
