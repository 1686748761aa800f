//! `breachdesk inventory ...`: the systems register, imports from files, SQL sources.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::inventory_import::{self, ImportArgs};
use super::output::{Out, or_dash};
use crate::category::DataCategory;
use crate::config::Settings;
use crate::db;
use crate::error::Result;
use crate::inventory::source;
use crate::inventory::system::{self, SystemFields, SystemView, parse_subject_kinds};

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// The systems register: add, list, show, update.
    #[command(subcommand)]
    System(SystemCommand),
    /// Import people from a CSV file into a system (upsert on the record id).
    Import(ImportArgs),
    /// Live SQL sources: a read-only query against your own database.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Run a system's SQL source and import what it returns.
    Sync {
        /// The system whose source to run.
        system: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Register a system that holds personal data.
    Add {
        key: String,
        #[command(flatten)]
        fields: SystemArgs,
    },
    /// List the registered systems.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one system.
    Show {
        key: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a system's entry.
    Update {
        key: String,
        #[command(flatten)]
        fields: SystemArgs,
    },
}

#[derive(Debug, Args)]
pub struct SystemArgs {
    /// What the system is called, e.g. "Customer CRM".
    #[arg(long)]
    name: Option<String>,
    /// The data categories it holds, comma-separated (`breachdesk inventory categories` lists them).
    #[arg(long, value_name = "LIST")]
    categories: Option<String>,
    /// Whose data: customer, employee, applicant, client_contact, ...
    #[arg(long, value_name = "LIST")]
    subject_kinds: Option<String>,
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    purpose: Option<String>,
    /// Country where the data are stored.
    #[arg(long, value_name = "COUNTRY")]
    location: Option<String>,
    /// The processor running it, if any.
    #[arg(long)]
    processor: Option<String>,
    /// It holds special-category data (GDPR Art. 9/10), even if not listed.
    #[arg(long)]
    special_categories: bool,
    /// Its data are encrypted at rest.
    #[arg(long)]
    encrypted_at_rest: bool,
}

impl SystemArgs {
    fn into_fields(self) -> Result<SystemFields> {
        Ok(SystemFields {
            name: self.name,
            categories: self
                .categories
                .as_deref()
                .map(DataCategory::parse_list)
                .transpose()?,
            subject_kinds: self
                .subject_kinds
                .as_deref()
                .map(parse_subject_kinds)
                .transpose()?,
            owner: self.owner,
            purpose: self.purpose,
            location: self.location,
            processor: self.processor,
            special_categories: self.special_categories.then_some(true),
            encrypted_at_rest: self.encrypted_at_rest.then_some(true),
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Attach a read-only SQL query to a system; its database URL is read from an environment
    /// variable at sync time, never from the command line.
    Add {
        #[arg(long)]
        system: String,
        /// The environment variable that holds the database URL.
        #[arg(long, value_name = "VAR")]
        url_env: String,
        /// A file with one SELECT statement.
        #[arg(long, value_name = "FILE")]
        query_file: PathBuf,
        /// COLUMN=FIELD, as for import.
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        maps: Vec<String>,
    },
}

pub async fn run(cmd: InventoryCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    match cmd {
        InventoryCommand::System(SystemCommand::Add { key, fields }) => {
            let s = system::add(&db, settings, &key, fields.into_fields()?).await?;
            out.say(format!("Registered system {} ({}).", s.key, s.name));
            Ok(())
        }
        InventoryCommand::System(SystemCommand::Update { key, fields }) => {
            let s = system::update(&db, settings, &key, fields.into_fields()?).await?;
            out.say(format!("System {} updated.", s.key));
            Ok(())
        }
        InventoryCommand::System(SystemCommand::List { json }) => {
            let counts = db::inventory::record_counts(&db).await?;
            let views: Vec<SystemView> = system::list(&db)
                .await?
                .into_iter()
                .map(|s| {
                    let n = counts.get(&s.id).copied().unwrap_or(0);
                    SystemView::new(s, n)
                })
                .collect();
            if json {
                return out.json(&views);
            }
            let rows = views
                .iter()
                .map(|v| {
                    vec![
                        v.key.clone(),
                        v.name.clone(),
                        DataCategory::join(&v.categories).replace(',', ", "),
                        or_dash(v.location.as_ref()),
                        v.records.to_string(),
                    ]
                })
                .collect();
            out.table(&["Key", "Name", "Categories", "Location", "Records"], rows);
            Ok(())
        }
        InventoryCommand::System(SystemCommand::Show { key, json }) => {
            let s = system::find(&db, &key).await?;
            let counts = db::inventory::record_counts(&db).await?;
            let n = counts.get(&s.id).copied().unwrap_or(0);
            let v = SystemView::new(s, n);
            if json {
                return out.json(&v);
            }
            out.fields(&[
                ("Key", v.key.clone()),
                ("Name", v.name.clone()),
                ("Categories", DataCategory::join(&v.categories).replace(',', ", ")),
                (
                    "Subject kinds",
                    if v.subject_kinds.is_empty() {
                        "-".into()
                    } else {
                        v.subject_kinds.join(", ")
                    },
                ),
                ("Owner", or_dash(v.owner.as_ref())),
                ("Purpose", or_dash(v.purpose.as_ref())),
                ("Location", or_dash(v.location.as_ref())),
                ("Processor", or_dash(v.processor.as_ref())),
                ("Special categories", yes_no(v.special_categories)),
                ("Encrypted at rest", yes_no(v.encrypted_at_rest)),
                ("Records", v.records.to_string()),
            ]);
            Ok(())
        }
        InventoryCommand::Import(a) => inventory_import::run(&db, a, settings, out).await,
        InventoryCommand::Source(SourceCommand::Add {
            system,
            url_env,
            query_file,
            maps,
        }) => {
            source::add(&db, settings, &system, &url_env, &query_file, &maps).await?;
            out.say(format!(
                "SQL source attached to {system}: `breachdesk inventory sync {system}` runs it (with {url_env} set)."
            ));
            Ok(())
        }
        InventoryCommand::Sync { system, json } => {
            let report = source::sync(&db, settings, &system).await?;
            if !json {
                inventory_import::say_columns(&report.source, &report.columns, out);
            }
            inventory_import::report_import(&report, json, out)
        }
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}
