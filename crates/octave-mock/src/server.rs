//! Starting, serving and stopping a mock server.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::auth::RateLimiter;
use crate::config::{Faults, MockConfig, MockStats};
use crate::faults::ResetConnection;
use crate::runs::store::RunStore;
use crate::runs::{callback, scheduler};
use crate::state::{Counters, FaultState, IdGenerator, Shared, bump};

/// Maximum time [`MockServer::shutdown`] waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Time a client has to send a request's headers before the connection is closed.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A running mock server. Dropping it stops the server without waiting for in-flight
/// requests; [`MockServer::shutdown`] waits for them.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    accept_loop: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Errors
    ///
    /// Fails when the socket cannot be bound or the callback HTTP client cannot be built.
    pub async fn start(config: MockConfig) -> io::Result<MockServer> {
        MockServer::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts a server on the given address; port 0 picks a free port.
    ///
    /// # Errors
    ///
    /// Fails when the socket cannot be bound or the callback HTTP client cannot be built.
    pub async fn start_on(addr: SocketAddr, config: MockConfig) -> io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;

        let http = reqwest::Client::builder()
            .timeout(callback::CALLBACK_TIMEOUT)
            .user_agent(concat!("octave-mock/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                io::Error::other(format!("failed to build the callback HTTP client: {error}"))
            })?;
        let (scheduler_handle, scheduler_inbox) = scheduler::channel();
        let (callback_queue, callback_inbox) = callback::channel();
        let limiter = config
            .rate_limit_per_second
            .map(|rate| RateLimiter::new(rate, config.api_keys.len()));
        let shared = Arc::new(Shared {
            faults: FaultState::new(&config.faults, config.seed),
            ids: IdGenerator::new(config.seed),
            counters: Counters::default(),
            runs: RunStore::new(),
            scheduler: scheduler_handle,
            callbacks: callback_queue,
            limiter,
            http,
            config,
        });

        let mut background = vec![tokio::spawn(scheduler::run(
            Arc::downgrade(&shared),
            scheduler_inbox,
        ))];
        background.extend(callback::spawn_workers(
            Arc::downgrade(&shared),
            callback_inbox,
        ));

        let router = crate::routes::router(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel();
        let accept_loop = tokio::spawn(accept_loop(listener, router, Arc::clone(&shared), stopped));
        tracing::info!(%addr, "mock server started");

        Ok(MockServer {
            addr,
            shared,
            stop: Some(stop),
            accept_loop: Some(accept_loop),
            background,
        })
    }

    /// Returns the base URL, such as `http://127.0.0.1:41234`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Returns the address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the first accepted API key, or `""` when the configuration accepts none.
    pub fn api_key(&self) -> &str {
        self.shared
            .config
            .api_keys
            .first()
            .map_or("", String::as_str)
    }

    /// Returns a snapshot of the counters.
    pub fn stats(&self) -> MockStats {
        self.shared.counters.snapshot()
    }

    /// Replaces the faults; they apply from the next request on. Rates outside 0.0..=1.0 are
    /// clamped and an unsupported `error_status` becomes 500.
    pub fn set_faults(&self, faults: Faults) {
        if let Err(problem) = faults.validate() {
            tracing::warn!(%problem, "adjusting invalid fault settings");
        }
        self.shared.faults.set(&faults);
    }

    /// Returns the faults in force; `rate_limit_burst` is the number of 429s still to come.
    pub fn faults(&self) -> Faults {
        self.shared.faults.get()
    }

    /// Stops accepting connections, waits up to 10 s for in-flight requests to finish, and
    /// stops the scheduler and callback workers. Runs that have not finished are dropped and
    /// send no callback.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(accept_loop) = self.accept_loop.take()
            && let Err(error) = accept_loop.await
        {
            tracing::warn!(%error, "the accept loop ended abnormally");
        }
        for task in self.background.drain(..) {
            task.abort();
        }
        tracing::info!(addr = %self.addr, "mock server stopped");
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for task in &self.background {
            task.abort();
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Accepts connections until `stopped` fires, then waits for open connections to finish.
async fn accept_loop(
    listener: TcpListener,
    router: Router,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);

    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Usually too many open files; waiting lets other connections close.
                tracing::warn!(%error, "failed to accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        serve_connection(stream, &builder, &graceful, &router, &shared);
    }

    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after the shutdown grace period");
        }
    }
}

/// Error that makes hyper close a connection without a response.
#[derive(Debug)]
struct ResetError;

impl std::fmt::Display for ResetError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("connection closed by the reset fault")
    }
}

impl std::error::Error for ResetError {}

fn serve_connection(
    stream: TcpStream,
    builder: &auto::Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    router: &Router,
    shared: &Arc<Shared>,
) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "failed to set TCP_NODELAY");
    }
    let router = router.clone();
    let shared = Arc::clone(shared);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let router = router.clone();
        if !request.uri().path().starts_with("/_mock/") {
            bump(&shared.counters.requests);
        }
        async move {
            let response = router.oneshot(request.map(Body::new)).await;
            let response = match response {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<ResetConnection>().is_some() {
                return Err(ResetError);
            }
            Ok(response)
        }
    });

    let connection = builder
        .serve_connection(TokioIo::new(stream), service)
        .into_owned();
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection ended with an error");
        }
    });
}
