//! The parts of an OpenAPI 3.0 document that the diff compares, with every `$ref` to a
//! parameter, request body, response or header already resolved and every schema stored once
//! in an arena.

use std::collections::HashMap;

use serde_json::Value;

/// Index of a schema in [`Spec::nodes`].
pub type NodeId = usize;

/// Index of a named schema in [`Spec::components`].
pub type ComponentId = usize;

/// A schema position: either a `$ref` to a component schema or a schema written in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaRef {
    /// `$ref: '#/components/schemas/NAME'`.
    Component(ComponentId),
    /// A schema written in place.
    Inline(NodeId),
}

/// A whole OpenAPI document, reduced to what the diff compares.
#[derive(Debug, Default)]
pub struct Spec {
    /// Operations in document order.
    pub operations: Vec<Operation>,
    /// Named schemas from `components/schemas`, in document order.
    pub components: Vec<Component>,
    /// Index from component name to its position in `components`.
    pub component_index: HashMap<String, ComponentId>,
    /// Every schema written in place, including the bodies of the components.
    pub nodes: Vec<SchemaNode>,
    /// Security schemes from `components/securitySchemes`, in document order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Server URLs from the top-level `servers` list.
    pub servers: Vec<String>,
}

impl Spec {
    /// Returns the schema node behind a schema position, following aliases between components.
    pub fn node(&self, schema: SchemaRef) -> &SchemaNode {
        &self.nodes[self.node_id(schema)]
    }

    /// Returns the node index behind a schema position. Alias cycles are rejected while the
    /// spec is built, so the loop ends.
    pub fn node_id(&self, mut schema: SchemaRef) -> NodeId {
        loop {
            match schema {
                SchemaRef::Inline(node) => return node,
                SchemaRef::Component(component) => schema = self.components[component].body,
            }
        }
    }

    /// Returns a component's name.
    pub fn component_name(&self, component: ComponentId) -> &str {
        &self.components[component].name
    }
}

/// A named schema from `components/schemas`.
#[derive(Debug)]
pub struct Component {
    /// The name after `#/components/schemas/`.
    pub name: String,
    /// The schema itself, or another component when this one is an alias.
    pub body: SchemaRef,
}

/// One operation, with the parameters of its path item merged in.
#[derive(Debug)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template as written in the spec.
    pub path: String,
    /// The `operationId`, which names the generated client method.
    pub operation_id: Option<String>,
    /// Whether the operation is marked deprecated.
    pub deprecated: bool,
    /// Parameters in declaration order, operation-level ones overriding path-level ones.
    pub parameters: Vec<Parameter>,
    /// The request body, if the operation takes one.
    pub request_body: Option<RequestBody>,
    /// Responses by status code (`200`, `2XX`, `default`), in document order.
    pub responses: Vec<(String, Response)>,
    /// The security requirements that apply: the operation's own, else the document's.
    /// Each entry is one alternative, listing the scheme names it needs together.
    pub security: Vec<Vec<String>>,
}

impl Operation {
    /// Returns the name a reader knows the operation by: its `operationId`, or `METHOD path`.
    pub fn display_name(&self) -> String {
        match &self.operation_id {
            Some(operation_id) => operation_id.clone(),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// A parameter of an operation.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// The parameter name.
    pub name: String,
    /// Where it goes: `query`, `header`, `path` or `cookie`.
    pub location: String,
    /// Whether callers must send it.
    pub required: bool,
    /// Whether it is marked deprecated.
    pub deprecated: bool,
    /// Its schema, from `schema` or from the first entry of `content`.
    pub schema: Option<SchemaRef>,
}

/// A request body.
#[derive(Clone, Debug)]
pub struct RequestBody {
    /// Whether callers must send it.
    pub required: bool,
    /// Media types and their schemas, in document order.
    pub content: Vec<MediaType>,
}

/// One entry of a `content` map.
#[derive(Clone, Debug)]
pub struct MediaType {
    /// The media type as written, for example `application/json`.
    pub name: String,
    /// Its schema, if it has one.
    pub schema: Option<SchemaRef>,
}

/// A response for one status code.
#[derive(Clone, Debug)]
pub struct Response {
    /// Response headers in document order.
    pub headers: Vec<Header>,
    /// Media types and their schemas, in document order.
    pub content: Vec<MediaType>,
}

/// A response header.
#[derive(Clone, Debug)]
pub struct Header {
    /// The header name as written.
    pub name: String,
    /// Whether the service always sends it.
    pub required: bool,
    /// Its schema, if it has one.
    pub schema: Option<SchemaRef>,
}

/// A security scheme from `components/securitySchemes`.
#[derive(Debug)]
pub struct SecurityScheme {
    /// The scheme's name, used by security requirements.
    pub name: String,
    /// The settings that decide how credentials are sent, as `(field, value)` pairs, for
    /// example `("type", "apiKey")`, `("in", "header")`, `("name", "api_key")`.
    pub settings: Vec<(&'static str, String)>,
}

/// What `additionalProperties` allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Additional {
    /// Absent or `true`: any extra property is allowed.
    Allowed,
    /// `false`: no extra property is allowed.
    Forbidden,
    /// A schema that every extra property must match, which makes the object a map.
    Schema(SchemaRef),
}

/// One schema written in place, with its sub-schemas as references into the arena.
#[derive(Clone, Debug)]
pub struct SchemaNode {
    /// The `type` keyword.
    pub schema_type: Option<String>,
    /// The `format` keyword.
    pub format: Option<String>,
    /// The `title` keyword, used to tell inline `oneOf` variants apart.
    pub title: Option<String>,
    /// The `nullable` keyword, or `true` when the `enum` list contains `null`.
    pub nullable: bool,
    /// The `enum` list, without `null`.
    pub enum_values: Option<Vec<Value>>,
    /// Properties in document order.
    pub properties: Vec<(String, SchemaRef)>,
    /// Names listed in `required`.
    pub required: Vec<String>,
    /// What `additionalProperties` allows.
    pub additional: Additional,
    /// The `items` schema of an array.
    pub items: Option<SchemaRef>,
    /// Members of `allOf`.
    pub all_of: Vec<SchemaRef>,
    /// Members of `oneOf`.
    pub one_of: Vec<SchemaRef>,
    /// Members of `anyOf`.
    pub any_of: Vec<SchemaRef>,
    /// `discriminator.propertyName`.
    pub discriminator: Option<String>,
    /// Validation keywords such as `maxLength` or `minimum`, by keyword.
    pub constraints: Vec<(&'static str, Value)>,
    /// The `readOnly` keyword.
    pub read_only: bool,
    /// The `writeOnly` keyword.
    pub write_only: bool,
    /// The `deprecated` keyword.
    pub deprecated: bool,
    /// The `default` keyword.
    pub default: Option<Value>,
}

impl Default for SchemaNode {
    fn default() -> Self {
        Self {
            schema_type: None,
            format: None,
            title: None,
            nullable: false,
            enum_values: None,
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Allowed,
            items: None,
            all_of: Vec::new(),
            one_of: Vec::new(),
            any_of: Vec::new(),
            discriminator: None,
            constraints: Vec::new(),
            read_only: false,
            write_only: false,
            deprecated: false,
            default: None,
        }
    }
}

/// Validation keywords the diff compares. The lower bounds narrow what is accepted when they
/// grow, the upper bounds when they shrink; the others narrow whenever they are added or
/// changed.
pub const CONSTRAINT_KEYWORDS: [&str; 13] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];
