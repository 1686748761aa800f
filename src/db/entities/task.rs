//! One item of an incident's checklist, instantiated from a playbook when it is declared.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    /// Order in the playbook.
    pub position: i32,
    pub playbook: String,
    /// Unique per incident, e.g. `isolate-hosts`.
    pub key: String,
    pub title: String,
    pub owner_role: String,
    pub guidance: String,
    /// The playbook's due time relative to awareness, as written (`4h`, `P3D`).
    pub due_after: String,
    pub due_at: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<String>,
    /// The recorded event that completes the task, from the playbook.
    pub completed_by: Option<CompletingEvent>,
    /// The audit entry that closed it, when that event did.
    pub evidence_seq: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}

/// A recorded event that completes a task by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "kebab-case")]
pub enum CompletingEvent {
    /// A severity assessment is recorded (`incident assess`).
    #[sea_orm(string_value = "assessment-recorded")]
    AssessmentRecorded,
    /// A notification decision is recorded, with or without an assessment.
    #[sea_orm(string_value = "decision-taken")]
    DecisionTaken,
    /// A submission to an authority is recorded (`report submitted`).
    #[sea_orm(string_value = "submission-recorded")]
    SubmissionRecorded,
    /// Every letter of the incident is sent (email or post).
    #[sea_orm(string_value = "letters-sent")]
    LettersSent,
}

impl CompletingEvent {
    pub const ALL: [CompletingEvent; 4] = [
        CompletingEvent::AssessmentRecorded,
        CompletingEvent::DecisionTaken,
        CompletingEvent::SubmissionRecorded,
        CompletingEvent::LettersSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompletingEvent::AssessmentRecorded => "assessment-recorded",
            CompletingEvent::DecisionTaken => "decision-taken",
            CompletingEvent::SubmissionRecorded => "submission-recorded",
            CompletingEvent::LettersSent => "letters-sent",
        }
    }

    /// The audit actions that are this event.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            CompletingEvent::AssessmentRecorded => &["assessment.record"],
            CompletingEvent::DecisionTaken => &["assessment.record", "assessment.decide"],
            CompletingEvent::SubmissionRecorded => &["report.submitted"],
            CompletingEvent::LettersSent => &["send.finished", "letters.posted"],
        }
    }
}
