//! `cargo xtask update --spec PATH`: replaces the committed spec, shows what changed,
//! regenerates, builds and tests, suggests version bumps and records the change in
//! `CHANGELOG.md`. When a step fails, every file it touched is restored byte for byte.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::diff::{self, Format, Report};

/// The spec that `cargo xtask generate` reads, relative to the workspace root.
const CURRENT_SPEC: &str = "openapi/octave.yaml";

/// Files that generation rewrites, relative to the workspace root.
const GENERATED: [&str; 2] = [
    "crates/octave-client/src/generated.rs",
    "crates/octave-types/src/generated.rs",
];

const CHANGELOG: &str = "CHANGELOG.md";

/// Crates whose public API follows the spec, with their directories.
const CRATES: [(&str, &str); 3] = [
    ("octave-types", "crates/octave-types"),
    ("octave-client", "crates/octave-client"),
    ("octave", "crates/octave"),
];

/// Arguments of `cargo xtask update`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when the update is complete, 1 when a step failed and \
                        the files were restored, 2 when a spec cannot be read."
)]
pub struct UpdateArgs {
    /// The new spec, YAML or JSON. Its content replaces openapi/octave.yaml.
    #[arg(long)]
    pub spec: PathBuf,
    /// Workspace root. Defaults to the workspace this xtask was built from.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

/// Runs the update and returns the exit status.
pub fn run(args: UpdateArgs) -> ExitCode {
    let root = args.root.unwrap_or_else(default_root);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    match update(&root, &args.spec, &default_steps(&cargo), &today()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.message);
            ExitCode::from(error.exit_code)
        }
    }
}

/// One external command of the update.
#[derive(Clone, Debug)]
pub struct Step {
    /// Short name used in messages, such as `build`.
    pub name: &'static str,
    /// The program to run.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl Step {
    fn new(name: &'static str, program: &str, args: &[&str]) -> Self {
        Self {
            name,
            program: program.to_owned(),
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
        }
    }

    /// Returns the command for messages, with the program's directory left out.
    fn command_line(&self) -> String {
        let program = Path::new(&self.program);
        let mut line = program.file_name().map_or_else(
            || self.program.clone(),
            |name| name.to_string_lossy().into_owned(),
        );
        for arg in &self.args {
            line.push(' ');
            line.push_str(arg);
        }
        line
    }
}

/// Returns the commands run after the spec is replaced: regenerate, build, test.
pub fn default_steps(cargo: &str) -> Vec<Step> {
    vec![
        Step::new(
            "generate",
            cargo,
            &["run", "--quiet", "-p", "xtask", "--", "generate"],
        ),
        Step::new(
            "build",
            cargo,
            &["build", "-p", "octave-client", "-p", "octave-types"],
        ),
        Step::new("test", cargo, &["test", "-p", "octave-types"]),
    ]
}

/// Failure of an update, with the exit status to return.
#[derive(Debug)]
pub struct UpdateError {
    /// 1 when a step failed, 2 when a spec cannot be read.
    pub exit_code: u8,
    /// Message that names the failed step and the restored files.
    pub message: String,
}

impl UpdateError {
    fn unreadable(message: String) -> Self {
        Self {
            exit_code: diff::EXIT_UNREADABLE,
            message,
        }
    }

    fn failed(message: String) -> Self {
        Self {
            exit_code: 1,
            message,
        }
    }
}

/// Runs the update in the workspace at `root`. `date` is the changelog entry's date.
///
/// # Errors
///
/// Fails when a spec cannot be read (nothing is changed then) or when a step fails, in
/// which case the spec and the generated files are restored and `CHANGELOG.md` is left as it
/// was.
pub fn update(root: &Path, new_spec: &Path, steps: &[Step], date: &str) -> Result<(), UpdateError> {
    let current = root.join(CURRENT_SPEC);
    if !current.is_file() {
        return Err(UpdateError::unreadable(format!(
            "{} not found: there is no current spec to compare with; copy the spec there and \
             run `cargo xtask generate` for the first version",
            current.display()
        )));
    }
    if same_file(&current, new_spec) {
        return Err(UpdateError::unreadable(format!(
            "--spec {} is the current spec itself; pass the new version from another path",
            new_spec.display()
        )));
    }

    let mut report = diff::diff_files(&current, new_spec)
        .map_err(|error| UpdateError::unreadable(error.to_string()))?;
    report.old_file = CURRENT_SPEC.to_owned();

    let new_bytes = std::fs::read(new_spec).map_err(|error| {
        UpdateError::unreadable(format!(
            "{}: cannot read the file: {error}",
            new_spec.display()
        ))
    })?;
    let old_bytes = std::fs::read(&current).map_err(|error| {
        UpdateError::unreadable(format!(
            "{}: cannot read the file: {error}",
            current.display()
        ))
    })?;
    if old_bytes == new_bytes {
        println!(
            "{} is identical to {CURRENT_SPEC}; nothing to do.",
            new_spec.display()
        );
        return Ok(());
    }
    print!("{}", diff::render::render(&report, Format::Text));
    if new_bytes.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'{') {
        println!(
            "note: the new spec is JSON; it is stored as {CURRENT_SPEC} because YAML parsers \
             read JSON"
        );
    }

    let snapshot = Snapshot::take(root)?;
    let result = apply(root, &current, &new_bytes, steps, &report, date);
    if let Err(failure) = result {
        let restored = snapshot.restore(root);
        return Err(UpdateError::failed(format!("{failure}; {restored}")));
    }
    println!(
        "\nUpdated {CURRENT_SPEC}, regenerated, built and tested; added an entry to {CHANGELOG}."
    );
    Ok(())
}

/// Writes the spec, runs the steps, prints the version suggestions and writes the changelog.
/// Returns a message naming the step that failed.
fn apply(
    root: &Path,
    current: &Path,
    new_bytes: &[u8],
    steps: &[Step],
    report: &Report,
    date: &str,
) -> Result<(), String> {
    std::fs::write(current, new_bytes).map_err(|error| {
        format!(
            "update failed at step `write spec`: {}: {error}",
            current.display()
        )
    })?;

    for step in steps {
        println!("\n==> {}: {}", step.name, step.command_line());
        let status = Command::new(&step.program)
            .args(&step.args)
            .current_dir(root)
            .status()
            .map_err(|error| {
                format!(
                    "update failed at step `{}`: cannot start `{}`: {error}",
                    step.name,
                    step.command_line()
                )
            })?;
        if !status.success() {
            return Err(format!(
                "update failed at step `{}`: `{}` exited with {status}",
                step.name,
                step.command_line()
            ));
        }
    }

    let suggestions = suggest_versions(root, report);
    println!("\nSuggested versions:");
    for line in &suggestions {
        println!("  {line}");
    }

    let changelog = root.join(CHANGELOG);
    let existing = match std::fs::read_to_string(&changelog) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(format!(
                "update failed at step `changelog`: {}: {error}",
                changelog.display()
            ));
        }
    };
    let entry = changelog_entry(date, report, &suggestions);
    let text = insert_entry(existing.as_deref(), &entry);
    std::fs::write(&changelog, text).map_err(|error| {
        format!(
            "update failed at step `changelog`: {}: {error}",
            changelog.display()
        )
    })
}

/// The bytes of every file an update may change, taken before it starts. `None` means the
/// file did not exist.
struct Snapshot {
    files: Vec<(&'static str, Option<Vec<u8>>)>,
}

impl Snapshot {
    fn take(root: &Path) -> Result<Self, UpdateError> {
        let mut files = Vec::new();
        for relative in std::iter::once(CURRENT_SPEC).chain(GENERATED) {
            let path = root.join(relative);
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => Some(bytes),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => {
                    return Err(UpdateError::failed(format!(
                        "cannot back up {}: {error}; nothing was changed",
                        path.display()
                    )));
                }
            };
            files.push((relative, bytes));
        }
        Ok(Self { files })
    }

    /// Puts every file back and returns a sentence that lists the restored files and those
    /// that could not be restored.
    fn restore(&self, root: &Path) -> String {
        let mut restored = Vec::new();
        let mut failures = Vec::new();
        for (relative, bytes) in &self.files {
            let path = root.join(relative);
            let result = match bytes {
                Some(bytes) => std::fs::write(&path, bytes),
                None if path.exists() => std::fs::remove_file(&path),
                None => Ok(()),
            };
            match result {
                Ok(()) => restored.push(*relative),
                Err(error) => failures.push(format!("{}: {error}", path.display())),
            }
        }

        let mut message = format!(
            "restored {}; {CHANGELOG} was not changed",
            restored.join(", ")
        );
        if !failures.is_empty() {
            let _ = write!(
                message,
                "; could NOT restore {}, so check them with `git diff`",
                failures.join("; ")
            );
        }
        message
    }
}

/// Suggests the next version of each crate. In a 0.x crate a breaking change bumps the minor
/// version and anything else the patch version. From 1.0 on, a breaking change bumps the
/// major version, an addition the minor version and anything else the patch version.
fn suggest_versions(root: &Path, report: &Report) -> Vec<String> {
    let breaking = report.has_breaking();
    let additions = !report.changes.is_empty();
    CRATES
        .iter()
        .map(|(name, directory)| match crate_version(root, directory) {
            Some(version) => {
                let (next, rule) = next_version(&version, breaking, additions);
                format!("{name} {version} -> {next} ({rule})")
            }
            None => format!("{name}: version not found in {directory}/Cargo.toml"),
        })
        .collect()
}

/// Returns the next version and the rule that chose it.
pub fn next_version(version: &str, breaking: bool, additions: bool) -> (String, &'static str) {
    let parts: Vec<u64> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|part| part.parse().unwrap_or(0))
        .collect();
    let (major, minor, patch) = (
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    );
    match (major, breaking) {
        (0, true) => (
            format!("0.{}.0", minor + 1),
            "breaking changes; in 0.x a breaking change bumps the minor version",
        ),
        (0, false) => (
            format!("0.{minor}.{}", patch + 1),
            "no breaking changes; in 0.x everything else bumps the patch version",
        ),
        (_, true) => (format!("{}.0.0", major + 1), "breaking changes: major bump"),
        (_, false) if additions => (
            format!("{major}.{}.0", minor + 1),
            "compatible additions: minor bump",
        ),
        (_, false) => (format!("{major}.{minor}.{}", patch + 1), "patch bump"),
    }
}

/// Reads a crate's version from its manifest, following `version.workspace = true` to the
/// root manifest's `[workspace.package]`.
fn crate_version(root: &Path, directory: &str) -> Option<String> {
    let manifest = std::fs::read_to_string(root.join(directory).join("Cargo.toml")).ok()?;
    match section_value(&manifest, "[package]", "version") {
        Some(version) => Some(version),
        None if manifest.contains("version.workspace = true") => {
            let workspace = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
            section_value(&workspace, "[workspace.package]", "version")
        }
        None => None,
    }
}

/// Finds `key = "value"` inside a TOML section, enough for the plain manifests of this
/// workspace.
fn section_value(toml: &str, section: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == section;
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if name.trim() == key {
            let value = value.trim();
            if let Some(text) = value
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
            {
                return Some(text.to_owned());
            }
        }
    }
    None
}

fn changelog_entry(date: &str, report: &Report, suggestions: &[String]) -> String {
    let mut entry = format!("## {date}: API update\n\n");
    let _ = writeln!(entry, "Suggested versions:\n");
    for line in suggestions {
        let _ = writeln!(entry, "- {line}");
    }
    entry.push('\n');
    entry.push_str(&diff::render::markdown::render(report, 3));
    entry
}

/// Puts a changelog entry first, below the file's title and introduction.
pub fn insert_entry(existing: Option<&str>, entry: &str) -> String {
    let entry = entry.trim_end();
    let Some(existing) = existing else {
        return format!("# Changelog\n\nNewest entries first.\n\n{entry}\n");
    };
    let first_entry = existing
        .match_indices("## ")
        .map(|(index, _)| index)
        .find(|index| *index == 0 || existing.as_bytes()[index - 1] == b'\n');
    match first_entry {
        Some(index) => format!("{}{entry}\n\n{}", &existing[..index], &existing[index..]),
        None if existing.trim().is_empty() => format!("{entry}\n"),
        None => format!("{}\n\n{entry}\n", existing.trim_end()),
    }
}

fn same_file(left: &Path, right: &Path) -> bool {
    match (left.canonicalize(), right.canonicalize()) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    }
}

fn default_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Returns today's date in UTC as `YYYY-MM-DD`.
fn today() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (year, month, day) = civil_date((seconds / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras
/// of 146,097 days that start on 1 March, so leap days fall at the end of each year.
fn civil_date(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/diff")
            .join(path)
    }

    fn shell(name: &'static str, script: &str) -> Step {
        Step::new(name, "sh", &["-c", script])
    }

    /// Lays out a workspace with a spec, one generated file, a changelog and manifests.
    fn workspace() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temporary directory");
        let write = |relative: &str, text: &[u8]| {
            let path = root.path().join(relative);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("create directory");
            std::fs::write(path, text).expect("write file");
        };
        let old_spec = std::fs::read(fixture("request-fields/old.yaml")).expect("fixture");
        write(CURRENT_SPEC, &old_spec);
        write(GENERATED[1], b"// old types\n");
        let client_directory = root.path().join("crates/octave-client/src");
        std::fs::create_dir_all(client_directory).expect("create directory");
        write(
            CHANGELOG,
            b"# Changelog\n\n## 2020-01-01: API update\n\nOlder entry.\n",
        );
        write(
            "Cargo.toml",
            b"[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"0.1.0\"\n",
        );
        for (name, directory) in CRATES {
            let manifest = format!("[package]\nname = \"{name}\"\nversion.workspace = true\n");
            write(&format!("{directory}/Cargo.toml"), manifest.as_bytes());
        }
        root
    }

    fn read(root: &Path, relative: &str) -> Option<Vec<u8>> {
        std::fs::read(root.join(relative)).ok()
    }

    #[test]
    fn failed_build_restores_every_file() {
        let root = workspace();
        let spec_before = read(root.path(), CURRENT_SPEC);
        let types_before = read(root.path(), GENERATED[1]);
        let changelog_before = read(root.path(), CHANGELOG);
        let steps = [
            shell(
                "generate",
                "printf new > crates/octave-types/src/generated.rs && \
                 printf new > crates/octave-client/src/generated.rs",
            ),
            shell("build", "exit 3"),
            shell("test", "touch should-not-run"),
        ];

        let new_spec = fixture("request-fields/new.yaml");
        let error = update(root.path(), &new_spec, &steps, "2024-05-01").expect_err("build fails");

        assert_eq!(error.exit_code, 1);
        assert!(error.message.contains("step `build`"), "{}", error.message);
        assert!(
            error.message.contains("CHANGELOG.md was not changed"),
            "{}",
            error.message
        );
        assert_eq!(read(root.path(), CURRENT_SPEC), spec_before);
        assert_eq!(read(root.path(), GENERATED[1]), types_before);
        assert_eq!(
            read(root.path(), GENERATED[0]),
            None,
            "a file that did not exist is removed"
        );
        assert_eq!(read(root.path(), CHANGELOG), changelog_before);
        assert!(!root.path().join("should-not-run").exists());
    }

    #[test]
    fn missing_program_restores_the_spec() {
        let root = workspace();
        let spec_before = read(root.path(), CURRENT_SPEC);
        let steps = [Step::new("generate", "/nonexistent/cargo", &["run"])];

        let new_spec = fixture("request-fields/new.yaml");
        let error = update(root.path(), &new_spec, &steps, "2024-05-01").expect_err("no program");

        assert_eq!(error.exit_code, 1);
        assert!(
            error.message.contains("step `generate`"),
            "{}",
            error.message
        );
        assert_eq!(read(root.path(), CURRENT_SPEC), spec_before);
    }

    #[test]
    fn successful_update_writes_changelog_first() {
        let root = workspace();
        let steps = [
            shell(
                "generate",
                "printf new > crates/octave-types/src/generated.rs",
            ),
            shell("build", "true"),
        ];

        let new_spec = fixture("request-fields/new.yaml");
        update(root.path(), &new_spec, &steps, "2024-05-01").expect("update succeeds");

        let spec = read(root.path(), CURRENT_SPEC);
        assert_eq!(spec, std::fs::read(&new_spec).ok());
        assert_eq!(read(root.path(), GENERATED[1]), Some(b"new".to_vec()));
        let changelog = std::fs::read_to_string(root.path().join(CHANGELOG)).expect("changelog");
        let new_entry = changelog
            .find("## 2024-05-01: API update")
            .expect("new entry");
        let old_entry = changelog
            .find("## 2020-01-01: API update")
            .expect("old entry");
        assert!(changelog.starts_with("# Changelog\n"), "{changelog}");
        assert!(new_entry < old_entry, "{changelog}");
        assert!(
            changelog.contains("octave-types 0.1.0 -> 0.2.0"),
            "{changelog}"
        );
        assert!(changelog.contains("#### Breaking changes"), "{changelog}");
        assert!(
            changelog.contains("`request body → companyDomain`"),
            "{changelog}"
        );
    }

    #[test]
    fn unreadable_spec_changes_nothing() {
        let root = workspace();
        let spec_before = read(root.path(), CURRENT_SPEC);
        let steps = [shell("generate", "touch should-not-run")];

        let new_spec = fixture("invalid/missing-description.yaml");
        let error = update(root.path(), &new_spec, &steps, "2024-05-01").expect_err("invalid");

        assert_eq!(error.exit_code, 2);
        assert!(
            error.message.contains("missing description"),
            "{}",
            error.message
        );
        assert_eq!(read(root.path(), CURRENT_SPEC), spec_before);
        assert!(!root.path().join("should-not-run").exists());
    }

    #[test]
    fn identical_spec_changes_nothing() {
        let root = workspace();
        let changelog_before = read(root.path(), CHANGELOG);
        let steps = [shell("generate", "touch should-not-run")];

        let same_content = fixture("request-fields/old.yaml");
        update(root.path(), &same_content, &steps, "2024-05-01").expect("nothing to do");

        assert_eq!(read(root.path(), CHANGELOG), changelog_before);
        assert!(!root.path().join("should-not-run").exists());
    }

    #[test]
    fn next_version_follows_zero_rules() {
        assert_eq!(next_version("0.1.0", true, true).0, "0.2.0");
        assert_eq!(next_version("0.1.3", false, true).0, "0.1.4");
        assert_eq!(next_version("0.1.3", false, false).0, "0.1.4");
        assert_eq!(next_version("1.2.3", true, true).0, "2.0.0");
        assert_eq!(next_version("1.2.3", false, true).0, "1.3.0");
        assert_eq!(next_version("1.2.3", false, false).0, "1.2.4");
    }

    #[test]
    fn insert_entry_puts_newest_first() {
        let created = insert_entry(None, "## 2024-05-01: API update\n\nBody.\n");
        assert_eq!(
            created,
            "# Changelog\n\nNewest entries first.\n\n## 2024-05-01: API update\n\nBody.\n"
        );

        let existing = "# Changelog\n\nIntro.\n\n## 2020-01-01: Old\n";
        let updated = insert_entry(Some(existing), "## 2024-05-01: New\n");
        assert_eq!(
            updated,
            "# Changelog\n\nIntro.\n\n## 2024-05-01: New\n\n## 2020-01-01: Old\n"
        );

        let title_only = insert_entry(Some("# Changelog\n"), "## 2024-05-01: New\n");
        assert_eq!(title_only, "# Changelog\n\n## 2024-05-01: New\n");
    }

    #[test]
    fn civil_date_matches_known_days() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(-1), (1969, 12, 31));
        assert_eq!(civil_date(11_017), (2000, 3, 1));
        assert_eq!(civil_date(19_723), (2024, 1, 1));
        assert_eq!(civil_date(19_782), (2024, 2, 29));
    }
}
