//! A loopback HTTP/1.1 server that replies to requests with scripted raw responses, for
//! tests of responses the mock server never sends: HTML error pages, undocumented statuses
//! and bodies cut short. It records every request it reads.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Largest request head the server reads.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// One scripted response.
#[derive(Clone, Debug)]
pub(crate) struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Bytes that `Content-Length` promises beyond the body actually sent.
    missing_bytes: usize,
    delay: Duration,
}

impl Canned {
    /// Builds a response with `status`, a `Content-Type` and `body`.
    pub(crate) fn new(status: u16, content_type: &str, body: &str) -> Self {
        Canned {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.as_bytes().to_vec(),
            missing_bytes: 0,
            delay: Duration::ZERO,
        }
    }

    /// Builds a JSON response.
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        Canned::new(status, "application/json", &body.to_string())
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Announces `missing` more body bytes than are sent, then closes the connection.
    pub(crate) fn cut_short(mut self, missing: usize) -> Self {
        self.missing_bytes = missing;
        self
    }

    /// Waits `delay` before sending the response.
    pub(crate) fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} Scripted\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let length = self.body.len() + self.missing_bytes;
        head.push_str(&format!(
            "Content-Length: {length}\r\nConnection: close\r\n\r\n"
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A request as the server read it.
#[derive(Clone, Debug)]
pub(crate) struct RecordedRequest {
    /// Request line, such as `GET /api/v2/agents/list?limit=2 HTTP/1.1`.
    pub(crate) line: String,
    /// Header names in lower case, with their values.
    pub(crate) headers: Vec<(String, String)>,
    /// Request body.
    pub(crate) body: Vec<u8>,
}

impl RecordedRequest {
    /// Returns the value of header `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The running server. Request `n` gets response `n` of the script, and every request
/// after the script's end gets its last response.
pub(crate) struct TestServer {
    url: String,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Starts the server on a free loopback port.
    pub(crate) async fn start(script: Vec<Canned>) -> TestServer {
        assert!(!script.is_empty(), "the script needs at least one response");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                let script = script.clone();
                tokio::spawn(async move { answer(stream, &script, &recorded).await });
            }
        });
        TestServer {
            url,
            requests,
            task,
        }
    }

    /// Returns the base URL, such as `http://127.0.0.1:40123`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Returns the requests read so far.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(mut stream: TcpStream, script: &[Canned], recorded: &Mutex<Vec<RecordedRequest>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let canned = {
        let mut log = recorded.lock().expect("request log");
        log.push(request);
        script[(log.len() - 1).min(script.len() - 1)].clone()
    };
    tokio::time::sleep(canned.delay).await;
    // The client may have given up already; a failed write is part of such a test.
    let _ = stream.write_all(&canned.to_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn read_request(stream: &mut TcpStream) -> Option<RecordedRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(position) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break position;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return None;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };

    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);

    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(RecordedRequest {
        line,
        headers,
        body,
    })
}
