//! A real SMTP server in the test process (mailin-embedded): it speaks the protocol, keeps
//! what it accepts, and can refuse chosen recipients or answer slowly.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server};

/// How the server answers a recipient.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// 550 at RCPT.
    Unknown,
    /// 451 at RCPT the first `n` times, then accepted.
    BusyFor(u32),
    /// 452 at DATA, always.
    AlwaysBusy,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub data: String,
    pub at: Instant,
}

#[derive(Default)]
struct State {
    rules: HashMap<String, Rule>,
    tries: HashMap<String, u32>,
    received: Vec<Received>,
    delay: Duration,
}

#[derive(Clone)]
struct Sink {
    state: Arc<Mutex<State>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Sink {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        self.to.clear();
        self.data.clear();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let mut s = self.state.lock().unwrap();
        let rule = s.rules.get(to).copied();
        let tries = s.tries.entry(to.to_string()).or_default();
        *tries += 1;
        match rule {
            Some(Rule::Unknown) => Response::custom(550, format!("5.1.1 <{to}>: Recipient address rejected")),
            Some(Rule::BusyFor(n)) if *tries <= n => Response::custom(451, "4.7.1 Try again later".into()),
            _ => {
                self.to.push(to.to_string());
                response::OK
            }
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let s = self.state.lock().unwrap();
        if to
            .iter()
            .any(|t| matches!(s.rules.get(t), Some(Rule::AlwaysBusy)))
        {
            // (At DATA: mailin keeps reading message data after an error at its end.)
            return Response::custom(452, "4.3.1 Insufficient system storage".into());
        }
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let delay = {
            let mut s = self.state.lock().unwrap();
            let to = self.to.first().cloned().unwrap_or_default();
            // Kept before the (slow) reply: a server that has the message when the client
            // goes away is the case that makes a letter uncertain.
            s.received.push(Received {
                to,
                data: String::from_utf8_lossy(&self.data).to_string(),
                at: Instant::now(),
            });
            s.delay
        };
        std::thread::sleep(delay);
        response::OK
    }
}

/// A running server on 127.0.0.1.
pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpServer {
    pub fn start(rules: &[(&str, Rule)], delay: Duration) -> SmtpServer {
        Self::launch(rules, delay, None)
    }

    /// A server offering STARTTLS with the test certificate for 127.0.0.1 (tests/fixtures/tls).
    pub fn start_tls() -> SmtpServer {
        // mailin-embedded's rustls has aws-lc-rs on by default, ours ring: name one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
        Self::launch(&[], Duration::ZERO, Some(dir))
    }

    fn launch(rules: &[(&str, Rule)], delay: Duration, tls: Option<&str>) -> SmtpServer {
        let state = Arc::new(Mutex::new(State {
            rules: rules.iter().map(|(a, r)| (a.to_string(), *r)).collect(),
            delay,
            ..State::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let port = listener.local_addr().unwrap().port();
        let mut server = Server::new(Sink {
            state: Arc::clone(&state),
            to: Vec::new(),
            data: Vec::new(),
        });
        server
            .with_name("test.smtp")
            .with_num_threads(24)
            .with_tcp_listener(listener);
        if let Some(dir) = tls {
            server
                .with_ssl(mailin_embedded::SslConfig::SelfSigned {
                    cert_path: format!("{dir}/server.pem"),
                    key_path: format!("{dir}/server.key"),
                })
                .expect("the test certificate loads");
        }
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, state }
    }

    /// `smtp://127.0.0.1:PORT`: plaintext, allowed because it is this machine.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// How many times each address received a message.
    pub fn per_recipient(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for r in self.received() {
            *out.entry(r.to).or_default() += 1;
        }
        out
    }
}
