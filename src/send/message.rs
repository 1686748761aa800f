//! The email a letter becomes: sender, Reply-To, the person's address, the stored subject,
//! text and HTML parts as multipart/alternative (written by `mime`), the Message-ID fixed at
//! rendering, `Date`, and an optional DKIM signature (then built by lettre). Built from what the outbox holds, so what was sent is what
//! `letters show` prints.

use std::time::SystemTime;

use lettre::Message;
use lettre::address::Envelope;
use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
use lettre::message::header::{self, Headers};
use lettre::message::{Mailbox, Mailboxes, MultiPart};

use super::mime::{self, Transfer};
use crate::config::Settings;
use crate::db::send::Outgoing;
use crate::error::{Error, Result};
use crate::incident::Incident;
use crate::inventory::fields::SubjectEmail;

/// What every letter of a run carries besides its own content.
pub struct Letterhead {
    from: Mailbox,
    reply_to: Option<Mailbox>,
    dkim: Option<DkimConfig>,
}

impl Letterhead {
    /// From `[send] from` / `reply_to`, else the incident's contact point (its DPO) under
    /// the organisation's name.
    pub fn from_settings(settings: &Settings, inc: &Incident) -> Result<Letterhead> {
        let org = &settings.organisation;
        let email = inc.dpo_email.as_deref().or(org.dpo_email.as_deref());
        let name = org.name.as_deref().or(inc.dpo_name.as_deref());
        let dpo = email.map(|email| match name {
            Some(name) => format!("\"{}\" <{email}>", name.replace('"', "'")),
            None => email.to_string(),
        });
        let from_text = settings.send.from.clone().or_else(|| dpo.clone()).ok_or_else(|| {
            Error::bad_input(
                "no sender address: set [send] from = \"Name <privacy@example.org>\" in breachdesk.toml, or the \
                 incident's DPO email (`incident update REF --dpo-email ...`)",
            )
        })?;
        let from: Mailbox = from_text
            .parse()
            .map_err(|e| Error::bad_input(format!("[send] from '{from_text}': {e}")))?;
        let reply_to = match settings.send.reply_to.clone().or(dpo) {
            Some(text) => Some(
                text.parse::<Mailbox>()
                    .map_err(|e| Error::bad_input(format!("[send] reply_to '{text}': {e}")))?,
            ),
            None => None,
        };
        let dkim = match &settings.send.dkim {
            Some(d) => {
                let pem = std::fs::read_to_string(&d.key_file).map_err(|e| {
                    Error::bad_input(format!("[send.dkim] key_file {}: {e}", d.key_file.display()))
                })?;
                let algorithm = match d.algorithm.as_deref().unwrap_or("rsa") {
                    "rsa" => DkimSigningAlgorithm::Rsa,
                    "ed25519" => DkimSigningAlgorithm::Ed25519,
                    other => {
                        return Err(Error::bad_input(format!(
                            "[send.dkim] algorithm '{other}': use rsa or ed25519"
                        )));
                    }
                };
                let key = DkimSigningKey::new(&pem, algorithm)
                    .map_err(|e| Error::bad_input(format!("[send.dkim] key_file: {e}")))?;
                Some(DkimConfig::default_config(
                    d.selector.clone(),
                    d.domain.clone(),
                    key,
                ))
            }
            None => None,
        };
        Ok(Letterhead { from, reply_to, dkim })
    }

    /// The sender's domain: the default EHLO name.
    pub fn sender_domain(&self) -> String {
        self.from.email.domain().to_string()
    }

    /// The message for one outbox row, its envelope, and whether it must go as 8-bit MIME
    /// (`transfer` says whether the server takes it). An address the mail library cannot take
    /// is a permanent failure of that letter, not of the run.
    pub fn build(
        &self,
        row: &Outgoing,
        date: SystemTime,
        transfer: Transfer,
    ) -> std::result::Result<Built, String> {
        let to: Mailbox = SubjectEmail::parse(&row.recipient)
            .map_err(|e| format!("the address cannot be used: {e}"))?
            .mailbox();
        if let Some(dkim) = &self.dkim {
            return self.signed(row, to, date, dkim);
        }
        let envelope = Envelope::new(Some(self.from.email.clone()), vec![to.email.clone()])
            .map_err(|e| format!("cannot build the message: {e}"))?;
        // The headers as lettre writes them (addresses and RFC 2047 encoding), in the order
        // its builder uses; the body from `mime`.
        let mut headers = Headers::new();
        headers.set(header::From::from(Mailboxes::from(self.from.clone())));
        if let Some(r) = &self.reply_to {
            headers.set(header::ReplyTo::from(Mailboxes::from(r.clone())));
        }
        headers.set(header::To::from(Mailboxes::from(to)));
        headers.set(header::Subject::from(row.subject.clone()));
        headers.set(header::MessageId::from(row.message_id.clone()));
        headers.set(header::Date::new(date));
        let mut text = headers.to_string();
        text.reserve(row.body_text.len() + row.body_html.len() + 1024);
        // Any string the parts do not contain will do; `=_` never occurs in quoted-printable.
        let boundary = format!("=_bd{:x}", row.id);
        let eight_bit =
            mime::write_alternative(&mut text, &row.body_text, &row.body_html, transfer, &boundary);
        Ok(Built {
            envelope,
            text,
            eight_bit,
        })
    }

    /// The message through lettre's builder, DKIM-signed (only 7-bit encodings).
    fn signed(
        &self,
        row: &Outgoing,
        to: Mailbox,
        date: SystemTime,
        dkim: &DkimConfig,
    ) -> std::result::Result<Built, String> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .date(date);
        if let Some(r) = &self.reply_to {
            builder = builder.reply_to(r.clone());
        }
        let mut message = builder
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        message.sign(dkim);
        // 7-bit encodings only: ASCII.
        let text = String::from_utf8(message.formatted())
            .map_err(|_| "the signed message is not text".to_string())?;
        Ok(Built {
            envelope: message.envelope().clone(),
            text,
            eight_bit: false,
        })
    }
}

/// A letter's email, ready to hand over.
pub struct Built {
    pub envelope: Envelope,
    /// The whole message, lines ending in CRLF.
    pub text: String,
    /// The MAIL command must say `BODY=8BITMIME`.
    pub eight_bit: bool,
}
