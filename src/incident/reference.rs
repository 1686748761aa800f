//! Incident references: `BD-YYYY-NNNN`, numbered per year.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A parsed incident reference such as `BD-2026-0003`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IncidentRef {
    pub year: i32,
    pub seq: i32,
}

impl fmt::Display for IncidentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BD-{:04}-{:04}", self.year, self.seq)
    }
}

impl FromStr for IncidentRef {
    type Err = Error;

    /// Reads `BD-2026-0003` (any case; the number may be written without its leading zeros).
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || {
            Error::bad_input(format!(
                "'{s}' is not an incident reference: they look like BD-2026-0001 (see `breachdesk incident list`)"
            ))
        };
        let upper = s.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("BD-").ok_or_else(bad)?;
        let (year, seq) = rest.split_once('-').ok_or_else(bad)?;
        let digits = |t: &str| !t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || !digits(seq) {
            return Err(bad());
        }
        let (year, seq) = (year.parse().map_err(|_| bad())?, seq.parse().map_err(|_| bad())?);
        if seq == 0 {
            return Err(bad());
        }
        Ok(IncidentRef { year, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_lookalikes() {
        let r: IncidentRef = "bd-2026-7".parse().unwrap();
        assert_eq!(r.to_string(), "BD-2026-0007");
        assert_eq!(
            "BD-2026-12345".parse::<IncidentRef>().unwrap().to_string(),
            "BD-2026-12345"
        );
        for bad in [
            "",
            "BD-2026",
            "XX-2026-0001",
            "BD-26-0001",
            "BD-2026-0000",
            "BD-2026-00a1",
            "BD-2026--1",
        ] {
            assert!(bad.parse::<IncidentRef>().is_err(), "{bad}");
        }
    }
}
