//! Builds schema nodes from schema objects, checking each keyword's shape.

use serde_json::{Map, Value};

use super::build::{BuildResult, Builder};
use super::load::{StructureError, escape, unescape};
use super::model::{Additional, CONSTRAINT_KEYWORDS, SchemaNode, SchemaRef};
use super::value::{array, bool_field, check_local, describe, object, string_field};

const SCHEMA_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

const COMPONENT_PREFIX: &str = "#/components/schemas/";

impl<'a> Builder<'a> {
    /// Builds the schema at `pointer` and the schemas inside it.
    pub fn schema(&mut self, value: &'a Value, pointer: &str) -> BuildResult<SchemaRef> {
        let map = object(value, pointer)?;
        if let Some(reference) = map.get("$ref") {
            return self.schema_reference(reference, &format!("{pointer}/$ref"));
        }

        let mut node = SchemaNode {
            schema_type: schema_type(map, pointer)?,
            format: string_field(map, "format", pointer)?.map(str::to_owned),
            title: string_field(map, "title", pointer)?.map(str::to_owned),
            nullable: bool_field(map, "nullable", pointer)?.unwrap_or(false),
            read_only: bool_field(map, "readOnly", pointer)?.unwrap_or(false),
            write_only: bool_field(map, "writeOnly", pointer)?.unwrap_or(false),
            deprecated: bool_field(map, "deprecated", pointer)?.unwrap_or(false),
            default: map.get("default").cloned(),
            ..SchemaNode::default()
        };

        if let Some(values) = map.get("enum") {
            let values = array(values, &format!("{pointer}/enum"))?;
            node.nullable |= values.iter().any(Value::is_null);
            node.enum_values = Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
        }

        if let Some(properties) = map.get("properties") {
            let properties_pointer = format!("{pointer}/properties");
            for (name, property) in object(properties, &properties_pointer)? {
                let property_pointer = format!("{properties_pointer}/{}", escape(name));
                let property = self.schema(property, &property_pointer)?;
                node.properties.push((name.clone(), property));
            }
        }
        node.required = required_names(map, pointer)?;

        match map.get("additionalProperties") {
            None | Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => node.additional = Additional::Forbidden,
            Some(schema) => {
                let schema = self.schema(schema, &format!("{pointer}/additionalProperties"))?;
                node.additional = Additional::Schema(schema);
            }
        }

        if let Some(items) = map.get("items") {
            node.items = Some(self.schema(items, &format!("{pointer}/items"))?);
        }
        node.all_of = self.schema_list(map, "allOf", pointer)?;
        node.one_of = self.schema_list(map, "oneOf", pointer)?;
        node.any_of = self.schema_list(map, "anyOf", pointer)?;

        if let Some(discriminator) = map.get("discriminator") {
            let discriminator_pointer = format!("{pointer}/discriminator");
            let discriminator = object(discriminator, &discriminator_pointer)?;
            let Some(property) =
                string_field(discriminator, "propertyName", &discriminator_pointer)?
            else {
                return Err(StructureError::new(
                    &discriminator_pointer,
                    "missing propertyName",
                ));
            };
            node.discriminator = Some(property.to_owned());
        }

        node.constraints = constraints(map, pointer)?;

        let id = self.spec.nodes.len();
        self.spec.nodes.push(node);
        Ok(SchemaRef::Inline(id))
    }

    fn schema_reference(&self, reference: &Value, pointer: &str) -> BuildResult<SchemaRef> {
        let Some(reference) = reference.as_str() else {
            return Err(StructureError::new(pointer, "$ref must be a string"));
        };
        check_local(reference, pointer)?;

        let name = reference
            .strip_prefix(COMPONENT_PREFIX)
            .filter(|name| !name.contains('/'))
            .ok_or_else(|| {
                StructureError::new(
                    pointer,
                    format!(
                        "$ref {reference} is not supported; a schema $ref must have the form \
                         {COMPONENT_PREFIX}NAME"
                    ),
                )
            })?;

        let name = unescape(name);
        match self.spec.component_index.get(&name) {
            Some(id) => Ok(SchemaRef::Component(*id)),
            None => Err(StructureError::new(
                pointer,
                format!(
                    "$ref {reference} points to no schema; define `{name}` under \
                     components/schemas or fix the name"
                ),
            )),
        }
    }

    fn schema_list(
        &mut self,
        map: &'a Map<String, Value>,
        key: &str,
        pointer: &str,
    ) -> BuildResult<Vec<SchemaRef>> {
        let Some(list) = map.get(key) else {
            return Ok(Vec::new());
        };
        let list_pointer = format!("{pointer}/{key}");
        let mut schemas = Vec::new();
        for (index, item) in array(list, &list_pointer)?.iter().enumerate() {
            schemas.push(self.schema(item, &format!("{list_pointer}/{index}"))?);
        }
        Ok(schemas)
    }
}

fn schema_type(map: &Map<String, Value>, pointer: &str) -> BuildResult<Option<String>> {
    let Some(value) = map.get("type") else {
        return Ok(None);
    };
    let type_pointer = format!("{pointer}/type");
    match value {
        Value::String(name) if SCHEMA_TYPES.contains(&name.as_str()) => Ok(Some(name.clone())),
        Value::String(name) => Err(StructureError::new(
            &type_pointer,
            format!(
                "`{name}` is not a schema type; use one of {}",
                SCHEMA_TYPES.join(", ")
            ),
        )),
        Value::Array(_) => Err(StructureError::new(
            &type_pointer,
            "a list of types is OpenAPI 3.1 syntax; in 3.0 use one type and `nullable: true`",
        )),
        other => Err(StructureError::new(
            &type_pointer,
            format!("expected a type name, found {}", describe(other)),
        )),
    }
}

fn required_names(map: &Map<String, Value>, pointer: &str) -> BuildResult<Vec<String>> {
    let Some(list) = map.get("required") else {
        return Ok(Vec::new());
    };
    let list_pointer = format!("{pointer}/required");
    let mut names = Vec::new();
    for (index, name) in array(list, &list_pointer)?.iter().enumerate() {
        match name.as_str() {
            Some(name) => names.push(name.to_owned()),
            None => {
                return Err(StructureError::new(
                    &format!("{list_pointer}/{index}"),
                    format!("expected a property name, found {}", describe(name)),
                ));
            }
        }
    }
    Ok(names)
}

fn constraints(map: &Map<String, Value>, pointer: &str) -> BuildResult<Vec<(&'static str, Value)>> {
    let mut found = Vec::new();
    for keyword in CONSTRAINT_KEYWORDS {
        let Some(value) = map.get(keyword) else {
            continue;
        };
        let expected = match keyword {
            "pattern" => value.is_string(),
            "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => value.is_boolean(),
            _ => value.is_number(),
        };
        if !expected {
            let wanted = match keyword {
                "pattern" => "a string",
                "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => "true or false",
                _ => "a number",
            };
            return Err(StructureError::new(
                &format!("{pointer}/{keyword}"),
                format!("expected {wanted}, found {}", describe(value)),
            ));
        }
        found.push((keyword, value.clone()));
    }
    Ok(found)
}
