//! Recorded responses for tests, in two forms: `Recorded`, a transport answering from memory (the
//! client's rules), and `FixtureServer`, a local HTTP server on port 0 answering the same (the real
//! `Http` transport and the `kadence jobindsats hent` command). Neither reaches the network.
//!
//! The recorded bodies are in `tests/fixtures/v3/` (see its README: made from the documented
//! shapes, synthetic figures, no token).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::transport::{Reply, Transport};
use crate::Token;

/// The folder of recorded bodies.
pub fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v3")
}

/// A recorded body by file name.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A 200 with a recorded body.
pub fn ok(name: &str) -> Reply {
    Reply {
        status: 200,
        retry_after: None,
        body: fixture(name),
    }
}

/// A reply with a status and a literal body.
pub fn status(status: u16, body: &str) -> Reply {
    Reply {
        status,
        retry_after: None,
        body: body.as_bytes().to_vec(),
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// Path after the base ("tables", "data/y07a02").
    pub path: String,
    /// The whole query string, decoded pairs.
    pub query: Vec<(String, String)>,
    /// The `Authorization` header as sent.
    pub authorization: String,
}

/// Answers per path, in order (the last answer repeats).
#[derive(Clone, Default)]
pub struct Routes {
    inner: Arc<Mutex<HashMap<String, VecDeque<Reply>>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    pauses: Arc<Mutex<Vec<Duration>>>,
}

impl Routes {
    /// The recorded v3 answers for Y07A02 and Y01A02, all 200 and JSON.
    pub fn standard() -> Routes {
        Routes::default()
            .on("tables", ok("tables.json"))
            .on("table/y07a02", ok("table_y07a02.json"))
            .on("data/y07a02", ok("data_y07a02.json"))
            .on("table/y01a02", ok("table_y01a02.json"))
            .on("data/y01a02", ok("data_y01a02.json"))
    }
    /// Adds an answer to `path` (after those already there).
    pub fn on(self, path: &str, reply: Reply) -> Routes {
        self.inner
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push_back(reply);
        self
    }
    /// Replaces the answers to `path`.
    pub fn only(self, path: &str, replies: Vec<Reply>) -> Routes {
        self.inner
            .lock()
            .unwrap()
            .insert(path.to_string(), replies.into());
        self
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub fn pauses(&self) -> Vec<Duration> {
        self.pauses.lock().unwrap().clone()
    }
    fn answer(&self, path: &str, query: Vec<(String, String)>, authorization: String) -> Reply {
        self.seen.lock().unwrap().push(Seen {
            path: path.to_string(),
            query,
            authorization,
        });
        let mut routes = self.inner.lock().unwrap();
        match routes.get_mut(path) {
            Some(q) if q.len() > 1 => q.pop_front().unwrap(),
            Some(q) if q.len() == 1 => q[0].clone(),
            _ => status(404, "{\"message\":\"not found\"}"),
        }
    }
}

fn relative(path: &str) -> String {
    // The base in tests is ".../v3/"; what follows it is the route.
    path.split_once("/v3/")
        .map_or(path.trim_start_matches('/'), |(_, r)| r)
        .to_string()
}

/// A transport answering from `Routes` in memory.
#[derive(Clone, Default)]
pub struct Recorded(pub Routes);

impl Transport for Recorded {
    async fn get(&self, url: &url::Url, token: &Token) -> Result<Reply, String> {
        let query = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(self.0.answer(
            &relative(url.path()),
            query,
            format!("Bearer {}", token.secret()),
        ))
    }
    async fn pause(&self, wait: Duration) {
        self.0.pauses.lock().unwrap().push(wait);
    }
}

/// A local HTTP/1.1 server on 127.0.0.1, port 0, answering from `Routes` until dropped. Each
/// connection gets one answer and is closed (`Connection: close`), which is all a client needs.
pub struct FixtureServer {
    pub routes: Routes,
    addr: std::net::SocketAddr,
}

impl FixtureServer {
    pub fn start(routes: Routes) -> FixtureServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let r = routes.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let r = r.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(&mut stream, &r);
                });
            }
        });
        FixtureServer { routes, addr }
    }
    /// The base address to give the client ("http://127.0.0.1:PORT/v3/").
    pub fn base(&self) -> String {
        format!("http://{}/v3/", self.addr)
    }
}

fn serve_one(stream: &mut std::net::TcpStream, routes: &Routes) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut authorization = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = v.trim().to_string();
            } else if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut sink = vec![0; length];
    reader.read_exact(&mut sink)?;
    let url = url::Url::parse(&format!("http://localhost{target}"))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let query = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let reply = routes.answer(&relative(url.path()), query, authorization);
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    if let Some(w) = reply.retry_after {
        head.push_str(&format!("Retry-After: {}\r\n", w.as_secs()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&reply.body)?;
    stream.flush()
}
