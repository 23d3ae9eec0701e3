//! The types crate must stay usable without an HTTP stack or an async runtime, so its normal
//! dependency tree is checked with `cargo tree`.

use std::collections::BTreeSet;
use std::process::Command;

/// Crates of an HTTP stack or an async runtime, none of which may be a normal dependency.
const FORBIDDEN: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "http",
    "http-body",
    "h2",
    "tokio",
    "mio",
    "axum",
    "tower",
    "async-std",
    "smol",
];

/// Runs `cargo tree` on this package with the given extra arguments and returns the names of
/// the crates it lists.
///
/// `--offline` keeps cargo off the network, because the tree comes from `Cargo.lock` and the
/// local registry cache. The nested cargo compiles nothing, so it does not compete with the
/// outer `cargo test` for the build directory.
fn normal_dependency_names(extra_arguments: &[&str]) -> BTreeSet<String> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--manifest-path", manifest])
        .args(["-p", "octave-types", "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}"])
        .args(extra_arguments)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", env!("CARGO")));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo tree failed with {}:\n{stderr}",
        output.status
    );

    stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn normal_tree_has_no_http_stack() {
    let names = normal_dependency_names(&[]);

    assert!(
        names.contains("serde_json"),
        "cargo tree output looks wrong, serde_json is missing: {names:?}"
    );
    let found: Vec<&str> = FORBIDDEN
        .iter()
        .copied()
        .filter(|name| names.contains(*name))
        .collect();
    assert!(
        found.is_empty(),
        "octave-types must not depend on an HTTP stack or async runtime, found {found:?} in {names:?}"
    );
}

#[test]
fn direct_dependencies_are_serde_only() {
    let names = normal_dependency_names(&["--depth", "1"]);

    let expected: BTreeSet<String> = ["octave-types", "serde", "serde_json"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        names, expected,
        "octave-types may depend only on serde and serde_json"
    );
}
