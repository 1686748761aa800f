//! The text of `followup show` (one person's story, for a person to read), of a case's line
//! in `followup list` and `next`, and of `followup stats`; and the parsers of the options'
//! values.

use chrono_tz::Tz;

use super::output::or_dash;
use crate::category::DataCategory;
use crate::clock;
use crate::db::followup_queries::CaseRow;
use crate::followup::show::CaseStory;
use crate::followup::stats::{self, FollowupStats};

/// The story as text, ending with a newline.
pub fn story(s: &CaseStory, zone: Tz) -> String {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| or_dash(t.map(|t| clock::human(t, zone)));
    let mut out = String::new();
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    line(format!("{} — subject {}", s.incident, s.subject_id));
    line(format!("Name         {}", or_dash(s.name.as_ref())));
    line(format!("Email        {}", or_dash(s.email.as_ref())));
    line(format!("Phone        {}", or_dash(s.phone.as_ref())));
    line(format!(
        "Address      {}",
        if s.address.is_empty() {
            "-".into()
        } else {
            s.address.join(", ")
        }
    ));
    line(format!(
        "Case         {}{}; assignee {}; next action due {}",
        s.status,
        if s.in_scope { "" } else { " (out of scope)" },
        or_dash(s.assignee.as_ref()),
        when(s.next_action_due)
    ));
    match &s.exposed {
        Some(e) => line(format!(
            "Exposed      {} (systems {}; {} record(s))",
            DataCategory::join(&e.categories),
            e.systems.join(", "),
            e.records
        )),
        None => line("Exposed      - (no longer in the incident's scope)".into()),
    }
    line(String::new());
    line(format!("Letters ({})", s.letters.len()));
    for l in &s.letters {
        line(format!(
            "  {} {} {:<9} code {}  attempts {}  sent {}{}",
            l.kind,
            l.channel,
            l.status,
            l.verification_code,
            l.attempts,
            when(l.sent_at),
            l.last_error
                .as_ref()
                .map(|e| format!("  ({e})"))
                .unwrap_or_default()
        ));
    }
    line(String::new());
    line(format!("Events ({})", s.events.len()));
    for e in &s.events {
        let moved = match (e.from, e.to) {
            (Some(f), Some(t)) => format!(" [{f} -> {t}]"),
            (None, Some(t)) => format!(" [-> {t}]"),
            _ => String::new(),
        };
        let assist = e
            .assist
            .map(|a| format!(" help: {}", a.as_str()))
            .unwrap_or_default();
        line(format!(
            "  {}  {:<10} {}{moved}{assist}",
            clock::human(e.at, zone),
            e.kind.as_str(),
            e.actor
        ));
        for t in e.text.iter().flat_map(|t| t.lines()) {
            line(format!("      {t}"));
        }
    }
    line(String::new());
    line(format!("Requests ({})", s.requests.len()));
    for r in &s.requests {
        let state = match r.done_at {
            Some(d) => format!("answered {}", clock::human(d, zone)),
            None if r.overdue => "OVERDUE".into(),
            None => "open".into(),
        };
        line(format!(
            "  #{} {:<13} received {}  due {}  {state}",
            r.id,
            r.right.as_str(),
            clock::human(r.received_at, zone),
            clock::human(r.due_at, zone)
        ));
    }
    out
}

/// One case as a line of `followup list`.
pub fn list_line(r: &CaseRow, when: &dyn Fn(Option<chrono::DateTime<chrono::Utc>>) -> String) -> String {
    format!(
        "{:>8}  {:<24}  {:<30}  {:<11}  {:<10}  {:<20}  {}{}\n",
        r.subject_id,
        super::affected::truncate(&or_dash(r.name.as_ref()), 24),
        super::affected::truncate(&or_dash(r.email.as_ref()), 30),
        r.status.as_str(),
        or_dash(r.assignee.as_ref()),
        when(r.next_action_due),
        if r.open_requests > 0 {
            format!("{} request(s), due {}", r.open_requests, when(r.request_due))
        } else {
            String::new()
        },
        if r.in_scope { "" } else { "  (out of scope)" },
    )
}

/// The lines of `followup stats`.
pub fn stats_fields(s: &FollowupStats) -> Vec<(&'static str, String)> {
    let share = |s: &stats::Share| format!("{} ({:.1}%)", s.count, s.percent);
    let span = |secs: Option<i64>| or_dash(secs.map(|s| clock::human_span(chrono::Duration::seconds(s))));
    vec![
        ("Incident", s.incident.clone()),
        ("Cases", s.cases.to_string()),
        ("Reached", share(&s.reached)),
        ("Responded", share(&s.responded)),
        ("Assisted", share(&s.assisted)),
        ("Unreachable", share(&s.unreachable)),
        ("Closed", share(&s.closed)),
        (
            "First letter",
            format!(
                "{} people; median {} after awareness, 95th percentile {}",
                s.first_letter.people,
                span(s.first_letter.median_seconds),
                span(s.first_letter.p95_seconds)
            ),
        ),
    ]
}

/// Values of `followup` options, parsed into their types.
pub mod args {
    use crate::followup::{Assist, CaseStatus, EventKind, Right};

    pub fn status(s: &str) -> std::result::Result<CaseStatus, String> {
        CaseStatus::parse(s)
            .ok_or_else(|| "use open, contacted, responded, assisting, unreachable or closed".to_string())
    }

    pub fn kind(s: &str) -> std::result::Result<EventKind, String> {
        [
            EventKind::Note,
            EventKind::Call,
            EventKind::EmailIn,
            EventKind::EmailOut,
            EventKind::Meeting,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| "use note, call, email-in, email-out or meeting".to_string())
    }

    pub fn assist(s: &str) -> std::result::Result<Assist, String> {
        [
            Assist::PasswordReset,
            Assist::CardReplaced,
            Assist::CreditMonitoring,
            Assist::AccountLocked,
            Assist::Other,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or_else(|| {
            "use password-reset, card-replaced, credit-monitoring, account-locked or other".to_string()
        })
    }

    pub fn right(s: &str) -> std::result::Result<Right, String> {
        use Right::*;
        [
            Access,
            Rectification,
            Erasure,
            Restriction,
            Portability,
            Objection,
            Complaint,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| {
            "use access, rectification, erasure, restriction, portability, objection or complaint".to_string()
        })
    }
}
