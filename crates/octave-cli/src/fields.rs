//! The agents' input fields as the CLI handles them: their JSON names, command-line flags
//! and value types, and the conversions from text (flags, CSV cells) to JSON.

use octave_types::AgentKind;
use serde_json::{Map, Value};

/// Type of a field's value, which decides how text becomes JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// A string, sent as is.
    Text,
    /// An integer within an inclusive range.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// `true`/`false` (also `1`/`0`, `yes`/`no`).
    Bool,
    /// A JSON object.
    Object,
    /// JSON when the text is a JSON object or array, else the text as a string.
    Any,
}

/// One input field of one or more agents.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Name in the JSON body, e.g. `companyDomain`.
    pub json_name: &'static str,
    /// Long flag of `octave run` without the dashes, or `None` when the field is set through
    /// `--input-json` only.
    pub flag: Option<&'static str>,
    /// Value type.
    pub value_type: ValueType,
}

const fn field(json_name: &'static str, flag: &'static str, value_type: ValueType) -> Field {
    Field {
        json_name,
        flag: Some(flag),
        value_type,
    }
}

const fn json_only(json_name: &'static str) -> Field {
    Field {
        json_name,
        flag: None,
        value_type: ValueType::Object,
    }
}

/// Every input field of every agent kind. Which kinds accept a field comes from
/// [`AgentKind::input_field_names`].
pub const FIELDS: &[Field] = &[
    field("agentOId", "agent", ValueType::Text),
    field("experimentOId", "experiment", ValueType::Text),
    field("companyDomain", "domain", ValueType::Text),
    field("companyName", "company-name", ValueType::Text),
    field("email", "email", ValueType::Text),
    field("linkedInProfile", "linkedin", ValueType::Text),
    field("firstName", "first-name", ValueType::Text),
    field("lastName", "last-name", ValueType::Text),
    field("jobTitle", "job-title", ValueType::Text),
    field("crmAccountId", "crm-account-id", ValueType::Text),
    field("crmContactId", "crm-contact-id", ValueType::Text),
    field("crmLeadId", "crm-lead-id", ValueType::Text),
    field("url", "url", ValueType::Text),
    field("outputFormat", "output-format", ValueType::Text),
    field("lang", "lang", ValueType::Text),
    field("requestId", "request-id", ValueType::Text),
    field(
        "playbookSelectionContext",
        "playbook-selection-context",
        ValueType::Text,
    ),
    field("limit", "limit", ValueType::Integer { min: 1, max: 1000 }),
    field("minimal", "minimal", ValueType::Bool),
    field(
        "includeFullAnnotation",
        "include-full-annotation",
        ValueType::Bool,
    ),
    field("runtimeContext", "runtime-context", ValueType::Any),
    json_only("runtimeInstructions"),
    json_only("customContext"),
    json_only("searchContext"),
];

/// Looks a field up by its JSON name.
pub fn by_json_name(json_name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|field| field.json_name == json_name)
}

/// Returns `true` when `kind` accepts the JSON field.
pub fn accepts(kind: AgentKind, json_name: &str) -> bool {
    kind.input_field_names().contains(&json_name)
}

/// Reduces a column or key name to lower-case letters and digits, so `company_domain`,
/// `companyDomain`, `Company Domain` and `company-domain` compare equal.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|character| character.is_ascii_alphanumeric())
        .map(|character| character.to_ascii_lowercase())
        .collect()
}

/// Maps a CSV column or JSON key to the kind's JSON field name. Accepts the JSON name in
/// camelCase or snake_case (any letter case) and the flag name (`domain`, `linkedin`).
pub fn resolve_column(kind: AgentKind, column: &str) -> Option<&'static str> {
    let wanted = normalize(column);
    if wanted.is_empty() {
        return None;
    }
    kind.input_field_names().iter().copied().find(|json_name| {
        normalize(json_name) == wanted
            || by_json_name(json_name)
                .and_then(|field| field.flag)
                .is_some_and(|flag| normalize(flag) == wanted)
    })
}

/// Lists the kind's field names for error messages.
pub fn valid_names(kind: AgentKind) -> String {
    kind.input_field_names().join(", ")
}

/// Converts a text value (a flag or a CSV cell) to JSON according to the field's type.
///
/// # Errors
///
/// Returns a message naming the field and the value when the text does not fit the type.
pub fn parse_text(json_name: &str, text: &str) -> Result<Value, String> {
    let value_type = by_json_name(json_name).map_or(ValueType::Text, |field| field.value_type);
    match value_type {
        ValueType::Text => Ok(Value::String(text.to_owned())),
        ValueType::Integer { min, max } => match text.trim().parse::<i64>() {
            Ok(number) if (min..=max).contains(&number) => Ok(Value::from(number)),
            _ => Err(format!(
                "invalid value `{text}` for {json_name}: expected an integer from {min} to {max}"
            )),
        },
        ValueType::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Value::Bool(true)),
            "false" | "0" | "no" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "invalid value `{text}` for {json_name}: expected true or false"
            )),
        },
        ValueType::Object => match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => Ok(value),
            _ => Err(format!(
                "invalid value for {json_name}: expected a JSON object, got `{}`",
                excerpt(text)
            )),
        },
        ValueType::Any => {
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') || trimmed.starts_with('[') {
                serde_json::from_str(text).map_err(|error| {
                    format!(
                        "invalid JSON for {json_name} (`{}`): {error}",
                        excerpt(text)
                    )
                })
            } else {
                Ok(Value::String(text.to_owned()))
            }
        }
    }
}

/// Converts a JSON value from a JSON Lines row or `--input-json`: strings given for integer
/// or boolean fields are parsed as text, everything else is kept.
///
/// # Errors
///
/// Returns a message naming the field when a string does not fit the field's type.
pub fn coerce_json(json_name: &str, value: Value) -> Result<Value, String> {
    let value_type = by_json_name(json_name).map(|field| field.value_type);
    match (value_type, value) {
        (Some(ValueType::Integer { .. } | ValueType::Bool), Value::String(text)) => {
            parse_text(json_name, &text)
        }
        (_, other) => Ok(other),
    }
}

/// Maps the keys of a JSON object to the kind's field names and coerces the values; `null`
/// values are dropped.
///
/// # Errors
///
/// Returns a message naming the first unknown key (with the valid names) or the first value
/// that does not fit its field.
pub fn map_object(
    kind: AgentKind,
    object: Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let mut fields = Map::new();
    for (key, value) in object {
        let Some(json_name) = resolve_column(kind, &key) else {
            return Err(format!(
                "unknown field `{key}` for {kind}; valid fields: {}",
                valid_names(kind)
            ));
        };
        if value.is_null() {
            continue;
        }
        fields.insert(json_name.to_owned(), coerce_json(json_name, value)?);
    }
    Ok(fields)
}

/// Returns the first 60 characters of a value for error messages.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_field_is_in_table() {
        for kind in AgentKind::ALL {
            for name in kind.input_field_names() {
                assert!(by_json_name(name).is_some(), "{kind}: {name}");
            }
        }
    }

    #[test]
    fn columns_resolve_in_any_case() {
        let kind = AgentKind::EnrichPerson;
        assert_eq!(
            resolve_column(kind, "company_domain"),
            Some("companyDomain")
        );
        assert_eq!(resolve_column(kind, "companyDomain"), Some("companyDomain"));
        assert_eq!(resolve_column(kind, "Domain"), Some("companyDomain"));
        assert_eq!(
            resolve_column(kind, "linked_in_profile"),
            Some("linkedInProfile")
        );
        assert_eq!(resolve_column(kind, "linkedin"), Some("linkedInProfile"));
        assert_eq!(resolve_column(kind, "agent_o_id"), Some("agentOId"));
        assert_eq!(resolve_column(kind, "limit"), None);
        assert_eq!(resolve_column(kind, ""), None);
    }

    #[test]
    fn text_values_follow_field_types() {
        assert_eq!(parse_text("limit", "25"), Ok(Value::from(25)));
        assert!(parse_text("limit", "0").is_err());
        assert!(parse_text("limit", "ten").is_err());
        assert_eq!(parse_text("minimal", "No"), Ok(Value::Bool(false)));
        assert!(parse_text("minimal", "maybe").is_err());
        assert_eq!(
            parse_text("runtimeContext", "plain text"),
            Ok(Value::from("plain text"))
        );
        assert_eq!(
            parse_text("runtimeContext", r#"{"a":1}"#),
            Ok(serde_json::json!({"a": 1}))
        );
        assert!(parse_text("customContext", "[1]").is_err());
    }

    #[test]
    fn map_object_rejects_unknown_keys() {
        let object = serde_json::json!({"domain": "a.com", "shoeSize": 9});
        let Value::Object(object) = object else {
            unreachable!()
        };
        let error = map_object(AgentKind::EnrichCompany, object).expect_err("unknown key");
        assert!(error.contains("`shoeSize`"), "{error}");
        assert!(error.contains("companyDomain"), "{error}");
    }
}
