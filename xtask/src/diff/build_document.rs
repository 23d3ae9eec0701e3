//! Document-level parts of a spec: version, info, servers, security schemes and security
//! requirements, and the check that component aliases do not form a cycle.

use serde_json::{Map, Value};

use super::build::BuildResult;
use super::load::{StructureError, escape};
use super::model::{SchemaRef, SecurityScheme, Spec};
use super::value::{array, describe, object, string_field};

/// Checks that `openapi` names a 3.0.x version.
pub fn check_version(root: &Map<String, Value>) -> BuildResult<()> {
    match root.get("openapi") {
        None => Err(StructureError::new(
            "",
            "missing openapi; set it to the OpenAPI version, for example \"3.0.3\"",
        )),
        Some(Value::String(version)) if version.starts_with("3.0.") || version == "3.0" => Ok(()),
        Some(Value::String(version)) => Err(StructureError::new(
            "/openapi",
            format!("OpenAPI version {version} is not supported; this diff reads 3.0.x only"),
        )),
        Some(other) => Err(StructureError::new(
            "/openapi",
            format!(
                "expected a string such as \"3.0.3\", found {}; quote the version in YAML",
                describe(other)
            ),
        )),
    }
}

/// Checks that `info` has a title and a version.
pub fn check_info(root: &Map<String, Value>) -> BuildResult<()> {
    let Some(info) = root.get("info") else {
        return Err(StructureError::new("", "missing info"));
    };
    let info = object(info, "/info")?;
    for key in ["title", "version"] {
        if string_field(info, key, "/info")?.is_none() {
            return Err(StructureError::new("/info", format!("missing {key}")));
        }
    }
    Ok(())
}

/// Rejects components that are only `$ref`s leading back to themselves.
pub fn check_alias_cycles(spec: &Spec) -> BuildResult<()> {
    for (id, component) in spec.components.iter().enumerate() {
        let mut current = component.body;
        let mut steps = 0;
        while let SchemaRef::Component(next) = current {
            steps += 1;
            if next == id || steps > spec.components.len() {
                return Err(StructureError::new(
                    &format!("/components/schemas/{}", escape(&component.name)),
                    "this schema is only a $ref that leads back to itself; give it a definition",
                ));
            }
            current = spec.components[next].body;
        }
    }
    Ok(())
}

/// Reads the server URLs.
pub fn servers(root: &Map<String, Value>) -> BuildResult<Vec<String>> {
    let Some(value) = root.get("servers") else {
        return Ok(Vec::new());
    };
    let mut urls = Vec::new();
    for (index, server) in array(value, "/servers")?.iter().enumerate() {
        let pointer = format!("/servers/{index}");
        let server = object(server, &pointer)?;
        match string_field(server, "url", &pointer)? {
            Some(url) => urls.push(url.to_owned()),
            None => return Err(StructureError::new(&pointer, "missing url")),
        }
    }
    Ok(urls)
}

/// Reads `components/securitySchemes` with the settings that decide how credentials are
/// sent.
pub fn security_schemes(root: &Map<String, Value>) -> BuildResult<Vec<SecurityScheme>> {
    let Some(value) = root
        .get("components")
        .and_then(|components| components.get("securitySchemes"))
    else {
        return Ok(Vec::new());
    };
    let schemes_pointer = "/components/securitySchemes";
    let mut schemes = Vec::new();
    for (name, scheme) in object(value, schemes_pointer)? {
        let pointer = format!("{schemes_pointer}/{}", escape(name));
        let scheme = object(scheme, &pointer)?;
        let Some(scheme_type) = string_field(scheme, "type", &pointer)? else {
            return Err(StructureError::new(&pointer, "missing type"));
        };
        let needed: &[&'static str] = match scheme_type {
            "apiKey" => &["name", "in"],
            "http" => &["scheme"],
            "oauth2" => &[],
            "openIdConnect" => &["openIdConnectUrl"],
            other => {
                return Err(StructureError::new(
                    &format!("{pointer}/type"),
                    format!(
                        "`{other}` is not a security scheme type; use apiKey, http, oauth2 or \
                         openIdConnect"
                    ),
                ));
            }
        };

        let mut settings = vec![("type", scheme_type.to_owned())];
        for key in needed {
            match string_field(scheme, key, &pointer)? {
                Some(setting) => settings.push((*key, setting.to_owned())),
                None => return Err(StructureError::new(&pointer, format!("missing {key}"))),
            }
        }
        if let Some(format) = string_field(scheme, "bearerFormat", &pointer)? {
            settings.push(("bearerFormat", format.to_owned()));
        }
        if let Some(flows) = scheme.get("flows").and_then(Value::as_object) {
            let names: Vec<&str> = flows.keys().map(String::as_str).collect();
            settings.push(("flows", names.join(", ")));
        }
        schemes.push(SecurityScheme {
            name: name.clone(),
            settings,
        });
    }
    Ok(schemes)
}

/// Reads a list of security requirement objects. Each alternative becomes a sorted list of
/// scheme names, with scopes in brackets when there are any; `{}` is the anonymous one.
pub fn security_requirements(value: &Value, pointer: &str) -> BuildResult<Vec<Vec<String>>> {
    let mut alternatives = Vec::new();
    for (index, requirement) in array(value, pointer)?.iter().enumerate() {
        let item_pointer = format!("{pointer}/{index}");
        let mut schemes = Vec::new();
        for (name, scopes) in object(requirement, &item_pointer)? {
            let scopes_pointer = format!("{item_pointer}/{}", escape(name));
            let mut scope_names = Vec::new();
            for scope in array(scopes, &scopes_pointer)? {
                match scope.as_str() {
                    Some(scope) => scope_names.push(scope),
                    None => {
                        return Err(StructureError::new(
                            &scopes_pointer,
                            "scopes must be strings",
                        ));
                    }
                }
            }
            scope_names.sort_unstable();
            if scope_names.is_empty() {
                schemes.push(name.clone());
            } else {
                schemes.push(format!("{name}[{}]", scope_names.join(", ")));
            }
        }
        schemes.sort();
        alternatives.push(schemes);
    }
    Ok(alternatives)
}
