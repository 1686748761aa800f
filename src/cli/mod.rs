//! The command line: clap definitions, turned into typed calls of the capability services,
//! and their results into output. No SQL and no business rules here.

mod affected;
mod assess;
mod assess_prompt;
mod audit;
mod db;
mod demo;
mod demo_followup;
mod followup;
mod followup_text;
mod incident;
mod incident_page;
mod inventory;
mod inventory_import;
mod jurisdiction;
mod letters;
mod narrative;
mod obligations;
mod outbox;
pub mod output;
mod playbook;
mod postal;
mod progress;
mod report;
mod send;
mod send_text;
mod subject;
mod tasks;
mod withdraw;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings, url_has_password};
use crate::error::{Error, Result};
use output::Out;

/// Personal-data breach response: the 72-hour clock, the people affected, their letters,
/// follow-up, and the report to the authority.
#[derive(Debug, Parser)]
#[command(name = "breachdesk", version, about, max_term_width = 100)]
pub struct Cli {
    /// Database URL: sqlite://FILE (default sqlite://breachdesk.db) or postgres://USER@HOST/DB.
    /// A URL with a password belongs in BREACHDESK_DATABASE_URL, not on the command line.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Configuration file (default: breachdesk.toml in the working directory, if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Who is acting, for the audit log (default: BREACHDESK_ACTOR, the config, your login).
    #[arg(long, global = true, value_name = "NAME")]
    actor: Option<String>,
    /// Time zone to show times in and read local times in (IANA name, e.g. Europe/Berlin).
    #[arg(long, global = true, value_name = "ZONE")]
    tz: Option<String>,
    /// Print only results (references, JSON), no narration.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database (a SQLite file, mode 0600; or an existing PostgreSQL database), apply the schema
    /// and write a commented breachdesk.toml if there is none.
    Init,
    /// Database schema: migrate, status.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Declare, inspect and update incidents.
    #[command(subcommand)]
    Incident(Box<incident::IncidentCommand>),
    /// The personal-data inventory: systems, imports, SQL sources.
    #[command(subcommand)]
    Inventory(inventory::InventoryCommand),
    /// Who is affected by an incident: resolve, list, stats, export.
    #[command(subcommand)]
    Affected(affected::AffectedCommand),
    /// The hash-chained audit log: show it, verify it.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Incident playbooks: list, show, validate.
    #[command(subcommand)]
    Playbook(playbook::PlaybookCommand),
    /// Notification rules per jurisdiction: list, show, validate.
    #[command(subcommand)]
    Jurisdiction(jurisdiction::JurisdictionCommand),
    /// An incident's checklist from its playbook: `tasks REF [--overdue]`, `tasks done REF TASK`,
    /// `tasks reopen REF TASK`.
    Tasks(tasks::TasksArgs),
    /// Run the whole response on built-in sample data, in the embedded SQLite database.
    Demo,
    /// Letters to the people affected: check templates, print the sample, fill the outbox,
    /// preview and show one person's letter.
    #[command(subcommand)]
    Letters(letters::LettersCommand),
    /// Reports: to the supervisory authority, their submissions, the breach register.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Send the incident's email letters (`send REF`); `send status|settle|bounces REF`.
    Send(send::SendCommand),
    /// Follow-up per person: cases, events, replies, work queues, statistics.
    #[command(subcommand)]
    Followup(followup::FollowupCommand),
    /// The tool's own data-subject rights: export or erase what breachdesk holds about a person.
    #[command(subcommand)]
    Subject(subject::SubjectCommand),
}

impl Cli {
    /// Runs the command on a Tokio runtime.
    pub fn run(self) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::failure(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(self.dispatch())
    }

    async fn dispatch(self) -> Result<()> {
        if self.database.as_deref().is_some_and(url_has_password) {
            return Err(Error::bad_input(
                "--database carries a password, which other users can read from the process list: \
                 set BREACHDESK_DATABASE_URL instead",
            ));
        }
        let overrides = Overrides {
            config: self.config,
            database: self.database,
            actor: self.actor,
            tz: self.tz,
        };
        let settings = Settings::load(&overrides)?;
        let out = Out { quiet: self.quiet };
        match self.command {
            Command::Init => db::init(&settings, out).await,
            Command::Db(cmd) => db::run(cmd, &settings, out).await,
            Command::Incident(cmd) => incident::run(*cmd, &settings, out).await,
            Command::Inventory(cmd) => inventory::run(cmd, &settings, out).await,
            Command::Affected(cmd) => affected::run(cmd, &settings, out).await,
            Command::Audit(cmd) => audit::run(cmd, &settings, out).await,
            Command::Playbook(cmd) => playbook::run(cmd, &settings, out),
            Command::Tasks(args) => tasks::run(args, &settings, out).await,
            Command::Jurisdiction(cmd) => jurisdiction::run(cmd, &settings, out),
            Command::Demo => demo::run(&settings, out).await,
            Command::Letters(cmd) => letters::run(cmd, &settings, out).await,
            Command::Report(cmd) => report::run(cmd, &settings, out).await,
            Command::Send(cmd) => send::run(cmd, &settings, out).await,
            Command::Followup(cmd) => followup::run(cmd, &settings, out).await,
            Command::Subject(cmd) => subject::run(cmd, &settings, out).await,
        }
    }
}

/// A warning on stderr (rejected rows, things worth a look); never personal data.
fn warn(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "warning: {text}");
}
