//! A scripted HTTP server for the clients' tests: each test decides exactly what every request
//! gets back, down to dropped connections and stalled bodies.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::ClientOptions;

/// What the server does with one request. Every connection carries one request, so the n-th
/// request gets the n-th reply.
pub(crate) enum Reply {
    /// A complete HTTP/1.1 response.
    Send(String),
    /// Reads the request, then closes the connection without a word.
    HangUp,
    /// Sends these bytes (a head and part of a body), then never sends more.
    Stall(String),
    /// A success whose body, without Content-Length, runs past the client's limit.
    Flood,
}

/// A server on 127.0.0.1 answering from a script, and what it was asked.
pub(crate) struct Server {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub async fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        tokio::spawn(async move {
            for reply in script {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(answer(stream, reply, Arc::clone(&recorded)));
            }
        });
        Server { url, requests }
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// The request lines (`GET /1.3/network-peering HTTP/1.1`) seen so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|request| request.lines().next().unwrap_or_default().to_owned())
            .collect()
    }
}

async fn answer(mut stream: TcpStream, reply: Reply, requests: Arc<Mutex<Vec<String>>>) {
    let request = read_request(&mut stream).await;
    requests.lock().unwrap().push(request);
    match reply {
        Reply::Send(response) => {
            let _ = stream.write_all(response.as_bytes()).await;
        }
        Reply::HangUp => {}
        Reply::Stall(start) => {
            let _ = stream.write_all(start.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Reply::Flood => flood(&mut stream).await,
    }
}

async fn flood(stream: &mut TcpStream) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..20 {
        // The client stops reading once it has seen too much; that ends the flood early.
        if stream.write_all(&chunk).await.is_err() {
            return;
        }
    }
}

/// The head and body of one request, as text.
async fn read_request(stream: &mut TcpStream) -> String {
    let mut request = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let read = stream.read(&mut buffer).await.unwrap_or(0);
        request.extend_from_slice(&buffer[..read]);
        if read == 0 || is_complete(&request) {
            return String::from_utf8_lossy(&request).into_owned();
        }
    }
}

fn is_complete(request: &[u8]) -> bool {
    let text = String::from_utf8_lossy(request);
    let Some(head_end) = text.find("\r\n\r\n") else {
        return false;
    };
    let content_length = text[..head_end]
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    request.len() >= head_end + 4 + content_length
}

pub(crate) fn response(status: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    Reply::Send(format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
        body.len()
    ))
}

pub(crate) fn json(status: &str, body: &str) -> Reply {
    response(status, &[("Content-Type", "application/json")], body)
}

/// Tiny waits, so a test with retries still takes milliseconds.
pub(crate) fn fast(max_retries: u32) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        max_retries,
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
    }
}

/// The URL of a port nothing listens on, so connecting is refused.
pub(crate) async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}
