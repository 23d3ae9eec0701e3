//! Word lists the generated outputs draw from. Every company, person and library entry here
//! is invented.

pub(super) const FIRST_NAMES: &[&str] = &[
    "Ada", "Amir", "Beatriz", "Chen", "Dana", "Elif", "Farah", "Gabriel", "Hana", "Ivan", "Jonas",
    "Keiko", "Lars", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma",
    "Victor", "Wen", "Yara", "Zoe",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Almeida", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quintero", "Rossi",
    "Silva", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang",
];

/// Job titles with the department they belong to.
pub(super) const TITLES: &[&str] = &[
    "VP of Sales",
    "Head of Revenue Operations",
    "Director of Marketing",
    "Chief Revenue Officer",
    "Sales Development Manager",
    "Head of Growth",
    "Account Executive",
    "Director of Sales Enablement",
    "VP of Marketing",
    "Revenue Operations Manager",
    "Head of Partnerships",
    "Chief Executive Officer",
];

pub(super) const INDUSTRIES: &[&str] = &[
    "Computer Software",
    "Financial Services",
    "Logistics and Supply Chain",
    "Health Care",
    "Manufacturing",
    "E-Learning",
    "Marketing and Advertising",
    "Renewable Energy",
    "Retail",
    "Information Technology and Services",
];

pub(super) const SPECIALTIES: &[&str] = &[
    "B2B SaaS",
    "Data Analytics",
    "Automation",
    "Cloud Infrastructure",
    "Customer Success",
    "Payments",
    "Machine Learning",
    "Field Operations",
    "Compliance",
    "Developer Tools",
    "Marketplaces",
    "Security",
];

/// (locality, region, country code, postal code, street address).
pub(super) const LOCATIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "San Francisco",
        "California",
        "US",
        "94105",
        "101 Mission Street",
    ),
    ("New York", "New York", "US", "10011", "85 Tenth Avenue"),
    ("Austin", "Texas", "US", "78701", "500 Congress Avenue"),
    ("London", "England", "GB", "EC2A 4NE", "12 Worship Street"),
    ("Berlin", "Berlin", "DE", "10115", "Invalidenstrasse 42"),
    ("Paris", "Ile-de-France", "FR", "75002", "18 Rue du Sentier"),
    (
        "Toronto",
        "Ontario",
        "CA",
        "M5V 2T6",
        "200 Front Street West",
    ),
    (
        "Amsterdam",
        "North Holland",
        "NL",
        "1017 CE",
        "Keizersgracht 300",
    ),
    ("Singapore", "Singapore", "SG", "018989", "8 Marina View"),
    ("Sydney", "New South Wales", "AU", "2000", "1 Bligh Street"),
];

pub(super) const COMPANY_TYPES: &[&str] = &["Privately Held", "Public Company", "Partnership"];

pub(super) const ROUND_NAMES: &[&str] = &["Seed", "Series A", "Series B", "Series C", "Series D"];

pub(super) const INVESTORS: &[&str] = &[
    "Northwind Ventures",
    "Harbor Capital",
    "Granite Peak Partners",
    "Blue Mesa Fund",
    "Lantern Growth",
    "Redwood Seed",
    "Atlas Crossing Capital",
];

/// Words used to name companies when the input gives neither a name nor a domain.
pub(super) const COMPANY_WORDS: &[&str] = &[
    "Acme",
    "Brightline",
    "Copperleaf",
    "Driftwood",
    "Evergreen",
    "Foundry",
    "Glasshouse",
    "Helix",
    "Ironbark",
    "Juniper",
];

/// Library products: (oId, name, internal name, summary).
pub(super) const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    (
        "px_pipeline_copilot",
        "Pipeline Copilot",
        "copilot",
        "An assistant that researches accounts and drafts outreach for sales teams.",
    ),
    (
        "px_account_radar",
        "Account Radar",
        "radar",
        "Signals that show which accounts are ready to buy.",
    ),
    (
        "px_revenue_insights",
        "Revenue Insights",
        "insights",
        "Forecasting and pipeline analytics for revenue leaders.",
    ),
];

pub(super) const CAPABILITIES: &[&str] = &[
    "Researches accounts from public sources",
    "Drafts personalized outreach",
    "Scores accounts against the ideal customer profile",
    "Syncs activity to the CRM",
    "Surfaces buying signals",
    "Forecasts pipeline by segment",
];

pub(super) const CHALLENGES: &[&str] = &[
    "Reps spend hours researching accounts by hand",
    "Outreach is generic and reply rates are low",
    "Pipeline reviews rely on gut feeling",
    "Marketing and sales disagree on which accounts matter",
    "New reps take months to ramp",
];

pub(super) const BENEFITS: &[&str] = &[
    "More meetings from the same number of accounts",
    "Shorter ramp time for new reps",
    "A forecast the board trusts",
    "Less time in spreadsheets",
    "Higher reply rates on cold outreach",
];

/// Library personas: (oId, name, internal name, description).
pub(super) const PERSONAS: &[(&str, &str, &str, &str)] = &[
    (
        "pe_sales_leader",
        "Sales Leader",
        "Sally the Sales Leader",
        "Runs the sales team and owns the number.",
    ),
    (
        "pe_revops",
        "Revenue Operations",
        "Rita the RevOps Manager",
        "Owns the go-to-market systems and data.",
    ),
    (
        "pe_marketing_leader",
        "Marketing Leader",
        "Mark the Marketing Leader",
        "Owns pipeline generation and brand.",
    ),
    (
        "pe_founder",
        "Founder",
        "Frank the Founder",
        "Sells the first deals personally and hires the first reps.",
    ),
];

pub(super) const PAIN_POINTS: &[&str] = &[
    "Missed quota in two of the last four quarters",
    "Too little pipeline from outbound",
    "CRM data nobody trusts",
    "Long sales cycles with many stakeholders",
    "Reps spend too little time selling",
];

pub(super) const RESPONSIBILITIES: &[&str] = &[
    "Hitting the revenue target",
    "Hiring and coaching the team",
    "Choosing the sales tools",
    "Reporting the forecast",
    "Defining the ideal customer profile",
];

/// Library playbooks: (oId, name, description).
pub(super) const PLAYBOOKS: &[(&str, &str, &str)] = &[
    (
        "pb_outbound_growth",
        "Outbound for growth-stage companies",
        "Reach teams that are scaling sales after a funding round.",
    ),
    (
        "pb_competitive_displacement",
        "Competitive displacement",
        "Win accounts that use an older tool.",
    ),
    (
        "pb_expansion",
        "Expansion in existing accounts",
        "Grow usage with teams next to the current buyer.",
    ),
];

pub(super) const INSIGHTS: &[&str] = &[
    "Teams that just raised money hire reps quickly and need them productive fast",
    "Leaders judge tools by time to first meeting",
    "A short pilot with one team beats a long evaluation",
    "Buyers respond to examples from their own industry",
];

/// Library segments: (oId, name, description).
pub(super) const SEGMENTS: &[(&str, &str, &str)] = &[
    (
        "sg_mid_market_saas",
        "Mid-market SaaS",
        "Software companies with 200 to 2,000 employees.",
    ),
    (
        "sg_enterprise",
        "Enterprise",
        "Companies with more than 2,000 employees.",
    ),
    (
        "sg_startups",
        "Startups",
        "Venture-backed companies with fewer than 200 employees.",
    ),
];

/// Library use cases: (oId, name, description).
pub(super) const USE_CASES: &[(&str, &str, &str)] = &[
    (
        "uu_account_research",
        "Account research",
        "Prepare reps with a brief before every call.",
    ),
    (
        "uu_outbound_personalization",
        "Outbound personalization",
        "Write first lines that reference real facts.",
    ),
    (
        "uu_pipeline_review",
        "Pipeline review",
        "Spot deals at risk before the forecast call.",
    ),
    (
        "uu_lead_routing",
        "Lead routing",
        "Send each lead to the rep who fits it best.",
    ),
];

/// Reference customers: (oId, name, description).
pub(super) const REFERENCES: &[(&str, &str, &str)] = &[
    (
        "re_northwind",
        "Northwind Traders",
        "Doubled outbound meetings in one quarter.",
    ),
    (
        "re_contoso",
        "Contoso Freight",
        "Cut account research time from an hour to five minutes.",
    ),
    (
        "re_fabrikam",
        "Fabrikam Health",
        "Raised reply rates from 2% to 7%.",
    ),
];

/// Qualifying questions: (question, rationale).
pub(super) const QUESTIONS: &[(&str, &str)] = &[
    (
        "Does the company run an outbound sales team?",
        "Outbound teams get the most value.",
    ),
    (
        "Has the company raised money in the last 18 months?",
        "Funded teams are hiring and buying.",
    ),
    (
        "Does the company use a CRM?",
        "The product syncs results to the CRM.",
    ),
    (
        "Are there more than 10 sales reps?",
        "Smaller teams rarely need the product yet.",
    ),
    (
        "Does the buyer own the sales tooling budget?",
        "Deals stall without a budget owner.",
    ),
];

pub(super) const DISCOVERY_QUESTIONS: &[&str] = &[
    "How does your team decide which accounts to work each week?",
    "What does a rep do before a first call today, and how long does it take?",
    "Where does pipeline come from today, and which source is growing?",
    "What would have to be true for you to change tools this quarter?",
    "Who else takes part in choosing sales tools?",
    "How do you measure whether outbound is working?",
    "What happened the last time you rolled out a new tool to the team?",
];

/// Objections with a suggested response.
pub(super) const OBJECTIONS: &[(&str, &str)] = &[
    (
        "We already have a tool for this.",
        "Ask what it does not cover, and offer a side-by-side pilot on ten accounts.",
    ),
    (
        "We have no budget this quarter.",
        "Offer a pilot that proves value before the next budget cycle.",
    ),
    (
        "My team is too busy to adopt something new.",
        "Show that setup takes a day and saves hours per rep each week.",
    ),
    (
        "Send me some information.",
        "Agree on one question the material should answer, and book a follow-up.",
    ),
];
