//! People: who an input names, and the Enrich Person, Qualify Person and Prospector agents.

use octave_types::{
    Company, EnrichPersonAgentInput, EnrichPersonAgentOutput, Person, Prospect,
    ProspectorAgentInput, ProspectorAgentOutput, QualifyPersonAgentInput, QualifyPersonAgentOutput,
};
use serde_json::{Map, Value, json};

use super::Rng;
use super::company::{capitalize, clean_domain, company_profile};
use super::library::{self, Entity, Subject};
use super::words::{FIRST_NAMES, LAST_NAMES, TITLES};
use crate::catalog::steps_of;

/// Person fields of an input, each optional.
#[derive(Default)]
pub(super) struct PersonHints<'a> {
    pub email: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub company_domain: Option<&'a str>,
    pub company_name: Option<&'a str>,
    pub linked_in_profile: Option<&'a str>,
}

/// A person worked out from the hints, with invented values for what they leave open.
pub(super) struct Identity {
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub profile_url: String,
    pub company: Company,
}

impl Identity {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn subject(&self) -> Subject {
        let company = Subject::company(&self.company);
        Subject {
            name: self.full_name(),
            title: Some(self.title.clone()),
            ..company
        }
    }

    pub fn person(&self) -> Person {
        let mut extra = Map::new();
        extra.insert("email".to_owned(), Value::from(self.email.clone()));
        Person {
            company: Some(self.company.clone()),
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            profile_url: Some(self.profile_url.clone()),
            title: Some(self.title.clone()),
            extra,
        }
    }
}

/// Mail providers whose domain does not name the person's employer.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
];

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// Splits `jane.doe`, `jane_doe` or `jane-doe-4a1b` into name words, dropping words with
/// digits.
fn name_words(raw: &str) -> Vec<String> {
    raw.split(['.', '_', '-', '+'])
        .filter(|word| word.len() > 1 && word.chars().all(char::is_alphabetic))
        .map(|word| capitalize(&word.to_lowercase()))
        .collect()
}

/// Returns the name words of a LinkedIn URL such as `https://www.linkedin.com/in/john-doe/`.
fn linked_in_words(url: &str) -> Vec<String> {
    url.split_once("/in/")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(""))
        .map(name_words)
        .unwrap_or_default()
}

pub(super) fn identify(hints: &PersonHints<'_>, rng: &mut Rng) -> Identity {
    let email = non_blank(hints.email);
    let (local_part, email_domain) = email
        .and_then(|email| email.split_once('@'))
        .map_or((None, None), |(local, domain)| (Some(local), Some(domain)));
    let mut derived = local_part.map(name_words).unwrap_or_default();
    if derived.len() < 2 {
        derived = non_blank(hints.linked_in_profile)
            .map(linked_in_words)
            .filter(|words| !words.is_empty())
            .unwrap_or(derived);
    }

    let first_name = non_blank(hints.first_name)
        .map(str::to_owned)
        .or_else(|| derived.first().cloned())
        .unwrap_or_else(|| (*rng.pick(FIRST_NAMES)).to_owned());
    let last_name = non_blank(hints.last_name)
        .map(str::to_owned)
        .or_else(|| derived.get(1).cloned())
        .unwrap_or_else(|| (*rng.pick(LAST_NAMES)).to_owned());
    let title = non_blank(hints.job_title)
        .map(str::to_owned)
        .unwrap_or_else(|| (*rng.pick(TITLES)).to_owned());

    let work_domain = email_domain
        .and_then(clean_domain)
        .filter(|domain| !FREE_MAIL.contains(&domain.as_str()));
    let domain = non_blank(hints.company_domain)
        .map(str::to_owned)
        .or(work_domain);
    let company = company_profile(domain.as_deref(), non_blank(hints.company_name), rng);
    let company_domain = company
        .domain
        .clone()
        .unwrap_or_else(|| "example.com".to_owned());

    let handle = format!("{}-{}", first_name, last_name)
        .to_lowercase()
        .replace(' ', "-");
    let email = email.map(str::to_owned).unwrap_or_else(|| {
        format!("{}.{}@{company_domain}", first_name, last_name)
            .to_lowercase()
            .replace(' ', "")
    });
    let profile_url = non_blank(hints.linked_in_profile)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://www.linkedin.com/in/{handle}/"));

    Identity {
        first_name,
        last_name,
        title,
        email,
        profile_url,
        company,
    }
}

/// Enrich Person: the profile plus the matched persona, product, playbook and use cases.
pub(super) fn enrich_person(
    input: &EnrichPersonAgentInput,
    rng: &mut Rng,
) -> EnrichPersonAgentOutput {
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
    let full = input.include_full_annotation.unwrap_or(false);

    EnrichPersonAgentOutput {
        persona: Some(library::matched_persona(&subject, rng)),
        product: Some(library::matched_product(&subject, full, None, rng)),
        playbook: Some(library::matched_playbook(&subject, None, rng)),
        use_cases: Some(library::use_cases(&subject, rng)),
        person: Some(identity.person()),
        extra: Map::new(),
    }
}

/// Qualify Person: an overall score from 0 to 10 and one qualification per matched product,
/// persona, segment and playbook.
pub(super) fn qualify_person(
    input: &QualifyPersonAgentInput,
    rng: &mut Rng,
) -> QualifyPersonAgentOutput {
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
    let subject = identity.subject();
    let product = library::qualification_block(&subject, Entity::Product, rng);
    let persona = library::qualification_block(&subject, Entity::Persona, rng);
    let segment = library::qualification_block(&subject, Entity::Segment, rng);
    let playbook = library::qualification_block(&subject, Entity::Playbook, rng);
    let score = library::average_score(&[&product, &persona, &segment, &playbook]);

    QualifyPersonAgentOutput {
        rationale: Some(library::overall_rationale(&subject, score)),
        score: Some(score),
        product: Some(product),
        persona: Some(persona),
        segment: Some(segment),
        playbook: Some(playbook),
        person: Some(identity.person()),
        extra: Map::new(),
    }
}

/// Prospector: `limit` people (or the agent's configured number) at the company, with titles
/// taken from `searchContext` when it lists any. `minimal`, true by default, leaves out
/// positions, pictures and the company.
pub(super) fn prospector(input: &ProspectorAgentInput, rng: &mut Rng) -> ProspectorAgentOutput {
    let count = input
        .limit
        .unwrap_or_else(|| steps_of(Some(&input.agent_o_id), 10))
        .clamp(1, 1000) as usize;
    let minimal = input.minimal.unwrap_or(true);
    let company = company_profile(input.company_domain.as_deref(), None, rng);
    let company_name = company.name.clone().unwrap_or_default();
    let domain = company
        .domain
        .clone()
        .unwrap_or_else(|| "example.com".to_owned());

    let search = input.search_context.clone().unwrap_or_default();
    let excluded = |title: &&str| {
        search
            .exclude_titles
            .iter()
            .any(|excluded| excluded.eq_ignore_ascii_case(title))
    };
    let mut titles: Vec<&str> = search
        .exact_titles
        .iter()
        .chain(&search.fuzzy_titles)
        .map(String::as_str)
        .filter(|title| !excluded(title))
        .collect();
    if titles.is_empty() {
        titles = TITLES
            .iter()
            .copied()
            .filter(|title| !excluded(title))
            .collect();
    }
    if titles.is_empty() {
        titles.push("Sales Manager");
    }

    let people: Vec<Prospect> = (0..count)
        .map(|index| {
            let mut person_rng = rng.fork(index as u64);
            let first_name = *person_rng.pick(FIRST_NAMES);
            let last_name = *person_rng.pick(LAST_NAMES);
            let title = *person_rng.pick(&titles);
            let handle = format!("{first_name}-{last_name}-{index}").to_lowercase();
            let mut extra = Map::new();
            extra.insert(
                "email".to_owned(),
                Value::from(format!("{first_name}.{last_name}@{domain}").to_lowercase()),
            );
            Prospect {
                company: (!minimal).then(|| company.clone()),
                first_name: Some(first_name.to_owned()),
                internal_picture_url: (!minimal)
                    .then(|| format!("https://pictures.example.com/{handle}.jpg")),
                last_name: Some(last_name.to_owned()),
                positions: (!minimal).then(|| {
                    json!([{
                        "title": title,
                        "companyName": company_name,
                        "startDate": format!("{}-{:02}", person_rng.range(2012, 2024), person_rng.range(1, 12)),
                        "current": true
                    }])
                }),
                profile_url: Some(format!("https://www.linkedin.com/in/{handle}/")),
                title: Some(title.to_owned()),
                extra,
            }
        })
        .collect();

    ProspectorAgentOutput {
        people: Some(people),
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_email_and_linkedin() {
        assert_eq!(name_words("jane.doe"), ["Jane", "Doe"]);
        let words = linked_in_words("https://www.linkedin.com/in/john-doe-4a1b2/");
        assert_eq!(words, ["John", "Doe"]);
    }
}
