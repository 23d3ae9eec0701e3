//! Agents that work on a company: Enrich Company, Qualify Company and Prospector.

use octave_types::agents::{EnrichCompany, Prospector, QualifyCompany};
use octave_types::{
    EnrichCompanyAgentInput, ProspectorAgentInput, QualifyCompanyAgentInput, SearchContext,
};

use super::sealed::AgentInput;
use super::{RunBuilder, common_setters, setters};
use crate::client::Client;
use crate::error::Result;
use crate::identifiers::{CompanyIdentifier, apply_company};
use crate::validate::{check_company, check_id, check_not_blank, check_prospector_limit};

/// Builder of an Enrich Company run.
pub type EnrichCompanyBuilder = RunBuilder<EnrichCompany>;

/// Builder of a Qualify Company run.
pub type QualifyCompanyBuilder = RunBuilder<QualifyCompany>;

/// Builder of a Prospector run.
pub type ProspectorBuilder = RunBuilder<Prospector>;

impl Client {
    /// Prepares an Enrich Company run: firmographics of the company plus the products,
    /// playbook and segment of the workspace that match it.
    ///
    /// ```no_run
    /// # async fn example(client: octave::Client) -> octave::Result<()> {
    /// use octave::CompanyIdentifier;
    ///
    /// let result = client
    ///     .enrich_company("ca_123", CompanyIdentifier::domain("example.com"))
    ///     .include_full_annotation(true)
    ///     .run()
    ///     .await?;
    /// if let Some(company) = result.output.and_then(|output| output.company) {
    ///     println!("{:?}", company.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn enrich_company(
        &self,
        agent_id: impl Into<String>,
        company: CompanyIdentifier,
    ) -> EnrichCompanyBuilder {
        let mut input = EnrichCompanyAgentInput {
            agent_o_id: agent_id.into(),
            company_domain: None,
            company_name: None,
            crm_account_id: None,
            experiment_o_id: None,
            include_full_annotation: None,
            runtime_context: None,
        };
        apply_company!(input, company);
        RunBuilder::from_input(self, input)
    }

    /// Prepares a Qualify Company run: a score and rationale for the company against the
    /// workspace's ideal customer profile.
    pub fn qualify_company(
        &self,
        agent_id: impl Into<String>,
        company: CompanyIdentifier,
    ) -> QualifyCompanyBuilder {
        let mut input = QualifyCompanyAgentInput {
            agent_o_id: agent_id.into(),
            company_domain: None,
            company_name: None,
            experiment_o_id: None,
            include_full_annotation: None,
            runtime_context: None,
        };
        apply_company!(input, company);
        RunBuilder::from_input(self, input)
    }

    /// Prepares a Prospector run: people to contact at a company. Name the company (or
    /// the seed of a lookalike search) with
    /// [`company_domain`](RunBuilder::company_domain); without it the agent's own
    /// configuration decides.
    pub fn prospector(&self, agent_id: impl Into<String>) -> ProspectorBuilder {
        let input = ProspectorAgentInput {
            agent_o_id: agent_id.into(),
            company_domain: None,
            experiment_o_id: None,
            include_full_annotation: None,
            limit: None,
            minimal: None,
            runtime_context: None,
            search_context: None,
        };
        RunBuilder::from_input(self, input)
    }
}

setters!(EnrichCompany {
    /// Domain of the company (`companyDomain`), in addition to or instead of the name.
    company_domain: company_domain = String,
    /// Name of the company (`companyName`), in addition to or instead of the domain.
    company_name: company_name = String,
    /// ID of the company's account in the connected CRM (`crmAccountId`).
    crm_account_id: crm_account_id = String,
});
common_setters!(EnrichCompany);

setters!(QualifyCompany {
    /// Domain of the company (`companyDomain`), in addition to or instead of the name.
    company_domain: company_domain = String,
    /// Name of the company (`companyName`), in addition to or instead of the domain.
    company_name: company_name = String,
});
common_setters!(QualifyCompany);

setters!(Prospector {
    /// Domain of the company to prospect, or of the seed company of a lookalike search
    /// (`companyDomain`).
    company_domain: company_domain = String,
    /// Whether to leave `positions`, `internalPictureUrl` and the nested `company` out of
    /// each person (`minimal`). Default on the service: true.
    minimal: minimal = bool,
    /// Search filters added to those configured in the agent (`searchContext`).
    search_context: search_context = SearchContext,
});
common_setters!(Prospector);

impl ProspectorBuilder {
    /// Sets the maximum number of people to return (`limit`), 1 to 1000. Overrides the
    /// limit configured in the agent. Checked when the run is sent.
    pub fn limit(mut self, limit: u32) -> Self {
        self.input.limit = Some(i64::from(limit));
        self
    }
}

impl AgentInput for EnrichCompany {
    fn check(input: &EnrichCompanyAgentInput) -> Result<()> {
        check_id("agentOId", &input.agent_o_id)?;
        check_not_blank("experimentOId", input.experiment_o_id.as_ref())?;
        check_not_blank("crmAccountId", input.crm_account_id.as_ref())?;
        check_company(input.company_domain.as_ref(), input.company_name.as_ref())
    }

    fn target_id(input: &EnrichCompanyAgentInput) -> Option<&str> {
        Some(&input.agent_o_id)
    }
}

impl AgentInput for QualifyCompany {
    fn check(input: &QualifyCompanyAgentInput) -> Result<()> {
        check_id("agentOId", &input.agent_o_id)?;
        check_not_blank("experimentOId", input.experiment_o_id.as_ref())?;
        check_company(input.company_domain.as_ref(), input.company_name.as_ref())
    }

    fn target_id(input: &QualifyCompanyAgentInput) -> Option<&str> {
        Some(&input.agent_o_id)
    }
}

impl AgentInput for Prospector {
    fn check(input: &ProspectorAgentInput) -> Result<()> {
        check_id("agentOId", &input.agent_o_id)?;
        check_not_blank("experimentOId", input.experiment_o_id.as_ref())?;
        check_not_blank("companyDomain", input.company_domain.as_ref())?;
        check_prospector_limit(input.limit)
    }

    fn target_id(input: &ProspectorAgentInput) -> Option<&str> {
        Some(&input.agent_o_id)
    }
}
