//! sea-orm entities, one file per table. Statuses are enums stored as text.

pub mod assessment;
pub mod audit_event;
pub mod audit_head;
pub mod incident;
pub mod task;
