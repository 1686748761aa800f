//! Deadlines from an anchor instant, one function per kind of rule: elapsed hours (exact,
//! across DST), calendar days and business days (date arithmetic in the jurisdiction's zone,
//! due at the end of the last day), "without undue delay" with an optional outer limit, and
//! days after the end of the calendar year.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use super::rules::{Calendar, DeadlineRule};
use crate::clock;

/// When something is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The last instant allowed; `None` for "without undue delay" without an outer limit.
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub at: Option<DateTime<Utc>>,
    /// Also due as soon as possible, within `at`.
    pub without_undue_delay: bool,
    /// A caveat, e.g. a holiday calendar that does not cover the dates counted.
    pub note: Option<String>,
}

/// Computes the deadline of `rule` from `anchor`, in the jurisdiction's `zone`.
pub fn compute(
    rule: &DeadlineRule,
    anchor: DateTime<Utc>,
    zone: Tz,
    calendars: &BTreeMap<String, Calendar>,
) -> Due {
    let fixed = |at: DateTime<Utc>, note: Option<String>| Due {
        at: Some(at),
        without_undue_delay: false,
        note,
    };
    match rule {
        DeadlineRule::ElapsedHours { hours } => fixed(anchor + Duration::hours(i64::from(*hours)), None),
        DeadlineRule::CalendarDays { days } => {
            let day = local_date(anchor, zone) + Duration::days(i64::from(*days));
            fixed(end_of_day(day, zone), None)
        }
        DeadlineRule::BusinessDays { days, calendar } => {
            let cal = calendars.get(calendar);
            let (day, note) = add_business_days(local_date(anchor, zone), *days, cal, calendar);
            fixed(end_of_day(day, zone), note)
        }
        DeadlineRule::WithoutUndueDelay { outer } => {
            let inner = outer.as_deref().map(|o| compute(o, anchor, zone, calendars));
            Due {
                at: inner.as_ref().and_then(|d| d.at),
                without_undue_delay: true,
                note: inner.and_then(|d| d.note),
            }
        }
        DeadlineRule::DaysAfterYearEnd { days } => {
            let year_end =
                NaiveDate::from_ymd_opt(local_date(anchor, zone).year(), 12, 31).expect("31 December exists");
            fixed(
                end_of_day(year_end + Duration::days(i64::from(*days)), zone),
                None,
            )
        }
    }
}

/// The rule in words: `72 hours`, `30 calendar days`, `3 business days (BR holidays)`.
pub fn describe(rule: &DeadlineRule) -> String {
    match rule {
        DeadlineRule::ElapsedHours { hours } => format!("{hours} hours"),
        DeadlineRule::CalendarDays { days } => format!("{days} calendar days"),
        DeadlineRule::BusinessDays { days, calendar } => {
            format!("{days} business days ({calendar} holidays)")
        }
        DeadlineRule::WithoutUndueDelay { outer: None } => "without undue delay".to_string(),
        DeadlineRule::WithoutUndueDelay { outer: Some(o) } => {
            format!("without undue delay, at most {}", describe(o))
        }
        DeadlineRule::DaysAfterYearEnd { days } => format!("{days} days after the end of the calendar year"),
    }
}

fn local_date(t: DateTime<Utc>, zone: Tz) -> NaiveDate {
    t.with_timezone(&zone).date_naive()
}

/// The last second of `day` in `zone`: one second before the next day starts (which may not
/// be at midnight where DST begins at midnight).
pub fn end_of_day(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let next = day + Duration::days(1);
    let mut start = next.and_hms_opt(0, 0, 0).expect("midnight exists");
    let begins = loop {
        match zone.from_local_datetime(&start) {
            LocalResult::Single(t) => break t,
            LocalResult::Ambiguous(early, _) => break early,
            LocalResult::None => start += Duration::minutes(15),
        }
    };
    begins.with_timezone(&Utc) - Duration::seconds(1)
}

/// The `n`-th business day after `from` (which itself is not counted).
fn add_business_days(
    from: NaiveDate,
    n: u32,
    cal: Option<&Calendar>,
    name: &str,
) -> (NaiveDate, Option<String>) {
    let mut day = from;
    let mut counted = 0;
    let mut outside = None;
    while counted < n {
        day += Duration::days(1);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        match cal {
            Some(c) => {
                if day.year() < c.covers[0] || day.year() > c.covers[1] {
                    outside = Some(day.year());
                }
                if c.holidays.contains(&day) {
                    continue;
                }
            }
            None => outside = Some(day.year()),
        }
        counted += 1;
    }
    let note = outside.map(|y| {
        format!("the holiday calendar {name} does not cover {y}: holidays were not skipped, check the date")
    });
    (day, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        clock::parse_time(s, chrono_tz::UTC).unwrap()
    }

    fn br() -> BTreeMap<String, Calendar> {
        let text = include_str!("../../playbooks/jurisdictions.toml");
        crate::jurisdiction::rules::parse(text, "jurisdictions.toml")
            .unwrap()
            .calendars
    }

    #[test]
    fn elapsed_hours_cross_dst_as_exact_hours() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let due = compute(
            &DeadlineRule::ElapsedHours { hours: 72 },
            t("2026-03-28T10:00:00+01:00"),
            berlin,
            &BTreeMap::new(),
        );
        let at = due.at.unwrap();
        assert_eq!(clock::utc_text(at), "2026-03-31T09:00:00Z");
        assert_eq!(clock::zoned_text(at, berlin), "2026-03-31T11:00:00+02:00");
        // And back in autumn: 72 h from 24 Oct 12:00 CEST is 27 Oct 11:00 CET.
        let autumn = compute(
            &DeadlineRule::ElapsedHours { hours: 72 },
            t("2026-10-24T12:00:00+02:00"),
            berlin,
            &BTreeMap::new(),
        );
        assert_eq!(
            clock::zoned_text(autumn.at.unwrap(), berlin),
            "2026-10-27T11:00:00+01:00"
        );
    }

    #[test]
    fn calendar_days_end_at_the_end_of_the_local_day() {
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        // Discovered 2026-11-20 23:30 Los Angeles time (07:30Z on the 21st): day 0 is the 20th.
        let due = compute(
            &DeadlineRule::CalendarDays { days: 30 },
            t("2026-11-21T07:30:00Z"),
            la,
            &BTreeMap::new(),
        );
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), la),
            "2026-12-20T23:59:59-08:00"
        );
        // Across the spring DST change in the zone.
        let due = compute(
            &DeadlineRule::CalendarDays { days: 3 },
            t("2026-03-06T18:00:00Z"),
            la,
            &BTreeMap::new(),
        );
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), la),
            "2026-03-09T23:59:59-07:00"
        );
    }

    #[test]
    fn business_days_skip_weekends_and_brazilian_holidays() {
        let sp: Tz = "America/Sao_Paulo".parse().unwrap();
        let rule = DeadlineRule::BusinessDays {
            days: 3,
            calendar: "BR".into(),
        };
        // Wednesday 1 April 2026: Thu 2 (1), Good Friday 3 skipped, weekend skipped, Mon 6 (2), Tue 7 (3).
        let due = compute(&rule, t("2026-04-01T15:00:00-03:00"), sp, &br());
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), sp),
            "2026-04-07T23:59:59-03:00"
        );
        assert_eq!(due.note, None);
        // Thursday 19 Nov 2026: Fri 20 Nov (Consciência Negra) skipped, Mon 23, Tue 24, Wed 25.
        let due = compute(&rule, t("2026-11-19T10:00:00-03:00"), sp, &br());
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), sp),
            "2026-11-25T23:59:59-03:00"
        );
        // A plain week: Monday 9 Nov -> Thursday 12 Nov.
        let due = compute(&rule, t("2026-11-09T10:00:00-03:00"), sp, &br());
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), sp),
            "2026-11-12T23:59:59-03:00"
        );
        // Friday evening: the weekend does not count.
        let due = compute(&rule, t("2026-11-06T22:00:00-03:00"), sp, &br());
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), sp),
            "2026-11-11T23:59:59-03:00"
        );
    }

    #[test]
    fn business_days_outside_the_calendar_say_so() {
        let sp: Tz = "America/Sao_Paulo".parse().unwrap();
        let rule = DeadlineRule::BusinessDays {
            days: 3,
            calendar: "BR".into(),
        };
        let due = compute(&rule, t("2030-06-03T12:00:00Z"), sp, &br());
        assert!(due.note.unwrap().contains("does not cover 2030"));
    }

    #[test]
    fn undue_delay_takes_its_outer_limit_and_year_end_rules_count_from_31_december() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let plain = compute(
            &DeadlineRule::WithoutUndueDelay { outer: None },
            t("2026-05-01T12:00:00Z"),
            ny,
            &BTreeMap::new(),
        );
        assert_eq!(plain.at, None);
        assert!(plain.without_undue_delay);
        let outer = DeadlineRule::WithoutUndueDelay {
            outer: Some(Box::new(DeadlineRule::CalendarDays { days: 60 })),
        };
        let due = compute(&outer, t("2026-05-01T12:00:00Z"), ny, &BTreeMap::new());
        assert_eq!(
            clock::zoned_text(due.at.unwrap(), ny),
            "2026-06-30T23:59:59-04:00"
        );
        let year_end = compute(
            &DeadlineRule::DaysAfterYearEnd { days: 60 },
            t("2026-05-01T12:00:00Z"),
            ny,
            &BTreeMap::new(),
        );
        assert_eq!(
            clock::zoned_text(year_end.at.unwrap(), ny),
            "2027-03-01T23:59:59-05:00"
        );
        let leap = compute(
            &DeadlineRule::DaysAfterYearEnd { days: 60 },
            t("2027-05-01T12:00:00Z"),
            ny,
            &BTreeMap::new(),
        );
        assert_eq!(
            clock::zoned_text(leap.at.unwrap(), ny),
            "2028-02-29T23:59:59-05:00"
        );
    }
}
