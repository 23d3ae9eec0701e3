//! Company profiles and the two company agents, Enrich Company and Qualify Company.

use octave_types::{
    Company, CompanyLocation, EnrichCompanyAgentInput, EnrichCompanyAgentOutput, FundingRound,
    QualifyCompanyAgentInput, QualifyCompanyAgentOutput,
};
use serde_json::Map;

use super::Rng;
use super::library::{self, Subject};
use super::words::{
    COMPANY_TYPES, COMPANY_WORDS, INDUSTRIES, INVESTORS, LOCATIONS, ROUND_NAMES, SPECIALTIES,
};

/// Strips a scheme, `www.`, a path and a port from a domain or URL, and lowercases it.
pub(super) fn clean_domain(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let without_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("");
    let host = host.trim_start_matches("www.").to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Turns the first label of a domain into a company name: `acme-robotics.io` becomes
/// `Acme Robotics`.
pub(super) fn name_from_domain(domain: &str) -> String {
    let label = domain.split('.').next().unwrap_or(domain);
    label
        .split(['-', '_'])
        .filter(|word| !word.is_empty())
        .map(capitalize)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turns a company name into a `.com` domain: `Acme Robotics, Inc.` becomes
/// `acmeroboticsinc.com`.
fn domain_from_name(name: &str) -> String {
    let label: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|letter| letter.to_ascii_lowercase())
        .collect();
    if label.is_empty() {
        "example.com".to_owned()
    } else {
        format!("{label}.com")
    }
}

/// Uppercases the first letter of a word.
pub(super) fn capitalize(word: &str) -> String {
    let mut letters = word.chars();
    match letters.next() {
        Some(first) => first.to_uppercase().chain(letters).collect(),
        None => String::new(),
    }
}

/// Builds a company profile from whatever the input gives: a domain, a name, both or
/// neither.
pub(super) fn company_profile(domain: Option<&str>, name: Option<&str>, rng: &mut Rng) -> Company {
    let domain = domain.and_then(clean_domain);
    let name = name.map(str::trim).filter(|name| !name.is_empty());
    let (name, domain) = match (name, domain) {
        (Some(name), Some(domain)) => (name.to_owned(), domain),
        (Some(name), None) => (name.to_owned(), domain_from_name(name)),
        (None, Some(domain)) => (name_from_domain(&domain), domain),
        (None, None) => {
            let name = format!("{} Labs", rng.pick(COMPANY_WORDS));
            let domain = domain_from_name(&name);
            (name, domain)
        }
    };

    let industry = *rng.pick(INDUSTRIES);
    let (locality, region, country, postal, street) = *rng.pick(LOCATIONS);
    let employee_count = match rng.below(4) {
        0 => rng.range(8, 60),
        1 => rng.range(60, 400),
        2 => rng.range(400, 2500),
        _ => rng.range(2500, 40_000),
    };
    let founded = rng.range(1975, 2022);
    let slug = domain.split('.').next().unwrap_or(&domain).to_owned();
    let specialties: Vec<String> = rng
        .pick_many(SPECIALTIES, 3)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let funding = funding_rounds(rng);

    Company {
        country_code: Some(country.to_owned()),
        crunch_base_funding: Some(funding),
        description: Some(format!(
            "{name} is a {} company in {locality} with about {employee_count} employees.",
            industry.to_lowercase()
        )),
        domain: Some(domain.clone()),
        employee_count: Some(employee_count),
        follower_count: Some(employee_count * rng.range(8, 40)),
        founded: Some(founded),
        industry: Some(industry.to_owned()),
        location: Some(CompanyLocation {
            country_code: Some(country.to_owned()),
            locality: Some(locality.to_owned()),
            postal_code: Some(postal.to_owned()),
            region: Some(region.to_owned()),
            street_address: Some(street.to_owned()),
            extra: Map::new(),
        }),
        logo_url: Some(format!("https://logos.example.com/{domain}.png")),
        name: Some(name),
        slug: Some(slug),
        specialties: Some(specialties),
        type_: Some((*rng.pick(COMPANY_TYPES)).to_owned()),
        website: Some(format!("https://{domain}")),
        extra: Map::new(),
    }
}

fn funding_rounds(rng: &mut Rng) -> Vec<FundingRound> {
    let count = rng.below(4) as usize;
    (0..count)
        .map(|index| {
            let amount = (rng.range(2, 60) * 1_000_000 * (index as i64 + 1)) as f64;
            FundingRound {
                funding_round_count: Some(count as i64),
                investor_count: Some(rng.range(1, 5)),
                investor_names: Some(
                    rng.pick_many(INVESTORS, 2)
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                ),
                round_amount: Some(amount),
                round_currency: Some("USD".to_owned()),
                round_date: Some(format!(
                    "{}-{:02}-{:02}",
                    2016 + 2 * index as i64 + rng.range(0, 1),
                    rng.range(1, 12),
                    rng.range(1, 28)
                )),
                round_name: Some(ROUND_NAMES[index.min(ROUND_NAMES.len() - 1)].to_owned()),
                extra: Map::new(),
            }
        })
        .collect()
}

/// Enrich Company: the firmographic profile plus the matched product, playbook, segment and
/// use cases. `includeFullAnnotation` adds the product's library details.
pub(super) fn enrich_company(
    input: &EnrichCompanyAgentInput,
    rng: &mut Rng,
) -> EnrichCompanyAgentOutput {
    let company = company_profile(
        input.company_domain.as_deref(),
        input.company_name.as_deref(),
        rng,
    );
    let subject = Subject::company(&company);
    let full = input.include_full_annotation.unwrap_or(false);

    EnrichCompanyAgentOutput {
        product: Some(library::matched_product(&subject, full, None, rng)),
        playbook: Some(library::matched_playbook(&subject, None, rng)),
        segment: Some(library::matched_segment(&subject, rng)),
        use_cases: Some(library::use_cases(&subject, rng)),
        company: Some(company),
        extra: Map::new(),
    }
}

/// Qualify Company: an overall score from 0 to 10 with its rationale, and one qualification
/// per matched product, segment and playbook.
pub(super) fn qualify_company(
    input: &QualifyCompanyAgentInput,
    rng: &mut Rng,
) -> QualifyCompanyAgentOutput {
    let company = company_profile(
        input.company_domain.as_deref(),
        input.company_name.as_deref(),
        rng,
    );
    let subject = Subject::company(&company);
    let product = library::qualification_block(&subject, library::Entity::Product, rng);
    let segment = library::qualification_block(&subject, library::Entity::Segment, rng);
    let playbook = library::qualification_block(&subject, library::Entity::Playbook, rng);
    let score = library::average_score(&[&product, &segment, &playbook]);

    QualifyCompanyAgentOutput {
        rationale: Some(library::overall_rationale(&subject, score)),
        score: Some(score),
        product: Some(product),
        segment: Some(segment),
        playbook: Some(playbook),
        company: Some(company),
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_cleaning_strips_scheme_and_path() {
        let cleaned = clean_domain("https://www.Acme-Robotics.io:443/about?x=1");
        assert_eq!(cleaned.as_deref(), Some("acme-robotics.io"));
        assert_eq!(clean_domain("  "), None);
    }

    #[test]
    fn names_come_from_domains() {
        assert_eq!(name_from_domain("acme-robotics.io"), "Acme Robotics");
        assert_eq!(
            domain_from_name("Acme Robotics, Inc."),
            "acmeroboticsinc.com"
        );
    }
}
