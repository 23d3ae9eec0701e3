//! Plain text for terminals: breaking changes first, grouped by operation, each with its
//! reason.

use std::fmt::Write;

use crate::diff::report::{Change, OperationInfo, Report};

/// How many extra locations are listed under a change before the rest are counted.
const LISTED_LOCATIONS: usize = 3;

/// Renders the report as plain text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    if report.changes.is_empty() {
        let _ = writeln!(
            out,
            "No changes between {} and {}.",
            report.old_file, report.new_file
        );
        return out;
    }

    let _ = writeln!(
        out,
        "Changes from {} to {}: {} breaking, {} non-breaking.",
        report.old_file,
        report.new_file,
        report.breaking_count(),
        report.non_breaking_count()
    );

    for (breaking, title) in [(true, "Breaking changes"), (false, "Non-breaking changes")] {
        let groups = report.grouped(breaking);
        if groups.is_empty() {
            continue;
        }
        let count: usize = groups.iter().map(|(_, changes)| changes.len()).sum();
        let _ = writeln!(out, "\n{title} ({count})");
        for (operation, changes) in groups {
            let _ = writeln!(out, "\n  {}", group_heading(operation));
            for change in changes {
                write_change(&mut out, change);
            }
        }
    }

    let components = report.components();
    if !components.is_empty() {
        let _ = writeln!(out, "\nChanged schemas");
        for component in components {
            let used_by = if component.operations.is_empty() {
                "used by no operation".to_owned()
            } else {
                let names: Vec<&str> = component.operations.iter().map(String::as_str).collect();
                format!("used by {}", names.join(", "))
            };
            let _ = writeln!(
                out,
                "  {}: {}, {} breaking; {used_by}",
                component.name,
                plural(component.changes, "change", "changes"),
                component.breaking
            );
        }
    }
    out
}

fn group_heading(operation: Option<&OperationInfo>) -> String {
    match operation {
        Some(operation) if operation.name == format!("{} {}", operation.method, operation.path) => {
            operation.name.clone()
        }
        Some(operation) => format!(
            "{}  ({} {})",
            operation.name, operation.method, operation.path
        ),
        None => "Schemas, security schemes and servers".to_owned(),
    }
}

fn write_change(out: &mut String, change: &Change) {
    let description = change.change.describe();
    let component = match (&change.component, change.locations.first()) {
        (Some(name), Some(location)) if location.starts_with(&format!("schema {name}")) => {
            String::new()
        }
        (Some(name), _) => format!(" [schema {name}]"),
        (None, _) => String::new(),
    };
    match change.locations.first() {
        Some(location) => {
            let _ = writeln!(out, "    - {location}: {description}{component}");
        }
        None => {
            let _ = writeln!(out, "    - {description}{component}");
        }
    }

    let extra: Vec<&str> = change
        .locations
        .iter()
        .skip(1)
        .take(LISTED_LOCATIONS)
        .map(String::as_str)
        .collect();
    let unlisted =
        change.locations.len().saturating_sub(1 + LISTED_LOCATIONS) + change.omitted_locations;
    if !extra.is_empty() {
        let more = if unlisted > 0 {
            format!(" and {unlisted} more")
        } else {
            String::new()
        };
        let _ = writeln!(out, "      also at {}{more}", extra.join("; "));
    } else if unlisted > 0 {
        let _ = writeln!(
            out,
            "      also at {}",
            plural(unlisted, "more place", "more places")
        );
    }

    let verdict = match change.verdict.breaks {
        Some(breaks) => breaks.phrase(),
        None => "safe",
    };
    let _ = writeln!(out, "      {verdict}: {}", change.verdict.reason);
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
