//! Broken and hostile hosts (docs/reliability.md, "Hostile answers"): a local server plays
//! the token endpoint, an OIDC endpoint, Partner Center or blob storage and redirects,
//! hangs, sends oversized bodies or echoes a secret; a second server on another loopback
//! address (127.0.0.2) records whether anything reached it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::util::*;

/// A request as the host saw it.
#[derive(Debug, Clone)]
#[allow(dead_code)] // Headers and body are there to look at when a test fails.
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// What the host does with one request.
pub enum Answer {
    Status(u16, &'static str, String),
    Redirect(u16, String),
    /// Reads the request and never answers.
    Hang,
    /// A body of `bytes` bytes, with `Content-Length` (declared) or chunked.
    Huge {
        status: u16,
        bytes: u64,
        declared: bool,
    },
    /// A head promising 60,000 bytes (under every cap), then a byte every 100 ms until the
    /// client goes.
    Trickle(u16),
}

type Rule = dyn Fn(&Request) -> Answer + Send + Sync;

pub struct Host {
    pub url: String,
    addr: String,
    seen: Arc<Mutex<Vec<Request>>>,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Host {
    pub fn start(ip: &str, rule: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Host {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let rule: Arc<Rule> = Arc::new(rule);
        {
            let (seen, sent, stop) = (seen.clone(), sent.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (seen, sent, rule) = (seen.clone(), sent.clone(), rule.clone());
                    std::thread::spawn(move || serve(stream, &rule, &seen, &sent));
                }
            });
        }
        Host {
            url: format!("http://{addr}"),
            addr,
            seen,
            sent,
            stop,
        }
    }

    /// A host that answers everything with an empty JSON object and records it.
    pub fn recorder() -> Host {
        Host::start("127.0.0.2", |_| {
            Answer::Status(200, "application/json", "{}".into())
        })
    }

    pub fn seen(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }

    /// Body bytes written by `Huge` answers before the client stopped reading.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(&self.addr);
    }
}

fn serve(stream: TcpStream, rule: &Arc<Rule>, seen: &Mutex<Vec<Request>>, sent: &AtomicU64) {
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = Vec::new();
        loop {
            let before = head.len();
            if reader.read_until(b'\n', &mut head).is_err() || head.len() == before {
                return;
            }
            if head.ends_with(b"\r\n\r\n") {
                break;
            }
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let mut lines = text.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let method = first.next().unwrap_or_default().to_string();
        let target = first.next().unwrap_or_default().to_string();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let request = Request {
            method,
            target,
            headers,
            body: Vec::new(),
        };
        let answer = rule(&request);
        if matches!(answer, Answer::Hang) {
            seen.lock().unwrap().push(request);
            // Take whatever comes and say nothing until the client gives up.
            let _ = reader.read_to_end(&mut Vec::new());
            return;
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        seen.lock().unwrap().push(Request { body, ..request });
        let written = match answer {
            Answer::Status(status, content_type, body) => out.write_all(
                format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            ),
            Answer::Redirect(status, location) => out.write_all(
                format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")
                    .as_bytes(),
            ),
            Answer::Huge {
                status,
                bytes,
                declared,
            } => {
                let framing = if declared {
                    format!("Content-Length: {bytes}")
                } else {
                    "Transfer-Encoding: chunked".to_string()
                };
                let _ = out.write_all(
                    format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{framing}\r\n\r\n")
                        .as_bytes(),
                );
                let chunk = vec![b'x'; 64 << 10];
                let mut left = bytes;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    let written = if declared {
                        out.write_all(&chunk[..n])
                    } else {
                        out.write_all(format!("{n:x}\r\n").as_bytes())
                            .and_then(|_| out.write_all(&chunk[..n]))
                            .and_then(|_| out.write_all(b"\r\n"))
                    };
                    if written.is_err() {
                        return;
                    }
                    sent.fetch_add(n as u64, Ordering::Relaxed);
                    left -= n as u64;
                }
                let _ = out.write_all(if declared { b"" } else { b"0\r\n\r\n" });
                return;
            }
            Answer::Trickle(status) => {
                let _ = out.write_all(
                    format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n")
                        .as_bytes(),
                );
                while out.write_all(b" ").and_then(|_| out.flush()).is_ok() {
                    sent.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                return;
            }
            Answer::Hang => unreachable!(),
        };
        if written.is_err() {
            return;
        }
    }
}

const TENANT: &str = "5e0c1e7a-7a5a-4a5a-8a5a-5ec0e7e0c1e7";
const CLIENT: &str = "c11e47a5-0000-4000-8000-5ec0e7c11e47";
const CONNECTION: &str = "0b0e0c0d-1111-4222-8333-444455556666";
/// A body no cap lets through: a client without one reads it all (a second over loopback).
const ENDLESS: u64 = 1 << 30;

/// The most a host can have written when a client stops reading after `cap` bytes: the cap,
/// plus what the kernel buffers on both sides of a loopback connection, which Linux grows up
/// to the third field of `tcp_rmem` / `tcp_wmem` (32 MiB receive on some machines). A bound
/// of "half the body" failed on CI at 26 MB with a 16 MiB cap: buffered bytes, not reading.
fn written_bound(cap: u64) -> u64 {
    let max = |file: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/sys/net/ipv4/{file}"))
            .ok()
            .and_then(|text| text.split_whitespace().nth(2)?.parse().ok())
            .unwrap_or(64 << 20)
    };
    cap + max("tcp_rmem") + max("tcp_wmem") + (1 << 20)
}

/// A run whose token endpoint and API are the given URLs, signing in with a secret.
fn run_with(ws: &Workspace, authority: &str, api: &str, secret: &str) -> Run {
    let mut run = Run::new(ws);
    run.env("MSSTORE_RATE_LIMIT", "off").args([
        "--api-base-url",
        api,
        "--authority-host",
        authority,
        "--tenant-id",
        TENANT,
        "--client-id",
        CLIENT,
        "--client-secret",
        secret,
    ]);
    run
}

fn status(run: &mut Run) -> Outcome {
    run.args(["status", "--app-id", APP_ID]).run()
}

/// A run signing in with the CI platform's OIDC token, from `endpoint`.
fn oidc_run(ws: &Workspace, platform: &str, endpoint: &str, elsewhere: &str) -> Run {
    let mut run = Run::new(ws);
    run.env("MSSTORE_RATE_LIMIT", "off").args([
        "--api-base-url",
        elsewhere,
        "--authority-host",
        elsewhere,
        "--tenant-id",
        TENANT,
        "--client-id",
        CLIENT,
    ]);
    match platform {
        "github" => {
            run.github(ws)
                .env(
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    &format!("{endpoint}/idtoken?api-version=2.0"),
                )
                .env(
                    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    "gh-request-token-0123456789",
                );
        }
        _ => {
            run.azure(ws)
                .env("SYSTEM_OIDCREQUESTURI", &format!("{endpoint}/oidctoken"))
                .env("SYSTEM_ACCESSTOKEN", "azp-access-token-0123456789")
                .args(["--azure-service-connection-id", CONNECTION]);
        }
    }
    run
}

/// A simulator that signs our test application in with `secret`.
fn simulator_knowing(secret: &str) -> Simulator {
    let sim = Simulator::start();
    ureq::post(&format!("{}/_simulator/credentials", sim.url))
        .send_json(json!({"tenantId": TENANT, "clientId": CLIENT, "clientSecret": secret}))
        .unwrap();
    sim
}

/// A simulator whose upload URLs point at `storage` (a `Host` playing blob storage),
/// which must create the container when asked.
fn simulator_with_storage(endpoint: &str) -> Simulator {
    Simulator::start_with(&[
        "--simulator-storage",
        &format!(
            "AccountName=hostile;AccountKey=aG9zdGlsZS10ZXN0LWtleQ==;BlobEndpoint={endpoint}/hostile"
        ),
    ])
}

fn is_container_creation(request: &Request) -> bool {
    request.target.contains("restype=container")
}

fn submit_command(ws: &Workspace, sim: &Simulator) -> Run {
    ws.package("ContosoReader_1.0.1.0_x64.msix");
    let mut run = Run::against(ws, sim);
    run.args([
        "submit",
        "--app-id",
        APP_ID,
        "--packages",
        "ContosoReader_1.0.1.0_x64.msix",
    ]);
    run
}

#[test]
fn no_redirect_is_followed_and_nothing_reaches_the_other_host() {
    let elsewhere = Host::recorder();
    let to = elsewhere.url.trim_start_matches("http://").to_string();
    let target = format!("{}/steal", elsewhere.url);

    // The token endpoint: the form holds the client secret.
    for code in [301, 302, 303, 307, 308] {
        let location = target.clone();
        let entra = Host::start("127.0.0.1", move |_| {
            Answer::Redirect(code, location.clone())
        });
        let ws = Workspace::new();
        let out = status(&mut run_with(
            &ws,
            &entra.url,
            &elsewhere.url,
            "s3cret-value",
        ));
        out.assert_code(3);
        assert!(
            out.stderr
                .contains(&format!("redirect (HTTP {code}) to {to} was refused")),
            "{}",
            out.log()
        );
        assert!(out.stderr.contains("oauth2/v2.0/token"), "{}", out.log());
        assert_eq!(entra.seen().len(), 1, "not retried");
    }

    // The CI platforms' OIDC endpoints: the request carries the platform's token.
    for platform in ["github", "azure"] {
        let location = target.clone();
        let oidc = Host::start("127.0.0.1", move |_| {
            Answer::Redirect(307, location.clone())
        });
        let ws = Workspace::new();
        let out = oidc_run(&ws, platform, &oidc.url, &elsewhere.url)
            .args(["status", "--app-id", APP_ID])
            .run();
        out.assert_code(3);
        assert!(
            out.stdout.contains(&format!("to {to} was refused")),
            "{}",
            out.log()
        );
        assert_eq!(oidc.seen().len(), 1);
    }

    // Partner Center: the request carries the bearer token.
    let sim = simulator_knowing("s3cret-value");
    let location = target.clone();
    let api = Host::start("127.0.0.1", move |_| {
        Answer::Redirect(302, location.clone())
    });
    let ws = Workspace::new();
    let out = status(&mut run_with(&ws, &sim.url, &api.url, "s3cret-value"));
    out.assert_code(1);
    assert!(
        out.stderr
            .contains(&format!("redirect (HTTP 302) to {to} was refused")),
        "{}",
        out.log()
    );
    assert!(
        out.stderr.contains(&format!("GET applications/{APP_ID}")),
        "{}",
        out.log()
    );
    assert_eq!(api.seen().len(), 1);

    // Blob storage: the request carries the SAS signature and the package.
    let location = target.clone();
    let storage = Host::start("127.0.0.1", move |request| {
        if is_container_creation(request) {
            Answer::Status(201, "application/xml", String::new())
        } else {
            Answer::Redirect(307, location.clone())
        }
    });
    let sim = simulator_with_storage(&storage.url);
    let ws = Workspace::new();
    let out = submit_command(&ws, &sim).run();
    out.assert_code(1);
    assert!(
        out.stderr
            .contains(&format!("redirect (HTTP 307) to {to} was refused")),
        "{}",
        out.log()
    );
    assert!(!out.stderr.contains("sig="), "{}", out.log());
    let puts: Vec<_> = storage
        .seen()
        .into_iter()
        .filter(|r| !is_container_creation(r))
        .collect();
    assert_eq!(puts.len(), 1, "{puts:?}");

    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

#[test]
fn no_credential_travels_in_cleartext_but_to_this_machine() {
    let elsewhere = Host::recorder();
    // Inputs: exit 2, naming the input and the host.
    for (name, authority, api) in [
        (
            "authority-host",
            "http://login.example.net",
            elsewhere.url.as_str(),
        ),
        (
            "api-base-url",
            elsewhere.url.as_str(),
            "http://10.11.12.13:8080",
        ),
    ] {
        let ws = Workspace::new();
        let out = status(&mut run_with(&ws, authority, api, "s3cret-value"));
        out.assert_code(2);
        let host = if name == "api-base-url" {
            "10.11.12.13:8080"
        } else {
            "login.example.net"
        };
        assert!(out.stderr.contains(host), "{}", out.log());
        assert!(out.stderr.contains(name), "{}", out.log());
    }
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    for (platform, variable) in [
        ("github", "ACTIONS_ID_TOKEN_REQUEST_URL"),
        ("azure", "SYSTEM_OIDCREQUESTURI"),
    ] {
        let ws = Workspace::new();
        let out = oidc_run(&ws, platform, "http://oidc.example.net", &elsewhere.url)
            .args(["status", "--app-id", APP_ID])
            .run();
        out.assert_code(2);
        assert!(out.stdout.contains(variable), "{}", out.log());
        assert!(out.stdout.contains("oidc.example.net"), "{}", out.log());
    }
    // Loopback is all of 127.0.0.0/8: the recorder on 127.0.0.2 is asked for a token.
    let ws = Workspace::new();
    let out = status(&mut run_with(
        &ws,
        &elsewhere.url,
        &elsewhere.url,
        "s3cret-value",
    ));
    assert_ne!(out.code, 2, "{}", out.log());
    assert_eq!(elsewhere.seen()[0].method, "POST");

    // The upload URL the service hands out: plain http to another host is refused (exit 1)
    // before anything is sent. The simulator reaches its (fictitious) storage host through
    // a proxy; the tool gets the same proxy, so anything it sent would be recorded.
    let storage = Host::start("127.0.0.1", |_| {
        Answer::Status(201, "application/xml", String::new())
    });
    let sim = Simulator::start_with_env(
        &[
            "--simulator-storage",
            "AccountName=far;AccountKey=aG9zdGlsZS10ZXN0LWtleQ==;BlobEndpoint=http://blob.example.net/far",
        ],
        &[("HTTP_PROXY", &storage.url), ("NO_PROXY", "127.0.0.1")],
    );
    let before = storage.seen().len();
    let ws = Workspace::new();
    let out = submit_command(&ws, &sim)
        .env("HTTP_PROXY", &storage.url)
        .env("NO_PROXY", "127.0.0.1")
        .run();
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("`http://blob.example.net` is plain http"),
        "{}",
        out.log()
    );
    assert!(!out.stderr.contains("sig="), "{}", out.log());
    assert_eq!(storage.seen().len(), before, "{:?}", storage.seen());
}

#[test]
fn every_hang_ends_within_its_bound_naming_the_endpoint() {
    // Token endpoint and OIDC: `request-timeout` 1s gives 1s a request, 3s in all.
    let entra = Host::start("127.0.0.1", |_| Answer::Hang);
    let ws = Workspace::new();
    let out = status(
        run_with(&ws, &entra.url, &entra.url, "s3cret-value").args(["--request-timeout", "1s"]),
    );
    out.assert_code(7);
    assert!(
        out.stderr.contains(&format!(
            "cannot get a token from Entra ID at {}",
            entra.url
        )),
        "{}",
        out.log()
    );
    assert!(out.stderr.contains("no answer within 1s"), "{}", out.log());
    assert!(
        out.stderr.contains("bounds: 1s a request, 3s in all"),
        "{}",
        out.log()
    );
    assert!((1..=3).contains(&entra.seen().len()), "{:?}", entra.seen());

    // A token answer that trickles in: the bound is on the whole answer, not on silence.
    let entra = Host::start("127.0.0.1", |_| Answer::Trickle(200));
    let ws = Workspace::new();
    let out = status(
        run_with(&ws, &entra.url, &entra.url, "s3cret-value").args(["--request-timeout", "1s"]),
    );
    out.assert_code(7);
    assert!(out.stderr.contains("no answer within 1s"), "{}", out.log());
    assert!(
        out.stderr.contains("bounds: 1s a request, 3s in all"),
        "{}",
        out.log()
    );

    let oidc = Host::start("127.0.0.1", |_| Answer::Hang);
    let ws = Workspace::new();
    let out = oidc_run(&ws, "github", &oidc.url, &oidc.url)
        .args(["status", "--app-id", APP_ID, "--request-timeout", "1s"])
        .run();
    out.assert_code(7);
    assert!(
        out.stdout
            .contains("cannot reach GitHub's OIDC token endpoint"),
        "{}",
        out.log()
    );
    assert!(
        out.stdout.contains("bounds: 1s a request, 3s in all"),
        "{}",
        out.log()
    );

    // Blob storage: three stalls of one request in a row end the upload.
    let storage = Host::start("127.0.0.1", |request| {
        if is_container_creation(request) {
            Answer::Status(201, "application/xml", String::new())
        } else {
            Answer::Hang
        }
    });
    let sim = simulator_with_storage(&storage.url);
    let ws = Workspace::new();
    let out = submit_command(&ws, &sim)
        .args(["--request-timeout", "1s"])
        .run();
    out.assert_code(7);
    let host = storage.url.trim_start_matches("http://");
    assert!(
        out.stderr.contains(&format!(
            "Put Blob at {host}: no progress for 1s, 3 times in a row"
        )),
        "{}",
        out.log()
    );
    let puts = storage
        .seen()
        .into_iter()
        .filter(|r| !is_container_creation(r))
        .count();
    assert_eq!(puts, 3);

    // An error answer from storage that trickles: bytes that dribble in after the head are
    // not progress the upload waits for.
    let storage = Host::start("127.0.0.1", |request| {
        if is_container_creation(request) {
            Answer::Status(201, "application/xml", String::new())
        } else {
            Answer::Trickle(500)
        }
    });
    let sim = simulator_with_storage(&storage.url);
    let ws = Workspace::new();
    let out = submit_command(&ws, &sim)
        .args(["--request-timeout", "1s"])
        .run();
    out.assert_code(7);
    assert!(
        out.stderr.contains("no progress for 1s, 3 times in a row"),
        "{}",
        out.log()
    );
}

#[test]
fn oversized_bodies_stop_at_their_cap() {
    let huge = |status: u16, declared: bool| {
        move |_: &Request| Answer::Huge {
            status,
            bytes: ENDLESS,
            declared,
        }
    };
    let sim = simulator_knowing("s3cret-value");
    // Partner Center: a success or an error of 1 GiB, with or without Content-Length.
    for (code, declared) in [(200, true), (200, false), (500, false)] {
        let api = Host::start("127.0.0.1", huge(code, declared));
        let ws = Workspace::new();
        let out = status(&mut run_with(&ws, &sim.url, &api.url, "s3cret-value"));
        out.assert_code(1);
        assert!(
            out.stderr.contains("the answer is larger than"),
            "{}",
            out.log()
        );
        let bound = written_bound(16 << 20);
        assert!(api.sent() < bound, "read on: {} bytes", api.sent());
        assert_eq!(api.seen().len(), 1);
    }
    // The token endpoint and an OIDC endpoint.
    let entra = Host::start("127.0.0.1", huge(200, false));
    let ws = Workspace::new();
    let out = status(&mut run_with(&ws, &entra.url, &entra.url, "s3cret-value"));
    out.assert_code(3);
    assert!(
        out.stderr.contains("the answer is larger than 256.0 KiB"),
        "{}",
        out.log()
    );
    assert!(entra.sent() < written_bound(256 << 10), "{}", entra.sent());
    let oidc = Host::start("127.0.0.1", huge(200, false));
    let ws = Workspace::new();
    let out = oidc_run(&ws, "github", &oidc.url, &oidc.url)
        .args(["status", "--app-id", APP_ID])
        .run();
    out.assert_code(3);
    assert!(
        out.stdout.contains("the answer is larger than"),
        "{}",
        out.log()
    );
    assert!(oidc.sent() < written_bound(256 << 10), "{}", oidc.sent());
    // Blob storage's error body.
    let storage = Host::start("127.0.0.1", |request| {
        if is_container_creation(request) {
            Answer::Status(201, "application/xml", String::new())
        } else {
            Answer::Huge {
                status: 500,
                bytes: ENDLESS,
                declared: false,
            }
        }
    });
    let sim = simulator_with_storage(&storage.url);
    let ws = Workspace::new();
    let out = submit_command(&ws, &sim).run();
    out.assert_code(1);
    assert!(
        out.stderr.contains("the answer is larger than 64.0 KiB"),
        "{}",
        out.log()
    );
    assert!(
        storage.sent() < written_bound(64 << 10),
        "{}",
        storage.sent()
    );
}

/// Every form a printer may give the secret: raw, form-encoded, percent-encoded with
/// several safe sets and hex cases, JSON- and HTML-escaped.
fn printed_forms(secret: &str) -> Vec<String> {
    let percent = |keep: &str, lower: bool| -> String {
        secret
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || keep.contains(c) {
                    c.to_string()
                } else {
                    let mut buffer = [0u8; 4];
                    c.encode_utf8(&mut buffer)
                        .bytes()
                        .map(|b| {
                            let hex = format!("%{b:02X}");
                            if lower { hex.to_lowercase() } else { hex }
                        })
                        .collect()
                }
            })
            .collect()
    };
    let json = serde_json::to_string(secret).unwrap();
    let html: String = secret
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            other => other.to_string(),
        })
        .collect();
    let json_unicode: String = secret
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\u{:04X}", c as u32)
            }
        })
        .collect();
    vec![
        secret.to_string(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        percent("", false),
        percent("", true),
        percent("-._~", false),
        percent("-._~", true),
        percent("-._~!$'()*+,;=:@/", false),
        json[1..json.len() - 1].to_string(),
        json_unicode,
        html,
    ]
}

#[test]
fn a_secret_echoed_in_any_form_is_scrubbed_from_everything_written() {
    // Space, `+`, `~`, quotes, `&`, `<`, `%` and `|`: each breaks one encoding or another.
    let secret = "Zq9+Le ak/Se\"cret&Va~lue='<%41>;]x|";
    let sim = simulator_knowing(secret);
    let forms = printed_forms(secret);
    let echo = Arc::new(Mutex::new(String::new()));
    let api = {
        let echo = echo.clone();
        Host::start("127.0.0.1", move |_| {
            let form = echo.lock().unwrap().clone();
            Answer::Status(
                400,
                "text/plain",
                format!("bad request; you sent {form} here"),
            )
        })
    };
    let mut checked = 0;
    for form in &forms {
        *echo.lock().unwrap() = form.clone();
        for json_output in [false, true] {
            let ws = Workspace::new();
            let mut run = run_with(&ws, &sim.url, &api.url, secret);
            run.github(&ws);
            if json_output {
                run.args(["--output", "json"]);
            }
            let out = status(&mut run);
            out.assert_code(1);
            let places = [
                ("stdout", out.stdout.as_str()),
                ("stderr", out.stderr.as_str()),
                ("GITHUB_STEP_SUMMARY", out.summary.as_str()),
                ("GITHUB_OUTPUT", out.output_file.as_str()),
            ];
            // The echo did reach what is written, scrubbed.
            let all = format!("{}{}{}", out.stdout, out.stderr, out.summary);
            assert!(
                all.contains("you sent *** here"),
                "form {form}\n{}",
                out.log()
            );
            for (place, text) in places {
                for line in text.lines().filter(|l| !l.starts_with("::add-mask::")) {
                    for leaked in &forms {
                        assert!(
                            !line.contains(leaked.as_str()),
                            "echoed form {form}: form {leaked} in {place}: {line}"
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * forms.len());
}

#[test]
fn a_secret_echoed_by_the_token_endpoint_in_any_form_is_scrubbed_from_the_summary() {
    let secret = "Zq9+Le ak/Se\"cret&Va~lue='<%41>;]x|";
    let sim = simulator_knowing(secret);
    let forms = printed_forms(secret);
    let echo = Arc::new(Mutex::new(String::new()));
    let token = {
        let echo = echo.clone();
        Host::start("127.0.0.1", move |_| {
            let form = echo.lock().unwrap().clone();
            Answer::Status(
                401,
                "application/json",
                json!({
                    "error": "invalid_client",
                    "error_description": format!("AADSTS7000215: you sent {form} here"),
                })
                .to_string(),
            )
        })
    };
    let mut checked = 0;
    for form in &forms {
        *echo.lock().unwrap() = form.clone();
        for platform in ["github", "azure"] {
            let ws = Workspace::new();
            let mut run = run_with(&ws, &token.url, &sim.url, secret);
            if platform == "github" {
                run.github(&ws);
            } else {
                run.azure(&ws);
            }
            let out = status(&mut run);
            out.assert_code(3);
            let summary = if platform == "github" {
                out.summary.clone()
            } else {
                std::fs::read_dir(ws.path())
                    .unwrap()
                    .filter_map(|e| e.ok())
                    .filter(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with("msstore-submit-summary-")
                    })
                    .map(|e| std::fs::read_to_string(e.path()).unwrap())
                    .collect::<String>()
            };
            // The echo did reach the log and the summary, scrubbed.
            for (place, text) in [("log", out.stdout.as_str()), ("summary", &summary)] {
                assert!(
                    text.contains("you sent *** here"),
                    "{platform}, form {form}: {place}\n{summary}\n{}",
                    out.log()
                );
            }
            for (place, text) in [
                ("stdout", out.stdout.as_str()),
                ("stderr", out.stderr.as_str()),
                ("summary", summary.as_str()),
            ] {
                for line in text.lines().filter(|l| !l.starts_with("::add-mask::")) {
                    for leaked in &forms {
                        assert!(
                            !line.contains(leaked.as_str()),
                            "{platform}, echoed form {form}: form {leaked} in {place}: {line}"
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * forms.len());
}

/// The id the simulator gives the next submission (it numbers them in steps of 17).
fn next_submission_id(sim: &Simulator) -> String {
    let last = sim.state()["submissions"]
        .as_object()
        .unwrap()
        .keys()
        .map(|id| id.parse::<u64>().unwrap())
        .max()
        .unwrap();
    (last + 17).to_string()
}

#[test]
fn a_plain_http_upload_url_is_refused_before_the_upload_and_the_new_submission_deleted() {
    let cleartext =
        "http://blob.example.net/ingestion/x?sv=2014-02-14&sr=b&sig=c2VjcmV0c2ln&sp=rwl";
    for method in ["GET", "PUT"] {
        let sim = Simulator::start();
        let ws = Workspace::new();
        ws.package("ContosoReader_1.0.1.0_x64.msix");
        let next = next_submission_id(&sim);
        let published = sim.app(APP_ID)["lastPublishedApplicationSubmission"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut answer = sim.submission(&published);
        answer["id"] = json!(next);
        answer["status"] = json!("PendingCommit");
        answer["fileUploadUrl"] = json!(cleartext);
        // The create's submission as read back, or the update's answer.
        sim.fault(json!({
            "method": method,
            "path": format!("/v1.0/my/applications/{APP_ID}/submissions/{next}"),
            "kind": if method == "GET" { "answer" } else { "apply-then-answer" },
            "message": answer.to_string(),
            "times": 1000,
        }));
        let out = Run::against(&ws, &sim)
            .args(["submit", "--app-id", APP_ID, "--packages", "*.msix"])
            .run();
        out.assert_code(1);
        let log = out.log();
        assert!(log.contains("blob.example.net"), "{log}");
        assert!(!log.contains("c2VjcmV0c2ln"), "{log}");
        assert!(
            log.contains(&format!("deleted submission {next}")),
            "{method}\n{}",
            out.log()
        );
        let mut expected = vec![format!("POST /v1.0/my/applications/{APP_ID}/submissions")];
        if method == "PUT" {
            expected.push(format!(
                "PUT /v1.0/my/applications/{APP_ID}/submissions/{next}"
            ));
        }
        expected.push(format!(
            "DELETE /v1.0/my/applications/{APP_ID}/submissions/{next}"
        ));
        assert_eq!(sim.writes(), expected, "{method}\n{}", out.log());
        assert!(sim.app(APP_ID)["pendingApplicationSubmission"].is_null());
    }
}
