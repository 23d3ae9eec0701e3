//! Typed access to JSON values, with errors that carry the JSON pointer of the bad value.

use serde_json::{Map, Value};

use super::build::BuildResult;
use super::load::{StructureError, escape};

/// Rejects references to other files or URLs, which the diff does not fetch.
pub fn check_local(reference: &str, pointer: &str) -> BuildResult<()> {
    if reference.starts_with("#/") {
        return Ok(());
    }
    Err(StructureError::new(
        pointer,
        format!(
            "$ref {reference} points outside this document; bundle the spec into one file \
             before comparing"
        ),
    ))
}

/// Returns the value as a mapping, or an error that names what was found instead.
pub fn object<'v>(value: &'v Value, pointer: &str) -> BuildResult<&'v Map<String, Value>> {
    value.as_object().ok_or_else(|| {
        StructureError::new(
            pointer,
            format!("expected a mapping, found {}", describe(value)),
        )
    })
}

/// Returns the value as a list, or an error that names what was found instead.
pub fn array<'v>(value: &'v Value, pointer: &str) -> BuildResult<&'v Vec<Value>> {
    value.as_array().ok_or_else(|| {
        StructureError::new(
            pointer,
            format!("expected a list, found {}", describe(value)),
        )
    })
}

/// Reads an optional string field.
pub fn string_field<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    pointer: &str,
) -> BuildResult<Option<&'v str>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(StructureError::new(
            &format!("{pointer}/{}", escape(key)),
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

/// Reads an optional boolean field.
pub fn bool_field(map: &Map<String, Value>, key: &str, pointer: &str) -> BuildResult<Option<bool>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(other) => Err(StructureError::new(
            &format!("{pointer}/{}", escape(key)),
            format!("expected true or false, found {}", describe(other)),
        )),
    }
}

/// Names the kind of a JSON value for error messages, with the value when it is short.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) if text.len() <= 40 => format!("the string \"{text}\""),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}
