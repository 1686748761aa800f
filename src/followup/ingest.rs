//! Reading people's replies from a Maildir or an mbox file into their cases.
//!
//! Each message is classified first (`crate::mail::classify`). A person's reply is matched to
//! a case by its `In-Reply-To`/`References` against the Message-IDs of the incident's letters,
//! else — when it refers to no other incident's letter — by its sender's address (normalised
//! as inventory addresses are); it becomes an
//! `email-in` event and moves the case to `responded`. An automatic reply (out of office) is
//! recorded as an `auto-reply` event and moves nothing: nobody answered. Delivery status
//! notifications (bounces) are counted and left to the sender's bounce processing, which owns
//! the letters' delivery status. Every message is keyed by a SHA-256 of its Message-ID (of its
//! bytes without one), so that ingesting the same mail again adds nothing.

use mail_parser::MessageParser;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::cases::{self, NewEvent};
use super::events::default_due;
use crate::audit::{self, Recorder};
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::case_event::{self, EventKind};
use crate::db::entities::followup_case::{self, CaseStatus};
use crate::db::followup::{self as sql, LetterKey};
use crate::error::{DbContext, Error, Result};
use crate::incident::Incident;
use crate::inventory::fields::SubjectEmail;
use crate::mail::{Classified, Reply, classify};

pub use crate::mail::mailbox::MailSource;

/// What an ingest did.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub incident: String,
    pub messages: u64,
    /// People's replies recorded now.
    pub replies: u64,
    /// Of those, matched by sender address (no reference to a letter).
    pub matched_by_sender: u64,
    /// Automatic replies recorded now (no status change).
    pub auto_replies: u64,
    /// Messages recorded by an earlier ingest.
    pub already: u64,
    /// Cases moved to `responded`.
    pub responded: u64,
    /// Bounces, left to the sender's bounce processing.
    pub bounces: u64,
    pub unreadable: u64,
    /// Replies that match no case of the incident.
    pub unmatched: Vec<Unmatched>,
}

/// A message no case matched.
#[derive(Debug, Serialize)]
pub struct Unmatched {
    /// The file (Maildir) or `#N` (position in the mbox).
    pub message: String,
    pub kind: &'static str,
    pub from: Option<String>,
    pub subject: Option<String>,
}

/// Reads `source` and records the replies it holds in `inc`'s cases.
pub async fn ingest(
    db: &Db,
    settings: &Settings,
    inc: &Incident,
    source: &MailSource,
) -> Result<IngestReport> {
    let messages: Vec<(String, Vec<u8>)> = crate::mail::mailbox::read(source)?
        .into_iter()
        .map(|m| (m.origin, m.bytes))
        .collect();
    let mut report = IngestReport {
        incident: inc.reference.clone(),
        ..IngestReport::default()
    };
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    for (label, raw) in &messages {
        report.messages += 1;
        let (reply, auto) = match classify(raw) {
            Classified::Dsn(_) => {
                report.bounces += 1;
                continue;
            }
            Classified::Unreadable => {
                report.unreadable += 1;
                continue;
            }
            Classified::AutoReply(r) => (r, true),
            Classified::Reply(r) => (r, false),
        };
        let (case_id, by_sender) = match match_case(&rec, inc, &reply).await? {
            Some(found) => found,
            None => {
                report.unmatched.push(Unmatched {
                    message: label.clone(),
                    kind: if auto { "auto-reply" } else { "reply" },
                    from: reply.from.clone(),
                    subject: reply.subject.clone(),
                });
                continue;
            }
        };
        let key = reply_key(reply.message_id.as_deref(), raw);
        let seen = case_event::Entity::find()
            .filter(case_event::Column::CaseId.eq(case_id))
            .filter(case_event::Column::ReplyKey.eq(key.clone()))
            .count(rec.txn())
            .await
            .context("reading the case")?;
        if seen > 0 {
            report.already += 1;
            continue;
        }
        let moved = record_reply(&rec, case_id, &reply, raw, key, auto).await?;
        if auto {
            report.auto_replies += 1;
        } else {
            report.replies += 1;
            report.matched_by_sender += u64::from(by_sender);
            report.responded += u64::from(moved);
        }
    }
    rec.record(
        "followup.ingest",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "messages": report.messages,
            "replies": report.replies,
            "auto_replies": report.auto_replies,
            "already": report.already,
            "responded": report.responded,
            "bounces": report.bounces,
            "unmatched": report.unmatched.len(),
        }),
    )
    .await?;
    rec.commit().await?;
    Ok(report)
}

/// The case a reply belongs to, and whether it was found by the sender's address only. A
/// reply that refers to a letter of another incident matches nothing here.
async fn match_case(rec: &Recorder, inc: &Incident, reply: &Reply) -> Result<Option<(i64, bool)>> {
    if let Some(id) = sql::case_by_letter(rec.txn(), inc.id, LetterKey::MessageId, &reply.refers_to).await? {
        return Ok(Some((id, false)));
    }
    // A reply to another incident's letter is not this incident's, whoever sent it.
    if sql::letter_of_other_incident(rec.txn(), inc.id, &reply.refers_to).await? {
        return Ok(None);
    }
    let Some(from) = reply.from.as_deref().and_then(|f| SubjectEmail::parse(f).ok()) else {
        return Ok(None);
    };
    Ok(sql::case_by_email(rec.txn(), inc.id, &from.match_key())
        .await?
        .map(|id| (id, true)))
}

/// Records the reply; returns whether the case moved to `responded`.
async fn record_reply(
    rec: &Recorder,
    case_id: i64,
    reply: &Reply,
    raw: &[u8],
    key: String,
    auto: bool,
) -> Result<bool> {
    let mut case = followup_case::Entity::find_by_id(case_id)
        .one(rec.txn())
        .await
        .context("reading the case")?
        .ok_or_else(|| Error::failure(format!("case {case_id} disappeared during the ingest")))?;
    let mut event = NewEvent::of(if auto {
        EventKind::AutoReply
    } else {
        EventKind::EmailIn
    });
    event.text = Some(excerpt(reply, raw));
    event.reply_key = Some(key);
    let steps = if auto {
        vec![]
    } else {
        cases::path_towards(case.status, CaseStatus::Responded)
    };
    if let Some(to) = steps.first() {
        (event.from, event.to) = (Some(case.status), Some(*to));
    }
    cases::add_event(rec, case.id, event).await?;
    let Some(to) = steps.first() else {
        return Ok(false);
    };
    case.status = *to;
    case.next_action_due = default_due(*to, rec.at()).or(case.next_action_due);
    cases::save(rec, &case).await?;
    Ok(true)
}

/// The subject line and the reply's own text (quoted lines dropped), shortened.
fn excerpt(reply: &Reply, raw: &[u8]) -> String {
    let body = MessageParser::default()
        .parse(raw)
        .and_then(|m| m.body_text(0).map(|t| t.to_string()))
        .unwrap_or_default();
    let own: Vec<&str> = body
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.starts_with('>'))
        .collect();
    let text: String = own.join("\n").trim().chars().take(2_000).collect();
    match &reply.subject {
        Some(s) => format!("Subject: {s}\n{text}"),
        None => text,
    }
}

/// SHA-256 of the Message-ID (without angle brackets, lower-cased), or of the bytes.
fn reply_key(message_id: Option<&str>, raw: &[u8]) -> String {
    let digest = match message_id {
        Some(id) => Sha256::digest(
            id.trim_matches(|c| c == '<' || c == '>')
                .to_lowercase()
                .as_bytes(),
        ),
        None => Sha256::digest(raw),
    };
    hex::encode(digest)
}
