//! What `send` and `send status` print on a terminal: the run's summary and the outbox's state.

use super::output::{Out, or_dash};
use crate::send::SendSummary;
use crate::send::status::SendStatus;

pub fn say_summary(s: &SendSummary, out: Out) {
    out.say(format!(
        "{}: {} sent, {} deferred, {} failed, {} uncertain in {:.1} s ({:.0}/s) via {}.",
        s.incident, s.sent, s.deferred, s.failed, s.uncertain, s.seconds, s.per_second, s.transport
    ));
    if s.reclaimed > 0 {
        super::warn(format!(
            "{} letter(s) were in flight when an earlier sender stopped: see `breachdesk send status {}` and settle them",
            s.reclaimed, s.incident
        ));
    }
    if s.interrupted {
        out.say("Stopped on request; run the same command again to go on.");
    }
    if s.deferred_later > 0 {
        out.say(format!(
            "{} letter(s) deferred after temporary failures; next attempt due {}: run `breachdesk send {}` again then.",
            s.deferred_later,
            or_dash(s.next_attempt_at.map(|t| t.to_rfc3339())),
            s.incident
        ));
    }
    if s.uncertain > 0 {
        super::warn(format!(
            "{} letter(s) may or may not have reached the server: `breachdesk send settle {} --resend|--assume-sent`",
            s.uncertain, s.incident
        ));
    }
}

pub fn print_status(s: &SendStatus, out: Out) {
    out.say(format!("{}: letters by state", s.incident));
    let mut rows = Vec::new();
    for (channel, states) in &s.channels {
        let mut row = vec![channel.clone()];
        row.extend(states.values().map(|n| n.to_string()));
        rows.push(row);
    }
    if let Some(states) = s.channels.values().next() {
        let mut header = vec!["channel"];
        header.extend(states.keys().map(String::as_str));
        out.table(&header, rows);
    } else {
        out.say("No letters in the outbox: `breachdesk letters render` fills it.");
    }
    out.say(format!(
        "rate over the last minute: {:.1}/s; first sent {}, last sent {}; next retry {}",
        s.rate_last_minute,
        or_dash(s.first_sent_at.map(|t| t.to_rfc3339())),
        or_dash(s.last_sent_at.map(|t| t.to_rfc3339())),
        or_dash(s.next_attempt_at.map(|t| t.to_rfc3339())),
    ));
    if !s.replies.is_empty() {
        out.say("\nMost frequent replies and errors:");
        out.table(
            &["state", "count", "reply"],
            s.replies
                .iter()
                .map(|r| vec![r.status.clone(), r.count.to_string(), r.reply.clone()])
                .collect(),
        );
    }
    if !s.uncertain.is_empty() {
        out.say(format!(
            "\n{} uncertain letter(s): settle with `breachdesk send settle {} --resend|--assume-sent`",
            s.uncertain.len(),
            s.incident
        ));
        out.table(
            &["notification", "subject", "message id", "attempts"],
            s.uncertain
                .iter()
                .map(|u| {
                    vec![
                        u.notification_id.to_string(),
                        u.subject_id.to_string(),
                        u.message_id.clone(),
                        u.attempts.to_string(),
                    ]
                })
                .collect(),
        );
    }
    if !s.workers.is_empty() {
        out.say("\nSenders at work:");
        out.table(
            &["worker", "transport", "started", "last seen"],
            s.workers
                .iter()
                .map(|w| {
                    vec![
                        w.id.clone(),
                        w.transport.clone(),
                        w.started_at.to_rfc3339(),
                        w.heartbeat_at.to_rfc3339(),
                    ]
                })
                .collect(),
        );
    }
}
