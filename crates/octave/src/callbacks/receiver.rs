//! [`CallbackReceiver`]: an HTTP server for callbacks that ends waits when they arrive.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::ALLOW;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::registry::Registry;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::validate::masked_url;

/// Default time a callback URL stays valid when no callback arrives at it.
const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(2 * 3600);

/// Default time a run's callback is remembered after it arrived, to recognise repeats.
const DEFAULT_FINISHED_TTL: Duration = Duration::from_secs(120);

/// Default largest callback body accepted.
const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Time [`CallbackReceiver::shutdown`] waits for open connections before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Path under the public base URL where callback URLs live, followed by the token.
const CALLBACK_PREFIX: &str = "/octave/callbacks/";

/// HTTP server that receives the callbacks of asynchronous runs and ends their waits.
///
/// Each run gets its own URL, `{public base URL}/octave/callbacks/{token}`, with a 128-bit
/// random token. Attach the receiver to a client with [`attach`](CallbackReceiver::attach):
/// `submit_and_wait(None, …)` and [`Bulk`](crate::Bulk) then take a fresh URL per run, and
/// every wait ends as soon as its run's callback arrives. A callback that is late or lost
/// changes nothing: the wait keeps polling on its schedule. The receiver responds 200 to
/// every POST to a callback path before looking at it, so Octave never retries in vain. See
/// [the module documentation](crate::callbacks) for which callbacks are trusted.
///
/// ```
/// use std::time::Duration;
///
/// use octave::{Client, CompanyIdentifier, WaitOptions};
/// use octave::callbacks::CallbackReceiver;
/// # use octave_mock::{MockConfig, MockServer, seeded_agent_id};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let config = MockConfig { run_duration: Duration::from_millis(20), ..MockConfig::default() };
/// # let mock = MockServer::start(config).await?;
/// # let agent_id = seeded_agent_id(octave::AgentKind::QualifyCompany);
/// # let client = Client::builder().api_key(mock.api_key()).base_url(mock.url()).build()?;
/// // Behind a proxy, pass the public URL that forwards to this address instead.
/// let receiver = CallbackReceiver::builder().bind("127.0.0.1:0").await?;
/// receiver.attach(&client);
///
/// let outcome = client
///     .qualify_company(agent_id, CompanyIdentifier::domain("example.com"))
///     .submit_and_wait(None, WaitOptions::new(Duration::from_secs(60)))
///     .await?;
/// assert!(outcome.is_succeeded());
/// receiver.shutdown().await;
/// # mock.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct CallbackReceiver {
    registry: Arc<Registry>,
    local_addr: SocketAddr,
    public_base_url: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl fmt::Debug for CallbackReceiver {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("CallbackReceiver")
            .field("local_addr", &self.local_addr)
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

/// Settings of a [`CallbackReceiver`].
#[derive(Clone)]
pub struct CallbackReceiverBuilder {
    public_base_url: Option<String>,
    token_ttl: Duration,
    finished_ttl: Duration,
    max_body_bytes: usize,
}

impl fmt::Debug for CallbackReceiverBuilder {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("CallbackReceiverBuilder")
            .field(
                "public_base_url",
                &self.public_base_url.as_deref().map(masked_url),
            )
            .field("token_ttl", &self.token_ttl)
            .field("finished_ttl", &self.finished_ttl)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Default for CallbackReceiverBuilder {
    fn default() -> Self {
        CallbackReceiverBuilder {
            public_base_url: None,
            token_ttl: DEFAULT_TOKEN_TTL,
            finished_ttl: DEFAULT_FINISHED_TTL,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl CallbackReceiverBuilder {
    /// Sets the URL under which Octave reaches the receiver, such as
    /// `https://hooks.example.com`. The receiver serves callbacks on the same path with or
    /// without the base URL's own path. Default: `http://{local address}`, which only a service on
    /// the same machine can reach.
    pub fn public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = Some(url.into());
        self
    }

    /// Sets how long a callback URL stays valid while no callback arrives and no wait for
    /// its run is open. A callback after that is ignored, and the run's wait (if any)
    /// relies on polling. Default: 2 hours.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl.min(crate::wait::MAX_DURATION);
        self
    }

    /// Sets how long a callback is remembered after it arrived: a result that no wait has
    /// taken yet is kept this long, and repeats within it are recognised as duplicates.
    /// Each finished run costs a few hundred bytes (an estimate) for this long.
    /// Default: 2 min.
    pub fn finished_ttl(mut self, ttl: Duration) -> Self {
        self.finished_ttl = ttl.min(crate::wait::MAX_DURATION);
        self
    }

    /// Sets the largest callback body accepted, in bytes; larger ones get HTTP 413, and
    /// their runs' waits rely on polling. Default: 16 MiB.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Listens on `addr` and starts serving callbacks on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the public base URL is not an absolute http(s) URL without a
    /// query or fragment, or when the address cannot be bound (in use, or not local).
    pub async fn bind<A>(self, addr: A) -> Result<CallbackReceiver>
    where
        A: ToSocketAddrs + fmt::Debug,
    {
        let listener = TcpListener::bind(&addr).await.map_err(|error| {
            Error::config(
                "callback receiver address",
                format!("cannot listen on {addr:?}: {error}; pick a free local address"),
            )
        })?;
        let local_addr = listener.local_addr().map_err(|error| {
            Error::config(
                "callback receiver address",
                format!("cannot read the bound address of {addr:?}: {error}"),
            )
        })?;
        let public = match self.public_base_url {
            Some(url) => url,
            None => format!("http://{local_addr}"),
        };
        let (public_base_url, base_path) = check_public_base_url(&public)?;

        let registry = Arc::new(Registry::new(
            &public_base_url,
            self.token_ttl,
            self.finished_ttl,
        ));
        // Every path reaches `receive`, which matches it against the callback paths itself:
        // the base path is the caller's text, not a route pattern.
        let served = Arc::new(Served {
            registry: Arc::clone(&registry),
            base_path,
        });
        let router = Router::new()
            .route("/{*path}", any(receive))
            .layer(DefaultBodyLimit::max(self.max_body_bytes))
            .with_state(served);

        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "callback receiver stopped with an error");
            }
        });
        tracing::info!(%local_addr, public_base_url = %public_base_url, "callback receiver listening");

        Ok(CallbackReceiver {
            registry,
            local_addr,
            public_base_url,
            stop: Some(stop),
            server: Some(server),
        })
    }
}

/// Counters of a [`CallbackReceiver`] since it started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiverStats {
    /// POSTs to a callback path, whatever became of them.
    pub received: u64,
    /// Callbacks at a bound URL that named the URL's run; each ended a wait without a poll.
    pub verified: u64,
    /// Callbacks at a known URL whose run could not be checked; each made a wait poll.
    pub unverified: u64,
    /// Callbacks at a URL not yet bound to a run, kept until the bind. A callback that
    /// arrives before its submit returned counts here; the run the body names then polls once.
    pub early: u64,
    /// Repeats of a callback already accepted, ignored.
    pub duplicates: u64,
    /// Callbacks at a URL this receiver never handed out or has expired, ignored.
    pub unknown_token: u64,
    /// Callbacks naming another run than their URL's, ignored.
    pub mismatched_run_id: u64,
    /// Callbacks whose status is not final, ignored.
    pub in_progress: u64,
    /// Callback bodies that are not a JSON object, ignored.
    pub undecodable: u64,
    /// Callback URLs that expired without a callback.
    pub expired_tokens: u64,
    /// Callback URLs tracked now.
    pub tokens_tracked: u64,
    /// Runs with an open wait or a kept result now.
    pub runs_tracked: u64,
}

impl CallbackReceiver {
    /// Returns a builder for a receiver with custom settings.
    pub fn builder() -> CallbackReceiverBuilder {
        CallbackReceiverBuilder::default()
    }

    /// Listens on `addr` with default settings; callback URLs start with
    /// `public_base_url`.
    ///
    /// # Errors
    ///
    /// As [`CallbackReceiverBuilder::bind`].
    pub async fn bind<A>(addr: A, public_base_url: impl Into<String>) -> Result<CallbackReceiver>
    where
        A: ToSocketAddrs + fmt::Debug,
    {
        CallbackReceiver::builder()
            .public_base_url(public_base_url)
            .bind(addr)
            .await
    }

    /// Returns the local address the receiver listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Returns the public base URL that callback URLs start with, without a trailing slash.
    pub fn public_base_url(&self) -> &str {
        &self.public_base_url
    }

    /// Makes `client` use this receiver, replacing any receiver attached before: waits of
    /// the client end when their callback arrives, and `submit_and_wait(None, …)` and
    /// [`Bulk`](crate::Bulk) take their callback URLs from it. Clones of the client share
    /// the attachment.
    pub fn attach(&self, client: &Client) {
        client.set_completion_source(Arc::clone(&self.registry) as _);
    }

    /// Returns a fresh callback URL for one run. `submit` on an attached client binds it to
    /// the run's request id. A run submitted some other way needs
    /// [`register_run`](CallbackReceiver::register_run), or its callback costs a status poll.
    /// After
    /// [`shutdown`](CallbackReceiver::shutdown), the URL returned is not served.
    pub fn callback_url(&self) -> String {
        self.registry
            .mint()
            .unwrap_or_else(|| format!("{}/octave/callbacks/closed", self.public_base_url))
    }

    /// Binds a URL from [`callback_url`](CallbackReceiver::callback_url) to the request id
    /// of the run submitted with it. A callback that already arrived is delivered now.
    pub fn register_run(&self, callback_url: &str, request_id: &str) {
        self.registry.bind(callback_url, request_id);
    }

    /// Returns the counters since the receiver started.
    pub fn stats(&self) -> ReceiverStats {
        let counters = &self.registry.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let (tokens, runs) = self.registry.sizes();
        ReceiverStats {
            received: read(&counters.received),
            verified: read(&counters.verified),
            unverified: read(&counters.unverified),
            early: read(&counters.early),
            duplicates: read(&counters.duplicates),
            unknown_token: read(&counters.unknown_token),
            mismatched_run_id: read(&counters.mismatched_run_id),
            in_progress: read(&counters.in_progress),
            undecodable: read(&counters.undecodable),
            expired_tokens: read(&counters.expired_tokens),
            tokens_tracked: tokens as u64,
            runs_tracked: runs as u64,
        }
    }

    /// Stops listening. Open waits keep polling on their schedule, and clients it is
    /// attached to get no more callback URLs from it. Connections still open after 5 s are
    /// closed.
    pub async fn shutdown(mut self) {
        self.registry.close();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
                .await
                .is_err()
        {
            tracing::warn!("callback receiver connections still open after 5 s; closing them");
            server.abort();
        }
        tracing::info!(local_addr = %self.local_addr, "callback receiver stopped");
    }
}

impl Drop for CallbackReceiver {
    /// Stops the server in the background when the receiver is dropped without
    /// [`shutdown`](CallbackReceiver::shutdown).
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            self.registry.close();
            let _ = stop.send(());
        }
    }
}

/// State of the receiver's HTTP handler.
struct Served {
    registry: Arc<Registry>,
    /// Path of the public base URL without a trailing slash; empty for none.
    base_path: String,
}

impl Served {
    /// Returns the token of a callback path: `{base path}/octave/callbacks/{token}`, or the
    /// same without the base path, as a proxy that strips it forwards it.
    fn token_of<'a>(&self, path: &'a str) -> Option<&'a str> {
        let token = path
            .strip_prefix(self.base_path.as_str())
            .and_then(|rest| rest.strip_prefix(CALLBACK_PREFIX))
            .or_else(|| path.strip_prefix(CALLBACK_PREFIX))?;
        (!token.is_empty() && !token.contains('/')).then_some(token)
    }
}

/// Responds 200 at once to a POST to a callback path and handles the body on its own task.
/// Other methods on a callback path get 405, and other paths 404.
async fn receive(
    State(served): State<Arc<Served>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(token) = served.token_of(uri.path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if method != Method::POST {
        let allow = [(ALLOW, HeaderValue::from_static("POST"))];
        return (StatusCode::METHOD_NOT_ALLOWED, allow).into_response();
    }
    served
        .registry
        .counters
        .received
        .fetch_add(1, Ordering::Relaxed);
    let registry = Arc::clone(&served.registry);
    let token = token.to_owned();
    tokio::spawn(async move {
        registry.accept(&token, &body);
    });
    StatusCode::OK.into_response()
}

/// Checks the public base URL and returns it without a trailing slash, with its path.
fn check_public_base_url(raw: &str) -> Result<(String, String)> {
    let masked = masked_url(raw);
    let invalid = |reason: String| {
        Error::config(
            "public_base_url",
            format!(
                "`{masked}` {reason}; pass the absolute http(s) URL under which Octave reaches \
                 this receiver, such as https://hooks.example.com"
            ),
        )
    };
    let url =
        url::Url::parse(raw.trim()).map_err(|error| invalid(format!("is invalid ({error})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!("uses the scheme `{}`", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host".to_owned()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("has a query or fragment".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        let mut masked = url.clone();
        // The url crate rejects these changes only for URLs without a host, which the
        // checks above already rejected.
        let _ = masked.set_username("");
        let _ = masked.set_password(None);
        return Err(Error::config(
            "public_base_url",
            format!(
                "`{masked}` with a user name or password is not allowed: Octave would send them \
                 with every callback; pass the URL without them (each callback URL already \
                 carries an unguessable token)"
            ),
        ));
    }
    let text = url.as_str().trim_end_matches('/').to_owned();
    let path = url.path().trim_end_matches('/').to_owned();
    Ok((text, path))
}
