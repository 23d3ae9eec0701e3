//! Library entities (products, personas, playbooks, segments, use cases, reference
//! customers) matched to a company or person, and the qualification blocks built on them.

use octave_types::{
    Company, CustomField, MatchConfidence, MatchedEntity, MatchedPersona, MatchedPlaybook,
    MatchedProduct, PersonaDetails, ProductDetails, Qualification, QualificationAnswer,
    QualificationBlock, QualifyingQuestion,
};
use serde_json::Map;

use super::Rng;
use super::words::{
    BENEFITS, CAPABILITIES, CHALLENGES, INSIGHTS, PAIN_POINTS, PERSONAS, PLAYBOOKS, PRODUCTS,
    QUESTIONS, REFERENCES, RESPONSIBILITIES, SEGMENTS, USE_CASES,
};

/// Company or person an output is about, used to word analyses and rationales.
pub(super) struct Subject {
    /// The person's full name, or the company name.
    pub name: String,
    pub company: String,
    pub industry: String,
    pub title: Option<String>,
}

impl Subject {
    pub fn company(company: &Company) -> Subject {
        let name = company
            .name
            .clone()
            .unwrap_or_else(|| "the company".to_owned());
        Subject {
            company: name.clone(),
            name,
            industry: company
                .industry
                .clone()
                .unwrap_or_else(|| "software".to_owned()),
            title: None,
        }
    }
}

/// Copies picked words into an optional list field.
fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|item| (*item).to_owned()).collect())
}

fn confidence(rng: &mut Rng) -> MatchConfidence {
    match rng.below(3) {
        0 => MatchConfidence::Low,
        1 => MatchConfidence::Medium,
        _ => MatchConfidence::High,
    }
}

/// Picks a product, or uses the one named by `customContext.product.oId`. With `full`, the
/// library details and qualifying questions are included.
pub(super) fn matched_product(
    subject: &Subject,
    full: bool,
    custom_o_id: Option<&str>,
    rng: &mut Rng,
) -> MatchedProduct {
    let picked = *rng.pick(PRODUCTS);
    let chosen = custom_o_id
        .map(|o_id| PRODUCTS.iter().find(|product| product.0 == o_id).copied())
        .unwrap_or(Some(picked));
    let (o_id, name, internal_name, summary) = match chosen {
        Some(product) => product,
        None => (
            custom_o_id.unwrap_or(picked.0),
            "Custom product",
            "custom",
            picked.3,
        ),
    };
    let details = full.then(|| ProductDetails {
        capabilities: strings(&rng.pick_many(CAPABILITIES, 4)),
        challenges_addressed: strings(&rng.pick_many(CHALLENGES, 3)),
        custom_fields: Some(vec![CustomField {
            title: Some("Pricing model".to_owned()),
            value: strings(&["Per seat", "Annual"]),
            extra: Map::new(),
        }]),
        customer_benefits: strings(&rng.pick_many(BENEFITS, 3)),
        differentiated_value: Some(vec![format!(
            "Set up in a day for teams like {}",
            subject.company
        )]),
        internal_name: Some(internal_name.to_owned()),
        status_quo: strings(&["Manual research in spreadsheets"]),
        summary: Some(summary.to_owned()),
        type_: Some("PRODUCT".to_owned()),
        extra: Map::new(),
    });
    let qualifying_questions = full.then(|| {
        rng.pick_many(QUESTIONS, 3)
            .into_iter()
            .map(|(question, rationale)| QualifyingQuestion {
                archived_at: None,
                fit_type: Some("GOOD".to_owned()),
                question: Some(question.to_owned()),
                rationale: Some(rationale.to_owned()),
                weight: Some(if rng.chance(0.5) { "MEDIUM" } else { "HIGH" }.to_owned()),
                extra: Map::new(),
            })
            .collect()
    });

    MatchedProduct {
        data: details,
        description: Some(summary.to_owned()),
        internal_name: Some(internal_name.to_owned()),
        match_analysis: Some(format!(
            "{name} fits {} because {} teams in {} need faster account research.",
            subject.company,
            subject.industry.to_lowercase(),
            subject.company
        )),
        match_confidence: Some(confidence(rng)),
        name: Some(name.to_owned()),
        o_id: Some(o_id.to_owned()),
        primary_url: Some(format!("https://www.example.com/products/{internal_name}")),
        qualifying_questions,
        extra: Map::new(),
    }
}

/// Picks a playbook, or uses the one named by `customContext.playbook.oId`.
pub(super) fn matched_playbook(
    subject: &Subject,
    custom_o_id: Option<&str>,
    rng: &mut Rng,
) -> MatchedPlaybook {
    let picked = *rng.pick(PLAYBOOKS);
    let (o_id, name, description) = custom_o_id
        .map(|o_id| {
            PLAYBOOKS
                .iter()
                .find(|playbook| playbook.0 == o_id)
                .copied()
                .unwrap_or((o_id, "Custom playbook", picked.2))
        })
        .unwrap_or(picked);
    MatchedPlaybook {
        description: Some(description.to_owned()),
        key_insight: strings(&rng.pick_many(INSIGHTS, 2)),
        match_analysis: Some(format!(
            "{} matches the situation of {}.",
            name, subject.company
        )),
        match_confidence: Some(confidence(rng)),
        name: Some(name.to_owned()),
        o_id: Some(o_id.to_owned()),
        type_: Some("LEGACY".to_owned()),
        extra: Map::new(),
    }
}

/// Picks a persona for the subject's job title.
pub(super) fn matched_persona(subject: &Subject, rng: &mut Rng) -> MatchedPersona {
    let (o_id, name, internal_name, description) = *rng.pick(PERSONAS);
    let reason = match &subject.title {
        Some(title) => format!(
            "{} works as {title}, which fits the {name} persona.",
            subject.name
        ),
        None => format!(
            "The buying team at {} usually includes a {name}.",
            subject.company
        ),
    };
    MatchedPersona {
        data: Some(PersonaDetails {
            internal_name: Some(internal_name.to_owned()),
            key_concerns: strings(&rng.pick_many(CHALLENGES, 2)),
            pain_points: strings(&rng.pick_many(PAIN_POINTS, 3)),
            primary_responsibilities: strings(&rng.pick_many(RESPONSIBILITIES, 3)),
            extra: Map::new(),
        }),
        description: Some(description.to_owned()),
        internal_name: Some(internal_name.to_owned()),
        match_analysis: Some(reason),
        match_confidence: Some(confidence(rng)),
        name: Some(name.to_owned()),
        o_id: Some(o_id.to_owned()),
        extra: Map::new(),
    }
}

fn short_entity(entry: (&str, &str, &str), analysis: String) -> MatchedEntity {
    let (o_id, name, description) = entry;
    MatchedEntity {
        description: Some(description.to_owned()),
        match_analysis: Some(analysis),
        name: Some(name.to_owned()),
        o_id: Some(o_id.to_owned()),
        extra: Map::new(),
    }
}

pub(super) fn matched_segment(subject: &Subject, rng: &mut Rng) -> MatchedEntity {
    let segment = *rng.pick(SEGMENTS);
    let analysis = format!(
        "{} has the size and industry of this segment.",
        subject.company
    );
    short_entity(segment, analysis)
}

/// Picks one to three use cases.
pub(super) fn use_cases(subject: &Subject, rng: &mut Rng) -> Vec<MatchedEntity> {
    let count = rng.range(1, 3) as usize;
    rng.pick_many(USE_CASES, count)
        .into_iter()
        .map(|entry| {
            let analysis = format!(
                "{} would use this for {}.",
                subject.company,
                entry.1.to_lowercase()
            );
            short_entity(entry, analysis)
        })
        .collect()
}

/// Picks one or two reference customers.
pub(super) fn reference_customers(subject: &Subject, rng: &mut Rng) -> Vec<MatchedEntity> {
    let count = rng.range(1, 2) as usize;
    rng.pick_many(REFERENCES, count)
        .into_iter()
        .map(|entry| {
            let analysis = format!(
                "A {} story that {} can relate to.",
                subject.industry.to_lowercase(),
                subject.company
            );
            short_entity(entry, analysis)
        })
        .collect()
}

/// Library entity that a qualification block scores against.
#[derive(Clone, Copy)]
pub(super) enum Entity {
    Product,
    Persona,
    Segment,
    Playbook,
}

/// Scores the subject against one picked entity with three answered questions.
pub(super) fn qualification_block(
    subject: &Subject,
    entity: Entity,
    rng: &mut Rng,
) -> QualificationBlock {
    let (o_id, name, description) = match entity {
        Entity::Product => {
            let product = *rng.pick(PRODUCTS);
            (product.0, product.1, product.3)
        }
        Entity::Persona => {
            let persona = *rng.pick(PERSONAS);
            (persona.0, persona.1, persona.3)
        }
        Entity::Segment => *rng.pick(SEGMENTS),
        Entity::Playbook => *rng.pick(PLAYBOOKS),
    };
    let score = rng.score();
    let answers: Vec<QualificationAnswer> = rng
        .pick_many(QUESTIONS, 3)
        .into_iter()
        .map(|(question, rationale)| {
            let yes = rng.chance(score / 10.0);
            QualificationAnswer {
                answer: Some(if yes { "Yes" } else { "No" }.to_owned()),
                confidence: Some(confidence(rng).as_str().to_owned()),
                question: Some(question.to_owned()),
                rationale: Some(format!(
                    "{rationale} Public information about {} suggests {}.",
                    subject.company,
                    if yes { "it does" } else { "it does not" }
                )),
                extra: Map::new(),
            }
        })
        .collect();
    QualificationBlock {
        description: Some(description.to_owned()),
        message: Some(format!("Qualified {} against {name}.", subject.name)),
        name: Some(name.to_owned()),
        o_id: Some(o_id.to_owned()),
        qualification: Some(Qualification {
            answers: Some(answers),
            rationale: Some(overall_rationale(subject, score)),
            score: Some(score),
            extra: Map::new(),
        }),
        extra: Map::new(),
    }
}

/// Averages the scores of some blocks, rounded to one decimal.
pub(super) fn average_score(blocks: &[&QualificationBlock]) -> f64 {
    let scores: Vec<f64> = blocks
        .iter()
        .filter_map(|block| block.qualification.as_ref().and_then(|q| q.score))
        .collect();
    if scores.is_empty() {
        return 0.0;
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    (mean * 10.0).round() / 10.0
}

/// Explains a score from 0 to 10 in one sentence.
pub(super) fn overall_rationale(subject: &Subject, score: f64) -> String {
    let verdict = if score >= 7.0 {
        "a strong fit: most qualifying questions are answered yes"
    } else if score >= 4.0 {
        "a partial fit: some qualifying questions are open"
    } else {
        "a weak fit: most qualifying questions are answered no"
    };
    format!(
        "{} scores {score:.1} out of 10 and is {verdict}.",
        subject.name
    )
}
