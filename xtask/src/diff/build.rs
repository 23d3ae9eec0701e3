//! Builds the model from a parsed document and checks its structure on the way, so every
//! problem is reported with the JSON pointer of the value at fault.

use serde_json::{Map, Value};

use super::build_document::{
    check_alias_cycles, check_info, check_version, security_requirements, security_schemes, servers,
};
use super::load::{StructureError, escape};
use super::model::{
    Component, Header, MediaType, Operation, Parameter, RequestBody, Response, SchemaRef, Spec,
};
use super::value::{array, bool_field, check_local, object, string_field};

/// Result of a building step.
pub type BuildResult<T> = Result<T, StructureError>;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const PARAMETER_LOCATIONS: [&str; 4] = ["query", "header", "path", "cookie"];

/// Builds the model of a whole document.
pub fn build(document: &Value) -> BuildResult<Spec> {
    let root = object(document, "")?;
    check_version(root)?;
    check_info(root)?;

    let mut builder = Builder {
        document,
        spec: Spec::default(),
    };
    builder.build_components(root)?;
    builder.spec.servers = servers(root)?;
    builder.spec.security_schemes = security_schemes(root)?;

    let global_security = match root.get("security") {
        Some(value) => security_requirements(value, "/security")?,
        None => Vec::new(),
    };

    let Some(paths) = root.get("paths") else {
        return Err(StructureError::new(
            "",
            "missing paths; an OpenAPI 3.0 document needs a `paths` mapping, even an empty one",
        ));
    };
    let paths = object(paths, "/paths")?;
    for (path, item) in paths {
        if path.starts_with("x-") {
            continue;
        }
        let pointer = format!("/paths/{}", escape(path));
        if !path.starts_with('/') {
            return Err(StructureError::new(
                &pointer,
                format!("path `{path}` must start with `/`"),
            ));
        }
        builder.build_path_item(path, item, &pointer, &global_security)?;
    }

    Ok(builder.spec)
}

/// Walks a document and collects the model; schema building lives in `build_schema`.
pub struct Builder<'a> {
    /// The whole document, for resolving `$ref`s.
    pub document: &'a Value,
    /// The model built so far.
    pub spec: Spec,
}

impl<'a> Builder<'a> {
    fn build_components(&mut self, root: &'a Map<String, Value>) -> BuildResult<()> {
        let Some(schemas) = root
            .get("components")
            .and_then(|value| value.get("schemas"))
        else {
            return Ok(());
        };
        let schemas = object(schemas, "/components/schemas")?;

        // Names first, so references between components resolve in any order.
        for name in schemas.keys() {
            let id = self.spec.components.len();
            self.spec.component_index.insert(name.clone(), id);
            self.spec.components.push(Component {
                name: name.clone(),
                body: SchemaRef::Component(id),
            });
        }
        for (id, (name, value)) in schemas.iter().enumerate() {
            let pointer = format!("/components/schemas/{}", escape(name));
            self.spec.components[id].body = self.schema(value, &pointer)?;
        }

        check_alias_cycles(&self.spec)
    }

    fn build_path_item(
        &mut self,
        path: &str,
        item: &'a Value,
        pointer: &str,
        global_security: &[Vec<String>],
    ) -> BuildResult<()> {
        let item_map = object(item, pointer)?;
        if item_map.contains_key("$ref") {
            return Err(StructureError::new(
                &format!("{pointer}/$ref"),
                "path items given as $ref are not supported; write the operations in place",
            ));
        }

        let shared = match item_map.get("parameters") {
            Some(value) => self.parameters(value, &format!("{pointer}/parameters"))?,
            None => Vec::new(),
        };

        for method in METHODS {
            let Some(value) = item_map.get(method) else {
                continue;
            };
            let operation_pointer = format!("{pointer}/{method}");
            let operation = self.operation(
                path,
                method,
                value,
                &operation_pointer,
                &shared,
                global_security,
            )?;
            self.spec.operations.push(operation);
        }
        Ok(())
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        value: &'a Value,
        pointer: &str,
        shared: &[Parameter],
        global_security: &[Vec<String>],
    ) -> BuildResult<Operation> {
        let map = object(value, pointer)?;

        let mut parameters = shared.to_vec();
        if let Some(value) = map.get("parameters") {
            for parameter in self.parameters(value, &format!("{pointer}/parameters"))? {
                let existing = parameters.iter_mut().find(|known| {
                    known.name == parameter.name && known.location == parameter.location
                });
                match existing {
                    Some(known) => *known = parameter,
                    None => parameters.push(parameter),
                }
            }
        }

        let request_body = match map.get("requestBody") {
            Some(value) => Some(self.request_body(value, &format!("{pointer}/requestBody"))?),
            None => None,
        };

        let Some(responses_value) = map.get("responses") else {
            return Err(StructureError::new(pointer, "missing responses"));
        };
        let responses_pointer = format!("{pointer}/responses");
        let mut responses = Vec::new();
        for (status, value) in object(responses_value, &responses_pointer)? {
            if status.starts_with("x-") {
                continue;
            }
            let response_pointer = format!("{responses_pointer}/{}", escape(status));
            if !is_status_key(status) {
                return Err(StructureError::new(
                    &response_pointer,
                    format!(
                        "`{status}` is not a response key; use a status code such as 200, \
                         a range such as 2XX, or `default`"
                    ),
                ));
            }
            responses.push((status.clone(), self.response(value, &response_pointer)?));
        }

        let security = match map.get("security") {
            Some(value) => security_requirements(value, &format!("{pointer}/security"))?,
            None => global_security.to_vec(),
        };

        Ok(Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            operation_id: string_field(map, "operationId", pointer)?.map(str::to_owned),
            deprecated: bool_field(map, "deprecated", pointer)?.unwrap_or(false),
            parameters,
            request_body,
            responses,
            security,
        })
    }

    fn parameters(&mut self, value: &'a Value, pointer: &str) -> BuildResult<Vec<Parameter>> {
        let list = array(value, pointer)?;
        let mut parameters = Vec::with_capacity(list.len());
        for (index, item) in list.iter().enumerate() {
            let item_pointer = format!("{pointer}/{index}");
            let (item, item_pointer) = self.resolve(item, &item_pointer, "parameters")?;
            parameters.push(self.parameter(item, &item_pointer)?);
        }
        Ok(parameters)
    }

    fn parameter(&mut self, value: &'a Value, pointer: &str) -> BuildResult<Parameter> {
        let map = object(value, pointer)?;
        let Some(name) = string_field(map, "name", pointer)? else {
            return Err(StructureError::new(pointer, "missing name"));
        };
        let Some(location) = string_field(map, "in", pointer)? else {
            return Err(StructureError::new(pointer, "missing in"));
        };
        if !PARAMETER_LOCATIONS.contains(&location) {
            return Err(StructureError::new(
                &format!("{pointer}/in"),
                format!(
                    "`{location}` is not a parameter location; use query, header, path or cookie"
                ),
            ));
        }

        Ok(Parameter {
            name: name.to_owned(),
            location: location.to_owned(),
            required: bool_field(map, "required", pointer)?.unwrap_or(false),
            deprecated: bool_field(map, "deprecated", pointer)?.unwrap_or(false),
            schema: self.schema_or_content(map, pointer)?,
        })
    }

    fn request_body(&mut self, value: &'a Value, pointer: &str) -> BuildResult<RequestBody> {
        let (value, pointer) = self.resolve(value, pointer, "requestBodies")?;
        let map = object(value, &pointer)?;
        let Some(content) = map.get("content") else {
            return Err(StructureError::new(&pointer, "missing content"));
        };
        Ok(RequestBody {
            required: bool_field(map, "required", &pointer)?.unwrap_or(false),
            content: self.content(content, &format!("{pointer}/content"))?,
        })
    }

    fn response(&mut self, value: &'a Value, pointer: &str) -> BuildResult<Response> {
        let (value, pointer) = self.resolve(value, pointer, "responses")?;
        let map = object(value, &pointer)?;
        if string_field(map, "description", &pointer)?.is_none() {
            return Err(StructureError::new(&pointer, "missing description"));
        }

        let mut headers = Vec::new();
        if let Some(value) = map.get("headers") {
            let headers_pointer = format!("{pointer}/headers");
            for (name, header) in object(value, &headers_pointer)? {
                let header_pointer = format!("{headers_pointer}/{}", escape(name));
                let (header, header_pointer) = self.resolve(header, &header_pointer, "headers")?;
                let header_map = object(header, &header_pointer)?;
                headers.push(Header {
                    name: name.clone(),
                    required: bool_field(header_map, "required", &header_pointer)?.unwrap_or(false),
                    schema: self.schema_or_content(header_map, &header_pointer)?,
                });
            }
        }

        let content = match map.get("content") {
            Some(value) => self.content(value, &format!("{pointer}/content"))?,
            None => Vec::new(),
        };
        Ok(Response { headers, content })
    }

    fn content(&mut self, value: &'a Value, pointer: &str) -> BuildResult<Vec<MediaType>> {
        let mut media_types = Vec::new();
        for (name, media) in object(value, pointer)? {
            let media_pointer = format!("{pointer}/{}", escape(name));
            let media_map = object(media, &media_pointer)?;
            let schema = match media_map.get("schema") {
                Some(schema) => Some(self.schema(schema, &format!("{media_pointer}/schema"))?),
                None => None,
            };
            media_types.push(MediaType {
                name: name.clone(),
                schema,
            });
        }
        Ok(media_types)
    }

    /// Reads the schema of a parameter or header, given as `schema` or as a one-entry
    /// `content` map.
    fn schema_or_content(
        &mut self,
        map: &'a Map<String, Value>,
        pointer: &str,
    ) -> BuildResult<Option<SchemaRef>> {
        if let Some(schema) = map.get("schema") {
            return self.schema(schema, &format!("{pointer}/schema")).map(Some);
        }
        let Some(content) = map.get("content") else {
            return Ok(None);
        };
        let content = self.content(content, &format!("{pointer}/content"))?;
        Ok(content.into_iter().next().and_then(|media| media.schema))
    }

    /// Follows `$ref`s to `#/components/{kind}/NAME` until it reaches an object, and returns
    /// it with its pointer.
    fn resolve(
        &self,
        mut value: &'a Value,
        pointer: &str,
        kind: &str,
    ) -> BuildResult<(&'a Value, String)> {
        let mut pointer = pointer.to_owned();
        let prefix = format!("#/components/{kind}/");
        for _ in 0..32 {
            let Some(reference) = value.get("$ref") else {
                return Ok((value, pointer));
            };
            let ref_pointer = format!("{pointer}/$ref");
            let Some(reference) = reference.as_str() else {
                return Err(StructureError::new(&ref_pointer, "$ref must be a string"));
            };
            check_local(reference, &ref_pointer)?;
            if !reference.starts_with(&prefix) {
                return Err(StructureError::new(
                    &ref_pointer,
                    format!("$ref {reference} must point into #/components/{kind}/"),
                ));
            }
            let target = reference.trim_start_matches('#');
            value = self.document.pointer(target).ok_or_else(|| {
                StructureError::new(
                    &ref_pointer,
                    format!("$ref {reference} points to nothing in this document"),
                )
            })?;
            pointer = target.to_owned();
        }
        Err(StructureError::new(
            &pointer,
            "$ref chain is longer than 32 steps, probably a cycle",
        ))
    }
}

fn is_status_key(key: &str) -> bool {
    if key == "default" {
        return true;
    }
    let bytes = key.as_bytes();
    bytes.len() == 3
        && (b'1'..=b'5').contains(&bytes[0])
        && (bytes[1..].iter().all(u8::is_ascii_digit) || &bytes[1..] == b"XX")
}
