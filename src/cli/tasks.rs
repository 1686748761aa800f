//! `breachdesk tasks REF [--overdue] [--json]`, `breachdesk tasks done REF TASK` and
//! `breachdesk tasks reopen REF TASK`.

use clap::{Args, Subcommand};

use super::output::Out;
use crate::clock;
use crate::config::Settings;
use crate::db;
use crate::error::{Error, Result};
use crate::incident;
use crate::playbook::tasks::{self, TaskState};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TasksArgs {
    #[command(subcommand)]
    command: Option<TasksCommand>,
    /// The incident whose checklist to show.
    reference: Option<String>,
    /// Only the tasks past their due time and not done.
    #[arg(long)]
    overdue: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum TasksCommand {
    /// Mark a task done.
    Done { reference: String, task: String },
    /// Open a done task again (also one its recorded event closed: only a later event closes
    /// it again).
    Reopen { reference: String, task: String },
}

pub async fn run(a: TasksArgs, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let zone = settings.zone;
    match a.command {
        Some(TasksCommand::Done { reference, task }) => {
            let t = tasks::done(&db, settings, &reference, &task).await?;
            out.say(format!("Task '{}' done.", t.key));
            return Ok(());
        }
        Some(TasksCommand::Reopen { reference, task }) => {
            let t = tasks::reopen(&db, settings, &reference, &task).await?;
            out.say(format!("Task '{}' reopened.", t.key));
            return Ok(());
        }
        None => {}
    }
    let reference = a.reference.ok_or_else(|| {
        Error::bad_input("which incident? `breachdesk tasks REF` (see `breachdesk incident list`)")
    })?;
    let inc = incident::find(&db, &reference).await?;
    crate::playbook::follow::refresh(&db, settings, &inc).await?;
    let now = settings.now();
    let views = tasks::list(&db, inc.id, now, a.overdue).await?;
    if a.json {
        return out.json(&views);
    }
    if views.is_empty() {
        out.say(if a.overdue {
            format!("{}: no overdue tasks.", inc.reference)
        } else {
            format!(
                "{} has no tasks: they come from a playbook (incident declare --playbook NAME).",
                inc.reference
            )
        });
        return Ok(());
    }
    let rows = views
        .iter()
        .map(|v| {
            let state = match v.state {
                TaskState::Open => format!("open, {} left", clock::human_span(v.due_at - now)),
                TaskState::Overdue => format!("OVERDUE by {}", clock::human_span(now - v.due_at)),
                TaskState::Done => {
                    let at = v.done_at.map(|t| clock::human(t, zone)).unwrap_or_default();
                    match (v.evidence_seq, v.completed_by) {
                        (Some(seq), Some(event)) => format!("done {at}: {} (audit #{seq})", event.as_str()),
                        _ => format!("done {at}"),
                    }
                }
            };
            vec![
                v.key.clone(),
                v.title.clone(),
                v.owner_role.clone(),
                clock::human(v.due_at, zone),
                state,
            ]
        })
        .collect();
    out.table(&["Task", "Title", "Owner", "Due", "State"], rows);
    Ok(())
}
