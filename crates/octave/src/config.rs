//! Resolution of the client's settings from explicit values, the environment and defaults.

use reqwest::header::HeaderValue;

use crate::client::{API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL};
use crate::error::{Error, Result};
use crate::secret::ApiKey;
use crate::validate::masked_url;

/// Returns an environment variable's value, `None` when it is unset.
///
/// # Errors
///
/// [`Error::Config`] naming the variable when its value is not valid UTF-8: treating it as
/// unset would fall back to a default, such as the production URL.
pub(crate) fn read_env(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::config(
            name,
            "is set but not valid UTF-8; set it to plain text or unset it",
        )),
    }
}

/// Turns a configured value into a header value, or a [`Error::Config`] naming `setting`.
pub(crate) fn header_value(setting: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value).map_err(|_| {
        Error::config(
            setting,
            format!(
                "`{value}` contains characters that HTTP headers do not allow; use visible ASCII"
            ),
        )
    })
}

/// Picks the API key: the explicit one, else the environment's.
pub(crate) fn resolve_api_key(explicit: Option<ApiKey>, env: Option<String>) -> Result<ApiKey> {
    match (explicit, env) {
        (Some(key), _) if key.is_blank() => Err(Error::config(
            "api_key",
            "the key passed to ClientBuilder::api_key is blank; pass the workspace's key from \
             the Octave dashboard (Settings > API Keys)",
        )),
        // Surrounding whitespace, such as the newline of a key read from a file, is
        // dropped here as it is from OCTAVE_API_KEY.
        (Some(key), _) => Ok(ApiKey::new(key.expose_secret().trim())),
        (None, Some(key)) if key.trim().is_empty() => Err(Error::config(
            API_KEY_ENV,
            "is set but blank; set it to the workspace's key from the Octave dashboard \
             (Settings > API Keys)",
        )),
        (None, Some(key)) => Ok(ApiKey::new(key.trim())),
        (None, None) => Err(Error::config(
            API_KEY_ENV,
            "is not set and no key was passed to ClientBuilder::api_key; set OCTAVE_API_KEY \
             to the workspace's key from the Octave dashboard (Settings > API Keys)",
        )),
    }
}

/// Picks and checks the base URL: the explicit one, else the environment's, else
/// [`DEFAULT_BASE_URL`]. Returns it without a trailing slash. A variable that is set but
/// blank is an error rather than a reason to reach the production service.
pub(crate) fn resolve_base_url(explicit: Option<String>, env: Option<String>) -> Result<String> {
    let (setting, value) = match (explicit, env) {
        (Some(value), _) => ("base_url", value),
        (None, Some(value)) if value.trim().is_empty() => {
            return Err(Error::config(
                BASE_URL_ENV,
                format!(
                    "is set but blank; set it to the API's URL, or unset it to use \
                     {DEFAULT_BASE_URL}"
                ),
            ));
        }
        (None, Some(value)) => (BASE_URL_ENV, value),
        (None, None) => ("base_url", DEFAULT_BASE_URL.to_owned()),
    };
    let trimmed = value.trim();
    let masked = masked_url(trimmed);
    let url = url::Url::parse(trimmed).map_err(|error| {
        Error::config(
            setting,
            format!(
                "`{masked}` is not an absolute URL ({error}); use one such as {DEFAULT_BASE_URL}"
            ),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(
            setting,
            format!(
                "`{masked}` uses the scheme `{}`; use http or https",
                url.scheme()
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config(
            setting,
            format!("`{masked}` has no host; use a URL such as {DEFAULT_BASE_URL}"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            setting,
            format!(
                "`{masked}` has a query or fragment (not masked here); give only scheme, host, \
                 port and path"
            ),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            setting,
            "the URL contains credentials; pass the API key with ClientBuilder::api_key instead",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_setting(error: &Error) -> &str {
        match error {
            Error::Config { setting, .. } => setting,
            other => panic!("expected a Config error, got {other:?}"),
        }
    }

    #[test]
    fn missing_key_names_variable() {
        let error = resolve_api_key(None, None).expect_err("no key");
        assert_eq!(config_setting(&error), "OCTAVE_API_KEY");
        assert!(error.to_string().contains("set OCTAVE_API_KEY"), "{error}");
    }

    #[test]
    fn blank_env_key_rejected() {
        let error = resolve_api_key(None, Some("  ".into())).expect_err("blank key");
        assert_eq!(config_setting(&error), "OCTAVE_API_KEY");
    }

    #[test]
    fn blank_explicit_key_rejected() {
        let error =
            resolve_api_key(Some(ApiKey::new("")), Some("env-key".into())).expect_err("blank key");
        assert_eq!(config_setting(&error), "api_key");
    }

    #[test]
    fn explicit_key_beats_env() {
        let key = resolve_api_key(Some(ApiKey::new("mine")), Some("env".into())).expect("key");
        assert_eq!(key.expose_secret(), "mine");
        let key = resolve_api_key(None, Some(" env \n".into())).expect("key");
        assert_eq!(key.expose_secret(), "env");
    }

    #[test]
    fn base_url_defaults_and_trims() {
        assert_eq!(
            resolve_base_url(None, None).expect("default"),
            DEFAULT_BASE_URL
        );
        for blank in ["", " ", "\n"] {
            let error = resolve_base_url(None, Some(blank.into())).expect_err("blank env");
            assert_eq!(config_setting(&error), "OCTAVE_BASE_URL");
            assert!(error.to_string().contains("set but blank"), "{error}");
        }
        assert_eq!(
            resolve_base_url(None, Some("http://127.0.0.1:9000/".into())).expect("env"),
            "http://127.0.0.1:9000"
        );
        assert_eq!(
            resolve_base_url(Some("https://proxy.test/octave/".into()), None).expect("path"),
            "https://proxy.test/octave"
        );
    }

    #[test]
    fn invalid_base_urls_rejected() {
        let cases = [
            ("app.octavehq.com", "not an absolute URL"),
            ("ftp://app.octavehq.com", "scheme `ftp`"),
            ("https://app.octavehq.com/?x=1", "query or fragment"),
            ("https://user:pw@app.octavehq.com", "credentials"),
        ];
        for (value, expected) in cases {
            let error = resolve_base_url(Some(value.into()), None).expect_err(value);
            assert_eq!(config_setting(&error), "base_url");
            assert!(error.to_string().contains(expected), "{value}: {error}");
        }
        for value in [
            "127.0.0.1:9/?api_key=sk_secret",
            "localhost:9/?api_key=sk_secret",
            "ftp://127.0.0.1:9/?api_key=sk_secret",
            "http:///?api_key=sk_secret",
            "ftp://x:sk_secret@127.0.0.1:9",
            "https://x:sk_secret@app.octavehq.com",
        ] {
            let error = resolve_base_url(Some(value.into()), None).expect_err(value);
            assert!(!error.to_string().contains("sk_secret"), "{value}: {error}");
        }
        let error = resolve_base_url(None, Some("nope".into())).expect_err("env");
        assert_eq!(config_setting(&error), "OCTAVE_BASE_URL");
        assert!(error.to_string().contains("`nope`"), "{error}");
    }
}
