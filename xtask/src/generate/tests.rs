//! Tests of the whole generation pipeline over the project's spec.

use std::path::Path;

use super::{CLIENT_PATH, TYPES_PATH, generate, workspace_root};

const SPEC: &str = "openapi/octave.yaml";

/// Writes a copy of the project's spec with one more optional field on
/// `EnrichCompanyAgentInput`, and returns the temp dir that holds it.
fn spec_with_extra_field() -> (tempfile::TempDir, std::path::PathBuf) {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).expect("spec is readable");
    let mut spec: serde_json::Value = serde_yaml_ng::from_str(&text).expect("spec is YAML");
    let properties = spec
        .pointer_mut("/components/schemas/EnrichCompanyAgentInput/properties")
        .and_then(serde_json::Value::as_object_mut)
        .expect("EnrichCompanyAgentInput has properties");
    properties.insert(
        "industryHint".to_owned(),
        serde_json::json!({"type": "string", "description": "Industry to prefer."}),
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("octave.yaml");
    let yaml = serde_yaml_ng::to_string(&spec).expect("spec serializes");
    std::fs::write(&path, yaml).expect("temp spec is writable");
    (dir, path)
}

fn committed(path: &str) -> String {
    std::fs::read_to_string(workspace_root().join(path)).expect("generated file is committed")
}

#[test]
fn generation_is_byte_identical_twice() {
    let root = workspace_root();
    let first = generate(&root, Path::new(SPEC)).expect("first generation");
    let second = generate(&root, Path::new(SPEC)).expect("second generation");

    assert_eq!(first.len(), second.len());
    for (one, two) in first.iter().zip(&second) {
        assert_eq!(one.path, two.path);
        assert!(
            one.contents == two.contents,
            "{} differs between runs",
            one.path
        );
    }
}

#[test]
fn committed_files_match_spec() {
    let files = generate(&workspace_root(), Path::new(SPEC)).expect("generation");
    for file in files {
        assert!(
            committed(file.path) == file.contents,
            "{} is stale; run `cargo xtask generate`",
            file.path
        );
    }
}

#[test]
fn header_names_command_hash_and_versions() {
    let files = generate(&workspace_root(), Path::new(SPEC)).expect("generation");
    let header: Vec<&str> = files[0].contents.lines().take(4).collect();

    assert!(header[0].contains("`cargo xtask generate` from openapi/octave.yaml"));
    assert!(header[2].starts_with("// spec-sha256: "));
    assert_eq!(header[2].len(), "// spec-sha256: ".len() + 64);
    assert!(header[3].contains("progenitor-impl "));
    assert!(header[3].contains("typify-impl "));
    assert!(header[3].contains("prettyplease "));
}

#[test]
fn added_field_reaches_types_crate() {
    let (_dir, spec) = spec_with_extra_field();
    let files = generate(&workspace_root(), &spec).expect("generation of the changed spec");
    let types = files
        .iter()
        .find(|file| file.path == TYPES_PATH)
        .expect("types file");
    let client = files
        .iter()
        .find(|file| file.path == CLIENT_PATH)
        .expect("client file");

    assert!(types.contents.contains("pub industry_hint:"));
    assert!(types.contents.contains("\"industryHint\""));
    assert!(types.contents != committed(TYPES_PATH));
    assert!(
        !client.contents.contains("industry_hint"),
        "the client refers to the types crate instead of defining types"
    );
}
