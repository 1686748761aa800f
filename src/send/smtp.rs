//! One SMTP connection per sending task, built by hand on a Tokio socket with `TCP_NODELAY`
//! (lettre 0.11.23 never sets it, and every message then waits ~40 ms for a delayed ACK),
//! kept open for many messages. A message's fate is read from where the conversation broke
//! off: before the end of DATA nothing was delivered; after it, only the server knows.
//!
//! Every wait on the server has a deadline (`[send] timeout_seconds`): connecting, each
//! reply, each write, and the QUIT sent when giving a connection up. The server's lines are
//! bounded (`bounded`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lettre::address::Envelope;

use super::mime::{Stuffed, Transfer};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::bounded::Bounded;
use super::target::{Security, SmtpTarget};
use super::tls::ImplicitTls;
use crate::error::{Error, Result};

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The server took responsibility for it (2xx after DATA).
    Accepted(String),
    /// The server refused it: 4xx (`permanent: false`) or 5xx.
    Refused { permanent: bool, reply: String },
    /// The connection failed before the message was complete: not delivered.
    NotDelivered(String),
    /// The connection failed or timed out after the whole message was written: the server
    /// may have accepted it.
    Uncertain(String),
}

/// Opens connections to one relay.
pub struct Connector {
    target: SmtpTarget,
    hello: ClientId,
    starttls: Option<TlsParameters>,
    implicit: Option<ImplicitTls>,
    step_timeout: Duration,
}

impl Connector {
    pub fn new(
        target: SmtpTarget,
        helo_name: String,
        ca_pem: Option<Vec<u8>>,
        step_timeout: Duration,
    ) -> Result<Connector> {
        let starttls = match target.security {
            Security::StartTls | Security::Opportunistic => {
                let mut b = TlsParameters::builder(target.host.clone());
                if let Some(pem) = &ca_pem {
                    let cert = Certificate::from_pem(pem)
                        .map_err(|e| Error::bad_input(format!("[send] ca_file: {e}")))?;
                    b = b.add_root_certificate(cert);
                }
                Some(
                    b.build_rustls()
                        .map_err(|e| Error::failure(format!("cannot set up TLS: {e}")))?,
                )
            }
            _ => None,
        };
        let implicit = match target.security {
            Security::Implicit => Some(ImplicitTls::new(ca_pem.as_deref())?),
            _ => None,
        };
        Ok(Connector {
            target,
            hello: ClientId::Domain(helo_name),
            starttls,
            implicit,
            step_timeout,
        })
    }

    pub fn describe(&self) -> String {
        self.target.describe()
    }

    /// A connection, greeted, encrypted as configured and authenticated.
    pub async fn connect(&self) -> std::result::Result<Connection, String> {
        let t = &self.target;
        let addr = (t.host.as_str(), t.port);
        let tcp = timeout(self.step_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| format!("connecting to {}:{} timed out", t.host, t.port))?
            .map_err(|e| format!("cannot connect to {}:{}: {e}", t.host, t.port))?;
        tcp.set_nodelay(true)
            .map_err(|e| format!("cannot set TCP_NODELAY: {e}"))?;
        // The SMTP text runs over this stream until STARTTLS puts TLS on top of it.
        let plaintext = Arc::new(AtomicBool::new(true));
        let greet = async {
            match &self.implicit {
                Some(tls) => {
                    let stream = Bounded::new(tls.wrap(tcp, &t.host).await?, Arc::clone(&plaintext));
                    AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                        .await
                        .map_err(|e| e.to_string())
                }
                None => AsyncSmtpConnection::connect_with_transport(
                    Box::new(Bounded::new(tcp, Arc::clone(&plaintext))),
                    &self.hello,
                )
                .await
                .map_err(|e| e.to_string()),
            }
        };
        let mut conn = timeout(self.step_timeout, greet)
            .await
            .map_err(|_| "the server did not greet in time".to_string())??;
        if let Some(params) = &self.starttls {
            let offered = conn.can_starttls();
            if offered || t.security == Security::StartTls {
                if !offered {
                    give_up(&mut conn, self.step_timeout).await;
                    return Err(format!(
                        "{} does not offer STARTTLS, and the URL requires it (tls=required)",
                        t.host
                    ));
                }
                plaintext.store(false, Ordering::Relaxed);
                timeout(self.step_timeout, conn.starttls(params.clone(), &self.hello))
                    .await
                    .map_err(|_| "STARTTLS timed out".to_string())?
                    .map_err(|e| format!("STARTTLS failed: {e}"))?;
            }
        }
        // lettre keeps only the extensions it uses; PIPELINING is read from a second EHLO
        // (allowed at any time: it only resets a transaction, and none has begun).
        let pipelining = match timeout(
            self.step_timeout,
            conn.command(Raw(format!("EHLO {}\r\n", self.hello))),
        )
        .await
        {
            Ok(Ok(r)) => r
                .message()
                .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING")),
            _ => false,
        };
        if let (Some(user), Some(password)) = (&t.user, &t.password) {
            let credentials = Credentials::new(user.clone(), password.clone());
            timeout(
                self.step_timeout,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
            )
            .await
            .map_err(|_| "authentication timed out".to_string())?
            .map_err(|e| format!("authentication failed: {e}"))?;
        }
        Ok(Connection {
            conn,
            step_timeout: self.step_timeout,
            pipelining,
        })
    }
}

/// An open SMTP session.
pub struct Connection {
    conn: AsyncSmtpConnection,
    step_timeout: Duration,
    /// The server takes MAIL, RCPT and DATA in one write (RFC 2920).
    pipelining: bool,
}

impl Connection {
    /// Opens a mail transaction for `envelope`: MAIL, RCPT and DATA, up to the server's go-ahead.
    /// Nothing is delivered until [`Connection::data`] writes the message and its final dot;
    /// [`Connection::abandon`] drops the transaction instead. After a refusal the session is
    /// reset and can carry the next message; after `NotDelivered` or `Uncertain` (from `data`)
    /// it is dead (see [`Connection::is_open`]).
    pub async fn open(&mut self, envelope: &Envelope, eight_bit: bool) -> std::result::Result<(), Delivery> {
        let mut params = Vec::new();
        if eight_bit {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let non_ascii = envelope
            .from()
            .is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
            || envelope.to().iter().any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii {
            if !self.conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(Delivery::Refused {
                    permanent: true,
                    reply: "the address needs SMTPUTF8, which the server does not offer".into(),
                });
            }
            params.push(MailParameter::SmtpUtfEight);
        }
        let Some(to) = envelope.to().first().cloned() else {
            return Err(Delivery::Refused {
                permanent: true,
                reply: "no recipient".into(),
            });
        };
        let lines = [
            Mail::new(envelope.from().cloned(), params).to_string(),
            Rcpt::new(to, vec![]).to_string(),
            Data.to_string(),
        ];
        self.envelope(lines).await
    }

    /// How messages may be written for this server: 8-bit when it offers 8BITMIME.
    pub fn transfer(&self) -> Transfer {
        if self.conn.server_info().supports_feature(Extension::EightBitMime) {
            Transfer::EightBit
        } else {
            Transfer::SevenBit
        }
    }

    /// Drops an opened transaction without delivering it: the connection is closed before the
    /// final dot, which makes the server discard the message (RFC 5321 3.3).
    pub async fn abandon(&mut self) {
        self.give_up().await;
    }

    /// Writes the message of an opened transaction and its final dot, and reads the verdict.
    pub async fn data(&mut self, message: &str) -> Delivery {
        // The whole message and the final dot in one write.
        match timeout(self.step_timeout, self.conn.command(Stuffed(message))).await {
            Ok(Ok(response)) => Delivery::Accepted(reply_text(&response)),
            Ok(Err(e)) => self.after_data(e).await,
            Err(_) => {
                self.give_up().await;
                Delivery::Uncertain("no reply from the server after the message was sent".into())
            }
        }
    }

    /// MAIL, RCPT and DATA: in one write when the server pipelines, else one at a time. Any
    /// refusal resets the session, and the message is refused or not delivered.
    async fn envelope(&mut self, lines: [String; 3]) -> std::result::Result<(), Delivery> {
        if !self.pipelining {
            for line in lines {
                match self.command(line).await {
                    Step::Ok => {}
                    Step::Refused(permanent, reply) => {
                        let _ = self.command(Rset.to_string()).await;
                        return Err(Delivery::Refused { permanent, reply });
                    }
                    Step::Broken(why) => return Err(Delivery::NotDelivered(why)),
                }
            }
            return Ok(());
        }
        let mut steps = vec![self.command(lines.concat()).await];
        while steps.len() < 3 && matches!(steps.last(), Some(Step::Ok | Step::Refused(..))) {
            steps.push(self.reply().await);
        }
        if let Some(Step::Broken(why)) = steps.last() {
            return Err(Delivery::NotDelivered(why.clone()));
        }
        let refused = steps.iter().find_map(|s| match s {
            Step::Refused(permanent, reply) => Some((*permanent, reply.clone())),
            _ => None,
        });
        let Some((permanent, reply)) = refused else {
            return Ok(());
        };
        // A server that refused the sender or recipient may still have said 354 to DATA: an
        // empty message ends it, which it must refuse for want of a recipient.
        if matches!(steps.get(2), Some(Step::Ok)) {
            let _ = self.command(".\r\n".to_string()).await;
        }
        let _ = self.command(Rset.to_string()).await;
        Err(Delivery::Refused { permanent, reply })
    }

    /// An error once the whole message was written: a reply is a refusal, anything else
    /// leaves the message's fate unknown.
    async fn after_data(&mut self, e: lettre::transport::smtp::Error) -> Delivery {
        match e.status() {
            Some(_) => Delivery::Refused {
                permanent: e.is_permanent(),
                reply: e.to_string(),
            },
            None => {
                self.give_up().await;
                Delivery::Uncertain(format!("the connection broke after the message was sent: {e}"))
            }
        }
    }

    /// Whether the session can carry another message.
    pub fn is_open(&self) -> bool {
        !self.conn.has_broken()
    }

    /// Ends the session politely.
    pub async fn quit(mut self) {
        let _ = timeout(quit_wait(self.step_timeout), self.conn.command(Quit)).await;
    }

    /// Gives the connection up: QUIT, with a deadline, then closed.
    async fn give_up(&mut self) {
        give_up(&mut self.conn, self.step_timeout).await;
    }

    /// The next reply of a pipelined group.
    async fn reply(&mut self) -> Step {
        match timeout(self.step_timeout, self.conn.read_response()).await {
            Ok(Ok(_)) => Step::Ok,
            Ok(Err(e)) if e.status().is_some() => Step::Refused(e.is_permanent(), e.to_string()),
            Ok(Err(e)) => {
                self.give_up().await;
                Step::Broken(e.to_string())
            }
            Err(_) => {
                self.give_up().await;
                Step::Broken("the server did not answer in time".into())
            }
        }
    }

    async fn command(&mut self, text: String) -> Step {
        if self.conn.has_broken() {
            return Step::Broken("the connection is closed".into());
        }
        match timeout(self.step_timeout, self.conn.command(Raw(text))).await {
            Ok(Ok(r)) if r.is_positive() => Step::Ok,
            Ok(Ok(r)) => Step::Refused(r.code().to_string().starts_with('5'), reply_text(&r)),
            Ok(Err(e)) if e.status().is_some() => Step::Refused(e.is_permanent(), e.to_string()),
            Ok(Err(e)) => {
                self.give_up().await;
                Step::Broken(e.to_string())
            }
            Err(_) => {
                self.give_up().await;
                Step::Broken("the server did not answer in time".into())
            }
        }
    }
}

/// How long QUIT may take: a courtesy, so never longer than a few seconds.
fn quit_wait(step_timeout: Duration) -> Duration {
    step_timeout.min(Duration::from_secs(5))
}

/// lettre's `abort` sends QUIT and waits for the reply without a limit: a server that stopped
/// reading (mid-DATA) or answering would hold the connection, and the run, forever. lettre
/// marks the connection broken before it writes, so cutting the wait short leaves it closed
/// for good; dropping it closes the socket.
async fn give_up(conn: &mut AsyncSmtpConnection, step_timeout: Duration) {
    let _ = timeout(quit_wait(step_timeout), conn.abort()).await;
}

enum Step {
    Ok,
    Refused(bool, String),
    Broken(String),
}

/// A command already rendered to its line.
struct Raw(String);

impl std::fmt::Display for Raw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The server's reply as one line: code and text.
pub fn reply_text(r: &Response) -> String {
    let text: Vec<&str> = r.message().collect();
    format!("{} {}", r.code(), text.join(" ")).trim().to_string()
}
