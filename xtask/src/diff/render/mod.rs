//! Turns a report into text for terminals, markdown for pull requests or JSON for tools.

mod json;
pub mod markdown;
mod text;

use super::report::Report;

/// Output formats of `cargo xtask diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped plain text for terminals.
    Text,
    /// Markdown for a pull-request description.
    Markdown,
    /// JSON for tools, with stable field names listed in xtask/src/diff/render/json.rs.
    Json,
}

/// Renders a report in the given format. Markdown headings start at level 2.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Markdown => markdown::render(report, 2),
        Format::Json => json::render(report),
    }
}
