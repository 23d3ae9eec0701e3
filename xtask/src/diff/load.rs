//! Reading a spec file from disk into the model, with errors that name the file and, for a
//! structural problem, the JSON pointer of the offending value.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::build;
use super::model::Spec;

/// Failure to read a spec.
#[derive(Debug)]
pub struct LoadError {
    /// The file that failed.
    pub file: PathBuf,
    /// JSON pointer of the offending value, for a structural problem. The empty string is the
    /// document root.
    pub pointer: Option<String>,
    /// Description of the problem and, where it helps, of the fix.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match self.pointer.as_deref() {
            Some("") => write!(formatter, "{file}: document root: {}", self.message),
            Some(pointer) => write!(formatter, "{file}: {pointer}: {}", self.message),
            None => write!(formatter, "{file}: {}", self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// A structural problem found while building the model: where it is and what is wrong.
#[derive(Debug)]
pub struct StructureError {
    /// JSON pointer of the offending value.
    pub pointer: String,
    /// Description of the problem.
    pub message: String,
}

impl StructureError {
    /// Creates an error at `pointer`.
    pub fn new(pointer: &str, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

/// Reads and parses a spec file, YAML or JSON, and builds the model.
///
/// A file whose first non-blank character is `{` is parsed as JSON, because the JSON parser
/// is several times faster. Anything else is parsed as YAML, which also accepts JSON.
pub fn load(path: &Path) -> Result<Spec, LoadError> {
    let bytes = std::fs::read(path).map_err(|error| LoadError {
        file: path.to_path_buf(),
        pointer: None,
        message: format!("cannot read the file: {error}"),
    })?;

    let document = parse(&bytes).map_err(|message| LoadError {
        file: path.to_path_buf(),
        pointer: None,
        message,
    })?;

    let spec = build::build(&document).map_err(|error| LoadError {
        file: path.to_path_buf(),
        pointer: Some(error.pointer),
        message: error.message,
    });

    // NOTE: the parsed document is left for the operating system to reclaim at exit. Freeing
    // the tree of a 5 MB spec node by node takes about a tenth of the whole diff, and a
    // process loads at most two specs.
    std::mem::forget(document);
    spec
}

/// Parses YAML or JSON text into a JSON value.
pub fn parse(bytes: &[u8]) -> Result<Value, String> {
    let looks_like_json = bytes
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'{');

    if looks_like_json {
        // A YAML flow mapping also starts with `{`, so fall back to YAML before giving up.
        return match serde_json::from_slice(bytes) {
            Ok(document) => Ok(document),
            Err(json_error) => {
                serde_yaml_ng::from_slice(bytes).map_err(|_| format!("invalid JSON: {json_error}"))
            }
        };
    }

    let document: Value =
        serde_yaml_ng::from_slice(bytes).map_err(|error| format!("invalid YAML: {error}"))?;
    if document.is_null() {
        return Err("the file is empty; expected an OpenAPI 3.0 document".to_owned());
    }
    Ok(document)
}

/// Escapes one JSON pointer segment: `~` becomes `~0` and `/` becomes `~1`.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Reverses [`escape`].
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}
