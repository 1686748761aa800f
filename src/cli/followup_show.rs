//! The text of `followup show`: one person's story, for a person to read.

use chrono_tz::Tz;

use super::output::or_dash;
use crate::category::DataCategory;
use crate::clock;
use crate::followup::show::CaseStory;

/// The story as text, ending with a newline.
pub fn text(s: &CaseStory, zone: Tz) -> String {
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
