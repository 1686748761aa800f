//! The follow-up in numbers, for the report: how many people were reached, answered, were
//! helped, could not be reached, and how long their first letter took after awareness.
//!
//! Counted over the cases of people in scope (the same people `affected stats` counts).
//! - reached: a letter to them was sent and is still counted as sent (not bounced), or they
//!   responded;
//! - responded: the case was ever `responded` (a reply, a call, a meeting, or set by hand);
//! - assisted: help was logged, or the case was ever `assisting`;
//! - unreachable, closed: the cases in that status now.
//!
//! Times to the first letter: per person, from the incident's awareness to the earliest
//! `sent_at` of their letters in status `sent`. The median is the mean of the two middle
//! values for an even count; the 95th percentile is the nearest-rank value (rank ⌈0.95·n⌉).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Db;
use crate::db::entities::followup_case::CaseStatus;
use crate::db::followup_queries as sql;
use crate::error::Result;
use crate::incident::Incident;

/// A count and its share of the cases.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Share {
    pub count: i64,
    /// Percent of the cases in scope, one decimal.
    pub percent: f64,
}

fn share(count: i64, of: i64) -> Share {
    let percent = if of == 0 {
        0.0
    } else {
        (count as f64 * 1000.0 / of as f64).round() / 10.0
    };
    Share { count, percent }
}

/// What `followup stats` shows.
#[derive(Debug, Serialize)]
pub struct FollowupStats {
    pub incident: String,
    /// Cases of people in scope.
    pub cases: i64,
    pub reached: Share,
    pub responded: Share,
    pub assisted: Share,
    pub unreachable: Share,
    pub closed: Share,
    pub by_status: Vec<StatusCount>,
    pub first_letter: FirstLetter,
}

#[derive(Debug, Serialize)]
pub struct StatusCount {
    pub status: CaseStatus,
    pub cases: i64,
}

/// Time from awareness to each person's first letter.
#[derive(Debug, Serialize)]
pub struct FirstLetter {
    /// People with a sent letter.
    pub people: i64,
    /// Median, in seconds; `null` without letters.
    pub median_seconds: Option<i64>,
    /// 95th percentile (nearest rank), in seconds.
    pub p95_seconds: Option<i64>,
}

/// The follow-up numbers of `inc`.
pub async fn stats(db: &Db, inc: &Incident) -> Result<FollowupStats> {
    let raw = sql::stats(&db.conn, inc.id).await?;
    let n = raw.with_letter;
    let since = |t: Option<DateTime<Utc>>| t.map(|t| (t - inc.aware_at).num_seconds());
    let at = |rank: i64| sql::first_letter_at_rank(&db.conn, inc.id, rank);
    let (median_seconds, p95_seconds) = if n == 0 {
        (None, None)
    } else {
        // Ranks (1-based) of the two middle values: equal for an odd count.
        let (lo, hi) = ((n + 1) / 2, n / 2 + 1);
        let a = since(at(lo - 1).await?);
        let b = if hi == lo { a } else { since(at(hi - 1).await?) };
        let median = a.zip(b).map(|(a, b)| (a + b).div_euclid(2));
        let p95_rank = (n * 95).div_euclid(100) + i64::from((n * 95) % 100 != 0);
        (median, since(at(p95_rank.max(1) - 1).await?))
    };
    let c = raw.cases;
    Ok(FollowupStats {
        incident: inc.reference.clone(),
        cases: c,
        reached: share(raw.reached, c),
        responded: share(raw.responded, c),
        assisted: share(raw.assisted, c),
        unreachable: share(raw.unreachable, c),
        closed: share(raw.closed, c),
        by_status: raw
            .by_status
            .into_iter()
            .map(|(status, cases)| StatusCount { status, cases })
            .collect(),
        first_letter: FirstLetter {
            people: n,
            median_seconds,
            p95_seconds,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_to_one_decimal_and_survive_zero() {
        assert_eq!(share(1, 3).percent, 33.3);
        assert_eq!(share(2, 3).percent, 66.7);
        assert_eq!(share(0, 0).percent, 0.0);
    }
}
