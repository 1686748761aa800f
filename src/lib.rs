//! breachdesk: responding to a personal-data breach, from the declaration of an incident to
//! the report to the supervisory authority. The binary is a thin shell over this library.

pub mod assess;
pub mod audit;
pub mod category;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod followup;
pub mod incident;
pub mod inventory;
pub mod jurisdiction;
pub mod letters;
pub mod mail;
pub mod narrative;
pub mod outbox;
pub mod output_guard;
pub mod playbook;
pub mod postal;
pub mod private_file;
pub mod report;
pub mod resolve;
pub mod secret_url;
pub mod send;
pub mod subject;
pub mod tomlfile;

pub use cli::Cli;
pub use error::{Error, Result};
