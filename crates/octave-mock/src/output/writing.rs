//! The writing agents: Sequence (emails), Content and Call Prep.

use octave_types::{
    CallPrepAgentInput, CallPrepAgentOutput, ContentAgentInput, ContentAgentOutput, CustomContext,
    SequenceAgentInput, SequenceAgentOutput, SequenceEmail, SequenceEmailSections,
    SequenceOutputFormat,
};
use serde_json::{Map, Value, json};

use super::Rng;
use super::library::{self, Subject};
use super::person::{Identity, PersonHints, identify};
use super::words::{BENEFITS, DISCOVERY_QUESTIONS, OBJECTIONS, REFERENCES};
use crate::catalog::steps_of;

/// Greeting word and sign-off for a language code; English for codes not listed.
fn greeting_words(lang: Option<&str>) -> (&'static str, &'static str) {
    let code = lang.unwrap_or("en").to_ascii_lowercase();
    match code.split(['-', '_']).next().unwrap_or("en") {
        "es" => ("Hola", "Saludos"),
        "de" => ("Hallo", "Viele Grüße"),
        "fr" => ("Bonjour", "Cordialement"),
        "pt" => ("Olá", "Abraços"),
        _ => ("Hi", "Best"),
    }
}

fn custom_o_id(
    context: Option<&CustomContext>,
    pick: fn(&CustomContext) -> Option<&str>,
) -> Option<&str> {
    context.and_then(pick)
}

/// Escapes text for an HTML paragraph.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Sequence: one email per step of the agent (three when the agent is unknown), written for
/// the recipient in the requested language and format. A `runtimeContext` for `all` or for a
/// step number becomes that email's postscript.
pub(super) fn sequence(input: &SequenceAgentInput, rng: &mut Rng) -> SequenceAgentOutput {
    let hints = PersonHints {
        email: input.email.as_deref(),
        first_name: input.first_name.as_deref(),
        last_name: input.last_name.as_deref(),
        job_title: input.job_title.as_deref(),
        company_domain: input.company_domain.as_deref(),
        company_name: input.company_name.as_deref(),
        linked_in_profile: input.linked_in_profile.as_deref(),
    };
    let identity = identify(&hints, rng);
    let subject = identity.subject();
    let context = input.custom_context.as_ref();
    let product_o_id = custom_o_id(context, |c| c.product.as_ref().map(|r| r.o_id.as_str()));
    let playbook_o_id = custom_o_id(context, |c| c.playbook.as_ref().map(|r| r.o_id.as_str()));
    let product = library::matched_product(&subject, true, product_o_id, rng);
    let playbook = library::matched_playbook(&subject, playbook_o_id, rng);
    let persona = library::matched_persona(&subject, rng);

    let owner = input
        .agent_o_id
        .as_deref()
        .or(input.experiment_o_id.as_deref());
    let steps = steps_of(owner, 3).clamp(1, 4);
    let (hello, sign_off) = greeting_words(input.lang.as_deref());
    let product_name = product.name.clone().unwrap_or_default();
    let format = input
        .output_format
        .clone()
        .unwrap_or(SequenceOutputFormat::Text);

    let emails: Vec<SequenceEmail> = (1..=steps)
        .map(|step| {
            let benefit = *rng.pick(BENEFITS);
            let reference = rng.pick(REFERENCES).1;
            let step_context = input.runtime_context.as_ref().and_then(|texts| {
                let parts: Vec<&str> = ["all".to_owned(), step.to_string()]
                    .iter()
                    .filter_map(|key| texts.get(key).map(String::as_str))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            });
            let sections = SequenceEmailSections {
                greeting: Some(format!("{hello} {},", identity.first_name)),
                opening: Some(opening(step, &identity, reference)),
                body: Some(format!(
                    "{product_name} helps {} teams get to {}.",
                    subject.industry.to_lowercase(),
                    benefit.to_lowercase()
                )),
                closing: Some(format!(
                    "Either way, good luck with the quarter at {}.",
                    subject.company
                )),
                cta: Some(match step {
                    1 => "Open to a 15-minute call next week?".to_owned(),
                    4 => "Should I close the loop on this?".to_owned(),
                    _ => "Worth a short conversation?".to_owned(),
                }),
                ps: Some(step_context.map_or_else(
                    || "P.S. Happy to send a two-minute video instead.".to_owned(),
                    |context| format!("P.S. {context}"),
                )),
                signature: Some(format!("{sign_off},\nAlex\n{product_name}")),
                extra: Map::new(),
            };
            let subject_line = match step {
                1 => format!("{} and {product_name}", subject.company),
                2 => format!("A quick idea for {}", identity.first_name),
                3 => format!("How {reference} did it"),
                _ => "Should I close the loop?".to_owned(),
            };
            SequenceEmail {
                core_value_prop: Some(benefit.to_owned()),
                email: Some(render_email(&sections, &format)),
                sections: Some(sections),
                subject: Some(subject_line),
                extra: Map::new(),
            }
        })
        .collect();

    SequenceAgentOutput {
        emails: Some(emails),
        persona: Some(persona),
        playbook: Some(playbook),
        product: Some(product),
        extra: Map::new(),
    }
}

fn opening(step: i64, identity: &Identity, reference: &str) -> String {
    let company = identity.company.name.as_deref().unwrap_or("your company");
    match step {
        1 => format!(
            "As {} at {company}, you are probably looking for more pipeline without more headcount.",
            identity.title
        ),
        2 => format!("I wrote last week about {company}; here is one concrete idea."),
        3 => format!("{reference} had the same problem a year ago."),
        _ => "I have not heard back, so this is my last note for now.".to_owned(),
    }
}

/// Joins the sections into the whole email: paragraphs separated by blank lines, or `<p>`
/// elements for HTML. Markdown marks the call to action in bold.
fn render_email(sections: &SequenceEmailSections, format: &SequenceOutputFormat) -> String {
    let cta = sections.cta.clone().unwrap_or_default();
    let cta = match format {
        SequenceOutputFormat::Markdown => format!("**{cta}**"),
        _ => cta,
    };
    let parts = [
        sections.greeting.clone().unwrap_or_default(),
        sections.opening.clone().unwrap_or_default(),
        sections.body.clone().unwrap_or_default(),
        cta,
        sections.closing.clone().unwrap_or_default(),
        sections.signature.clone().unwrap_or_default(),
        sections.ps.clone().unwrap_or_default(),
    ];
    match format {
        SequenceOutputFormat::Html => parts
            .iter()
            .map(|part| format!("<p>{}</p>", escape_html(part).replace('\n', "<br>")))
            .collect::<Vec<_>>()
            .join(""),
        _ => parts.join("\n\n"),
    }
}

/// Content: a short piece about the recipient and their company, or about `url` when given.
/// `outputFormat` `JSON` adds `jsonContent`; `MARKDOWN` and `HTML` add a heading.
pub(super) fn content(input: &ContentAgentInput, rng: &mut Rng) -> ContentAgentOutput {
    let hints = PersonHints {
        email: input.email.as_deref(),
        first_name: input.first_name.as_deref(),
        last_name: input.last_name.as_deref(),
        job_title: input.job_title.as_deref(),
        company_domain: input.company_domain.as_deref(),
        company_name: input.company_name.as_deref(),
        linked_in_profile: input.linked_in_profile.as_deref(),
    };
    let identity = identify(&hints, rng);
    let subject = identity.subject();
    let context = input.custom_context.as_ref();
    let product_o_id = custom_o_id(context, |c| c.product.as_ref().map(|r| r.o_id.as_str()));
    let playbook_o_id = custom_o_id(context, |c| c.playbook.as_ref().map(|r| r.o_id.as_str()));
    let product = library::matched_product(&subject, false, product_o_id, rng);
    let playbook = library::matched_playbook(&subject, playbook_o_id, rng);
    let persona = library::matched_persona(&subject, rng);
    let benefit = *rng.pick(BENEFITS);
    let product_name = product.name.clone().unwrap_or_default();

    let headline = match input.url.as_deref() {
        Some(url) => format!("What {url} means for {}", subject.company),
        None => format!("{}: {}", subject.company, benefit),
    };
    let body = format!(
        "{} leads {} at {}. Teams in {} use {product_name} to reach {}.",
        identity.full_name(),
        identity.title.to_lowercase(),
        subject.company,
        subject.industry.to_lowercase(),
        benefit.to_lowercase()
    );
    let call_to_action = format!("See how {product_name} works for {}.", subject.company);
    let format = input
        .output_format
        .as_deref()
        .unwrap_or("TEXT")
        .to_ascii_uppercase();
    let text = match format.as_str() {
        "MARKDOWN" => format!("## {headline}\n\n{body}\n\n**{call_to_action}**"),
        "HTML" => format!(
            "<h2>{}</h2><p>{}</p><p><strong>{}</strong></p>",
            escape_html(&headline),
            escape_html(&body),
            escape_html(&call_to_action)
        ),
        _ => format!("{headline}\n\n{body}\n\n{call_to_action}"),
    };
    let json_content = (format == "JSON")
        .then(|| json!({ "headline": headline, "body": body, "callToAction": call_to_action }));

    ContentAgentOutput {
        content: Some(text),
        json_content,
        persona: Some(persona),
        playbook: Some(playbook),
        product: Some(product),
        reference_customers: Some(library::reference_customers(&subject, rng)),
        service: None,
        solution: None,
        use_cases: Some(library::use_cases(&subject, rng)),
        extra: Map::new(),
    }
}

/// Call Prep: briefs on the person and company, five discovery questions, a call script and
/// objection handling (under `objectionHandling`, a field the published schema does not
/// name).
pub(super) fn call_prep(input: &CallPrepAgentInput, rng: &mut Rng) -> CallPrepAgentOutput {
    let hints = PersonHints {
        email: input.email.as_deref(),
        first_name: input.first_name.as_deref(),
        job_title: input.job_title.as_deref(),
        company_domain: input.company_domain.as_deref(),
        company_name: input.company_name.as_deref(),
        linked_in_profile: input.linked_in_profile.as_deref(),
        ..PersonHints::default()
    };
    let identity = identify(&hints, rng);
    let company = &identity.company;
    let company_name = company.name.clone().unwrap_or_default();
    let subject = Subject {
        name: identity.full_name(),
        ..Subject::company(company)
    };

    let mut questions = vec![format!(
        "What is the top priority for {company_name} this quarter, and how does your team \
         contribute to it?"
    )];
    questions.extend(
        rng.pick_many(DISCOVERY_QUESTIONS, 4)
            .into_iter()
            .map(str::to_owned),
    );
    let funding = company
        .crunch_base_funding
        .as_deref()
        .and_then(<[_]>::last)
        .and_then(|round| {
            Some(format!(
                " Its last round was a {}.",
                round.round_name.as_deref()?
            ))
        })
        .unwrap_or_default();
    let person_brief = format!(
        "{} is {} at {company_name} and can be reached at {}. {}",
        identity.full_name(),
        identity.title,
        identity.email,
        library::matched_persona(&subject, rng)
            .match_analysis
            .unwrap_or_default()
    );
    let company_brief = format!(
        "{}{funding}",
        company.description.clone().unwrap_or_default()
    );
    let call_script = [
        format!(
            "1. Open: thank {} for the time and confirm the 30 minutes.",
            identity.first_name
        ),
        format!("2. Agenda: learn how {company_name} builds pipeline today, then share one idea."),
        format!("3. Discover: {}", questions[0]),
        "4. Share: one customer story from the same industry.".to_owned(),
        "5. Next step: agree on a pilot or a follow-up with the wider team.".to_owned(),
    ]
    .join("\n");
    let objections: Vec<Value> = rng
        .pick_many(OBJECTIONS, 2)
        .into_iter()
        .map(|(objection, response)| json!({ "objection": objection, "response": response }))
        .collect();
    let mut extra = Map::new();
    extra.insert("objectionHandling".to_owned(), Value::Array(objections));

    CallPrepAgentOutput {
        call_script: Some(call_script),
        company_brief: Some(company_brief),
        discovery_questions: Some(questions),
        person_brief: Some(person_brief),
        extra,
    }
}
