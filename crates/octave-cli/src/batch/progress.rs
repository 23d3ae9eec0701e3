//! Batch progress on stderr: a progress bar on a terminal, plain periodic lines otherwise.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::runner::Shared;
use crate::stdio::errln;

/// Time between two plain progress lines when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Time between two redraws of the progress bar.
const BAR_EVERY: Duration = Duration::from_millis(200);

/// A running progress display; [`Progress::finish`] removes it.
pub struct Progress {
    task: JoinHandle<()>,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Starts the display. `total` is the number of input rows when known.
    pub fn start(shared: Arc<Shared>, total: Option<u64>) -> Progress {
        let started = Instant::now();
        if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(total) => ProgressBar::new(total),
                None => ProgressBar::new_spinner(),
            };
            let template = match total {
                Some(_) => "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
                None => "{spinner} {elapsed_precise} {pos} rows {msg}",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            let display = bar.clone();
            let task = tokio::spawn(async move {
                loop {
                    let snapshot = Snapshot::take(&shared, started);
                    display.set_position(snapshot.done);
                    display.set_message(snapshot.details(total));
                    display.tick();
                    tokio::time::sleep(BAR_EVERY).await;
                }
            });
            Progress {
                task,
                bar: Some(bar),
            }
        } else {
            let task = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(LINE_EVERY).await;
                    let snapshot = Snapshot::take(&shared, started);
                    let of_total = total.map(|total| format!("/{total}")).unwrap_or_default();
                    errln!(
                        "batch: {}{of_total} rows done, {}",
                        snapshot.done,
                        snapshot.details(total)
                    );
                }
            });
            Progress { task, bar: None }
        }
    }

    /// Stops the display and clears the bar.
    pub fn finish(self) {
        self.task.abort();
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

struct Snapshot {
    done: u64,
    finished_now: u64,
    failed: u64,
    in_flight: u64,
    elapsed: Duration,
}

impl Snapshot {
    fn take(shared: &Shared, started: Instant) -> Snapshot {
        let counters = &shared.counters;
        let finished_now = counters.finished();
        Snapshot {
            done: finished_now + counters.skipped.load(Ordering::Relaxed),
            finished_now,
            failed: counters.failed.load(Ordering::Relaxed)
                + counters.invalid.load(Ordering::Relaxed),
            in_flight: counters.in_flight.load(Ordering::Relaxed),
            elapsed: started.elapsed(),
        }
    }

    fn rate(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.finished_now as f64 / seconds
        } else {
            0.0
        }
    }

    fn details(&self, total: Option<u64>) -> String {
        let rate = self.rate();
        let eta = match total {
            Some(total) if rate > 0.0 => {
                let remaining = total.saturating_sub(self.done) as f64 / rate;
                format!(", ETA {}", format_seconds(remaining))
            }
            _ => String::new(),
        };
        format!(
            "{} failed, {} in flight, {rate:.1} rows/s{eta}",
            self.failed, self.in_flight
        )
    }
}

fn format_seconds(seconds: f64) -> String {
    let seconds = seconds.round() as u64;
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_formats_by_magnitude() {
        assert_eq!(format_seconds(5.2), "5s");
        assert_eq!(format_seconds(125.0), "2m05s");
        assert_eq!(format_seconds(7322.0), "2h02m");
    }
}
