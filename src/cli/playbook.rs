//! `breachdesk playbook list|show|validate`.

use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;

use super::output::Out;
use crate::config::Settings;
use crate::error::Result;
use crate::playbook::{self, Origin, Playbook};

#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// The playbooks in effect: built in, or from the configured directory.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One playbook with its tasks.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Check a playbook file or a directory of them (default: the playbooks in effect).
    /// Problems are named by file and line.
    Validate { path: Option<PathBuf> },
}

#[derive(Serialize)]
struct Summary<'a> {
    name: &'a str,
    title: &'a str,
    tasks: usize,
    origin: &'a Origin,
}

pub fn run(cmd: PlaybookCommand, settings: &Settings, out: Out) -> Result<()> {
    let dir = settings.playbook_dir.as_deref();
    match cmd {
        PlaybookCommand::List { json } => {
            let books = playbook::catalog(dir)?;
            let summaries: Vec<Summary> = books
                .iter()
                .map(|b| Summary {
                    name: &b.name,
                    title: &b.title,
                    tasks: b.tasks.len(),
                    origin: &b.origin,
                })
                .collect();
            if json {
                return out.json(&summaries);
            }
            let rows = summaries
                .iter()
                .map(|s| {
                    vec![
                        s.name.to_string(),
                        s.title.to_string(),
                        s.tasks.to_string(),
                        s.origin.describe(),
                    ]
                })
                .collect();
            out.table(&["Name", "Title", "Tasks", "From"], rows);
            Ok(())
        }
        PlaybookCommand::Show { name, json } => {
            let book = playbook::find(dir, &name)?;
            if json {
                return out.json(&book);
            }
            show(&book, out);
            Ok(())
        }
        PlaybookCommand::Validate { path } => {
            let books = match &path {
                Some(p) => playbook::validate_path(p).map_err(playbook::problems_error)?,
                None => playbook::catalog(dir)?,
            };
            let tasks: usize = books.iter().map(|b| b.tasks.len()).sum();
            out.say(format!("{} playbook(s) valid, {tasks} task(s).", books.len()));
            Ok(())
        }
    }
}

fn show(b: &Playbook, out: Out) {
    out.fields(&[
        ("Name", b.name.clone()),
        ("Title", b.title.clone()),
        ("Description", b.description.clone()),
        ("Sources", b.sources.join("\n")),
        ("From", b.origin.describe()),
    ]);
    let rows = b
        .tasks
        .iter()
        .map(|t| vec![t.key.clone(), t.due.clone(), t.owner.clone(), t.title.clone()])
        .collect();
    out.table(&["Task", "Due after awareness", "Owner", "Title"], rows);
}
