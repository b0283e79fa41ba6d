//! HTTPS and a proxy in front of the simulator, to check that the image's TLS stack reads
//! `SSL_CERT_FILE` and its own CA bundle, and honours `HTTPS_PROXY`/`NO_PROXY` as a
//! self-hosted runner behind a corporate proxy sets them.
//!
//! - [`TlsFront`] terminates TLS with a certificate from a private CA made for the test (by
//!   the openssl command line) and passes the bytes on to the simulator.
//! - [`ConnectProxy`] is an HTTP `CONNECT` proxy that records where clients asked to go and
//!   tunnels every request to the TLS front, so a host name that resolves nowhere still
//!   works when, and only when, the client goes through the proxy.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Names the test certificate is valid for.
pub const TLS_NAMES: &[&str] = &["localhost", "msstore.invalid"];

/// A private CA and a server certificate it signed, as PEM files in `dir`.
pub struct TestPki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn make_pki(dir: &Path) -> TestPki {
    let run = |args: &str| {
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = Command::new("openssl")
            .args(&args)
            .current_dir(dir)
            .output()
            .expect("the openssl command (scripts/container-test installs it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run(&format!(
        "req -x509 {ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=msstore-submit-test-CA"
    ));
    let san: Vec<String> = TLS_NAMES.iter().map(|n| format!("DNS:{n}")).collect();
    std::fs::write(
        dir.join("server.ext"),
        format!(
            "subjectAltName={}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
            san.join(",")
        ),
    )
    .unwrap();
    run(&format!(
        "req {ec} -keyout server.key -out server.csr -subj /CN=localhost"
    ));
    run(
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext",
    );
    TestPki {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}

/// A background runtime that lives as long as the servers on it.
pub struct Servers {
    runtime: tokio::runtime::Runtime,
}

impl Servers {
    pub fn new() -> Servers {
        Servers {
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// TLS on a free loopback port, passing the plain bytes on to `backend`.
    pub fn tls_front(&self, pki: &TestPki, backend: SocketAddr) -> u16 {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&pki.cert)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let key = PrivateKeyDer::from_pem_file(&pki.key).unwrap();
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = self
            .runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        self.runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses our certificate ends the handshake: fine.
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        return;
                    };
                    let Ok(mut upstream) = TcpStream::connect(backend).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });
        port
    }

    /// An HTTP CONNECT proxy that sends every tunnel to `127.0.0.1:target_port` and records
    /// the `host:port` each client asked for.
    pub fn connect_proxy(&self, target_port: u16) -> (u16, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let listener = self
            .runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let record = seen.clone();
        self.runtime.spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let record = record.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                        match client.read(&mut byte).await {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let mut words = head.split_whitespace();
                    if words.next() != Some("CONNECT") {
                        let _ = client
                            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                            .await;
                        return;
                    }
                    record
                        .lock()
                        .unwrap()
                        .push(words.next().unwrap_or("").to_string());
                    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", target_port)).await
                    else {
                        return;
                    };
                    if client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
            }
        });
        (port, seen)
    }

    /// A loopback port where nothing listens (a proxy that is down).
    pub fn closed_port(&self) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }
}
