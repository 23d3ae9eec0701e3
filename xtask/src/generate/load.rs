//! Reading an OpenAPI description from YAML or JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// An OpenAPI description as read from disk.
pub struct LoadedSpec {
    /// Where the spec was read from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, as lowercase hex.
    pub sha256: String,
    /// The document as plain JSON, so checks can report JSON pointers.
    pub raw: serde_json::Value,
}

/// Reads a spec file. YAML and JSON are both accepted, because JSON is valid YAML.
///
/// # Errors
///
/// Fails when the file cannot be read or is not YAML or JSON; the message names the file.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("failed to read the spec {}", path.display()))?;
    let sha256 = hex(&Sha256::digest(&bytes));

    let raw: serde_json::Value = serde_yaml_ng::from_slice(&bytes)
        .with_context(|| format!("{} is not valid YAML or JSON", path.display()))?;

    Ok(LoadedSpec {
        path: path.to_path_buf(),
        sha256,
        raw,
    })
}

/// Formats bytes as lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Parses the raw document with `openapiv3`, the form progenitor takes.
///
/// # Errors
///
/// Fails when the document is not OpenAPI 3.0 as `openapiv3` reads it; the message names the
/// file and the JSON pointer of the first problem.
pub fn parse(loaded: &LoadedSpec) -> Result<openapiv3::OpenAPI> {
    let text = loaded.raw.to_string();
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let pointer = format!("/{}", error.path()).replace('.', "/");
        anyhow::anyhow!(
            "{}: {pointer}: not valid OpenAPI 3.0: {}",
            loaded.path.display(),
            error.inner()
        )
    })
}
