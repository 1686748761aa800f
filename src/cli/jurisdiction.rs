//! `breachdesk jurisdiction list|show|validate`: the notification rules per jurisdiction.

use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;

use super::output::{Out, or_dash};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::jurisdiction::deadline::describe;
use crate::jurisdiction::rules::Jurisdiction;
use crate::jurisdiction::{self, Rules};
use crate::tomlfile::problems_error;

#[derive(Debug, Subcommand)]
pub enum JurisdictionCommand {
    /// Every jurisdiction with its authority.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One jurisdiction's authority, obligations, deadlines and sources.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Check a rules file (default: the rules in effect). Problems are named by file and line.
    Validate { file: Option<PathBuf> },
}

#[derive(Serialize)]
struct Summary<'a> {
    code: &'a str,
    name: &'a str,
    authority: &'a str,
    inherits: Option<&'a str>,
    obligations: usize,
}

pub fn run(cmd: JurisdictionCommand, settings: &Settings, out: Out) -> Result<()> {
    let dir = settings.playbook_dir.as_deref();
    match cmd {
        JurisdictionCommand::List { json } => {
            let (rules, _) = jurisdiction::load(dir)?;
            let list: Vec<Summary> = rules
                .jurisdictions
                .iter()
                .map(|j| Summary {
                    code: &j.code,
                    name: &j.name,
                    authority: &j.authority.name,
                    inherits: j.inherits.as_deref(),
                    obligations: j.obligations.len(),
                })
                .collect();
            if json {
                return out.json(&list);
            }
            let rows = list
                .iter()
                .map(|s| {
                    vec![
                        s.code.to_string(),
                        s.name.to_string(),
                        s.authority.to_string(),
                        s.obligations.to_string(),
                    ]
                })
                .collect();
            out.table(&["Code", "Name", "Authority", "Obligations"], rows);
            Ok(())
        }
        JurisdictionCommand::Show { code, json } => {
            let (rules, _) = jurisdiction::load(dir)?;
            let j = find(&rules, &code)?;
            if json {
                return out.json(j);
            }
            show(j, out);
            Ok(())
        }
        JurisdictionCommand::Validate { file } => {
            let (rules, origin) = match file {
                Some(path) => (
                    jurisdiction::validate_path(&path).map_err(problems_error)?,
                    path.display().to_string(),
                ),
                None => jurisdiction::load(dir)?,
            };
            let n: usize = rules.jurisdictions.iter().map(|j| j.obligations.len()).sum();
            out.say(format!(
                "{origin}: {} jurisdiction(s), {n} obligation(s), {} holiday calendar(s): valid.",
                rules.jurisdictions.len(),
                rules.calendars.len()
            ));
            Ok(())
        }
    }
}

fn find<'a>(rules: &'a Rules, code: &str) -> Result<&'a Jurisdiction> {
    rules.get(code).ok_or_else(|| {
        let codes: Vec<&str> = rules.jurisdictions.iter().map(|j| j.code.as_str()).collect();
        Error::bad_input(format!(
            "unknown jurisdiction '{code}': known ones are {}",
            codes.join(", ")
        ))
    })
}

fn show(j: &Jurisdiction, out: Out) {
    let a = &j.authority;
    let marker =
        |c: Option<jurisdiction::rules::Confidence>| c.map(|c| format!(" [{c:?}]")).unwrap_or_default();
    out.fields(&[
        ("Code", j.code.clone()),
        ("Name", j.name.clone()),
        ("Law", or_dash(j.law.as_ref())),
        ("Zone", j.zone.name().to_string()),
        ("Authority", format!("{}{}", a.name, marker(a.confidence))),
        ("Contact", or_dash(a.contact.as_ref())),
        ("Website", or_dash(a.website.as_ref())),
        ("Web form", or_dash(a.web_form.as_ref())),
        ("Inherits", or_dash(j.inherits.as_ref())),
        (
            "Sources",
            j.sources
                .iter()
                .map(|s| {
                    format!(
                        "[{:?}] {}{}",
                        s.confidence,
                        s.text,
                        s.url.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ]);
    let rows = j
        .obligations
        .iter()
        .map(|o| {
            vec![
                o.key.clone(),
                plain(&o.to),
                o.threshold.map(|t| t.describe()).unwrap_or_else(|| "-".into()),
                plain(&o.test),
                format!("{} after {}", describe(&o.deadline), plain(&o.anchor)),
                format!("{:?}", o.confidence),
            ]
        })
        .collect();
    out.table(
        &["Obligation", "To", "Threshold", "Test", "Deadline", "Conf."],
        rows,
    );
    let notes: Vec<(&str, String)> = j
        .obligations
        .iter()
        .map(|o| {
            let mut text = o.what.clone();
            if let Some(t) = &o.test_note {
                text.push_str(&format!("\ntest: {t}"));
            }
            if let Some(n) = &o.note {
                text.push_str(&format!("\nnote: {n}"));
            }
            for c in &o.content {
                text.push_str(&format!("\n- {c}"));
            }
            (o.key.as_str(), text)
        })
        .collect();
    out.fields(&notes);
}

/// The JSON name of a unit enum (`authority`, `high-risk`), for tables.
fn plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
