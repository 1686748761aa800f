//! `breachdesk inventory import`: the mapping shown before the rows are read, a progress bar
//! on a terminal, `--dry-run`, and the report of what the import did (also for `sync`).

use std::path::PathBuf;

use clap::Args;

use super::output::Out;
use super::{progress, warn};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::inventory::import::{ImportOptions, ImportReport, import_planned, plan};
use crate::inventory::mapping::ColumnUse;
use crate::output_guard::Protected;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The system the file comes from.
    #[arg(long)]
    system: String,
    /// The CSV file.
    file: PathBuf,
    /// COLUMN=FIELD (repeatable); COLUMN may be A+B to join columns, e.g. "First+Last=name".
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    maps: Vec<String>,
    /// Field delimiter: , ; tab or | (default: detected from the header line).
    #[arg(long, value_name = "C")]
    delimiter: Option<String>,
    /// The file's encoding when it is not UTF-8/UTF-16, e.g. windows-1252.
    #[arg(long)]
    encoding: Option<String>,
    /// Import nothing if any row is bad.
    #[arg(long)]
    strict: bool,
    /// Write the rejected rows, with line and reason, to this CSV file.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Show the mapping, read and check the whole file, and import nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &Db, a: ImportArgs, settings: &Settings, out: Out) -> Result<()> {
    if let Some(path) = &a.rejects {
        Protected::of(settings).input(&a.file).check("--rejects", path)?;
    }
    let opts = ImportOptions {
        system: a.system,
        file: a.file,
        maps: a.maps,
        delimiter: a.delimiter.as_deref().map(parse_delimiter).transpose()?,
        encoding: a.encoding,
        strict: a.strict,
        rejects: a.rejects,
        dry_run: a.dry_run,
    };
    let plan = plan(&opts)?;
    if !a.json {
        say_columns(&opts.file.display().to_string(), &plan.columns, out);
    }
    let bar = progress::bar(
        out,
        "{bar:40} {bytes}/{total_bytes}  {elapsed} elapsed, eta {eta}",
    );
    let report = import_planned(db, settings, &opts, plan, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    report_import(&report?, a.json, out)
}

/// Each column and the field it feeds, or why it is ignored.
pub fn say_columns(source: &str, columns: &[ColumnUse], out: Out) {
    let width = columns
        .iter()
        .map(|c| c.column.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = format!("Columns of {source}:");
    for c in columns {
        let target = match (&c.field, &c.hint) {
            (Some(field), _) => field.clone(),
            (None, Some(hint)) => format!("ignored ({hint})"),
            (None, None) => "ignored".to_string(),
        };
        text.push_str(&format!("\n  {:width$}  -> {target}", c.column));
    }
    out.say(text);
}

pub fn report_import(report: &ImportReport, json: bool, out: Out) -> Result<()> {
    if json {
        out.json(report)?;
    } else {
        for r in &report.rejects {
            warn(format!("{}:{}: {}", report.source, r.line, r.reason));
        }
        if report.rejected as usize > report.rejects.len() {
            warn(format!(
                "... and {} more rejected rows (--rejects FILE writes them all)",
                report.rejected as usize - report.rejects.len()
            ));
        }
        for f in &report.flags {
            warn(format!("{}:{}: {}", report.source, f.line, f.reason));
        }
        if report.flagged as usize > report.flags.len() {
            warn(format!(
                "... and {} more flagged rows",
                report.flagged as usize - report.flags.len()
            ));
        }
        for group in &report.review {
            let people: Vec<String> = group.people.iter().map(|p| p.join("+")).collect();
            warn(format!(
                "may be one person, not merged (same name and postal code or city, one without an email \
                 address): {}; give them one subject_key, or correct the name or address",
                people.join(" and ")
            ));
        }
        if report.near_matches as usize > report.review.len() {
            warn(format!(
                "... and {} more groups of people who may be the same",
                report.near_matches as usize - report.review.len()
            ));
        }
        let flagged = if report.flagged > 0 {
            format!(", flagged {}", report.flagged)
        } else {
            String::new()
        };
        if report.dry_run {
            out.say(format!(
                "{} (dry run): read {}, would import {}, rejected {}{flagged}; nothing was imported.",
                report.source, report.read, report.accepted, report.rejected
            ));
        } else {
            out.say(format!(
                "{}: read {}, imported {}, updated {}, unchanged {}, rejected {}{flagged}.",
                report.source,
                report.read,
                report.inserted,
                report.updated,
                report.unchanged,
                report.rejected
            ));
        }
    }
    if report.refused {
        return Err(Error::bad_input(format!(
            "--strict: {} bad row(s) in {}, nothing was imported",
            report.rejected, report.source
        )));
    }
    Ok(())
}

fn parse_delimiter(text: &str) -> Result<u8> {
    match text {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        _ => Err(Error::bad_input(format!(
            "unknown delimiter '{text}': use , ; tab or |"
        ))),
    }
}
