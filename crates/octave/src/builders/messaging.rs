//! Agents that write to a recipient: Sequence and Content. Both run a saved agent or an
//! agent experiment, given as an [`AgentTarget`].

use std::collections::HashMap;

use octave_types::agents::{Content, Sequence};
use octave_types::{
    ContentAgentInput, CustomContext, SequenceAgentInput, SequenceOutputFormat, SequenceStepText,
};

use super::RunBuilder;
use super::sealed::AgentInput;
use super::setters;
use crate::client::Client;
use crate::error::Result;
use crate::identifiers::{
    AgentTarget, CompanyIdentifier, PersonIdentifier, apply_company, apply_person, apply_target,
};
use crate::validate::{
    PersonFields, check_custom_context, check_not_blank, check_sequence_steps, check_target,
};

/// Builder of a Sequence run.
pub type SequenceBuilder = RunBuilder<Sequence>;

/// Builder of a Content run.
pub type ContentBuilder = RunBuilder<Content>;

impl Client {
    /// Prepares a Sequence run: an outbound email sequence for a recipient. Name the
    /// recipient with [`person`](RunBuilder::person) or the individual setters.
    ///
    /// ```no_run
    /// # async fn example(client: octave::Client) -> octave::Result<()> {
    /// use octave::{AgentTarget, PersonIdentifier};
    /// use octave::types::SequenceOutputFormat;
    ///
    /// let result = client
    ///     .sequence(AgentTarget::agent("ca_123"))
    ///     .person(PersonIdentifier::email("jane@example.com"))
    ///     .output_format(SequenceOutputFormat::Markdown)
    ///     .context_for_all_emails("Met at the SaaStr booth")
    ///     .instructions_for_email(1, "Keep it under 80 words")
    ///     .run()
    ///     .await?;
    /// for email in result.output.and_then(|output| output.emails).unwrap_or_default() {
    ///     println!("{:?}", email.subject);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn sequence(&self, target: AgentTarget) -> SequenceBuilder {
        let mut input = SequenceAgentInput::default();
        apply_target!(input, target);
        RunBuilder::from_input(self, input)
    }

    /// Prepares a Content run: free-form content about a person, a company or a page.
    pub fn content(&self, target: AgentTarget) -> ContentBuilder {
        let mut input = ContentAgentInput::default();
        apply_target!(input, target);
        RunBuilder::from_input(self, input)
    }
}

/// Defines the recipient setters that Sequence and Content share.
macro_rules! recipient_setters {
    ($agent:ty) => {
        setters!($agent {
            /// Email address of the recipient (`email`).
            email: email = String,
            /// LinkedIn profile URL of the recipient (`linkedInProfile`).
            linked_in_profile: linked_in_profile = String,
            /// First name of the recipient (`firstName`).
            first_name: first_name = String,
            /// Last name of the recipient (`lastName`).
            last_name: last_name = String,
            /// Job title of the recipient (`jobTitle`).
            job_title: job_title = String,
            /// Domain of the recipient's company (`companyDomain`).
            company_domain: company_domain = String,
            /// Name of the recipient's company (`companyName`).
            company_name: company_name = String,
            /// ID of the recipient's contact record in the CRM (`crmContactId`).
            crm_contact_id: crm_contact_id = String,
            /// ID of the recipient's lead record in the CRM (`crmLeadId`).
            crm_lead_id: crm_lead_id = String,
            /// ID of the company's account record in the CRM (`crmAccountId`).
            crm_account_id: crm_account_id = String,
            /// Library entities the agent must use instead of choosing its own
            /// (`customContext`).
            custom_context: custom_context = CustomContext,
            /// Whether to return full annotation data with metadata
            /// (`includeFullAnnotation`). Default on the service: minimal annotations.
            include_full_annotation: include_full_annotation = bool,
        });

        impl RunBuilder<$agent> {
            /// Sets the recipient from a [`PersonIdentifier`].
            pub fn person(mut self, person: PersonIdentifier) -> Self {
                apply_person!(self.input, person);
                self
            }

            /// Sets the recipient's company from a [`CompanyIdentifier`].
            pub fn company(mut self, company: CompanyIdentifier) -> Self {
                apply_company!(self.input, company);
                self
            }
        }
    };
}

recipient_setters!(Sequence);
recipient_setters!(Content);

setters!(Sequence {
    /// Language code of the emails (`lang`), such as `en` or `es`.
    lang: lang = String,
    /// Request id of the client's choice, sent in the body (`requestId`). Unrelated to the
    /// `x-external-request-id` header.
    request_id: request_id = String,
    /// Format of the emails (`outputFormat`): text, HTML or Markdown.
    output_format: output_format = SequenceOutputFormat,
    /// Facts about the prospect, per email step (`runtimeContext`). Keys are `all` or `1`
    /// to `4`; step keys add to `all` rather than replace it.
    runtime_context: runtime_context = SequenceStepText,
    /// Writing directives, such as tone or length, per email step (`runtimeInstructions`).
    /// Keys as for `runtime_context`.
    runtime_instructions: runtime_instructions = SequenceStepText,
    /// Hint that helps the agent pick the playbook (`playbookSelectionContext`).
    playbook_selection_context: playbook_selection_context = String,
});

impl SequenceBuilder {
    /// Adds context about the prospect for every email (`runtimeContext.all`).
    pub fn context_for_all_emails(self, text: impl Into<String>) -> Self {
        self.context_for_key("all".to_owned(), text.into())
    }

    /// Adds context about the prospect for email `step`, 1 to 4 (`runtimeContext."1"` and
    /// so on). Checked when the run is sent.
    pub fn context_for_email(self, step: u8, text: impl Into<String>) -> Self {
        self.context_for_key(step.to_string(), text.into())
    }

    /// Adds a writing directive for every email (`runtimeInstructions.all`).
    pub fn instructions_for_all_emails(self, text: impl Into<String>) -> Self {
        self.instructions_for_key("all".to_owned(), text.into())
    }

    /// Adds a writing directive for email `step`, 1 to 4. Checked when the run is sent.
    pub fn instructions_for_email(self, step: u8, text: impl Into<String>) -> Self {
        self.instructions_for_key(step.to_string(), text.into())
    }

    fn context_for_key(mut self, key: String, text: String) -> Self {
        step_map(&mut self.input.runtime_context).insert(key, text);
        self
    }

    fn instructions_for_key(mut self, key: String, text: String) -> Self {
        step_map(&mut self.input.runtime_instructions).insert(key, text);
        self
    }
}

fn step_map(slot: &mut Option<SequenceStepText>) -> &mut HashMap<String, String> {
    &mut slot
        .get_or_insert_with(|| SequenceStepText(HashMap::new()))
        .0
}

setters!(Content {
    /// Page to write about (`url`).
    url: url = String,
    /// Format of the content (`outputFormat`), such as `JSON` or `MARKDOWN`; the service
    /// does not document the full list.
    output_format: output_format = String,
    /// Extra context for this run (`runtimeContext`), of any JSON type.
    runtime_context: runtime_context = serde_json::Value,
});

/// Collects the recipient fields of a Sequence or Content input.
macro_rules! recipient_fields {
    ($input:expr) => {
        PersonFields {
            email: $input.email.as_ref(),
            linked_in_profile: $input.linked_in_profile.as_ref(),
            first_name: $input.first_name.as_ref(),
            last_name: $input.last_name.as_ref(),
            company_domain: $input.company_domain.as_ref(),
            company_name: $input.company_name.as_ref(),
            crm_contact_id: $input.crm_contact_id.as_ref(),
            crm_lead_id: $input.crm_lead_id.as_ref(),
            crm_account_id: $input.crm_account_id.as_ref(),
        }
    };
}

impl AgentInput for Sequence {
    fn check(input: &SequenceAgentInput) -> Result<()> {
        check_target(input.agent_o_id.as_ref(), input.experiment_o_id.as_ref())?;
        recipient_fields!(input).check_not_blank()?;
        check_not_blank("lang", input.lang.as_ref())?;
        check_not_blank("requestId", input.request_id.as_ref())?;
        check_sequence_steps("runtimeContext", input.runtime_context.as_ref())?;
        check_sequence_steps("runtimeInstructions", input.runtime_instructions.as_ref())?;
        check_custom_context(input.custom_context.as_ref())
    }

    fn target_id(input: &SequenceAgentInput) -> Option<&str> {
        input
            .agent_o_id
            .as_deref()
            .or(input.experiment_o_id.as_deref())
    }
}

impl AgentInput for Content {
    fn check(input: &ContentAgentInput) -> Result<()> {
        check_target(input.agent_o_id.as_ref(), input.experiment_o_id.as_ref())?;
        recipient_fields!(input).check_not_blank()?;
        check_not_blank("url", input.url.as_ref())?;
        check_custom_context(input.custom_context.as_ref())
    }

    fn target_id(input: &ContentAgentInput) -> Option<&str> {
        input
            .agent_o_id
            .as_deref()
            .or(input.experiment_o_id.as_deref())
    }
}
