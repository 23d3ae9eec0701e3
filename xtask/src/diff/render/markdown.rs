//! Markdown for a pull-request description or a changelog entry.

use std::fmt::Write;

use crate::diff::report::{Change, OperationInfo, Report};

/// Renders the report as markdown. `level` is the heading level of the title (2 gives
/// `## API changes`); sections use the next level down.
pub fn render(report: &Report, level: usize) -> String {
    let title = "#".repeat(level.clamp(1, 5));
    let section = "#".repeat(level.clamp(1, 5) + 1);
    let mut out = String::new();

    let _ = writeln!(out, "{title} API changes\n");
    if report.changes.is_empty() {
        let _ = writeln!(
            out,
            "No changes between {} and {}.",
            code(&report.old_file),
            code(&report.new_file)
        );
        return out;
    }
    let _ = writeln!(
        out,
        "Comparing {} with {}: **{} breaking**, {} non-breaking.",
        code(&report.old_file),
        code(&report.new_file),
        report.breaking_count(),
        report.non_breaking_count()
    );

    for (breaking, heading) in [(true, "Breaking changes"), (false, "Non-breaking changes")] {
        let groups = report.grouped(breaking);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{section} {heading}");
        for (operation, changes) in groups {
            let _ = writeln!(out, "\n{}\n", group_heading(operation));
            for change in changes {
                write_change(&mut out, change);
            }
        }
    }

    let components = report.components();
    if !components.is_empty() {
        let _ = writeln!(out, "\n{section} Changed schemas\n");
        let _ = writeln!(out, "| Schema | Changes | Breaking | Used by |");
        let _ = writeln!(out, "| --- | ---: | ---: | --- |");
        for component in components {
            let used_by: Vec<String> = component.operations.iter().map(|name| code(name)).collect();
            let used_by = if used_by.is_empty() {
                "no operation".to_owned()
            } else {
                used_by.join(", ")
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&component.name),
                component.changes,
                component.breaking,
                used_by.replace('|', "\\|")
            );
        }
    }
    out
}

fn group_heading(operation: Option<&OperationInfo>) -> String {
    match operation {
        Some(operation) if operation.name == format!("{} {}", operation.method, operation.path) => {
            format!("**{}**", code(&operation.name))
        }
        Some(operation) => format!(
            "**{}** ({})",
            code(&operation.name),
            code(&format!("{} {}", operation.method, operation.path))
        ),
        None => "**Schemas, security schemes and servers**".to_owned(),
    }
}

fn write_change(out: &mut String, change: &Change) {
    let description = change.change.describe();
    let component = match (&change.component, change.locations.first()) {
        (Some(name), Some(location)) if location.starts_with(&format!("schema {name}")) => {
            String::new()
        }
        (Some(name), _) => format!(" (schema {})", code(name)),
        (None, _) => String::new(),
    };
    // A backslash at the end of a line is a hard line break in CommonMark.
    match change.locations.first() {
        Some(location) => {
            let _ = writeln!(out, "- {}: {description}{component}\\", code(location));
        }
        None => {
            let _ = writeln!(out, "- {description}{component}\\");
        }
    }

    let others = change.locations.len().saturating_sub(1) + change.omitted_locations;
    if others > 0 {
        let places = if others == 1 { "place" } else { "places" };
        let _ = writeln!(
            out,
            "  Also reached at {others} other {places} in this operation.\\"
        );
    }
    let verdict = match change.verdict.breaks {
        Some(breaks) => capitalize(breaks.phrase()),
        None => "Safe".to_owned(),
    };
    let _ = writeln!(out, "  *{verdict}:* {}.", change.verdict.reason);
}

/// Wraps text in an inline code span, using a longer fence when the text contains backticks.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn capitalize(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}
