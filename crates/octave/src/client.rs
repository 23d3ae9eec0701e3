//! [`Client`] and its [`ClientBuilder`].

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use octave_client::ClientState;

use crate::config::{header_value, read_env, resolve_api_key, resolve_base_url};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;
use crate::transport::Transport;
use crate::validate::{check_callback_url, masked_url};
use crate::wait::CompletionSource;

/// Base URL used when neither [`ClientBuilder::base_url`] nor `OCTAVE_BASE_URL` is set.
pub const DEFAULT_BASE_URL: &str = "https://app.octavehq.com";

/// Environment variable read for the API key.
pub const API_KEY_ENV: &str = "OCTAVE_API_KEY";

/// Environment variable read for the base URL.
pub const BASE_URL_ENV: &str = "OCTAVE_BASE_URL";

/// Connect timeout of a `reqwest::Client` built by [`ClientBuilder`].
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default timeout of one request. Synchronous agent runs do research and generation on
/// the server and can take minutes; this allows for that, as an estimate, not a measured
/// figure.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(180);

/// Client of the Octave agents API.
///
/// Cheap to clone: clones share one connection pool and configuration. Build one with
/// [`Client::from_env`] or [`Client::builder`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) transport: Transport,
    /// Used by `submit_and_wait` when the caller passes no callback URL.
    pub(crate) callback_url: Option<String>,
    /// Lets a callback receiver end waits early; see [`CompletionSource`].
    pub(crate) completions: RwLock<Option<Arc<dyn CompletionSource>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = &self.inner.transport;
        formatter
            .debug_struct("Client")
            .field("base_url", &transport.base_url())
            .field("api_key", &"[redacted]")
            .field("request_source", &transport.request_source())
            .field("request_timeout", &transport.request_timeout())
            .field("retry", transport.retry_policy())
            .field(
                "callback_url",
                &self.inner.callback_url.as_deref().map(masked_url),
            )
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Returns a builder with nothing set: the API key and base URL fall back to
    /// `OCTAVE_API_KEY` and `OCTAVE_BASE_URL` when [`build`](ClientBuilder::build) runs.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from `OCTAVE_API_KEY` and `OCTAVE_BASE_URL` (default
    /// `https://app.octavehq.com`), with default timeouts and retries.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Config`] when `OCTAVE_API_KEY` is missing or blank, or when
    /// `OCTAVE_BASE_URL` is not an absolute http(s) URL.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().build()
    }

    /// Builds a client with this API key; the base URL comes from `OCTAVE_BASE_URL` or the
    /// default.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Config`] when the key is blank or the base URL is invalid.
    pub fn new(api_key: impl Into<ApiKey>) -> Result<Client> {
        ClientBuilder::default().api_key(api_key).build()
    }

    /// Returns the base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.transport.base_url()
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Attaches the source that lets callbacks end waits early, replacing any earlier one.
    // Called by callback receivers; nothing else in the crate attaches a source.
    #[allow(dead_code)]
    pub(crate) fn set_completion_source(&self, source: Arc<dyn CompletionSource>) {
        let mut slot = self
            .inner
            .completions
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(source);
    }

    pub(crate) fn completion_source(&self) -> Option<Arc<dyn CompletionSource>> {
        self.inner
            .completions
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
///
/// let client = octave::Client::builder()
///     .api_key("my-key")
///     .base_url("http://127.0.0.1:8080")
///     .request_timeout(Duration::from_secs(60))
///     .request_source("my-integration")
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// # Ok::<(), octave::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: Option<String>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Option<Duration>>,
    retry: Option<RetryPolicy>,
    request_source: Option<String>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    callback_url: Option<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url.as_deref().map(masked_url))
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("request_source", &self.request_source)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http_client.is_some())
            .field(
                "callback_url",
                &self.callback_url.as_deref().map(masked_url),
            )
            .finish()
    }
}

impl ClientBuilder {
    /// Sets the API key. Without it, `build` reads `OCTAVE_API_KEY`.
    pub fn api_key(mut self, api_key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Sets the base URL, such as `https://app.octavehq.com`. Without it, `build` reads
    /// `OCTAVE_BASE_URL`, then falls back to [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sets the time allowed to open a connection. [`build`](ClientBuilder::build) rejects
    /// zero. Default: 10 s. Cannot be combined with
    /// [`http_client`](ClientBuilder::http_client): set it on that client instead.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the time allowed for one request, from connecting until the whole response
    /// body has arrived. [`build`](ClientBuilder::build) rejects zero. Default: 180 s,
    /// because synchronous agent runs can take minutes.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(Some(timeout));
        self
    }

    /// Removes the per-request timeout, so a request can take as long as the server needs.
    pub fn no_request_timeout(mut self) -> Self {
        self.request_timeout = Some(None);
        self
    }

    /// Sets how failed requests are retried. Default: [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets the `x-request-source` header, which names the calling integration. Octave
    /// uses it to choose the rate limiting that applies. It is sent with every run request
    /// (synchronous and asynchronous), the operations whose API description declares it.
    pub fn request_source(mut self, source: impl Into<String>) -> Self {
        self.request_source = Some(source.into());
        self
    }

    /// Sets the `User-Agent` header. Default: `octave-rust/<crate version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses the caller's `reqwest::Client` (for its proxy, TLS or pool settings). The API
    /// key, user agent and timeout are then sent with each request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the callback URL that `submit_and_wait` and [`Bulk`](crate::Bulk) use when the
    /// caller passes none and no running callback receiver is attached. Octave POSTs the
    /// result of each run there.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Config`] naming the setting when the API key is missing or blank,
    /// or when the base URL or default callback URL is not an absolute http(s) URL. The
    /// same error reports a header value with characters HTTP does not allow, and a
    /// `connect_timeout` combined with `http_client`.
    pub fn build(self) -> Result<Client> {
        // An explicit value wins, so the variable is read (and checked) only without one.
        let env_key = match &self.api_key {
            Some(_) => None,
            None => read_env(API_KEY_ENV)?,
        };
        let api_key = resolve_api_key(self.api_key, env_key)?;
        let env_url = match &self.base_url {
            Some(_) => None,
            None => read_env(BASE_URL_ENV)?,
        };
        let base_url = resolve_base_url(self.base_url, env_url)?;
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| format!("octave-rust/{}", env!("CARGO_PKG_VERSION")));
        if let Some(source) = &self.request_source {
            header_value("request_source", source)?;
        }
        if let Some(url) = &self.callback_url {
            check_callback_url(url).map_err(|error| match error {
                Error::InvalidInput { message, .. } => Error::config("callback_url", message),
                other => other,
            })?;
        }

        if self.request_timeout.flatten() == Some(Duration::ZERO) {
            return Err(Error::config(
                "request_timeout",
                "is zero, so every request would time out; pass a positive duration, or call \
                 no_request_timeout to wait without a limit",
            ));
        }
        if self.connect_timeout == Some(Duration::ZERO) {
            return Err(Error::config(
                "connect_timeout",
                "is zero, so no connection could open; pass a positive duration",
            ));
        }
        let timeout = self
            .request_timeout
            .unwrap_or(Some(DEFAULT_REQUEST_TIMEOUT));
        let state = client_state(&api_key, &user_agent, timeout)?;

        let http = match self.http_client {
            Some(http) => {
                if self.connect_timeout.is_some() {
                    return Err(Error::config(
                        "connect_timeout",
                        "cannot be applied to a caller's reqwest::Client; set the connect \
                         timeout on that client instead",
                    ));
                }
                http
            }
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|error| {
                    Error::config(
                        "http_client",
                        format!("the HTTP client could not be built: {error}"),
                    )
                })?,
        };

        let api = octave_client::Client::new_with_client(&base_url, http, state);
        let transport = Transport::new(api, self.request_source, self.retry.unwrap_or_default());
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport,
                callback_url: self.callback_url,
                completions: RwLock::new(None),
            }),
        })
    }
}

/// Builds the state that the generated client adds to every request.
fn client_state(
    api_key: &ApiKey,
    user_agent: &str,
    request_timeout: Option<Duration>,
) -> Result<ClientState> {
    let state = ClientState::new()
        .with_api_key(api_key.expose_secret())
        .map_err(|_| {
            Error::config(
                "api_key",
                "the API key contains characters that HTTP headers do not allow; copy the key \
                 again from the Octave dashboard (Settings > API Keys)",
            )
        })?
        .with_user_agent(user_agent)
        .map_err(|_| {
            Error::config(
                "user_agent",
                format!(
                    "`{user_agent}` contains characters that HTTP headers do not allow; use \
                     visible ASCII"
                ),
            )
        })?;
    Ok(state.with_request_timeout(request_timeout))
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
    fn client_debug_hides_key() {
        let client = Client::builder()
            .api_key("secret-key-123")
            .base_url("http://127.0.0.1:1")
            .build()
            .expect("client");
        let text = format!("{client:?}");
        assert!(!text.contains("secret-key-123"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        let builder = Client::builder().api_key("secret-key-123");
        assert!(!format!("{builder:?}").contains("secret-key-123"));
    }

    #[test]
    fn zero_timeouts_rejected() {
        for (builder, setting) in [
            (
                Client::builder().request_timeout(Duration::ZERO),
                "request_timeout",
            ),
            (
                Client::builder().connect_timeout(Duration::ZERO),
                "connect_timeout",
            ),
        ] {
            let error = builder
                .api_key("key")
                .base_url("http://127.0.0.1:1")
                .build()
                .expect_err("zero timeout");
            assert!(
                matches!(&error, Error::Config { setting: named, .. } if named == setting),
                "{error:?}"
            );
        }
    }

    #[test]
    fn api_key_whitespace_is_trimmed() {
        let client = Client::builder()
            .api_key("key-123\n")
            .base_url("http://127.0.0.1:1")
            .build()
            .expect("a trailing newline is dropped");
        assert!(format!("{client:?}").contains("[redacted]"));
    }

    #[test]
    fn base_url_query_not_echoed() {
        let error = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:9/?api_key=sk_live_secret")
            .build()
            .expect_err("query");
        let text = error.to_string();
        assert!(!text.contains("sk_live_secret"), "{text}");
        assert!(text.contains("query"), "{text}");
    }

    #[test]
    fn callback_url_error_has_one_prefix() {
        let error = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:1")
            .callback_url("ftp://example.com/cb")
            .build()
            .expect_err("ftp callback");
        let text = error.to_string();
        assert!(
            text.starts_with("invalid client configuration of callback_url: `ftp"),
            "{text}"
        );
        assert!(!text.contains("invalid input"), "{text}");
    }

    #[test]
    fn debug_hides_callback_url_query() {
        let client = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:1")
            .callback_url("https://hooks.example/cb?to=a@b.com&token=SECRETQ")
            .build()
            .expect("client");
        let text = format!("{client:?}");
        assert!(!text.contains("SECRETQ"), "{text}");
        assert!(text.contains("https://hooks.example/cb?…"), "{text}");
        #[cfg(feature = "receiver")]
        {
            let builder = crate::callbacks::CallbackReceiver::builder()
                .public_base_url("https://user:pw@hooks.example/cb?token=SECRETQ");
            let text = format!("{builder:?}");
            assert!(!text.contains("SECRETQ"), "{text}");
            assert!(!text.contains("pw@"), "{text}");
        }
    }

    #[test]
    fn api_key_accepts_borrowed_string() {
        let key = String::from("secret-key-123");
        let builder = Client::builder().api_key(&key);
        assert!(!format!("{builder:?}").contains("secret-key-123"));
        assert!(Client::new(&key).is_ok());
    }

    #[test]
    fn connect_timeout_with_own_client_rejected() {
        let error = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:1")
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build()
            .expect_err("conflicting settings");
        assert_eq!(config_setting(&error), "connect_timeout");
    }

    #[test]
    fn invalid_header_values_rejected() {
        let error = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:1")
            .request_source("bad\nsource")
            .build()
            .expect_err("newline in header");
        assert_eq!(config_setting(&error), "request_source");
        let error = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:1")
            .user_agent("agent\r\nX-Injected: 1")
            .build()
            .expect_err("CRLF in user agent");
        assert_eq!(config_setting(&error), "user_agent");
        let error = Client::builder()
            .api_key("key\u{7f}")
            .base_url("http://127.0.0.1:1")
            .build()
            .expect_err("DEL in key");
        assert_eq!(config_setting(&error), "api_key");
        assert!(!error.to_string().contains("key\u{7f}"));
    }

    #[test]
    fn invalid_default_callback_rejected() {
        let error = Client::builder()
            .api_key("key")
            .base_url("http://127.0.0.1:1")
            .callback_url("/relative")
            .build()
            .expect_err("relative URL");
        assert_eq!(config_setting(&error), "callback_url");
    }
}
