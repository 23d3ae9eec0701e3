//! `cargo xtask generate` run as a process: exit codes and messages.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Writes a copy of the project's spec with one more optional field on
/// `EnrichCompanyAgentInput`, and returns the temp dir that holds it.
fn spec_with_extra_field() -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(workspace_root().join("openapi/octave.yaml"))
        .expect("spec is readable");
    let marker = "  EnrichCompanyAgentInput:";
    let start = text
        .find(marker)
        .expect("EnrichCompanyAgentInput is defined");
    let properties = start
        + text[start..]
            .find("properties:\n")
            .expect("it has properties");
    let insert_at = properties + "properties:\n".len();
    let mut changed = text.clone();
    changed.insert_str(
        insert_at,
        "        industryHint:\n          type: string\n          description: Industry to prefer.\n",
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("octave.yaml");
    std::fs::write(&path, changed).expect("temp spec is writable");
    (dir, path)
}

fn xtask() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(workspace_root());
    command
}

#[test]
fn check_reports_spec_change() {
    let (_dir, spec) = spec_with_extra_field();
    let output = xtask()
        .args(["generate", "--check", "--spec"])
        .arg(&spec)
        .output()
        .expect("xtask runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.contains("+    pub industry_hint:"),
        "diff shows the new field"
    );
    assert!(stderr.contains("the spec changed since the file was generated"));
}

#[test]
fn invalid_spec_fails_without_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
    )
    .expect("writable");
    let output = xtask()
        .args(["generate", "--check", "--spec"])
        .arg(&path)
        .output()
        .expect("xtask runs");
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("error[openapi-version]: /openapi"));
    assert!(!stderr.contains("panicked"));
}

#[test]
fn check_passes_on_committed_files() {
    let output = xtask()
        .args(["generate", "--check"])
        .output()
        .expect("xtask runs");
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
}
