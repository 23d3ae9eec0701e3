//! The API key, kept out of `Debug`, `Display`, logs and errors.

use std::fmt;

/// An Octave API key.
///
/// `Debug` and `Display` print `[redacted]`, so a key never ends up in logs, panics or error
/// messages by accident. [`expose_secret`](ApiKey::expose_secret) returns the key itself.
///
/// ```
/// let key = octave::ApiKey::new("sk_live_123");
/// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
/// assert_eq!(key.to_string(), "[redacted]");
/// assert_eq!(key.expose_secret(), "sk_live_123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Box<str>);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into().into_boxed_str())
    }

    /// Returns the key itself. Use it only to send the key.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Returns `true` when the key is empty or only whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[redacted]")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey::new(key)
    }
}

impl From<&String> for ApiKey {
    fn from(key: &String) -> Self {
        ApiKey::new(key)
    }
}
