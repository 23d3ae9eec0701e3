//! The change kinds the diff reports, and where a change sits.

use serde_json::Value;

/// Direction of the data at the place of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Data the caller sends: parameters and request bodies.
    Request,
    /// Data the caller reads: response bodies and headers.
    Response,
}

impl Direction {
    /// Returns the lower-case name used in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// One step of a location inside an operation or a schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Starting point of a walk, such as `request body` or `response 200`.
    Root(String),
    /// A named property.
    Property(String),
    /// The items of an array.
    Items,
    /// The values of a map (`additionalProperties`).
    MapValue,
    /// One alternative of a `oneOf` or `anyOf`.
    Variant(String),
}

/// Renders a location for readers, for example `request body → company → domains[]`.
pub fn render_location(segments: &[Segment]) -> String {
    let mut text = String::new();
    let mut previous_is_property = false;
    for segment in segments {
        let separator = if text.is_empty() { "" } else { " → " };
        match segment {
            Segment::Root(name) => {
                text.push_str(separator);
                text.push_str(name);
            }
            Segment::Property(name) => {
                text.push_str(separator);
                text.push_str(name);
            }
            Segment::Items if previous_is_property => text.push_str("[]"),
            Segment::Items => {
                text.push_str(separator);
                text.push_str("[]");
            }
            Segment::MapValue => {
                text.push_str(separator);
                text.push_str("(any key)");
            }
            Segment::Variant(label) => {
                text.push_str(separator);
                text.push_str("(variant ");
                text.push_str(label);
                text.push(')');
            }
        }
        previous_is_property = matches!(segment, Segment::Property(_) | Segment::Items);
    }
    text
}

/// Kind of change with its values, independent of its location and direction.
#[derive(Clone, Debug, PartialEq)]
pub enum RawChange {
    /// A new operation.
    OperationAdded,
    /// An operation that no longer exists.
    OperationRemoved,
    /// The `operationId`, which names the generated method, changed.
    OperationIdChanged { old: String, new: String },
    /// The same `operationId` now lives at another method or path.
    OperationMoved { old: String, new: String },
    /// The operation was marked deprecated, or no longer is.
    OperationDeprecated { now: bool },
    /// A new parameter.
    ParameterAdded { required: bool },
    /// A parameter that no longer exists.
    ParameterRemoved,
    /// A parameter became required, or optional.
    ParameterRequired { now: bool },
    /// A parameter was marked deprecated, or no longer is.
    ParameterDeprecated { now: bool },
    /// The operation now takes a body.
    RequestBodyAdded { required: bool },
    /// The operation no longer takes a body.
    RequestBodyRemoved,
    /// The body became required, or optional.
    RequestBodyRequired { now: bool },
    /// A new media type for a body.
    MediaTypeAdded { media_type: String },
    /// A media type that a body no longer offers.
    MediaTypeRemoved { media_type: String },
    /// A new response status.
    ResponseAdded { status: String },
    /// A response status that is no longer documented.
    ResponseRemoved { status: String },
    /// A new response header.
    HeaderAdded { required: bool },
    /// A response header that is no longer sent.
    HeaderRemoved,
    /// A response header became always present, or optional.
    HeaderRequired { now: bool },
    /// The credentials the operation accepts changed. `still_accepted` is true when every
    /// credential set accepted before is still accepted.
    SecurityChanged {
        old: String,
        new: String,
        still_accepted: bool,
    },
    /// A new security scheme.
    SecuritySchemeAdded { name: String },
    /// A security scheme that no longer exists.
    SecuritySchemeRemoved { name: String },
    /// A setting of a security scheme changed, such as the header that carries the key.
    SecuritySchemeChanged {
        name: String,
        setting: String,
        old: String,
        new: String,
    },
    /// A new server URL.
    ServerAdded { url: String },
    /// A server URL that is no longer listed.
    ServerRemoved { url: String },
    /// A new component schema.
    SchemaAdded { name: String },
    /// A component schema that no longer exists.
    SchemaRemoved { name: String },
    /// The kind of value changed, for example from string to integer.
    TypeChanged { old: String, new: String },
    /// The place now refers to another component schema.
    SchemaRefChanged { old: String, new: String },
    /// The `format` changed. `changes_rust_type` is true when the generated Rust type
    /// depends on it, as for integer widths or `date-time`.
    FormatChanged {
        old: Option<String>,
        new: Option<String>,
        changes_rust_type: bool,
    },
    /// The value may now be null, or no longer may.
    NullableChanged { now: bool },
    /// A free value is now limited to a list of values.
    EnumAdded { values: Vec<Value> },
    /// A value limited to a list is now free.
    EnumRemoved,
    /// A new allowed value.
    EnumValueAdded { value: Value },
    /// An allowed value that is no longer allowed.
    EnumValueRemoved { value: Value },
    /// A new property.
    PropertyAdded { required: bool },
    /// A property that no longer exists.
    PropertyRemoved,
    /// A property became required, or optional.
    PropertyRequired { now: bool },
    /// A validation keyword changed. `narrowed` is true when fewer values are valid.
    ConstraintChanged {
        keyword: &'static str,
        old: Option<Value>,
        new: Option<Value>,
        narrowed: bool,
    },
    /// A new `oneOf` or `anyOf` alternative.
    VariantAdded { label: String },
    /// A `oneOf` or `anyOf` alternative that no longer exists.
    VariantRemoved { label: String },
    /// The discriminator property changed.
    DiscriminatorChanged {
        old: Option<String>,
        new: Option<String>,
    },
    /// Extra properties became allowed, or forbidden.
    AdditionalPropertiesChanged { allowed: bool },
    /// The property became read-only, or no longer is.
    ReadOnlyChanged { now: bool },
    /// The property became write-only, or no longer is.
    WriteOnlyChanged { now: bool },
    /// The schema was marked deprecated, or no longer is.
    SchemaDeprecated { now: bool },
    /// The default value changed.
    DefaultChanged {
        old: Option<Value>,
        new: Option<Value>,
    },
}

impl RawChange {
    /// Returns the stable name of the change kind used in the JSON output.
    pub fn kind(&self) -> &'static str {
        use RawChange::*;
        match self {
            OperationAdded => "operation_added",
            OperationRemoved => "operation_removed",
            OperationIdChanged { .. } => "operation_id_changed",
            OperationMoved { .. } => "operation_moved",
            OperationDeprecated { now: true } => "operation_deprecated",
            OperationDeprecated { now: false } => "operation_undeprecated",
            ParameterAdded { required: true } => "required_parameter_added",
            ParameterAdded { required: false } => "optional_parameter_added",
            ParameterRemoved => "parameter_removed",
            ParameterRequired { now: true } => "parameter_became_required",
            ParameterRequired { now: false } => "parameter_became_optional",
            ParameterDeprecated { now: true } => "parameter_deprecated",
            ParameterDeprecated { now: false } => "parameter_undeprecated",
            RequestBodyAdded { required: true } => "required_request_body_added",
            RequestBodyAdded { required: false } => "optional_request_body_added",
            RequestBodyRemoved => "request_body_removed",
            RequestBodyRequired { now: true } => "request_body_became_required",
            RequestBodyRequired { now: false } => "request_body_became_optional",
            MediaTypeAdded { .. } => "media_type_added",
            MediaTypeRemoved { .. } => "media_type_removed",
            ResponseAdded { .. } => "response_added",
            ResponseRemoved { .. } => "response_removed",
            HeaderAdded { .. } => "response_header_added",
            HeaderRemoved => "response_header_removed",
            HeaderRequired { now: true } => "response_header_became_required",
            HeaderRequired { now: false } => "response_header_became_optional",
            SecurityChanged { .. } => "security_changed",
            SecuritySchemeAdded { .. } => "security_scheme_added",
            SecuritySchemeRemoved { .. } => "security_scheme_removed",
            SecuritySchemeChanged { .. } => "security_scheme_changed",
            ServerAdded { .. } => "server_added",
            ServerRemoved { .. } => "server_removed",
            SchemaAdded { .. } => "schema_added",
            SchemaRemoved { .. } => "schema_removed",
            TypeChanged { .. } => "type_changed",
            SchemaRefChanged { .. } => "schema_ref_changed",
            FormatChanged { .. } => "format_changed",
            NullableChanged { now: true } => "became_nullable",
            NullableChanged { now: false } => "no_longer_nullable",
            EnumAdded { .. } => "enum_added",
            EnumRemoved => "enum_removed",
            EnumValueAdded { .. } => "enum_value_added",
            EnumValueRemoved { .. } => "enum_value_removed",
            PropertyAdded { required: true } => "required_property_added",
            PropertyAdded { required: false } => "optional_property_added",
            PropertyRemoved => "property_removed",
            PropertyRequired { now: true } => "property_became_required",
            PropertyRequired { now: false } => "property_became_optional",
            ConstraintChanged { narrowed: true, .. } => "constraint_narrowed",
            ConstraintChanged {
                narrowed: false, ..
            } => "constraint_widened",
            VariantAdded { .. } => "variant_added",
            VariantRemoved { .. } => "variant_removed",
            DiscriminatorChanged { .. } => "discriminator_changed",
            AdditionalPropertiesChanged { allowed: true } => "additional_properties_allowed",
            AdditionalPropertiesChanged { allowed: false } => "additional_properties_forbidden",
            ReadOnlyChanged { now: true } => "became_read_only",
            ReadOnlyChanged { now: false } => "no_longer_read_only",
            WriteOnlyChanged { now: true } => "became_write_only",
            WriteOnlyChanged { now: false } => "no_longer_write_only",
            SchemaDeprecated { now: true } => "schema_deprecated",
            SchemaDeprecated { now: false } => "schema_undeprecated",
            DefaultChanged { .. } => "default_changed",
        }
    }

    /// Returns the value before the change, where one applies.
    pub fn old_value(&self) -> Option<String> {
        use RawChange::*;
        match self {
            OperationIdChanged { old, .. }
            | OperationMoved { old, .. }
            | SecurityChanged { old, .. }
            | SecuritySchemeChanged { old, .. }
            | TypeChanged { old, .. }
            | SchemaRefChanged { old, .. } => Some(old.clone()),
            FormatChanged { old, .. } | DiscriminatorChanged { old, .. } => old.clone(),
            ConstraintChanged { old, .. } | DefaultChanged { old, .. } => {
                old.as_ref().map(show_value)
            }
            EnumValueRemoved { value } => Some(show_value(value)),
            MediaTypeRemoved { media_type } => Some(media_type.clone()),
            ResponseRemoved { status } => Some(status.clone()),
            SecuritySchemeRemoved { name } | SchemaRemoved { name } => Some(name.clone()),
            ServerRemoved { url } => Some(url.clone()),
            VariantRemoved { label } => Some(label.clone()),
            _ => None,
        }
    }

    /// Returns the value after the change, where one applies.
    pub fn new_value(&self) -> Option<String> {
        use RawChange::*;
        match self {
            OperationIdChanged { new, .. }
            | OperationMoved { new, .. }
            | SecurityChanged { new, .. }
            | SecuritySchemeChanged { new, .. }
            | TypeChanged { new, .. }
            | SchemaRefChanged { new, .. } => Some(new.clone()),
            FormatChanged { new, .. } | DiscriminatorChanged { new, .. } => new.clone(),
            ConstraintChanged { new, .. } | DefaultChanged { new, .. } => {
                new.as_ref().map(show_value)
            }
            EnumValueAdded { value } => Some(show_value(value)),
            EnumAdded { values } => Some(show_values(values)),
            MediaTypeAdded { media_type } => Some(media_type.clone()),
            ResponseAdded { status } => Some(status.clone()),
            SecuritySchemeAdded { name } | SchemaAdded { name } => Some(name.clone()),
            ServerAdded { url } => Some(url.clone()),
            VariantAdded { label } => Some(label.clone()),
            _ => None,
        }
    }

    /// Describes the change in a short phrase, for example `became required`.
    pub fn describe(&self) -> String {
        use RawChange::*;
        let or_none = |value: &Option<String>| value.clone().unwrap_or_else(|| "none".to_owned());
        let value_or_none =
            |value: &Option<Value>| value.as_ref().map_or("none".to_owned(), show_value);
        match self {
            OperationAdded => "operation added".to_owned(),
            OperationRemoved => "operation removed".to_owned(),
            OperationIdChanged { old, new } => format!("operationId changed from {old} to {new}"),
            OperationMoved { old, new } => format!("moved from {old} to {new}"),
            OperationDeprecated { now: true } => "operation deprecated".to_owned(),
            OperationDeprecated { now: false } => "operation no longer deprecated".to_owned(),
            ParameterAdded { required: true } => "required parameter added".to_owned(),
            ParameterAdded { required: false } => "optional parameter added".to_owned(),
            ParameterRemoved => "parameter removed".to_owned(),
            ParameterRequired { now: true } => "parameter became required".to_owned(),
            ParameterRequired { now: false } => "parameter became optional".to_owned(),
            ParameterDeprecated { now: true } => "parameter deprecated".to_owned(),
            ParameterDeprecated { now: false } => "parameter no longer deprecated".to_owned(),
            RequestBodyAdded { required: true } => "required request body added".to_owned(),
            RequestBodyAdded { required: false } => "optional request body added".to_owned(),
            RequestBodyRemoved => "request body removed".to_owned(),
            RequestBodyRequired { now: true } => "request body became required".to_owned(),
            RequestBodyRequired { now: false } => "request body became optional".to_owned(),
            MediaTypeAdded { media_type } => format!("media type {media_type} added"),
            MediaTypeRemoved { media_type } => format!("media type {media_type} removed"),
            ResponseAdded { status } => format!("response {status} added"),
            ResponseRemoved { status } => format!("response {status} removed"),
            HeaderAdded { required: true } => "required response header added".to_owned(),
            HeaderAdded { required: false } => "optional response header added".to_owned(),
            HeaderRemoved => "response header removed".to_owned(),
            HeaderRequired { now: true } => "response header became required".to_owned(),
            HeaderRequired { now: false } => "response header became optional".to_owned(),
            SecurityChanged { old, new, .. } => {
                format!("security requirements changed from {old} to {new}")
            }
            SecuritySchemeAdded { name } => format!("security scheme {name} added"),
            SecuritySchemeRemoved { name } => format!("security scheme {name} removed"),
            SecuritySchemeChanged {
                name,
                setting,
                old,
                new,
            } => format!("security scheme {name}: {setting} changed from {old} to {new}"),
            ServerAdded { url } => format!("server {url} added"),
            ServerRemoved { url } => format!("server {url} removed"),
            SchemaAdded { name } => format!("schema {name} added"),
            SchemaRemoved { name } => format!("schema {name} removed"),
            TypeChanged { old, new } => format!("type changed from {old} to {new}"),
            SchemaRefChanged { old, new } => format!("now refers to schema {new} instead of {old}"),
            FormatChanged { old, new, .. } => {
                format!("format changed from {} to {}", or_none(old), or_none(new))
            }
            NullableChanged { now: true } => "became nullable".to_owned(),
            NullableChanged { now: false } => "no longer nullable".to_owned(),
            EnumAdded { values } => format!("now limited to the values {}", show_values(values)),
            EnumRemoved => "no longer limited to a list of values".to_owned(),
            EnumValueAdded { value } => format!("enum value {} added", show_value(value)),
            EnumValueRemoved { value } => format!("enum value {} removed", show_value(value)),
            PropertyAdded { required: true } => "required property added".to_owned(),
            PropertyAdded { required: false } => "optional property added".to_owned(),
            PropertyRemoved => "property removed".to_owned(),
            PropertyRequired { now: true } => "property became required".to_owned(),
            PropertyRequired { now: false } => "property became optional".to_owned(),
            ConstraintChanged {
                keyword, old, new, ..
            } => format!(
                "{keyword} changed from {} to {}",
                value_or_none(old),
                value_or_none(new)
            ),
            VariantAdded { label } => format!("variant {label} added"),
            VariantRemoved { label } => format!("variant {label} removed"),
            DiscriminatorChanged { old, new } => format!(
                "discriminator property changed from {} to {}",
                or_none(old),
                or_none(new)
            ),
            AdditionalPropertiesChanged { allowed: true } => {
                "extra properties are now allowed".to_owned()
            }
            AdditionalPropertiesChanged { allowed: false } => {
                "extra properties are no longer allowed".to_owned()
            }
            ReadOnlyChanged { now: true } => "became read-only".to_owned(),
            ReadOnlyChanged { now: false } => "no longer read-only".to_owned(),
            WriteOnlyChanged { now: true } => "became write-only".to_owned(),
            WriteOnlyChanged { now: false } => "no longer write-only".to_owned(),
            SchemaDeprecated { now: true } => "deprecated".to_owned(),
            SchemaDeprecated { now: false } => "no longer deprecated".to_owned(),
            DefaultChanged { old, new } => format!(
                "default changed from {} to {}",
                value_or_none(old),
                value_or_none(new)
            ),
        }
    }
}

/// Shows a JSON value for readers: strings without quotes, everything else as JSON.
pub fn show_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn show_values(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().map(show_value).collect();
    shown.join(", ")
}
