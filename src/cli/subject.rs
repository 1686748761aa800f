//! `breachdesk subject export|erase ID`: the tool's own data-subject rights.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Subcommand, ValueEnum};

use super::output::Out;
use crate::config::Settings;
use crate::db;
use crate::error::{Error, Result};
use crate::subject;

#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Everything breachdesk holds about a person (access, portability), as JSON.
    Export {
        /// A subject id or an email address.
        id: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
    /// Erase a person's personal data everywhere; counts stay true. Asks on a terminal.
    Erase {
        /// A subject id or an email address.
        id: String,
        /// Do not ask (needed when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
}

pub async fn run(cmd: SubjectCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    match cmd {
        SubjectCommand::Export {
            id,
            format: ExportFormat::Json,
        } => {
            let person = subject::find(&db, &id).await?;
            let e = subject::export::export(&db, settings, person).await?;
            out.json(&e)
        }
        SubjectCommand::Erase { id, yes, json } => {
            let person = subject::find(&db, &id).await?;
            if !yes {
                confirm(person.id)?;
            }
            let e = subject::erase(&db, settings, &person).await?;
            if json {
                return out.json(&e);
            }
            out.say(format!(
                "Erased the personal data of subject {}: {} record(s), {} letter(s), {} case event(s), {} request(s) cleared; counts unchanged.",
                e.subject_id, e.rows.records, e.rows.letters, e.rows.case_events, e.rows.requests
            ));
            if !e.scrubbed {
                super::warn(
                    "another process kept the database busy: the old bytes may remain in its write-ahead log until it is idle; run the erase again then",
                );
            }
            Ok(())
        }
    }
}

/// Asks on the terminal; refuses when there is none.
fn confirm(id: i64) -> Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::bad_input(
            "refusing to erase without confirmation: standard input is not a terminal; add --yes",
        ));
    }
    let mut stderr = std::io::stderr();
    let _ = write!(
        stderr,
        "Erase the personal data of subject {id} everywhere? This cannot be undone. Type 'erase' to confirm: "
    );
    let _ = stderr.flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::failure(format!("cannot read the answer: {e}")))?;
    if answer.trim() != "erase" {
        return Err(Error::bad_input("not confirmed: nothing was erased"));
    }
    Ok(())
}
