//! Due times relative to awareness, as playbooks write them: `4h`, `3d`, `30m`, `1d12h`, or
//! ISO 8601 durations (`PT4H`, `P3D`, `P1DT12H`). A day here is 24 elapsed hours.

use chrono::Duration;

/// Parses a due time; `None` when it is not one of the accepted forms.
pub fn parse(text: &str) -> Option<Duration> {
    let t = text.trim().to_ascii_uppercase();
    if t.is_empty() {
        return None;
    }
    if let Some(iso) = t.strip_prefix('P') {
        return parse_iso(iso);
    }
    parse_units(&t, &[('D', 1440), ('H', 60), ('M', 1)])
}

/// `3D`, `T4H`, `1DT12H30M` (after the `P`). Weeks, months and years are refused: they are not
/// fixed spans.
fn parse_iso(rest: &str) -> Option<Duration> {
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, t)
        }
        None => (rest, ""),
    };
    if date.is_empty() && time.is_empty() {
        return None;
    }
    let days = if date.is_empty() {
        Duration::zero()
    } else {
        parse_units(date, &[('D', 1440)])?
    };
    let time = if time.is_empty() {
        Duration::zero()
    } else {
        parse_units(time, &[('H', 60), ('M', 1)])?
    };
    Some(days + time)
}

/// Numbers each followed by a unit, units in the given order, each at most once.
fn parse_units(text: &str, units: &[(char, i64)]) -> Option<Duration> {
    let mut minutes = 0_i64;
    let mut number = String::new();
    let mut next_unit = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let pos = units[next_unit..].iter().position(|(u, _)| *u == c)? + next_unit;
        if number.is_empty() || number.len() > 6 {
            return None;
        }
        minutes += number.parse::<i64>().ok()? * units[pos].1;
        number.clear();
        next_unit = pos + 1;
    }
    if !number.is_empty() || next_unit == 0 {
        return None;
    }
    Some(Duration::minutes(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_iso_forms() {
        assert_eq!(parse("4h"), Some(Duration::hours(4)));
        assert_eq!(parse("PT4H"), Some(Duration::hours(4)));
        assert_eq!(parse("3d"), Some(Duration::days(3)));
        assert_eq!(parse("P3D"), Some(Duration::days(3)));
        assert_eq!(parse("1d12h"), Some(Duration::hours(36)));
        assert_eq!(parse("P1DT12H30M"), Some(Duration::minutes(36 * 60 + 30)));
        assert_eq!(parse("30m"), Some(Duration::minutes(30)));
        assert_eq!(parse("0h"), Some(Duration::zero()));
        assert_eq!(parse("72h"), Some(Duration::hours(72)));
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            "", "4", "h", "4x", "P", "PT", "P1W", "P1M", "12h1d", "4h4h", "-4h", "P4H", "soon",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
