//! A schema seen with its `allOf` members merged in, which is what the schema comparison
//! works on.

use std::collections::HashSet;

use serde_json::Value;

use super::model::{Additional, ComponentId, SchemaRef, Spec};

/// A schema seen with its `allOf` members merged in, so that moving a property between a
/// schema and its `allOf` parent is not reported as a change.
pub struct View<'s> {
    /// Kind of value: a JSON type name, or `map`, `oneOf`, `anyOf` or `any`.
    pub type_label: &'static str,
    /// The first `format` found.
    pub format: Option<&'s str>,
    /// Whether the outer schema allows null.
    pub nullable: bool,
    /// The first `enum` list found, without `null`.
    pub enum_values: Option<&'s [Value]>,
    /// Properties with the component that declares each, if any.
    pub properties: Vec<(&'s str, SchemaRef, Option<String>)>,
    /// Required property names of all members together.
    pub required: HashSet<&'s str>,
    /// The first `additionalProperties` that is not the default.
    pub additional: Additional,
    /// The first `items` schema found.
    pub items: Option<SchemaRef>,
    /// The first non-empty `oneOf` list.
    pub one_of: Vec<SchemaRef>,
    /// The first non-empty `anyOf` list.
    pub any_of: Vec<SchemaRef>,
    /// The first discriminator property found.
    pub discriminator: Option<&'s str>,
    /// Validation keywords, the first value of each.
    pub constraints: Vec<(&'static str, &'s Value)>,
    /// Whether any member is read-only.
    pub read_only: bool,
    /// Whether any member is write-only.
    pub write_only: bool,
    /// Whether any member is deprecated.
    pub deprecated: bool,
    /// The first default value found.
    pub default: Option<&'s Value>,
    /// Components merged in through `allOf`.
    pub members: Vec<ComponentId>,
}

impl<'s> View<'s> {
    /// Merges a schema with its `allOf` members. `origin` is the component that declares
    /// the schema's own properties, if any.
    pub fn of(spec: &'s Spec, schema: SchemaRef, origin: Option<&str>) -> Self {
        let node = spec.node(schema);
        let mut view = View {
            type_label: "any",
            format: None,
            nullable: node.nullable,
            enum_values: None,
            properties: Vec::new(),
            required: HashSet::new(),
            additional: Additional::Allowed,
            items: None,
            one_of: Vec::new(),
            any_of: Vec::new(),
            discriminator: None,
            constraints: Vec::new(),
            read_only: false,
            write_only: false,
            deprecated: false,
            default: None,
            members: Vec::new(),
        };
        let mut schema_type = None;
        let mut visited = HashSet::new();
        view.merge(spec, schema, origin, &mut schema_type, &mut visited);
        view.type_label = type_label(schema_type, &view);
        view
    }

    /// Merges a schema and, depth first, its `allOf` members. Earlier values win, except
    /// that lists of properties and required names are united.
    fn merge(
        &mut self,
        spec: &'s Spec,
        schema: SchemaRef,
        origin: Option<&str>,
        schema_type: &mut Option<&'s str>,
        visited: &mut HashSet<usize>,
    ) {
        if !visited.insert(spec.node_id(schema)) {
            return;
        }
        let node = spec.node(schema);

        *schema_type = schema_type.or(node.schema_type.as_deref());
        self.format = self.format.or(node.format.as_deref());
        self.enum_values = self.enum_values.or(node.enum_values.as_deref());
        self.items = self.items.or(node.items);
        self.discriminator = self.discriminator.or(node.discriminator.as_deref());
        self.default = self.default.or(node.default.as_ref());
        self.read_only |= node.read_only;
        self.write_only |= node.write_only;
        self.deprecated |= node.deprecated;
        if self.additional == Additional::Allowed {
            self.additional = node.additional;
        }
        if self.one_of.is_empty() {
            self.one_of = node.one_of.clone();
        }
        if self.any_of.is_empty() {
            self.any_of = node.any_of.clone();
        }
        for (keyword, value) in &node.constraints {
            if self.constraint(keyword).is_none() {
                self.constraints.push((keyword, value));
            }
        }
        for (name, property) in &node.properties {
            if !self.properties.iter().any(|(known, ..)| known == name) {
                let origin = origin.map(str::to_owned);
                self.properties.push((name.as_str(), *property, origin));
            }
        }
        self.required
            .extend(node.required.iter().map(String::as_str));

        for member in &node.all_of {
            let member_origin = match member {
                SchemaRef::Component(id) => {
                    self.members.push(*id);
                    Some(spec.component_name(*id))
                }
                SchemaRef::Inline(_) => origin,
            };
            self.merge(spec, *member, member_origin, schema_type, visited);
        }
    }

    /// Returns the value of a validation keyword, if set.
    pub fn constraint(&self, keyword: &str) -> Option<&'s Value> {
        self.constraints
            .iter()
            .find(|(known, _)| *known == keyword)
            .map(|(_, value)| *value)
    }
}

/// Names the kind of value a merged schema describes. An object whose only content is an
/// `additionalProperties` schema is a `map`, because it becomes a map type in Rust.
fn type_label(schema_type: Option<&str>, view: &View<'_>) -> &'static str {
    let is_map = view.properties.is_empty() && matches!(view.additional, Additional::Schema(_));
    match schema_type {
        Some("object") | None if is_map => "map",
        Some("string") => "string",
        Some("number") => "number",
        Some("integer") => "integer",
        Some("boolean") => "boolean",
        Some("array") => "array",
        Some(_) => "object",
        None if !view.properties.is_empty() => "object",
        None if view.items.is_some() => "array",
        None if !view.one_of.is_empty() => "oneOf",
        None if !view.any_of.is_empty() => "anyOf",
        None => match view.enum_values.and_then(|values| values.first()) {
            Some(Value::String(_)) => "string",
            Some(Value::Number(number)) if number.is_i64() || number.is_u64() => "integer",
            Some(Value::Number(_)) => "number",
            Some(Value::Bool(_)) => "boolean",
            _ => "any",
        },
    }
}
