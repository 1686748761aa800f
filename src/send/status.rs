//! `send status`, `send settle` and `send bounces`: where the incident's letters stand, the
//! explicit choice about letters whose fate is uncertain, and delivery status notifications
//! turned into bounced letters.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::send_status::{self as sql, LiveWorker, UncertainLetter};
use crate::error::{Error, Result};
use crate::incident;
use crate::mail::mailbox::{self, MailSource, RawMessage};
use crate::mail::{Classified, DsnAction, classify};

/// The state of an incident's outbox.
#[derive(Debug, Clone, Serialize)]
pub struct SendStatus {
    pub incident: String,
    /// Letters per channel and state (every state listed, zero or not).
    pub channels: BTreeMap<String, BTreeMap<String, i64>>,
    /// The most frequent replies and errors, with addresses blanked: what went wrong.
    pub replies: Vec<ReplyGroup>,
    /// Letters sent in the last minute, per second.
    pub rate_last_minute: f64,
    pub first_sent_at: Option<DateTime<Utc>>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub uncertain: Vec<UncertainLetter>,
    pub workers: Vec<LiveWorker>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyGroup {
    pub status: String,
    pub reply: String,
    pub count: i64,
}

const STATES: [&str; 8] = [
    "pending",
    "sending",
    "sent",
    "deferred",
    "failed",
    "bounced",
    "uncertain",
    "withdrawn",
];

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+").expect("valid regex"));

/// A reply or error without the addresses in it: servers often quote the recipient.
pub fn without_addresses(text: &str) -> String {
    ADDRESS.replace_all(text, "<address>").into_owned()
}

pub async fn status(db: &Db, settings: &Settings, reference: &str) -> Result<SendStatus> {
    let inc = incident::find(db, reference).await?;
    let now = settings.now();
    let mut channels: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (channel, status, n) in sql::counts(&db.conn, inc.id).await? {
        let c = channels
            .entry(channel)
            .or_insert_with(|| STATES.iter().map(|s| (s.to_string(), 0)).collect());
        *c.entry(status).or_default() += n;
    }
    let mut grouped: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (status, reply, n) in sql::replies(&db.conn, inc.id).await? {
        *grouped.entry((status, without_addresses(&reply))).or_default() += n;
    }
    let mut replies: Vec<ReplyGroup> = grouped
        .into_iter()
        .map(|((status, reply), count)| ReplyGroup { status, reply, count })
        .collect();
    replies.sort_by(|a, b| b.count.cmp(&a.count).then(a.reply.cmp(&b.reply)));
    replies.truncate(10);
    let (recent, first, last) = sql::sent_times(&db.conn, inc.id, now - Duration::seconds(60)).await?;
    let next_attempt_at = sql::next_due(&db.conn, inc.id, crate::db::send::KindFilter::All).await?;
    let lease = crate::send::settings::SendPlan::resolve(settings, None, None)?.lease;
    let since = now - Duration::from_std(lease).unwrap_or_else(|_| Duration::seconds(60));
    Ok(SendStatus {
        incident: inc.reference.clone(),
        channels,
        replies,
        rate_last_minute: recent as f64 / 60.0,
        first_sent_at: first,
        last_sent_at: last,
        next_attempt_at,
        uncertain: sql::uncertain(&db.conn, inc.id).await?,
        workers: sql::live_workers(&db.conn, inc.id, since).await?,
    })
}

/// What `send settle` did.
#[derive(Debug, Clone, Serialize)]
pub struct Settled {
    pub incident: String,
    /// `resend` or `assume-sent`.
    pub choice: &'static str,
    pub letters: Vec<i64>,
}

/// Settles every uncertain letter of the incident: `resend` puts them back in the queue
/// (the person may get the letter twice), otherwise they count as sent.
pub async fn settle(db: &Db, settings: &Settings, reference: &str, resend: bool) -> Result<Settled> {
    let inc = incident::find(db, reference).await?;
    let now = settings.now();
    let choice = if resend { "resend" } else { "assume-sent" };
    let rec = audit::begin(db, &settings.actor, now).await?;
    let note = format!("settled by {} ({choice})", settings.actor);
    let letters = sql::settle(rec.txn(), inc.id, resend, &note, now).await?;
    if !letters.is_empty() {
        rec.record(
            "send.settle",
            &format!("incident:{}", inc.reference),
            Some(&inc.reference),
            json!({ "choice": choice, "notifications": letters }),
        )
        .await?;
    }
    rec.commit().await?;
    crate::followup::cases::sync_deliveries(db, inc.id, &settings.actor, now).await?;
    Ok(Settled {
        incident: inc.reference,
        choice,
        letters,
    })
}

/// What `send bounces` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BounceReport {
    pub incident: String,
    pub messages: u64,
    /// Letters newly marked bounced.
    pub bounced: u64,
    /// Bounces for letters already marked bounced (the same report read again).
    pub already: u64,
    /// Delay notices: the server is still trying; nothing changes.
    pub delayed: u64,
    /// Bounces that match no letter of this incident, by where they were found.
    pub unmatched: Vec<String>,
    /// Messages that are not bounces (replies, auto-replies): `followup ingest` reads those.
    pub not_bounces: u64,
}

/// Reads DSNs from an mbox file or a Maildir and marks the letters they return bounced.
pub async fn bounces(
    db: &Db,
    settings: &Settings,
    reference: &str,
    mbox: Option<&Path>,
    maildir: Option<&Path>,
) -> Result<BounceReport> {
    let inc = incident::find(db, reference).await?;
    let messages: Vec<RawMessage> = match (mbox, maildir) {
        (Some(f), None) => mailbox::read(&MailSource::Mbox(f.to_path_buf()))?,
        (None, Some(d)) => mailbox::read(&MailSource::Maildir(d.to_path_buf()))?,
        _ => return Err(Error::bad_input("give either --mbox FILE or --maildir DIR")),
    };
    let mut report = BounceReport {
        incident: inc.reference.clone(),
        messages: messages.len() as u64,
        ..BounceReport::default()
    };
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let mut marked = Vec::new();
    for m in &messages {
        let Classified::Dsn(dsn) = classify(&m.bytes) else {
            report.not_bounces += 1;
            continue;
        };
        if dsn.action == DsnAction::Delayed {
            report.delayed += 1;
            continue;
        }
        if dsn.action != DsnAction::Failed {
            report.not_bounces += 1;
            continue;
        }
        let mut found = None;
        for id in dsn.original_message_id.iter().chain(dsn.refers_to.iter()) {
            if let Some((nid, incident_id, status)) = sql::by_message_id(rec.txn(), id).await?
                && incident_id == inc.id
            {
                found = Some((nid, status));
                break;
            }
        }
        if found.is_none()
            && let Some(address) = &dsn.recipient
        {
            found = sql::by_recipient(rec.txn(), inc.id, address).await?;
        }
        let Some((id, status)) = found else {
            report.unmatched.push(m.origin.clone());
            continue;
        };
        if status == "bounced" {
            report.already += 1;
            continue;
        }
        let reply = format!(
            "{} {}",
            dsn.best_status().unwrap_or("5.0.0"),
            dsn.diagnostic
                .as_deref()
                .map(without_addresses)
                .unwrap_or_default()
        );
        if sql::mark_bounced(rec.txn(), id, reply.trim()).await? {
            report.bounced += 1;
            marked.push(id);
        } else {
            report.unmatched.push(m.origin.clone());
        }
    }
    if !marked.is_empty() {
        rec.record(
            "send.bounced",
            &format!("incident:{}", inc.reference),
            Some(&inc.reference),
            json!({ "notifications": marked }),
        )
        .await?;
    }
    rec.commit().await?;
    // People whose every letter bounced become unreachable in follow-up.
    crate::followup::cases::sync_deliveries(db, inc.id, &settings.actor, settings.now()).await?;
    Ok(report)
}
