//! `breachdesk audit log [REF]`, `breachdesk audit verify`.

use clap::Subcommand;

use super::output::{Out, or_dash};
use crate::audit;
use crate::config::Settings;
use crate::db;
use crate::error::{Error, Result};
use crate::incident::IncidentRef;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Show the audit log, oldest first (only one incident's entries with REF).
    Log {
        reference: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Check the hash chain: exit 0 when intact, 1 naming the first broken entry otherwise.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: AuditCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    match cmd {
        AuditCommand::Log { reference, json } => {
            let reference = reference
                .map(|r| r.parse::<IncidentRef>().map(|r| r.to_string()))
                .transpose()?;
            let entries = audit::log(&db, reference.as_deref()).await?;
            let outside = audit::rows_outside_chain(&db).await?;
            if outside > 0 {
                tracing::warn!(
                    "{outside} row(s) of the audit table lie outside the chain and are not shown: they were added outside breachdesk (`breachdesk audit verify` names them)"
                );
            }
            if json {
                return out.json(&entries);
            }
            let rows = entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        e.at.chars().take(19).collect::<String>().replace('T', " "),
                        e.actor.clone(),
                        e.action.clone(),
                        or_dash(e.incident.as_ref()),
                        summary(&e.details),
                    ]
                })
                .collect();
            out.table(&["#", "At (UTC)", "Actor", "Action", "Incident", "Details"], rows);
            Ok(())
        }
        AuditCommand::Verify { json } => {
            let report = audit::verify(&db).await?;
            if json {
                out.json(&report)?;
            } else if report.intact {
                out.say(format!(
                    "Audit chain intact: {} entries, head {}.",
                    report.entries, report.head_hash
                ));
            }
            match (report.intact, report.problem) {
                (true, _) => Ok(()),
                (false, problem) => Err(Error::failure(format!(
                    "audit chain broken: {}",
                    problem.unwrap_or_default()
                ))),
            }
        }
    }
}

/// The changed field names of an update, or the details in one line.
fn summary(details: &serde_json::Value) -> String {
    if let Some(changed) = details.get("changed").and_then(|c| c.as_object()) {
        return changed.keys().cloned().collect::<Vec<_>>().join(", ");
    }
    let text = details.to_string();
    match text.as_str() {
        "{}" => String::new(),
        _ if text.chars().count() > 80 => format!("{}…", text.chars().take(79).collect::<String>()),
        _ => text,
    }
}
