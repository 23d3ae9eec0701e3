//! Fixture loading shared by the integration tests.

// Each test crate includes this module and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Returns the folder that contains one JSON fixture per schema of `openapi/octave.yaml`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Reads the fixture `<name>.json` as untyped JSON.
///
/// # Panics
///
/// Panics with the path when the file is missing or is not valid JSON.
pub fn fixture_value(name: &str) -> Value {
    let path = fixtures_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("fixture {} is not valid JSON: {error}", path.display()))
}

/// Reads the fixture `<name>.json` and decodes it into `T`.
///
/// # Panics
///
/// Panics with the fixture name and the decoding error when `T` rejects the fixture.
pub fn fixture<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(fixture_value(name)).unwrap_or_else(|error| {
        panic!(
            "fixture {name}.json does not decode into {}: {error}",
            std::any::type_name::<T>()
        )
    })
}
