//! sea-orm entities, one file per table. Statuses are enums stored as text.

pub mod affected_subject;
pub mod assessment;
pub mod audit_event;
pub mod audit_head;
pub mod authority_report;
pub mod case_event;
pub mod case_request;
pub mod followup_case;
pub mod import_batch;
pub mod incident;
pub mod incident_scope;
pub mod inventory_source;
pub mod notification;
pub mod subject;
pub mod subject_record;
pub mod system;
pub mod task;
