//! The required inputs of agent runs, as types: which company, which person, which agent.

/// The company an agent works on: its domain or its name.
///
/// ```
/// use octave::CompanyIdentifier;
///
/// let by_domain = CompanyIdentifier::domain("example.com");
/// let by_name = CompanyIdentifier::name("Example Inc.");
/// # let _ = (by_domain, by_name);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompanyIdentifier {
    /// Web domain, such as `example.com`. Sent as `companyDomain`.
    Domain(String),
    /// Company name. Sent as `companyName`.
    Name(String),
}

impl CompanyIdentifier {
    /// Identifies the company by its web domain, such as `example.com`.
    pub fn domain(domain: impl Into<String>) -> Self {
        CompanyIdentifier::Domain(domain.into())
    }

    /// Identifies the company by its name.
    pub fn name(name: impl Into<String>) -> Self {
        CompanyIdentifier::Name(name.into())
    }
}

/// The person an agent works on: an email address, a LinkedIn profile, or a first name at a
/// company. A LinkedIn profile gives the best enrichment results.
///
/// ```
/// use octave::{CompanyIdentifier, PersonIdentifier};
///
/// let by_email = PersonIdentifier::email("jane@example.com");
/// let by_profile = PersonIdentifier::linked_in_profile("https://www.linkedin.com/in/jane/");
/// let by_name = PersonIdentifier::name("Jane", CompanyIdentifier::domain("example.com"));
/// # let _ = (by_email, by_profile, by_name);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersonIdentifier {
    /// Email address. Sent as `email`.
    Email(String),
    /// LinkedIn profile URL. Sent as `linkedInProfile`.
    LinkedInProfile(String),
    /// First name plus the company. Sent as `firstName` and `companyDomain` or
    /// `companyName`.
    Name {
        /// First name of the person.
        first_name: String,
        /// The person's company.
        company: CompanyIdentifier,
    },
}

impl PersonIdentifier {
    /// Identifies the person by email address.
    pub fn email(email: impl Into<String>) -> Self {
        PersonIdentifier::Email(email.into())
    }

    /// Identifies the person by LinkedIn profile URL.
    pub fn linked_in_profile(url: impl Into<String>) -> Self {
        PersonIdentifier::LinkedInProfile(url.into())
    }

    /// Identifies the person by first name and company.
    pub fn name(first_name: impl Into<String>, company: CompanyIdentifier) -> Self {
        PersonIdentifier::Name {
            first_name: first_name.into(),
            company,
        }
    }
}

/// Target of a Sequence or Content run: a saved agent or an agent experiment. Exactly
/// one of the two is sent (`agentOId` or `experimentOId`).
///
/// ```
/// use octave::AgentTarget;
///
/// let agent = AgentTarget::agent("ca_123");
/// let experiment = AgentTarget::experiment("ae_456");
/// # let _ = (agent, experiment);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgentTarget {
    /// OId of a saved agent. Sent as `agentOId`.
    Agent(String),
    /// OId of an agent experiment. Sent as `experimentOId`.
    Experiment(String),
}

impl AgentTarget {
    /// Runs the saved agent with this OId.
    pub fn agent(agent_id: impl Into<String>) -> Self {
        AgentTarget::Agent(agent_id.into())
    }

    /// Runs the agent experiment with this OId.
    pub fn experiment(experiment_id: impl Into<String>) -> Self {
        AgentTarget::Experiment(experiment_id.into())
    }
}

/// Sets the company fields of an input from a [`CompanyIdentifier`].
macro_rules! apply_company {
    ($input:expr, $company:expr) => {
        match $company {
            $crate::CompanyIdentifier::Domain(domain) => $input.company_domain = Some(domain),
            $crate::CompanyIdentifier::Name(name) => $input.company_name = Some(name),
        }
    };
}

/// Sets the person fields of an input from a [`PersonIdentifier`].
macro_rules! apply_person {
    ($input:expr, $person:expr) => {
        match $person {
            $crate::PersonIdentifier::Email(email) => $input.email = Some(email),
            $crate::PersonIdentifier::LinkedInProfile(url) => $input.linked_in_profile = Some(url),
            $crate::PersonIdentifier::Name {
                first_name,
                company,
            } => {
                $input.first_name = Some(first_name);
                $crate::identifiers::apply_company!($input, company);
            }
        }
    };
}

/// Sets `agentOId` or `experimentOId` of an input from an [`AgentTarget`].
macro_rules! apply_target {
    ($input:expr, $target:expr) => {
        match $target {
            $crate::AgentTarget::Agent(id) => $input.agent_o_id = Some(id),
            $crate::AgentTarget::Experiment(id) => $input.experiment_o_id = Some(id),
        }
    };
}

pub(crate) use {apply_company, apply_person, apply_target};
