//! A scripted stand-in for the API: a plain HTTP/1.1 server on loopback whose every answer a
//! test decides, for the answers the simulator would never give (redirects, create answers that
//! name other networks, a `Retry-After` of minutes).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path with its query.
    pub path: String,
    pub body: String,
    /// When it arrived.
    pub at: std::time::Instant,
}

/// One answer: a status line's code and reason (`"303 See Other"`), extra headers and a JSON
/// body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: &str, body: impl Into<String>) -> Reply {
        Reply {
            status: status.to_owned(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.status,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(self.body.as_bytes());
        bytes
    }
}

/// The server, answering each request with what its script returns, on its own threads for the
/// life of the test process.
pub struct Scripted {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Scripted {
    pub fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let script = Arc::new(script);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let script = Arc::clone(&script);
                let recorded = Arc::clone(&recorded);
                std::thread::spawn(move || serve(stream, script.as_ref(), &recorded));
            }
        });
        Scripted { url, requests }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("request log").clone()
    }

    /// `"METHOD /path"` of every request that changes something.
    pub fn writes(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|request| request.method != "GET")
            .map(|request| format!("{} {}", request.method, request.path))
            .collect()
    }
}

fn serve(
    mut stream: TcpStream,
    script: &(dyn Fn(&Request) -> Reply + Send + Sync),
    recorded: &Mutex<Vec<Request>>,
) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    recorded.lock().expect("request log").push(request.clone());
    let reply = script(&request);
    let _ = stream.write_all(&reply.to_bytes());
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut bytes = Vec::new();
    let mut buffer = [0; 4096];
    let head_end = loop {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let content_length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + content_length {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
    let mut words = head.split_whitespace();
    Some(Request {
        method: words.next()?.to_owned(),
        path: words.next()?.to_owned(),
        body: String::from_utf8_lossy(&bytes[head_end..]).into_owned(),
        at: std::time::Instant::now(),
    })
}

/// A peering as the API shows it, with the `managed-by = peerings` label when `managed`.
pub fn peering(
    uuid: &str,
    name: &str,
    (network, peer_network): (&str, &str),
    (configured_status, state): (&str, &str),
    managed: bool,
) -> serde_json::Value {
    let labels = if managed {
        serde_json::json!([{"key": "managed-by", "value": "peerings"}])
    } else {
        serde_json::json!([])
    };
    serde_json::json!({
        "uuid": uuid,
        "name": name,
        "configured_status": configured_status,
        "state": state,
        "labels": labels,
        "network": {"uuid": network},
        "peer_network": {"uuid": peer_network},
    })
}

/// The answer of `GET /1.3/network-peering`.
pub fn peering_list(peerings: &[serde_json::Value]) -> Reply {
    Reply::json(
        "200 OK",
        serde_json::json!({"network_peerings": {"network_peering": peerings}}).to_string(),
    )
}

/// The answer of get, create and modify.
pub fn one_peering(status: &str, peering: &serde_json::Value) -> Reply {
    Reply::json(
        status,
        serde_json::json!({"network_peering": peering}).to_string(),
    )
}

/// The answer of `GET /1.3/network`: private networks with a router, each with its own range.
pub fn network_list(uuids: &[&str]) -> Reply {
    let networks: Vec<serde_json::Value> = uuids
        .iter()
        .enumerate()
        .map(|(n, uuid)| {
            serde_json::json!({
                "uuid": uuid,
                "name": format!("net-{n}"),
                "type": "private",
                "zone": "fi-hel1",
                "router": "0448a70f-0014-4e78-beef-870ab332ad9f",
                "ip_networks": {"ip_network": [{"address": format!("10.{n}.0.0/24"), "family": "IPv4"}]},
            })
        })
        .collect();
    Reply::json(
        "200 OK",
        serde_json::json!({"networks": {"network": networks}}).to_string(),
    )
}

/// An API error in the legacy shape.
pub fn api_error(status: &str, code: &str) -> Reply {
    Reply::json(
        status,
        serde_json::json!({"error": {"error_code": code, "error_message": "scripted"}}).to_string(),
    )
}
