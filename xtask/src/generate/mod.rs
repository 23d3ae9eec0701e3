//! `cargo xtask generate`: the types crate's and the client crate's generated sources, made
//! from the OpenAPI description with progenitor and typify.

mod load;
mod open_enums;
mod output;
pub mod preflight;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
use quote::{format_ident, quote};
use serde_json::Value;

use output::Provenance;

/// Generated types, relative to the workspace root.
pub const TYPES_PATH: &str = "crates/octave-types/src/generated.rs";
/// Generated client, relative to the workspace root.
pub const CLIENT_PATH: &str = "crates/octave-client/src/generated.rs";

/// One generated file: where it goes and what it contains.
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// Full contents, header included.
    pub contents: String,
    /// The header's facts, to explain drift.
    pub provenance: Provenance,
}

/// Runs `generate` or `generate --check` and returns the exit code.
pub fn run(spec: &Path, check: bool) -> ExitCode {
    let root = workspace_root();
    let result = generate(&root, spec).and_then(|files| {
        if check {
            check_files(&root, &files)
        } else {
            write_files(&root, &files).map(|()| true)
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Produces both generated files from a spec, without touching the disk.
///
/// # Errors
///
/// Fails when the spec cannot be read, when the pre-flight check finds constructs the
/// generator cannot handle (every finding is in the message), or when progenitor fails.
pub fn generate(root: &Path, spec_path: &Path) -> Result<Vec<GeneratedFile>> {
    let full_path = if spec_path.is_absolute() {
        spec_path.to_path_buf()
    } else {
        root.join(spec_path)
    };
    let loaded = load::load(&full_path)?;

    let findings = preflight::check(&loaded.raw);
    if !findings.is_empty() {
        let listing: Vec<String> = findings.iter().map(ToString::to_string).collect();
        bail!(
            "{} cannot be generated:\n{}",
            full_path.display(),
            listing.join("\n")
        );
    }
    let mut documented = loaded.raw.clone();
    keep_reference_descriptions(&mut documented);
    let loaded = load::LoadedSpec {
        raw: documented,
        ..loaded
    };
    let openapi = load::parse(&loaded)?;

    let provenance = Provenance {
        spec_path: display_path(root, &full_path),
        spec_sha256: loaded.sha256.clone(),
        generator: output::generator_versions(root)?,
    };

    let types = generate_types(&loaded.raw, &openapi)?;
    let client = generate_client(&loaded.raw, &openapi)?;

    Ok(vec![
        GeneratedFile {
            path: TYPES_PATH,
            contents: output::render(types, &provenance)?,
            provenance: provenance.clone(),
        },
        GeneratedFile {
            path: CLIENT_PATH,
            contents: output::render(client, &provenance)?,
            provenance,
        },
    ])
}

/// The types crate's generated module: open enums, then typify's structs, then field lists.
fn generate_types(raw: &Value, openapi: &openapiv3::OpenAPI) -> Result<TokenStream> {
    let enums = open_enums::collect(raw);

    let mut settings = base_settings();
    for open_enum in &enums {
        settings.with_replacement(&open_enum.name, &open_enum.name, enum_impls());
    }
    let mut generator = Generator::new(&settings);
    generator
        .generate_tokens(openapi)
        .map_err(|error| anyhow::anyhow!("progenitor failed on the types: {error}"))?;
    let structs = generator.get_type_space().to_stream();

    let enum_items = enums.iter().map(open_enums::render);
    let field_lists = field_lists(raw);

    Ok(quote! {
        #(#enum_items)*
        #structs
        #field_lists
    })
}

/// The client crate's generated module: every schema is replaced by the types crate's type,
/// so no schema is defined twice. The client carries the hand-written `crate::ClientState`
/// and requires the crate's own `ClientHooks` implementation, which adds the API key.
fn generate_client(raw: &Value, openapi: &openapiv3::OpenAPI) -> Result<TokenStream> {
    let mut settings = base_settings();
    settings
        .with_inner_type(quote! { crate::ClientState })
        .with_hooks(HooksMode::Expected);
    for name in component_names(raw) {
        settings.with_replacement(&name, format!("octave_types::{name}"), enum_impls());
    }
    let mut generator = Generator::new(&settings);
    generator
        .generate_tokens(openapi)
        .map_err(|error| anyhow::anyhow!("progenitor failed on the client: {error}"))
}

fn base_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_derive("PartialEq");
    settings
}

fn enum_impls() -> impl Iterator<Item = TypeImpl> {
    [TypeImpl::Display, TypeImpl::FromStr].into_iter()
}

fn component_names(raw: &Value) -> Vec<String> {
    raw.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default()
}

/// Emits `FIELD_NAMES` for every object component: the JSON names of its properties, with
/// `allOf` parts merged. Servers use them to reject fields that belong to another agent.
fn field_lists(raw: &Value) -> TokenStream {
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return TokenStream::new();
    };
    let items = schemas.iter().filter_map(|(name, schema)| {
        let mut fields = Vec::new();
        collect_fields(raw, schema, &mut fields, 0);
        if fields.is_empty() {
            return None;
        }
        let ident = format_ident!("{name}");
        Some(quote! {
            impl #ident {
                /// JSON names of every property this schema defines.
                pub const FIELD_NAMES: &'static [&'static str] = &[#(#fields),*];
            }
        })
    });
    quote! { #(#items)* }
}

fn collect_fields(raw: &Value, schema: &Value, fields: &mut Vec<String>, depth: usize) {
    // A cycle of allOf references would otherwise recurse forever.
    if depth > 16 {
        return;
    }
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => match reference.strip_prefix('#').and_then(|p| raw.pointer(p)) {
            Some(target) => target,
            None => return,
        },
        None => schema,
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for name in properties.keys() {
            if !fields.contains(name) {
                fields.push(name.clone());
            }
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            collect_fields(raw, part, fields, depth + 1);
        }
    }
}

/// Wraps every property written as `{$ref, description}` in a one-part `allOf`.
///
/// OpenAPI 3.0 ignores siblings of `$ref`, so typify would drop the property's own
/// description; inside `allOf` it becomes the field's doc comment and the type is unchanged.
fn keep_reference_descriptions(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::Object(properties)) = fields.get_mut("properties") {
                for property in properties.values_mut() {
                    wrap_reference(property);
                }
            }
            for child in fields.values_mut() {
                keep_reference_descriptions(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(keep_reference_descriptions),
        _ => {}
    }
}

fn wrap_reference(property: &mut Value) {
    let Value::Object(fields) = property else {
        return;
    };
    if !fields.contains_key("$ref") || !fields.contains_key("description") {
        return;
    }
    if let Some(reference) = fields.remove("$ref") {
        let part = serde_json::json!({ "$ref": reference });
        fields.insert("allOf".to_owned(), Value::Array(vec![part]));
    }
}

fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

fn write_files(root: &Path, files: &[GeneratedFile]) -> Result<()> {
    for file in files {
        let path = root.join(file.path);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == file.contents);
        if unchanged {
            println!("unchanged {}", file.path);
            continue;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("failed to write {}", path.display()))?;
        println!("wrote {}", file.path);
    }
    Ok(())
}

/// Compares the committed files with the expected ones; returns `true` when all match.
fn check_files(root: &Path, files: &[GeneratedFile]) -> Result<bool> {
    let mut clean = true;
    for file in files {
        let path = root.join(file.path);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == file.contents {
            println!("up to date {}", file.path);
            continue;
        }
        clean = false;
        print!(
            "{}",
            output::unified_diff(file.path, &committed, &file.contents)
        );
        eprintln!(
            "error: {} is out of date: {}",
            file.path,
            output::drift_cause(&committed, &file.provenance)
        );
    }
    Ok(clean)
}

#[cfg(test)]
mod tests;
