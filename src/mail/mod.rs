//! Reading the mail that comes back after letters are sent: delivery status notifications
//! (RFC 3464 reports and the older plain-text bounces of qmail and Exim), automatic replies,
//! and people's answers. Used by `send bounces` and `followup ingest`.

pub mod classify;
mod dsn_fields;
pub mod mailbox;

pub use classify::{Classified, Dsn, DsnAction, Reply, classify};
