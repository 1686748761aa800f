//! Time as the law counts it: instants stored in UTC, read and shown in the user's zone, and
//! deadlines counted in elapsed hours (72 hours after awareness is 72 hours, across DST too).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// Parses a time zone name from the IANA database (`Europe/Berlin`, `UTC`).
pub fn parse_zone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::bad_input(format!(
            "unknown time zone '{name}': use an IANA name such as Europe/Berlin, America/New_York or UTC"
        ))
    })
}

/// Parses TIME as given on the command line: RFC 3339 with an offset (`2026-03-28T10:00:00+01:00`,
/// seconds optional, `Z` for UTC), or a local time without offset (`2026-03-28 10:00`,
/// `2026-03-28T10:00`, `2026-03-28`) read in `zone`.
pub fn parse_time(text: &str, zone: Tz) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    let normalised = t.replacen(' ', "T", 1);
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(dt) = DateTime::parse_from_str(&normalised, format) {
            return Ok(dt.with_timezone(&Utc));
        }
    }
    if let Some(utc) = normalised
        .strip_suffix('Z')
        .or_else(|| normalised.strip_suffix('z'))
        && let Some(naive) = parse_naive(utc)
    {
        return Ok(Utc.from_utc_datetime(&naive));
    }
    let naive = parse_naive(&normalised).ok_or_else(|| {
        Error::bad_input(format!(
            "cannot read the time '{t}': use RFC 3339 such as 2026-03-28T10:00:00+01:00, \
             or a local time such as '2026-03-28 10:00' (read in {zone})"
        ))
    })?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Ok(dt.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Err(Error::bad_input(format!(
            "the local time '{t}' happens twice in {zone} (clocks go back): give the offset, \
             {} or {}",
            a.format("%Y-%m-%dT%H:%M%:z"),
            b.format("%Y-%m-%dT%H:%M%:z")
        ))),
        LocalResult::None => Err(Error::bad_input(format!(
            "the local time '{t}' does not exist in {zone} (clocks go forward): give a time with its offset"
        ))),
    }
}

fn parse_naive(t: &str) -> Option<NaiveDateTime> {
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            return Some(naive);
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// An instant as RFC 3339 in UTC, to the second (`2026-03-31T09:00:00Z`): the JSON form.
pub fn utc_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An instant as RFC 3339 in `zone` (`2026-03-31T11:00:00+02:00`).
pub fn zoned_text(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// An instant for people: `2026-03-31 11:00 CEST`.
pub fn human(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// An instant for people, with UTC beside it when the zone is another:
/// `2026-03-31 11:00 CEST (09:00 UTC)`.
pub fn human_with_utc(t: DateTime<Utc>, zone: Tz) -> String {
    let local = human(t, zone);
    if t.with_timezone(&zone).offset().fix().local_minus_utc() == 0 && zone.name().ends_with("UTC") {
        return local;
    }
    let utc = if t.with_timezone(&zone).date_naive() == t.date_naive() {
        t.format("%H:%M UTC").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    };
    format!("{local} ({utc})")
}

/// A span for people: `2d 3h 5m`, `3h 0m`, `45m`.
pub fn human_span(span: Duration) -> String {
    let minutes = span.num_minutes().abs();
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days}d {hours}h {mins}m")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    }
}

/// Serialises an instant as [`utc_text`]: `#[serde(serialize_with = "clock::json_utc")]`.
pub fn json_utc<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&utc_text(*t))
}

/// Serialises an optional instant as [`utc_text`] or `null`.
pub fn json_utc_opt<S: serde::Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&utc_text(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Tz {
        "Europe/Berlin".parse().unwrap()
    }

    #[test]
    fn reads_offsets_and_local_times() {
        let want = Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap();
        for text in [
            "2026-03-28T10:00+01:00",
            "2026-03-28T10:00:00+01:00",
            "2026-03-28 10:00+01:00",
            "2026-03-28T09:00Z",
            "2026-03-28T09:00:00Z",
            "2026-03-28 10:00",
            "2026-03-28T10:00:00",
        ] {
            assert_eq!(parse_time(text, berlin()).unwrap(), want, "{text}");
        }
        assert_eq!(
            parse_time("2026-03-28", chrono_tz::UTC).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 28, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn refuses_nonsense_and_dst_gaps_and_overlaps() {
        assert!(parse_time("yesterday", berlin()).is_err());
        assert!(parse_time("2026-02-30T10:00Z", berlin()).is_err());
        let gap = parse_time("2026-03-29 02:30", berlin()).unwrap_err().to_string();
        assert!(gap.contains("does not exist"), "{gap}");
        let overlap = parse_time("2026-10-25 02:30", berlin()).unwrap_err().to_string();
        assert!(
            overlap.contains("+02:00") && overlap.contains("+01:00"),
            "{overlap}"
        );
    }

    #[test]
    fn spans_read_like_people_write_them() {
        assert_eq!(human_span(Duration::minutes(45)), "45m");
        assert_eq!(human_span(Duration::minutes(185)), "3h 5m");
        assert_eq!(human_span(Duration::minutes(-(2 * 1440 + 61))), "2d 1h 1m");
    }
}
