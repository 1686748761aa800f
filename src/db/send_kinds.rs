//! Which letters a sending run may take, as SQL conditions on a `notification` row: of the
//! kinds the run sends, of people the incident currently affects, and an update letter only
//! once the person's initial letter was sent.

use serde::Serialize;

use super::entities::notification::NotificationStatus;
use crate::letters::LetterKind;

/// Which letters a sending run takes. Whatever the kind, only letters of people the incident
/// currently affects are ever taken, and an update letter only once the person's initial
/// letter was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KindFilter {
    Initial,
    Update,
    /// Both kinds in one run (asked for explicitly): an update letter still waits for the
    /// initial letter to be sent, possibly earlier in the same run.
    All,
}

impl KindFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            KindFilter::Initial => "initial",
            KindFilter::Update => "update",
            KindFilter::All => "all",
        }
    }

    /// The condition on a `notification` row (columns qualified `notification.`) that the
    /// run may take it.
    pub fn condition(self) -> String {
        let affected = AFFECTED;
        let told = initial_sent("notification");
        let (initial, update) = (LetterKind::Initial.as_str(), LetterKind::Update.as_str());
        match self {
            KindFilter::Initial => format!("notification.kind = '{initial}' AND {affected}"),
            KindFilter::Update => format!("notification.kind = '{update}' AND {told} AND {affected}"),
            KindFilter::All => format!("(notification.kind = '{initial}' OR {told}) AND {affected}"),
        }
    }
}

/// Whether the person of the letter (a `notification` row) is currently affected.
pub const AFFECTED: &str = "EXISTS (SELECT 1 FROM affected_subject a WHERE a.incident_id = notification.incident_id \
                            AND a.subject_id = notification.subject_id)";

/// Whether the person of the letter in `table` was sent their initial letter (on any channel).
pub fn initial_sent(table: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM notification i WHERE i.incident_id = {table}.incident_id \
         AND i.subject_id = {table}.subject_id AND i.kind = '{}' AND i.status = '{}')",
        LetterKind::Initial.as_str(),
        NotificationStatus::Sent.as_str()
    )
}
