//! One letter in the outbox: to one person, for one incident, on one channel, of one kind;
//! its hash, and the sender's state. The letter itself is in `notification_content`
//! (see [`crate::db::outbox::Content`]): written once, it stays out of the rows the sender updates.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub subject_id: i64,
    /// `email` or `postal`.
    pub channel: String,
    /// `initial` or `update`.
    pub kind: String,
    /// Which update an `update` letter tells of (1, 2, ...); 0 for the initial letter.
    pub update_number: i32,
    /// The template set's version (a hash of its files) the letter was rendered with.
    pub template_version: String,
    /// The template locale the letter is written in.
    pub locale: String,
    /// The code the person can check the letter with; unique across the outbox.
    pub verification_code: String,
    /// The Message-ID the email carries (also set on postal letters, as their reference).
    pub message_id: String,
    /// The email address, or the postal address block (one line per address line).
    pub recipient: String,
    /// SHA-256 over the channel's parts (`RenderedLetter::content_hash`).
    pub content_hash: String,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The sender process holding the letter, and until when.
    pub lease_worker: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// The mail server's last reply.
    pub smtp_reply: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub rendered_at: DateTimeUtc,
    /// 0, or the letter's own id once it is withdrawn: part of the letter's unique key, so
    /// that a letter rendered in place of a withdrawn one can be stored.
    pub withdrawn_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}

/// Where a letter is on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    /// Rendered, not yet handed to a sender.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Claimed by a sender (see the lease).
    #[sea_orm(string_value = "sending")]
    Sending,
    /// Accepted by the mail server (or handed to the mail house).
    #[sea_orm(string_value = "sent")]
    Sent,
    /// A temporary failure: tried again at `next_attempt_at`.
    #[sea_orm(string_value = "deferred")]
    Deferred,
    /// A permanent failure, or out of retries.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Sent, then returned by a delivery status notification.
    #[sea_orm(string_value = "bounced")]
    Bounced,
    /// In flight when a sender died: it may or may not have been sent.
    #[sea_orm(string_value = "uncertain")]
    Uncertain,
    /// Taken back before it was sent: the person is no longer affected, or their letter was
    /// rendered again after their data changed. Kept as evidence; never sent.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl NotificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Pending => "pending",
            NotificationStatus::Sending => "sending",
            NotificationStatus::Sent => "sent",
            NotificationStatus::Deferred => "deferred",
            NotificationStatus::Failed => "failed",
            NotificationStatus::Bounced => "bounced",
            NotificationStatus::Uncertain => "uncertain",
            NotificationStatus::Withdrawn => "withdrawn",
        }
    }
}
