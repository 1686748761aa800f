//! `breachdesk init`, `db migrate`, `db status`.

use std::path::Path;

use clap::Subcommand;
use serde::Serialize;

use super::output::Out;
use crate::config::{CONFIG_FILE, Settings, default_config_text};
use crate::db::{self, Location};
use crate::error::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply the migrations this breachdesk has and the database lacks.
    Migrate,
    /// Show the database, its schema version and any pending migrations.
    Status {
        #[arg(long)]
        json: bool,
    },
}

pub async fn init(settings: &Settings, out: Out) -> Result<()> {
    let created = match Location::parse(&settings.database_url)? {
        Location::Sqlite(path) => !path.exists(),
        Location::Postgres(_) => false,
    };
    let db = db::open(&settings.database_url, true).await?;
    let applied = db::migrate(&db).await?;
    let kind = match &db.location {
        Location::Sqlite(_) => "SQLite, readable by you only",
        Location::Postgres(_) => "PostgreSQL",
    };
    let at = db.location.describe();
    if created {
        out.say(format!("Created the database {at} ({kind})."));
    }
    match applied.len() {
        0 => out.say(format!("The database {at} is up to date.")),
        n => out.say(format!("Applied {n} migration(s) to {at}.")),
    }
    if settings.config_file.is_none() && !Path::new(CONFIG_FILE).exists() {
        crate::private_file::write(
            Path::new(CONFIG_FILE),
            default_config_text(&settings.database_url).as_bytes(),
        )
        .map_err(|e| Error::failure(format!("cannot write {CONFIG_FILE}: {e}")))?;
        out.say(format!(
            "Wrote {CONFIG_FILE}: set your organisation and DPO contact there."
        ));
    }
    Ok(())
}

#[derive(Serialize)]
struct StatusView {
    database: String,
    backend: &'static str,
    current: bool,
    applied: Vec<String>,
    pending: Vec<String>,
    unknown: Vec<String>,
}

pub async fn run(cmd: DbCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open(&settings.database_url, false).await?;
    match cmd {
        DbCommand::Migrate => {
            let applied = db::migrate(&db).await?;
            if applied.is_empty() {
                out.say("Nothing to migrate: the schema is up to date.");
            }
            for name in applied {
                out.say(format!("applied {name}"));
            }
            Ok(())
        }
        DbCommand::Status { json } => {
            let status = db::schema_status(&db).await?;
            let view = StatusView {
                database: db.location.describe(),
                backend: match db.location {
                    Location::Sqlite(_) => "sqlite",
                    Location::Postgres(_) => "postgres",
                },
                current: status.is_current(),
                applied: status.applied,
                pending: status.pending,
                unknown: status.unknown,
            };
            if json {
                return out.json(&view);
            }
            let state = if !view.unknown.is_empty() {
                "newer than this breachdesk: upgrade breachdesk"
            } else if view.applied.is_empty() {
                "not initialised: run `breachdesk init`"
            } else if !view.pending.is_empty() {
                "behind: run `breachdesk db migrate`"
            } else {
                "up to date"
            };
            out.fields(&[
                ("Database", format!("{} ({})", view.database, view.backend)),
                ("Schema", state.to_string()),
                ("Applied", view.applied.join("\n")),
                (
                    "Pending",
                    if view.pending.is_empty() {
                        "-".into()
                    } else {
                        view.pending.join("\n")
                    },
                ),
            ]);
            if !view.unknown.is_empty() {
                out.fields(&[("Unknown", view.unknown.join("\n"))]);
            }
            Ok(())
        }
    }
}
