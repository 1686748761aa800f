//! The authority clock, per regime: each jurisdiction's deadline for telling its authority,
//! judged against that jurisdiction's own rule (GDPR Art. 33(1): 72 elapsed hours from
//! awareness; California: 15 days from the notice to individuals; ...), and settled by the
//! first submission recorded to that authority. Pure: `regimes.rs` gathers the inputs.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::clock;
use crate::report::Submission;

/// Where an authority deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Past the deadline and nothing submitted: a notification made now must give reasons
    /// for the delay.
    Overdue,
    /// Before the deadline, nothing submitted yet.
    Running,
    /// No instant yet: the deadline runs from something that has not happened (the notice to
    /// individuals), or the rule is "without undue delay" with no outer limit.
    Pending,
    /// The jurisdiction is not in the rules: its law is to be checked by hand.
    NoRules,
    /// Submitted after the deadline, without the reasons for the delay on record.
    Late,
    /// Submitted after the deadline, with the reasons for the delay on record.
    LateReasonsGiven,
    /// Submitted on time.
    Met,
    /// The incident was closed with nothing submitted.
    Closed,
    /// Not owed (the decision, or a threshold the residents do not reach).
    NotOwed,
}

impl ClockState {
    /// The state in words, as `incident list` shows it when there is no time to count.
    pub fn label(self) -> &'static str {
        match self {
            ClockState::Overdue => "overdue",
            ClockState::Running => "running",
            ClockState::Pending => "not yet running",
            ClockState::NoRules => "no rules: check its law by hand",
            ClockState::Late => "late",
            ClockState::LateReasonsGiven => "late (reasons given)",
            ClockState::Met => "met",
            ClockState::Closed => "incident closed",
            ClockState::NotOwed => "not owed",
        }
    }
}

/// One regime's deadline for telling its authority, seen at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorityDeadline {
    /// The code of the jurisdiction whose rule applies (`EU` for every EU/EEA state, `GB`,
    /// `US-CA`).
    pub regime: String,
    /// Its name in the rules, e.g. `European Union / EEA (GDPR)`.
    pub regime_name: String,
    /// The jurisdictions it covers, e.g. `["AT", "FR"]`.
    pub jurisdictions: Vec<String>,
    /// Who is to be told.
    pub authority: String,
    /// The rule in words, e.g. `72 hours after awareness`.
    pub rule: String,
    /// Hours after the anchor, for rules counted in elapsed hours.
    pub hours: Option<i64>,
    /// RFC 3339 in UTC; `null` while the deadline has no instant.
    pub due_utc: Option<String>,
    /// RFC 3339 in the user's zone.
    pub due_local: Option<String>,
    pub timezone: String,
    pub state: ClockState,
    /// Seconds from now to the deadline; negative once it has passed.
    pub seconds_remaining: Option<i64>,
    /// Declared in breachdesk only after the deadline had passed.
    pub late_declaration: bool,
    /// The notification is, or will be, past the deadline: it must give the reasons.
    pub delay_reasons_required: bool,
    /// The first submission recorded to this authority.
    pub submission: Option<Submission>,
    #[serde(skip)]
    pub due: Option<DateTime<Utc>>,
}

/// What one regime's deadline is computed from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub regime: String,
    pub regime_name: String,
    pub jurisdictions: Vec<String>,
    pub authority: String,
    pub rule: String,
    pub hours: Option<i64>,
    pub due: Option<DateTime<Utc>>,
    /// Owed or possibly owed; `false` when the rules say it is not.
    pub owed: bool,
    /// The jurisdiction has rules.
    pub known: bool,
    pub submission: Option<Submission>,
}

/// The incident's facts the clock reads.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub declared_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub delay_reasons_given: bool,
}

impl AuthorityDeadline {
    /// The deadline of `i` for an incident with `facts`, seen at `now`.
    pub fn compute(i: Inputs, facts: Facts, now: DateTime<Utc>, zone: Tz) -> Self {
        let late = |at: DateTime<Utc>| i.due.is_some_and(|due| at > due);
        let state = match (&i.submission, i.due) {
            (_, _) if !i.known => ClockState::NoRules,
            (Some(s), _) if late(s.submitted_at) && facts.delay_reasons_given => ClockState::LateReasonsGiven,
            (Some(s), _) if late(s.submitted_at) => ClockState::Late,
            (Some(_), _) => ClockState::Met,
            (None, _) if !i.owed => ClockState::NotOwed,
            (None, _) if facts.closed_at.is_some() => ClockState::Closed,
            (None, None) => ClockState::Pending,
            (None, Some(due)) if due <= now => ClockState::Overdue,
            (None, Some(_)) => ClockState::Running,
        };
        let notified_or_now = i
            .submission
            .as_ref()
            .map(|s| s.submitted_at)
            .or(facts.closed_at)
            .unwrap_or(now);
        AuthorityDeadline {
            due_utc: i.due.map(clock::utc_text),
            due_local: i.due.map(|d| clock::zoned_text(d, zone)),
            timezone: zone.name().to_string(),
            seconds_remaining: i.due.map(|d| (d - now).num_seconds()),
            late_declaration: late(facts.declared_at),
            delay_reasons_required: i.owed && late(notified_or_now),
            state,
            regime: i.regime,
            regime_name: i.regime_name,
            jurisdictions: i.jurisdictions,
            authority: i.authority,
            rule: i.rule,
            hours: i.hours,
            submission: i.submission,
            due: i.due,
        }
    }

    /// `23h 15m left`, `overdue by 2d 1h 0m`, `met`, `late (reasons given)`, ...
    pub fn describe(&self) -> String {
        let span = || clock::human_span(Duration::seconds(self.seconds_remaining.unwrap_or(0)));
        match self.state {
            ClockState::Running => format!("{} left", span()),
            ClockState::Overdue => format!("overdue by {}", span()),
            other => other.label().to_string(),
        }
    }

    /// `European Union / EEA (GDPR) for AT, FR: 72 hours after awareness`; the codes are left
    /// out when the regime is the one jurisdiction.
    pub fn regime_and_rule(&self) -> String {
        if self.jurisdictions == [self.regime.clone()] {
            format!("{}: {}", self.regime_name, self.rule)
        } else {
            format!(
                "{} for {}: {}",
                self.regime_name,
                self.jurisdictions.join(", "),
                self.rule
            )
        }
    }
}

/// The deadline to show first: the most pressing (overdue, then running, earliest first),
/// else the one that needs attention, else the settled ones.
pub fn headline(deadlines: &[AuthorityDeadline]) -> Option<&AuthorityDeadline> {
    deadlines
        .iter()
        .min_by_key(|d| (d.state, d.due.unwrap_or(DateTime::<Utc>::MAX_UTC)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Phase;
    use chrono::TimeZone;

    fn gdpr(due: DateTime<Utc>, submission: Option<Submission>) -> Inputs {
        Inputs {
            regime: "EU".into(),
            regime_name: "European Union / EEA (GDPR)".into(),
            jurisdictions: vec!["DE".into()],
            authority: "LDA".into(),
            rule: "72 hours after awareness".into(),
            hours: Some(72),
            due: Some(due),
            owed: true,
            known: true,
            submission,
        }
    }

    fn facts(declared_at: DateTime<Utc>, reasons: bool) -> Facts {
        Facts {
            declared_at,
            closed_at: None,
            delay_reasons_given: reasons,
        }
    }

    fn submitted(at: DateTime<Utc>) -> Submission {
        Submission {
            phase: Phase::Initial,
            authority: "DE".into(),
            reference: "R".into(),
            submitted_at: at,
            submitted_by: "t".into(),
        }
    }

    #[test]
    fn counts_down_then_overdue_and_flags_late_declarations() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let aware = clock::parse_time("2026-03-28T10:00+01:00", berlin).unwrap();
        let due = aware + Duration::hours(72);
        let now = Utc.with_ymd_and_hms(2026, 3, 30, 9, 0, 0).unwrap();
        let d = AuthorityDeadline::compute(gdpr(due, None), facts(aware, false), now, berlin);
        assert_eq!(d.due_local.as_deref(), Some("2026-03-31T11:00:00+02:00"));
        assert_eq!(d.state, ClockState::Running);
        assert_eq!(d.describe(), "1d 0h 0m left");
        let late = due + Duration::hours(8);
        let d = AuthorityDeadline::compute(gdpr(due, None), facts(late, false), late, berlin);
        assert!(d.late_declaration && d.delay_reasons_required);
        assert_eq!(d.describe(), "overdue by 8h 0m");
    }

    #[test]
    fn a_submission_settles_the_clock() {
        let due = Utc.with_ymd_and_hms(2026, 1, 4, 0, 0, 0).unwrap();
        let later = due + Duration::days(3);
        let on_time = gdpr(due, Some(submitted(due - Duration::hours(1))));
        let d = AuthorityDeadline::compute(
            on_time,
            facts(due - Duration::days(2), false),
            later,
            chrono_tz::UTC,
        );
        assert_eq!((d.state, d.delay_reasons_required), (ClockState::Met, false));
        assert_eq!(d.describe(), "met");
        let after = gdpr(due, Some(submitted(due + Duration::hours(1))));
        let d = AuthorityDeadline::compute(after.clone(), facts(due, true), later, chrono_tz::UTC);
        assert_eq!(d.describe(), "late (reasons given)");
        assert!(d.delay_reasons_required);
        let d = AuthorityDeadline::compute(after, facts(due, false), later, chrono_tz::UTC);
        assert_eq!(d.state, ClockState::Late);
    }

    #[test]
    fn the_headline_is_the_most_pressing() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
        let f = facts(now, false);
        let met = AuthorityDeadline::compute(
            gdpr(now - Duration::days(1), Some(submitted(now - Duration::days(2)))),
            f,
            now,
            chrono_tz::UTC,
        );
        let mut pending = gdpr(now, None);
        pending.due = None;
        let pending = AuthorityDeadline::compute(pending, f, now, chrono_tz::UTC);
        let running = AuthorityDeadline::compute(gdpr(now + Duration::days(2), None), f, now, chrono_tz::UTC);
        let sooner = AuthorityDeadline::compute(gdpr(now + Duration::days(1), None), f, now, chrono_tz::UTC);
        let all = [met, pending, running, sooner];
        assert_eq!(headline(&all).unwrap().seconds_remaining, Some(86_400));
        assert_eq!(headline(&all[..2]).unwrap().state, ClockState::Pending);
        assert!(headline(&[]).is_none());
    }
}
