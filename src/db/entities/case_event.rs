//! One thing that happened in a person's case: a note, a call, mail in or out, a meeting, a
//! delivery result, help given, a request, a status change; with who and when.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::followup_case::CaseStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub at: DateTimeUtc,
    pub actor: String,
    pub kind: EventKind,
    /// For status changes (and events that caused one): before and after.
    pub from_status: Option<CaseStatus>,
    pub to_status: Option<CaseStatus>,
    pub assist: Option<Assist>,
    /// What was said or done; personal data, erased with the person.
    pub text: Option<String>,
    /// SHA-256 of an ingested reply's Message-ID: the same reply is recorded once.
    pub reply_key: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    #[sea_orm(string_value = "note")]
    Note,
    #[sea_orm(string_value = "call")]
    Call,
    #[sea_orm(string_value = "email-in")]
    EmailIn,
    #[sea_orm(string_value = "email-out")]
    EmailOut,
    #[sea_orm(string_value = "meeting")]
    Meeting,
    /// An automatic reply (out of office): the address works, but nobody answered.
    #[sea_orm(string_value = "auto-reply")]
    AutoReply,
    /// A delivery result from the outbox (letter sent, or every letter bounced).
    #[sea_orm(string_value = "delivery")]
    Delivery,
    /// A status set by hand.
    #[sea_orm(string_value = "status")]
    Status,
    /// The person left or re-entered the incident's scope on a re-resolution.
    #[sea_orm(string_value = "scope")]
    Scope,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Note => "note",
            EventKind::Call => "call",
            EventKind::EmailIn => "email-in",
            EventKind::EmailOut => "email-out",
            EventKind::Meeting => "meeting",
            EventKind::AutoReply => "auto-reply",
            EventKind::Delivery => "delivery",
            EventKind::Status => "status",
            EventKind::Scope => "scope",
        }
    }

    /// Contact initiated or answered by the person: it moves the case to `responded`.
    pub fn is_response(self) -> bool {
        matches!(self, EventKind::Call | EventKind::EmailIn | EventKind::Meeting)
    }
}

/// Help given to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "kebab-case")]
pub enum Assist {
    #[sea_orm(string_value = "password-reset")]
    PasswordReset,
    #[sea_orm(string_value = "card-replaced")]
    CardReplaced,
    #[sea_orm(string_value = "credit-monitoring")]
    CreditMonitoring,
    #[sea_orm(string_value = "account-locked")]
    AccountLocked,
    #[sea_orm(string_value = "other")]
    Other,
}

impl Assist {
    pub fn as_str(self) -> &'static str {
        match self {
            Assist::PasswordReset => "password-reset",
            Assist::CardReplaced => "card-replaced",
            Assist::CreditMonitoring => "credit-monitoring",
            Assist::AccountLocked => "account-locked",
            Assist::Other => "other",
        }
    }
}
