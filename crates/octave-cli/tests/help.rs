//! Snapshots of the `--help` texts. Run with `UPDATE_SNAPSHOTS=1` to rewrite them after an
//! intended change, then review the diff.

mod common;

use std::path::PathBuf;

use common::{octave, run_expect};

const SNAPSHOTS: &[(&str, &[&str])] = &[
    ("octave", &[]),
    ("whoami", &["whoami"]),
    ("agents", &["agents"]),
    ("agents-list", &["agents", "list"]),
    ("agents-get", &["agents", "get"]),
    ("run", &["run"]),
    ("status", &["status"]),
    ("wait", &["wait"]),
    ("batch", &["batch"]),
    ("mock", &["mock"]),
    ("listen", &["listen"]),
];

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("help-{name}.txt"))
}

#[test]
fn help_texts_match_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|value| value == "1");
    let mut mismatches = Vec::new();
    for (name, command) in SNAPSHOTS {
        let help = run_expect(octave().args(*command).arg("--help"), 0).stdout;
        let path = snapshot_path(name);
        if update {
            std::fs::create_dir_all(path.parent().expect("snapshot dir")).expect("mkdir");
            std::fs::write(&path, &help).expect("write snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != help {
            mismatches.push(format!(
                "--- {} (expected)\n{expected}\n+++ actual\n{help}",
                path.display()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "help texts differ from snapshots; rerun with UPDATE_SNAPSHOTS=1 if the change is \
         intended\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn help_lists_exit_codes() {
    let help = run_expect(octave().arg("--help"), 0).stdout;
    for code in [
        "0    success",
        "2    usage error",
        "3    auth or config error",
        "4    batch",
        "130  interrupted",
    ] {
        assert!(help.contains(code), "missing `{code}` in:\n{help}");
    }
}

#[test]
fn usage_error_exits_two() {
    let result = run_expect(octave().arg("frobnicate"), 2);
    assert!(result.stderr.contains("frobnicate"), "{}", result.stderr);
}
