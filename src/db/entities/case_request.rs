//! A data-subject right a person exercises during the follow-up (GDPR Arts. 15-22, or a
//! complaint), with the date the answer is due under Art. 12(3).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    /// The event the request was logged with.
    pub event_id: Option<i64>,
    pub right: Right,
    pub received_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    /// Personal data, erased with the person.
    pub text: Option<String>,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

/// The right exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum Right {
    /// Art. 15.
    #[sea_orm(string_value = "access")]
    Access,
    /// Art. 16.
    #[sea_orm(string_value = "rectification")]
    Rectification,
    /// Art. 17.
    #[sea_orm(string_value = "erasure")]
    Erasure,
    /// Art. 18.
    #[sea_orm(string_value = "restriction")]
    Restriction,
    /// Art. 20.
    #[sea_orm(string_value = "portability")]
    Portability,
    /// Art. 21.
    #[sea_orm(string_value = "objection")]
    Objection,
    /// A complaint to the organisation (the person may also complain to the authority, Art. 77).
    #[sea_orm(string_value = "complaint")]
    Complaint,
}

impl Right {
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Access => "access",
            Right::Rectification => "rectification",
            Right::Erasure => "erasure",
            Right::Restriction => "restriction",
            Right::Portability => "portability",
            Right::Objection => "objection",
            Right::Complaint => "complaint",
        }
    }
}
