//! `breachdesk affected ...`: resolve, list, stats, export.

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use super::output::{Out, or_dash};
use crate::category::DataCategory;
use crate::config::Settings;
use crate::db;
use crate::error::{Error, Result};
use crate::output_guard::Protected;
use crate::resolve::export::{CSV_HEADER, JsonArrayWriter, csv_record};
use crate::resolve::{self, for_each_affected};

#[derive(Debug, Subcommand)]
pub enum AffectedCommand {
    /// Find the people affected by an incident from its scope; again after a scope change.
    Resolve {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// List the affected people with what of theirs was exposed.
    List {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// The numbers the authority report needs: subjects, records, by category, country, system.
    Stats {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Export the affected people as CSV (safe to open in a spreadsheet) or JSON.
    Export {
        reference: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file (created readable by you only) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

pub async fn run(cmd: AffectedCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    match cmd {
        AffectedCommand::Resolve { reference, json } => {
            let r = resolve::resolve(&db, settings, &reference).await?;
            if json {
                return out.json(&r);
            }
            out.say(format!(
                "{}: {} affected subject(s); {} added, {} removed, {} changed since the last resolution.",
                r.incident, r.counts.subjects, r.counts.added, r.counts.removed, r.counts.changed
            ));
            if r.cases.cases_opened + r.cases.cases_out_of_scope + r.cases.cases_back_in_scope > 0 {
                out.say(format!(
                    "Follow-up cases: {} opened, {} out of scope, {} back in scope.",
                    r.cases.cases_opened, r.cases.cases_out_of_scope, r.cases.cases_back_in_scope
                ));
            }
            say_letters(&r, out);
            Ok(())
        }
        AffectedCommand::Stats { reference, json } => {
            let s = resolve::stats(&db, &reference).await?;
            if json {
                return out.json(&s);
            }
            out.fields(&[
                ("Incident", s.incident.clone()),
                ("Subjects", s.subjects.to_string()),
                ("Records", s.records.to_string()),
                (
                    "Special categories",
                    format!("{} subject(s)", s.special_category_subjects),
                ),
            ]);
            let rows = s
                .by_category
                .iter()
                .map(|c| {
                    vec![
                        c.category.key().to_string(),
                        if c.special { "yes".into() } else { "".into() },
                        c.subjects.to_string(),
                    ]
                })
                .collect();
            out.table(&["Category", "Special", "Subjects"], rows);
            let key = |k: &Option<String>| k.clone().unwrap_or_else(|| "(unknown)".into());
            out.table(
                &["Country", "Subjects"],
                s.by_country
                    .iter()
                    .map(|c| vec![key(&c.key), c.subjects.to_string()])
                    .collect(),
            );
            out.table(
                &["System", "Subjects"],
                s.by_system
                    .iter()
                    .map(|c| vec![key(&c.key), c.subjects.to_string()])
                    .collect(),
            );
            Ok(())
        }
        AffectedCommand::List { reference, json } => {
            let stdout = std::io::stdout();
            if json {
                let mut w = JsonArrayWriter::new(stdout.lock())?;
                for_each_affected(&db, &reference, |row| w.push(&row)).await?;
                return w.finish();
            }
            let mut lock = stdout.lock();
            let n = for_each_affected(&db, &reference, |r| {
                let line = format!(
                    "{:>8}  {:<28}  {:<32}  {:<3}  {:<12}  {}\n",
                    r.subject_id,
                    truncate(&or_dash(r.name.as_ref()), 28),
                    truncate(&or_dash(r.email.as_ref()), 32),
                    or_dash(r.country.as_ref()),
                    truncate(&r.systems.join(","), 12),
                    DataCategory::join(&r.categories)
                );
                lock.write_all(line.as_bytes())
                    .map_err(|e| Error::failure(format!("cannot write: {e}")))
            })
            .await?;
            drop(lock);
            out.say(format!("{n} affected subject(s)."));
            Ok(())
        }
        AffectedCommand::Export {
            reference,
            format,
            output,
        } => {
            if let Some(path) = &output {
                Protected::of(settings).check("--output", path)?;
            }
            let sink: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(private_file(path)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let n = match format {
                ExportFormat::Csv => {
                    let mut w = csv::Writer::from_writer(sink);
                    let fail = |e: csv::Error| Error::failure(format!("cannot write the export: {e}"));
                    w.write_record(CSV_HEADER).map_err(fail)?;
                    let n =
                        for_each_affected(&db, &reference, |r| w.write_record(csv_record(&r)).map_err(fail))
                            .await?;
                    w.flush()
                        .map_err(|e| Error::failure(format!("cannot write the export: {e}")))?;
                    n
                }
                ExportFormat::Json => {
                    let mut w = JsonArrayWriter::new(sink)?;
                    let n = for_each_affected(&db, &reference, |r| w.push(&r)).await?;
                    w.finish()?;
                    n
                }
            };
            if let Some(path) = output {
                out.say(format!("Exported {n} affected subject(s) to {}.", path.display()));
            }
            Ok(())
        }
    }
}

/// What the resolution did to the outbox: withdrawn letters, letters rendered again, people
/// already told who are no longer affected.
fn say_letters(r: &resolve::Resolution, out: Out) {
    let l = &r.letters;
    if l.withdrawn_not_affected > 0 {
        out.say(format!(
            "Outbox: {} letter(s) not yet sent withdrawn: their people are no longer affected.",
            l.withdrawn_not_affected
        ));
    }
    if l.withdrawn_changed > 0 {
        out.say(format!(
            "Outbox: {} letter(s) not yet sent withdrawn because their people's data changed; {} rendered again.",
            l.withdrawn_changed, r.rerendered
        ));
    }
    if let Some(e) = &r.rerender_error {
        super::warn(format!(
            "the letters withdrawn for changed data were not rendered again ({e}); they stay withdrawn until \
             `breachdesk letters render {}` (with the same --kind) renders them",
            r.incident
        ));
    }
    if !l.told_not_affected.is_empty() {
        super::warn(format!(
            "{} person(s) no longer affected were already sent a letter (their subject ids are in --json, \
             told_not_affected): they may be owed a correction; breachdesk has no correction letter kind yet, \
             so write to them yourself and record it in their follow-up case",
            l.told_not_affected.len()
        ));
    }
    if !l.in_flight_not_affected.is_empty() {
        super::warn(format!(
            "{} letter(s) of people no longer affected may have reached the mail server: they were not \
             withdrawn and are never sent again; settle them with `breachdesk send settle {} --assume-sent` \
             if they count as sent",
            l.in_flight_not_affected.len(),
            r.incident
        ));
    }
}

pub(super) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// Exports hold personal data: the file is readable by its owner only.
fn private_file(path: &std::path::Path) -> Result<std::fs::File> {
    crate::private_file::open(path, false)
        .map_err(|e| Error::bad_input(format!("cannot write {}: {e}", path.display())))
}
