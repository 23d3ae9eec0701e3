//! Checks that run before generation and turn constructs that progenitor or typify cannot
//! handle, or would handle badly, into readable errors instead of panics or surprising code.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// String formats that typify maps to types from crates other than serde and serde_json.
const FOREIGN_FORMATS: [(&str, &str); 6] = [
    ("date-time", "chrono"),
    ("date", "chrono"),
    ("uuid", "uuid"),
    ("ip", "std::net::IpAddr"),
    ("ipv4", "std::net::Ipv4Addr"),
    ("ipv6", "std::net::Ipv6Addr"),
];

/// One construct in the spec that generation cannot accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Short rule name, stable for tests and scripts.
    pub rule: &'static str,
    /// The operation the construct belongs to, when it sits under `paths`.
    pub operation_id: Option<String>,
    /// JSON pointer to the construct.
    pub pointer: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "error[{}]: ", self.rule)?;
        if let Some(operation_id) = &self.operation_id {
            write!(formatter, "operation {operation_id}: ")?;
        }
        write!(formatter, "{}: {}", self.pointer, self.message)
    }
}

/// Runs every check over the raw document and returns the findings in document order.
pub fn check(spec: &Value) -> Vec<Finding> {
    let mut checker = Checker {
        spec,
        findings: Vec::new(),
        operation_ids: BTreeMap::new(),
    };
    checker.check_version();

    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            checker.check_path_item(path, item);
        }
    }

    if let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let pointer = format!("/components/schemas/{}", escape(name));
            checker.check_schema(&pointer, schema, None, true);
        }
    }

    checker.findings
}

struct Checker<'a> {
    spec: &'a Value,
    findings: Vec<Finding>,
    operation_ids: BTreeMap<String, String>,
}

impl<'a> Checker<'a> {
    fn report(
        &mut self,
        rule: &'static str,
        operation_id: Option<&str>,
        pointer: &str,
        message: String,
    ) {
        self.findings.push(Finding {
            rule,
            operation_id: operation_id.map(str::to_owned),
            pointer: pointer.to_owned(),
            message,
        });
    }

    fn check_version(&mut self) {
        let version = self.spec.get("openapi").and_then(Value::as_str);
        match version {
            Some(version) if version.starts_with("3.0.") => {}
            Some(version) => self.report(
                "openapi-version",
                None,
                "/openapi",
                format!(
                    "OpenAPI version {version} is not supported because progenitor reads 3.0.x \
                     only; convert the document to OpenAPI 3.0.3"
                ),
            ),
            None => self.report(
                "openapi-version",
                None,
                "/openapi",
                "the `openapi` version field is missing; set it to \"3.0.3\"".to_owned(),
            ),
        }
    }

    fn check_path_item(&mut self, path: &str, item: &Value) {
        let item_pointer = format!("/paths/{}", escape(path));
        if item.get("$ref").is_some() {
            self.report(
                "path-item-ref",
                None,
                &item_pointer,
                "path items given as $ref are not supported by progenitor; \
                 write the operations inline"
                    .to_owned(),
            );
            return;
        }

        for method in HTTP_METHODS {
            if let Some(operation) = item.get(method) {
                let pointer = format!("{item_pointer}/{method}");
                self.check_operation(&pointer, operation);
            }
        }
    }

    fn check_operation(&mut self, pointer: &str, operation: &Value) {
        let operation_id = operation.get("operationId").and_then(Value::as_str);
        let Some(operation_id) = operation_id else {
            self.report(
                "missing-operation-id",
                None,
                pointer,
                "the operation has no operationId; add a unique camelCase operationId, \
                 because it names the generated method"
                    .to_owned(),
            );
            return;
        };

        if let Some(first) = self.operation_ids.get(operation_id).cloned() {
            self.report(
                "duplicate-operation-id",
                Some(operation_id),
                pointer,
                format!("operationId is already used at {first}; give each operation its own"),
            );
        } else {
            self.operation_ids
                .insert(operation_id.to_owned(), pointer.to_owned());
        }

        self.check_parameters(pointer, operation, operation_id);
        self.check_request_body(pointer, operation, operation_id);
        self.check_responses(pointer, operation, operation_id);
    }

    fn check_parameters(&mut self, pointer: &str, operation: &Value, operation_id: &str) {
        let Some(parameters) = operation.get("parameters").and_then(Value::as_array) else {
            return;
        };
        for (index, parameter) in parameters.iter().enumerate() {
            let parameter_pointer = format!("{pointer}/parameters/{index}");
            let parameter = self.resolve(parameter);
            let location = parameter.get("in").and_then(Value::as_str).unwrap_or("");
            if location == "cookie" {
                self.report(
                    "cookie-parameter",
                    Some(operation_id),
                    &parameter_pointer,
                    "cookie parameters are not supported by progenitor; \
                     use a header or query parameter"
                        .to_owned(),
                );
            }
            if let Some(schema) = parameter.get("schema") {
                let schema_pointer = format!("{parameter_pointer}/schema");
                self.check_schema(&schema_pointer, schema, Some(operation_id), false);
            }
        }
    }

    fn check_request_body(&mut self, pointer: &str, operation: &Value, operation_id: &str) {
        let Some(body) = operation.get("requestBody") else {
            return;
        };
        let body = self.resolve(body);
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            return;
        };
        let body_pointer = format!("{pointer}/requestBody/content");

        if content.len() > 1 {
            let media_types: Vec<&str> = content.keys().map(String::as_str).collect();
            self.report(
                "multiple-request-media-types",
                Some(operation_id),
                &body_pointer,
                format!(
                    "the request body offers several media types ({}); \
                     progenitor sends one, so keep only application/json",
                    media_types.join(", ")
                ),
            );
        }
        self.check_media_types(&body_pointer, content, operation_id, "request");
    }

    fn check_responses(&mut self, pointer: &str, operation: &Value, operation_id: &str) {
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            return;
        };

        let mut success_bodies = BTreeSet::new();
        let mut error_bodies = BTreeSet::new();
        for (code, response) in responses {
            let response = self.resolve(response);
            let response_pointer = format!("{pointer}/responses/{}", escape(code));
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            let content_pointer = format!("{response_pointer}/content");
            self.check_media_types(&content_pointer, content, operation_id, "response");

            let body_key = content
                .values()
                .filter_map(|media| media.get("schema"))
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("|");
            if code.starts_with('2') {
                success_bodies.insert(body_key);
            } else {
                error_bodies.insert(body_key);
            }
        }

        if success_bodies.len() > 1 {
            self.report(
                "multiple-success-bodies",
                Some(operation_id),
                &format!("{pointer}/responses"),
                format!(
                    "the success responses have {} different body schemas; progenitor returns \
                     one type per operation, so make every 2xx response use the same schema",
                    success_bodies.len()
                ),
            );
        }
        if error_bodies.len() > 1 {
            self.report(
                "multiple-error-bodies",
                Some(operation_id),
                &format!("{pointer}/responses"),
                format!(
                    "the error responses have {} different body schemas; progenitor decodes \
                     errors into one type per operation, so make them share one schema",
                    error_bodies.len()
                ),
            );
        }
    }

    fn check_media_types(
        &mut self,
        pointer: &str,
        content: &serde_json::Map<String, Value>,
        operation_id: &str,
        direction: &str,
    ) {
        for (media_type, media) in content {
            let media_pointer = format!("{pointer}/{}", escape(media_type));
            if !is_json(media_type) {
                self.report(
                    "non-json-body",
                    Some(operation_id),
                    &media_pointer,
                    format!(
                        "the {direction} body has media type {media_type}; this SDK only \
                         generates JSON bodies, so use application/json"
                    ),
                );
            }
            if let Some(schema) = media.get("schema") {
                let schema_pointer = format!("{media_pointer}/schema");
                self.check_schema(&schema_pointer, schema, Some(operation_id), false);
            }
        }
    }

    /// Checks one schema and its subschemas. `is_component` is true only for the top level of
    /// a `components/schemas` entry, the one place where enums and objects may be defined.
    fn check_schema(
        &mut self,
        pointer: &str,
        schema: &Value,
        operation_id: Option<&str>,
        is_component: bool,
    ) {
        let Some(object) = schema.as_object() else {
            return;
        };

        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            if self.lookup(reference).is_none() {
                self.report(
                    "unresolved-ref",
                    operation_id,
                    pointer,
                    format!("$ref {reference} does not point to anything in this document"),
                );
            }
            return;
        }

        if !is_component {
            self.check_inline_definition(pointer, object, operation_id);
        }
        self.check_scalar(pointer, object, operation_id);

        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = object.get(key) {
                let child_pointer = format!("{pointer}/{key}");
                self.check_schema(&child_pointer, child, operation_id, false);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            let Some(children) = object.get(key).and_then(Value::as_array) else {
                continue;
            };
            for (index, child) in children.iter().enumerate() {
                let child_pointer = format!("{pointer}/{key}/{index}");
                self.check_schema(&child_pointer, child, operation_id, false);
            }
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, child) in properties {
                let child_pointer = format!("{pointer}/properties/{}", escape(name));
                self.check_schema(&child_pointer, child, operation_id, false);
            }
        }
    }

    fn check_inline_definition(
        &mut self,
        pointer: &str,
        object: &serde_json::Map<String, Value>,
        operation_id: Option<&str>,
    ) {
        if object.contains_key("enum") {
            self.report(
                "inline-enum",
                operation_id,
                pointer,
                "enum defined inline; move it to components/schemas and $ref it, \
                 so the generator can give it a catch-all variant for unknown values"
                    .to_owned(),
            );
        }
        let composes = ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|key| object.contains_key(*key));
        if object.contains_key("properties") || composes {
            self.report(
                "inline-object",
                operation_id,
                pointer,
                "object schema defined inline; move it to components/schemas and $ref it, \
                 so the type lives in the types crate under a name of the spec's choosing"
                    .to_owned(),
            );
        }
    }

    fn check_scalar(
        &mut self,
        pointer: &str,
        object: &serde_json::Map<String, Value>,
        operation_id: Option<&str>,
    ) {
        let schema_type = object.get("type").and_then(Value::as_str).unwrap_or("");
        let format = object.get("format").and_then(Value::as_str).unwrap_or("");

        if schema_type == "string" {
            if let Some((_, crate_name)) = FOREIGN_FORMATS.iter().find(|(name, _)| *name == format)
            {
                self.report(
                    "foreign-format",
                    operation_id,
                    pointer,
                    format!(
                        "format `{format}` would be generated as a {crate_name} type, but the \
                         types crate depends on serde and serde_json only; drop the format and \
                         state it in the description"
                    ),
                );
            }
            for keyword in ["minLength", "maxLength", "pattern"] {
                if object.contains_key(keyword) {
                    self.report(
                        "constrained-scalar",
                        operation_id,
                        pointer,
                        format!(
                            "`{keyword}` would turn this string into a validating newtype; \
                             state the constraint in the description instead"
                        ),
                    );
                }
            }
        }

        if schema_type == "integer" && object.contains_key("minimum") {
            self.report(
                "constrained-scalar",
                operation_id,
                pointer,
                "`minimum` on an integer makes typify pick an unsigned or NonZero type; \
                 state the range in the description instead"
                    .to_owned(),
            );
        }
    }

    /// Follows a `$ref` to its target, or returns the value itself.
    fn resolve<'v>(&self, value: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| self.lookup(reference))
            .unwrap_or(value)
    }

    fn lookup(&self, reference: &str) -> Option<&'a Value> {
        reference
            .strip_prefix('#')
            .and_then(|pointer| self.spec.pointer(pointer))
    }
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Escapes one JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::check;

    fn fixture_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/preflight")
    }

    fn findings_for(path: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let spec: serde_json::Value = serde_yaml_ng::from_str(&text).expect("fixture is YAML");
        check(&spec).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_fixture_gives_expected_findings() {
        let mut checked = 0;
        for entry in std::fs::read_dir(fixture_dir()).expect("fixture directory exists") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_none_or(|extension| extension != "yaml") {
                continue;
            }
            let expected_path = path.with_extension("expected");
            let expected = std::fs::read_to_string(&expected_path).expect("expected file exists");
            let expected: Vec<&str> = expected.lines().collect();

            assert_eq!(findings_for(&path), expected, "fixture {}", path.display());
            checked += 1;
        }
        assert_eq!(checked, 14, "one fixture per rule");
    }

    #[test]
    fn project_spec_passes_preflight() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/octave.yaml");
        assert_eq!(findings_for(&spec), Vec::<String>::new());
    }

    #[test]
    fn non_mapping_document_reports_version() {
        let spec = serde_json::Value::String("not a spec".to_owned());
        let findings = check(&spec);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, "openapi-version");
    }
}
