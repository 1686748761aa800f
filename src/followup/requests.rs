//! Rights requests made during the follow-up, and when their answer is due.
//!
//! GDPR Art. 12(3): the controller answers "without undue delay and in any event within one
//! month of receipt of the request". A month is counted as Regulation (EEC, Euratom) No
//! 1182/71 Art. 3(2)(c) counts it (and the EDPB's guidelines 01/2022 on the right of access
//! apply it): the period ends at the end of the day in the next month with the same date as
//! the day of receipt; when that month has no such date, at the end of its last day. So a
//! request received on 15 March is due by the end of 15 April, one received on 31 January by
//! the end of 28 (or 29) February. Days are days in the organisation's time zone.
//!
//! Art. 3(4) of that Regulation moves a period ending on a Saturday, Sunday or public holiday
//! to the next working day. breachdesk does not know the holidays and keeps the earlier,
//! safe date. The two-month extension of Art. 12(3) is not applied: record it with a note.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::case_request::{self, Right};
use crate::db::entities::followup_case;
use crate::error::{DbContext, Error, Result};
use crate::incident::Incident;

/// The last day of the month after the day of receipt with the same date, or that month's last
/// day.
pub fn due_day(received: NaiveDate) -> NaiveDate {
    let (year, month) = if received.month() == 12 {
        (received.year() + 1, 1)
    } else {
        (received.year(), received.month() + 1)
    };
    (0..4)
        .find_map(|back| NaiveDate::from_ymd_opt(year, month, received.day() - back))
        .expect("every month has a 28th")
}

/// When the answer to a request received at `received` is due: the end of [`due_day`] in
/// `zone` (the last instant of that day).
pub fn due_at(received: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let day = due_day(received.with_timezone(&zone).date_naive());
    let next = day + Duration::days(1);
    let midnight = next.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Midnight can fall in a DST gap in a few zones: take the first instant of the day then.
    let start = match zone.from_local_datetime(&midnight) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => zone
            .from_local_datetime(&(midnight + Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&midnight)),
    };
    start - Duration::seconds(1)
}

/// A request as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: i64,
    pub right: Right,
    #[serde(serialize_with = "crate::clock::json_utc")]
    pub received_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::json_utc")]
    pub due_at: DateTime<Utc>,
    pub text: Option<String>,
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    /// Not answered and past its due date.
    pub overdue: bool,
}

impl RequestView {
    pub fn new(r: case_request::Model, now: DateTime<Utc>) -> RequestView {
        RequestView {
            overdue: r.done_at.is_none() && r.due_at < now,
            id: r.id,
            right: r.right,
            received_at: r.received_at,
            due_at: r.due_at,
            text: r.text,
            done_at: r.done_at,
            done_by: r.done_by,
        }
    }
}

/// Marks request `id` of the incident as answered.
pub async fn done(db: &Db, settings: &Settings, inc: &Incident, id: i64) -> Result<RequestView> {
    let now = settings.now();
    let missing = || {
        Error::bad_input(format!(
            "{} has no request {id}: `breachdesk followup show {} SUBJECT` lists a person's requests",
            inc.reference, inc.reference
        ))
    };
    let request = case_request::Entity::find_by_id(id)
        .one(&db.conn)
        .await
        .context("reading the request")?
        .ok_or_else(missing)?;
    let case = followup_case::Entity::find_by_id(request.case_id)
        .filter(followup_case::Column::IncidentId.eq(inc.id))
        .one(&db.conn)
        .await
        .context("reading the request")?
        .ok_or_else(missing)?;
    if request.done_at.is_some() {
        return Err(Error::bad_input(format!("request {id} is already answered")));
    }
    let rec = audit::begin(db, &settings.actor, now).await?;
    let saved = case_request::ActiveModel {
        id: Set(id),
        done_at: Set(Some(now)),
        done_by: Set(Some(settings.actor.clone())),
        ..Default::default()
    }
    .update(rec.txn())
    .await
    .context("updating the request")?;
    rec.record(
        "followup.request.done",
        &format!("case:{}", case.id),
        Some(&inc.reference),
        json!({ "request": id, "right": saved.right, "due_at": crate::clock::utc_text(saved.due_at), "late": saved.due_at < now }),
    )
    .await?;
    rec.commit().await?;
    Ok(RequestView::new(saved, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn one_month_ends_on_the_same_date_or_the_month_s_last_day() {
        assert_eq!(due_day(d(2026, 3, 15)), d(2026, 4, 15));
        assert_eq!(due_day(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(due_day(d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(due_day(d(2026, 3, 31)), d(2026, 4, 30));
        assert_eq!(due_day(d(2026, 12, 31)), d(2027, 1, 31));
        assert_eq!(due_day(d(2026, 2, 28)), d(2026, 3, 28));
    }

    #[test]
    fn due_at_is_the_end_of_the_day_in_the_zone() {
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        // 31 Jan 23:30 in Berlin is still 31 January there (22:30 UTC).
        let received = "2026-01-31T22:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            crate::clock::utc_text(due_at(received, zone)),
            "2026-02-28T22:59:59Z"
        );
        // 1 April 00:30 in Berlin is 31 March 22:30 UTC: due 1 May, end of day CEST.
        let received = "2026-03-31T22:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            crate::clock::utc_text(due_at(received, zone)),
            "2026-05-01T21:59:59Z"
        );
    }
}
