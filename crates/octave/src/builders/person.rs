//! Agents that work on a person: Enrich Person, Qualify Person and Call Prep.

use octave_types::agents::{CallPrep, EnrichPerson, QualifyPerson};
use octave_types::{CallPrepAgentInput, EnrichPersonAgentInput, QualifyPersonAgentInput};

use super::sealed::AgentInput;
use super::{RunBuilder, common_setters, setters};
use crate::client::Client;
use crate::error::Result;
use crate::identifiers::{PersonIdentifier, apply_person};
use crate::validate::{PersonFields, check_id, check_not_blank};

/// Builder of an Enrich Person run.
pub type EnrichPersonBuilder = RunBuilder<EnrichPerson>;

/// Builder of a Qualify Person run.
pub type QualifyPersonBuilder = RunBuilder<QualifyPerson>;

/// Builder of a Call Prep run.
pub type CallPrepBuilder = RunBuilder<CallPrep>;

impl Client {
    /// Prepares an Enrich Person run: the person's profile plus the products, persona,
    /// use cases and playbook of the workspace that match it.
    ///
    /// ```no_run
    /// # async fn example(client: octave::Client) -> octave::Result<()> {
    /// use octave::PersonIdentifier;
    ///
    /// let result = client
    ///     .enrich_person(
    ///         "ca_123",
    ///         PersonIdentifier::linked_in_profile("https://www.linkedin.com/in/jane/"),
    ///     )
    ///     .job_title("VP Sales")
    ///     .run()
    ///     .await?;
    /// println!("found: {}", result.found);
    /// # Ok(())
    /// # }
    /// ```
    pub fn enrich_person(
        &self,
        agent_id: impl Into<String>,
        person: PersonIdentifier,
    ) -> EnrichPersonBuilder {
        let mut input = EnrichPersonAgentInput {
            agent_o_id: agent_id.into(),
            company_domain: None,
            company_name: None,
            crm_account_id: None,
            crm_contact_id: None,
            crm_lead_id: None,
            email: None,
            experiment_o_id: None,
            first_name: None,
            include_full_annotation: None,
            job_title: None,
            last_name: None,
            linked_in_profile: None,
            runtime_context: None,
        };
        apply_person!(input, person);
        RunBuilder::from_input(self, input)
    }

    /// Prepares a Qualify Person run: a score and rationale for the person against the
    /// workspace's ideal customer profile.
    pub fn qualify_person(
        &self,
        agent_id: impl Into<String>,
        person: PersonIdentifier,
    ) -> QualifyPersonBuilder {
        let mut input = QualifyPersonAgentInput {
            agent_o_id: agent_id.into(),
            company_domain: None,
            company_name: None,
            email: None,
            experiment_o_id: None,
            first_name: None,
            include_full_annotation: None,
            job_title: None,
            linked_in_profile: None,
            runtime_context: None,
        };
        apply_person!(input, person);
        RunBuilder::from_input(self, input)
    }

    /// Prepares a Call Prep run: briefs on the person and the company, discovery questions
    /// and a call script.
    pub fn call_prep(
        &self,
        agent_id: impl Into<String>,
        person: PersonIdentifier,
    ) -> CallPrepBuilder {
        let mut input = CallPrepAgentInput {
            agent_o_id: agent_id.into(),
            company_domain: None,
            company_name: None,
            email: None,
            experiment_o_id: None,
            first_name: None,
            include_full_annotation: None,
            job_title: None,
            linked_in_profile: None,
            runtime_context: None,
        };
        apply_person!(input, person);
        RunBuilder::from_input(self, input)
    }
}

/// Defines the person setters that all three person agents share.
macro_rules! person_setters {
    ($agent:ty) => {
        setters!($agent {
            /// Email address of the person (`email`).
            email: email = String,
            /// LinkedIn profile URL of the person (`linkedInProfile`).
            linked_in_profile: linked_in_profile = String,
            /// First name of the person (`firstName`).
            first_name: first_name = String,
            /// Job title of the person (`jobTitle`).
            job_title: job_title = String,
            /// Domain of the person's company (`companyDomain`).
            company_domain: company_domain = String,
            /// Name of the person's company (`companyName`).
            company_name: company_name = String,
        });
        common_setters!($agent);
    };
}

person_setters!(EnrichPerson);
person_setters!(QualifyPerson);
person_setters!(CallPrep);

setters!(EnrichPerson {
    /// Last name of the person (`lastName`).
    last_name: last_name = String,
    /// ID of the person's contact record in the CRM (`crmContactId`).
    crm_contact_id: crm_contact_id = String,
    /// ID of the person's lead record in the CRM (`crmLeadId`).
    crm_lead_id: crm_lead_id = String,
    /// ID of the company's account record in the CRM (`crmAccountId`).
    crm_account_id: crm_account_id = String,
});

impl AgentInput for EnrichPerson {
    fn check(input: &EnrichPersonAgentInput) -> Result<()> {
        check_id("agentOId", &input.agent_o_id)?;
        check_not_blank("experimentOId", input.experiment_o_id.as_ref())?;
        PersonFields {
            email: input.email.as_ref(),
            linked_in_profile: input.linked_in_profile.as_ref(),
            first_name: input.first_name.as_ref(),
            last_name: input.last_name.as_ref(),
            company_domain: input.company_domain.as_ref(),
            company_name: input.company_name.as_ref(),
            crm_contact_id: input.crm_contact_id.as_ref(),
            crm_lead_id: input.crm_lead_id.as_ref(),
            crm_account_id: input.crm_account_id.as_ref(),
        }
        .check_identifies_person()
    }

    fn target_id(input: &EnrichPersonAgentInput) -> Option<&str> {
        Some(&input.agent_o_id)
    }
}

impl AgentInput for QualifyPerson {
    fn check(input: &QualifyPersonAgentInput) -> Result<()> {
        check_id("agentOId", &input.agent_o_id)?;
        check_not_blank("experimentOId", input.experiment_o_id.as_ref())?;
        PersonFields {
            email: input.email.as_ref(),
            linked_in_profile: input.linked_in_profile.as_ref(),
            first_name: input.first_name.as_ref(),
            company_domain: input.company_domain.as_ref(),
            company_name: input.company_name.as_ref(),
            ..PersonFields::default()
        }
        .check_identifies_person()
    }

    fn target_id(input: &QualifyPersonAgentInput) -> Option<&str> {
        Some(&input.agent_o_id)
    }
}

impl AgentInput for CallPrep {
    fn check(input: &CallPrepAgentInput) -> Result<()> {
        check_id("agentOId", &input.agent_o_id)?;
        check_not_blank("experimentOId", input.experiment_o_id.as_ref())?;
        PersonFields {
            email: input.email.as_ref(),
            linked_in_profile: input.linked_in_profile.as_ref(),
            first_name: input.first_name.as_ref(),
            company_domain: input.company_domain.as_ref(),
            company_name: input.company_name.as_ref(),
            ..PersonFields::default()
        }
        .check_identifies_person()
    }

    fn target_id(input: &CallPrepAgentInput) -> Option<&str> {
        Some(&input.agent_o_id)
    }
}
