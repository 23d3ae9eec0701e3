//! Builds the SDK client from the environment and the global flags.

use std::path::Path;

use octave::{Client, RetryPolicy};

use crate::api;
use crate::args::GlobalArgs;
use crate::exit::{CliError, CliResult};

/// Value of the `x-request-source` header.
const REQUEST_SOURCE: &str = "octave-cli";

/// Use of the client. A batch also retries submissions that may have reached the service,
/// because it sends each one with a fixed external request id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Single commands: an ambiguous submission failure is reported, not retried.
    Interactive,
    /// `octave batch`.
    Batch,
}

/// Builds the client. The API key comes from `--api-key-file` or `OCTAVE_API_KEY`; the base
/// URL from `--base-url`, `OCTAVE_BASE_URL` or the SDK's default.
///
/// # Errors
///
/// Returns a config error (exit code 3) when the key file cannot be read or is empty, the
/// key is missing, or the base URL is invalid.
pub fn client(global: &GlobalArgs, purpose: Purpose) -> CliResult<Client> {
    let mut builder = Client::builder()
        .request_source(REQUEST_SOURCE)
        .user_agent(format!("octave-cli/{}", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &global.api_key_file {
        builder = builder.api_key(read_key_file(path)?);
    }
    if let Some(base_url) = &global.base_url {
        builder = builder.base_url(base_url.clone());
    }
    if let Some(timeout) = global.request_timeout {
        builder = builder.request_timeout(timeout);
    }
    if purpose == Purpose::Batch {
        builder = builder.retry_policy(RetryPolicy::default().retry_ambiguous_submits(true));
    }
    builder
        .build()
        .map_err(|error| CliError::config(api::describe_error(&error, api::InputNames::Flags)))
}

/// Reads an API key file: its first line, trimmed.
fn read_key_file(path: &Path) -> CliResult<String> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::config(format!(
            "failed to read the API key file {}: {error}",
            path.display()
        ))
    })?;
    let key = text.lines().next().unwrap_or("").trim();
    if key.is_empty() {
        return Err(CliError::config(format!(
            "the API key file {} is empty; put the workspace's key from the Octave dashboard \
             (Settings > API Keys) on its first line",
            path.display()
        )));
    }
    Ok(key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_first_line_trimmed() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("key");
        std::fs::write(&path, "  abc123  \nsecond\n").expect("write");
        assert_eq!(read_key_file(&path).expect("key"), "abc123");
    }

    #[test]
    fn empty_key_file_rejected() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("key");
        std::fs::write(&path, "\n").expect("write");
        let error = read_key_file(&path).expect_err("empty");
        assert!(error.message.contains("is empty"), "{}", error.message);
    }
}
