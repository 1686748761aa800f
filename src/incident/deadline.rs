//! The authority clock: GDPR Art. 33(1) asks for notification without undue delay and, where
//! feasible, within 72 hours of becoming aware. Counted in elapsed hours, so a DST change in
//! between moves the wall-clock time, not the instant.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::clock;

/// Hours from awareness to the authority deadline under GDPR Art. 33(1).
pub const GDPR_AUTHORITY_HOURS: i64 = 72;

/// Where an incident stands against its authority deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockState {
    /// Before the deadline.
    Running,
    /// Past the deadline: a notification made now must give reasons for the delay.
    Overdue,
    /// The incident is closed.
    Closed,
}

/// The authority deadline of one incident, seen at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorityDeadline {
    pub hours: i64,
    /// RFC 3339 in UTC.
    pub due_utc: String,
    /// RFC 3339 in the user's zone.
    pub due_local: String,
    pub timezone: String,
    pub state: ClockState,
    /// Seconds from now to the deadline; negative once it has passed.
    pub seconds_remaining: i64,
    /// Declared in breachdesk only after the deadline had passed.
    pub late_declaration: bool,
    /// Reasons for the delay must accompany the notification (Art. 33(1)).
    pub delay_reasons_required: bool,
    #[serde(skip)]
    pub due: DateTime<Utc>,
}

impl AuthorityDeadline {
    /// The deadline of an incident aware at `aware_at`, declared at `declared_at` and closed at
    /// `closed_at` (if it is), seen at `now`.
    pub fn compute(
        aware_at: DateTime<Utc>,
        declared_at: DateTime<Utc>,
        closed_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        zone: Tz,
    ) -> Self {
        let due = aware_at + Duration::hours(GDPR_AUTHORITY_HOURS);
        let remaining = due - now;
        let late_declaration = declared_at > due;
        let state = if closed_at.is_some() {
            ClockState::Closed
        } else if remaining <= Duration::zero() {
            ClockState::Overdue
        } else {
            ClockState::Running
        };
        AuthorityDeadline {
            hours: GDPR_AUTHORITY_HOURS,
            due_utc: clock::utc_text(due),
            due_local: clock::zoned_text(due, zone),
            timezone: zone.name().to_string(),
            state,
            seconds_remaining: remaining.num_seconds(),
            late_declaration,
            // Late if the deadline passed while the incident was open.
            delay_reasons_required: late_declaration || due < closed_at.unwrap_or(now),
            due,
        }
    }

    /// `23h 15m left`, `overdue by 2d 1h 0m`, or the state for closed incidents.
    pub fn describe(&self) -> String {
        let span = clock::human_span(Duration::seconds(self.seconds_remaining));
        match self.state {
            ClockState::Running => format!("{span} left"),
            ClockState::Overdue => format!("overdue by {span}"),
            ClockState::Closed => "incident closed".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn counts_elapsed_hours_across_dst() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let aware = clock::parse_time("2026-03-28T10:00+01:00", berlin).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 30, 9, 0, 0).unwrap();
        let d = AuthorityDeadline::compute(aware, aware, None, now, berlin);
        assert_eq!(d.due_utc, "2026-03-31T09:00:00Z");
        assert_eq!(d.due_local, "2026-03-31T11:00:00+02:00");
        assert_eq!(d.state, ClockState::Running);
        assert_eq!(d.seconds_remaining, 24 * 3600);
        assert_eq!(d.describe(), "1d 0h 0m left");
    }

    #[test]
    fn late_declarations_are_flagged() {
        let aware = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let declared = aware + Duration::hours(80);
        let d = AuthorityDeadline::compute(aware, declared, None, declared, chrono_tz::UTC);
        assert!(d.late_declaration && d.delay_reasons_required);
        assert_eq!(d.state, ClockState::Overdue);
        assert_eq!(d.describe(), "overdue by 8h 0m");
    }
}
