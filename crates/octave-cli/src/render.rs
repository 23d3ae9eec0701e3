//! Output for people and for scripts: pretty text on a terminal, one JSON value per line
//! with `--json`, and a spinner on stderr while waiting.

use std::io::IsTerminal;
use std::time::Duration;

use crate::stdio::outln;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

/// Prints a JSON value: one compact line with `--json`, indented otherwise.
pub fn print_json(value: &Value, json: bool) {
    if json {
        outln!("{value}");
    } else {
        match serde_json::to_string_pretty(value) {
            Ok(text) => outln!("{text}"),
            Err(_) => outln!("{value}"),
        }
    }
}

/// Prints rows as aligned columns under a header.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|title| title.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let format_row = |cells: Vec<&str>| {
        let mut line = String::new();
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if index + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        line.trim_end().to_owned()
    };
    outln!("{}", format_row(header.to_vec()));
    for row in rows {
        outln!("{}", format_row(row.iter().map(String::as_str).collect()));
    }
}

/// Formats a number of credits without a trailing `.0`.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// A spinner on stderr showing the elapsed time and the number of status polls; it shows
/// nothing when stderr is not a terminal.
pub struct Spinner {
    bar: Option<ProgressBar>,
    label: String,
}

impl Spinner {
    /// Starts the spinner with a label such as `waiting for run asyncReqID_...`.
    pub fn start(label: String) -> Spinner {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.set_message(label.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Spinner { bar, label }
    }

    /// Updates the poll count and the last status seen.
    pub fn polled(&self, polls: u32, status: &str) {
        if let Some(bar) = &self.bar {
            let plural = if polls == 1 { "" } else { "s" };
            bar.set_message(format!("{}: {status}, {polls} poll{plural}", self.label));
        }
    }

    /// Removes the spinner.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zero() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(2.5), "2.5");
    }
}
