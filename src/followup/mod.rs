//! Follow-up per affected person: one case per person and incident, opened by `affected
//! resolve`, moved by delivery results, replies and the team's work, with events, requests and
//! their legal due dates, work queues, and the numbers for the report.
//!
//! A person a re-resolution takes out of scope keeps their case and its history (it is the
//! record of what was sent and said), marked out of scope with a `scope` event; it leaves the
//! work queues and the statistics, and comes back if the person is in scope again.

pub mod cases;
pub mod events;
pub mod ingest;
pub mod queue;
pub mod requests;
pub mod show;
pub mod stats;

pub use crate::db::entities::case_event::{Assist, EventKind};
pub use crate::db::entities::case_request::Right;
pub use crate::db::entities::followup_case::CaseStatus;
pub use cases::{DeliverySync, sync_deliveries};

use crate::config::Settings;
use crate::db::Db;
use crate::error::Result;
use crate::incident::Incident;

/// Brings the incident's cases up to date with the outbox before reading them, in case a
/// sender stopped between a batch and its own sync.
pub async fn sync_quietly(db: &Db, settings: &Settings, inc: &Incident) -> Result<DeliverySync> {
    sync_deliveries(db, inc.id, &settings.actor, settings.now()).await
}
