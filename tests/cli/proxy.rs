//! A fault-injecting HTTP/1.1 proxy in front of Azurite: it reads each request's head,
//! then forwards the request, or answers it itself (a status such as 503 or 413), drops
//! the connection half-way through the body, or takes the body and never answers. The
//! answers that are forwarded come back from Azurite untouched, so what passes is Azure's.
//!
//! It relies on the client sending one request at a time per connection (HTTP/1.1 without
//! pipelining, as reqwest does) and on every request body having a `Content-Length`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Reads half the body, then closes the connection.
    Drop,
    /// Reads the body and answers with this status, Azure error code and `Retry-After`.
    Status(u16, &'static str, Option<u32>),
    /// Reads the body and never answers.
    Stall,
    /// Forwards the request with one bit of its body flipped, as bytes damaged on the way.
    Corrupt,
}

/// A request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, with the SAS signature cut out.
    pub target: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub content_length: u64,
    pub fault: Option<Fault>,
}

impl Seen {
    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn is_put_block(&self) -> bool {
        self.query("comp").as_deref() == Some("block")
    }
}

type Rule = dyn Fn(&Seen, &[Seen]) -> Option<Fault> + Send + Sync;

pub struct FaultProxy {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    bodies_in_flight: Arc<AtomicUsize>,
    most_bodies_in_flight: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// A proxy to `127.0.0.1:upstream`. `rule` sees each request and the ones before it,
    /// and picks a fault or `None` (forward). `hold` keeps every forwarded body a while
    /// before passing it on, so requests in flight overlap visibly.
    pub fn start(
        upstream: u16,
        hold: Duration,
        rule: impl Fn(&Seen, &[Seen]) -> Option<Fault> + Send + Sync + 'static,
    ) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let bodies_in_flight = Arc::new(AtomicUsize::new(0));
        let most_bodies_in_flight = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let rule: Arc<Rule> = Arc::new(rule);
        {
            let (seen, in_flight, most, stop) = (
                seen.clone(),
                bodies_in_flight.clone(),
                most_bodies_in_flight.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let connection = Connection {
                        upstream,
                        hold,
                        rule: rule.clone(),
                        seen: seen.clone(),
                        in_flight: in_flight.clone(),
                        most: most.clone(),
                    };
                    std::thread::spawn(move || {
                        let _ = connection.serve(client);
                    });
                }
            });
        }
        FaultProxy {
            port,
            seen,
            bodies_in_flight,
            most_bodies_in_flight,
            stop,
        }
    }

    /// Rewrites an upload URL of the upstream to go through the proxy.
    pub fn route(&self, url: &str, upstream: u16) -> String {
        url.replace(
            &format!("127.0.0.1:{upstream}/"),
            &format!("127.0.0.1:{}/", self.port),
        )
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The most request bodies that were being received at the same time.
    pub fn most_in_flight(&self) -> usize {
        let _ = &self.bodies_in_flight;
        self.most_bodies_in_flight.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

struct Connection {
    upstream: u16,
    hold: Duration,
    rule: Arc<Rule>,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Connection {
    fn serve(self, client: TcpStream) -> std::io::Result<()> {
        let mut to_client = client.try_clone()?;
        let mut from_client = BufReader::new(client);
        let mut to_upstream: Option<TcpStream> = None;
        loop {
            let Some((head, mut seen)) = read_head(&mut from_client)? else {
                return Ok(());
            };
            let fault = {
                let mut log = self.seen.lock().unwrap();
                let fault = (self.rule)(&seen, &log);
                seen.fault = fault.clone();
                log.push(seen.clone());
                fault
            };
            match fault {
                None | Some(Fault::Corrupt) => {
                    let upstream = match &mut to_upstream {
                        Some(stream) => stream,
                        None => {
                            let stream = TcpStream::connect(("127.0.0.1", self.upstream))?;
                            let mut answers = stream.try_clone()?;
                            let mut client = to_client.try_clone()?;
                            // Answers flow back untouched, whatever their framing.
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut answers, &mut client);
                                let _ = client.shutdown(Shutdown::Both);
                            });
                            to_upstream.insert(stream)
                        }
                    };
                    let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    self.most.fetch_max(now, Ordering::SeqCst);
                    let body = read_body(&mut from_client, seen.content_length);
                    std::thread::sleep(self.hold);
                    self.in_flight.fetch_sub(1, Ordering::SeqCst);
                    let mut body = body?;
                    if fault == Some(Fault::Corrupt) && !body.is_empty() {
                        let middle = body.len() / 2;
                        body[middle] ^= 0x10;
                    }
                    upstream.write_all(&head)?;
                    upstream.write_all(&body)?;
                }
                Some(Fault::Drop) => {
                    let mut half = vec![0u8; (seen.content_length / 2) as usize];
                    let _ = from_client.read_exact(&mut half);
                    let _ = to_client.shutdown(Shutdown::Both);
                    return Ok(());
                }
                Some(Fault::Status(status, code, retry_after)) => {
                    read_body(&mut from_client, seen.content_length)?;
                    let body = format!(
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>Injected by the test proxy.\nRequestId:00000000-0000-0000-0000-000000000000</Message></Error>"
                    );
                    let mut answer = format!(
                        "HTTP/1.1 {status} Injected\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nx-ms-error-code: {code}\r\n",
                        body.len()
                    );
                    if let Some(seconds) = retry_after {
                        answer.push_str(&format!("Retry-After: {seconds}\r\n"));
                    }
                    answer.push_str("\r\n");
                    answer.push_str(&body);
                    to_client.write_all(answer.as_bytes())?;
                }
                Some(Fault::Stall) => {
                    read_body(&mut from_client, seen.content_length)?;
                    // Keep the connection open until the client gives up on it.
                    let mut rest = Vec::new();
                    let _ = from_client.read_to_end(&mut rest);
                    return Ok(());
                }
            }
        }
    }
}

/// The raw head of the next request and what it says, or `None` at the end of the
/// connection.
fn read_head(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<(Vec<u8>, Seen)>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        reader.read_until(b'\n', &mut head)?;
        if head.len() == before {
            return Ok(None);
        }
        if head.ends_with(b"\r\n\r\n") || head == b"\r\n" {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let content_length = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let target = target
        .split('&')
        .map(|part| match part.split_once('=') {
            Some(("sig", _)) => "sig=***".to_string(),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    Ok(Some((
        head,
        Seen {
            method,
            target,
            headers,
            content_length,
            fault: None,
        },
    )))
}

fn read_body(reader: &mut BufReader<TcpStream>, length: u64) -> std::io::Result<Vec<u8>> {
    let mut body = vec![0u8; length as usize];
    reader.read_exact(&mut body)?;
    Ok(body)
}
