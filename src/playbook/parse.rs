//! Reading and checking one playbook file. Every problem names the file and the line.
//!
//! ```toml
//! name = "ransomware"          # the file's name without .toml
//! title = "Ransomware"
//! description = "..."
//! sources = ["EDPB Guidelines 01/2021, cases 1-4"]
//!
//! [[task]]
//! key = "contain"              # lower-case words joined by '-', unique in the playbook
//! title = "Isolate the affected systems"
//! due = "4h"                   # after awareness: 30m, 4h, 3d, 1d12h or PT4H, P3D
//! owner = "security"           # the role that does it
//! guidance = "..."
//! completed_by = "submission-recorded"  # optional: the recorded event that closes it:
//!                              # assessment-recorded, decision-taken, submission-recorded,
//!                              # letters-sent
//! ```

use chrono::Duration;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{Origin, due};
pub use crate::db::entities::task::CompletingEvent;
pub use crate::tomlfile::Problem;
use crate::tomlfile::line_of;

/// A playbook, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Playbook {
    pub name: String,
    pub title: String,
    pub description: String,
    pub sources: Vec<String>,
    pub origin: Origin,
    pub tasks: Vec<TaskTemplate>,
}

/// One task of a playbook.
#[derive(Debug, Clone, Serialize)]
pub struct TaskTemplate {
    pub key: String,
    pub title: String,
    /// As written (`4h`).
    pub due: String,
    #[serde(skip)]
    pub due_after: Duration,
    pub owner: String,
    pub guidance: String,
    /// The recorded event that closes the task by itself.
    pub completed_by: Option<CompletingEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    task: Vec<Spanned<TaskFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    key: Spanned<String>,
    title: Spanned<String>,
    due: Spanned<String>,
    owner: Spanned<String>,
    #[serde(default)]
    guidance: String,
    completed_by: Option<Spanned<String>>,
}

/// Parses and checks a playbook; `expected_name` is the file's stem, which the name must match.
pub fn parse(
    text: &str,
    origin: Origin,
    expected_name: Option<&str>,
) -> std::result::Result<Playbook, Vec<Problem>> {
    let file_name = origin.describe();
    let at = |offset: usize, message: String| Problem {
        file: file_name.clone(),
        line: Some(line_of(text, offset)),
        message,
    };
    let file: File = toml::from_str(text).map_err(|e| {
        vec![Problem {
            file: file_name.clone(),
            line: Some(e.span().map(|s| line_of(text, s.start)).unwrap_or(1)),
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut problems = Vec::new();
    let name = file.name.get_ref().trim().to_string();
    if !is_slug(&name) {
        problems.push(at(
            file.name.span().start,
            format!("name '{name}' must be lower-case words joined by '-'"),
        ));
    }
    if let Some(expected) = expected_name
        && expected != name
    {
        problems.push(at(
            file.name.span().start,
            format!("name '{name}' differs from the file name '{expected}.toml'"),
        ));
    }
    if file.title.get_ref().trim().is_empty() {
        problems.push(at(file.title.span().start, "the title is empty".into()));
    }
    if file.task.is_empty() {
        problems.push(Problem {
            file: file_name.clone(),
            line: None,
            message: "the playbook has no [[task]]".into(),
        });
    }
    let mut tasks: Vec<TaskTemplate> = Vec::new();
    for t in &file.task {
        let t = t.get_ref();
        let key = t.key.get_ref().trim().to_string();
        if !is_slug(&key) {
            problems.push(at(
                t.key.span().start,
                format!("task key '{key}' must be lower-case words joined by '-'"),
            ));
        } else if tasks.iter().any(|o| o.key == key) {
            problems.push(at(t.key.span().start, format!("task key '{key}' is used twice")));
        }
        if t.title.get_ref().trim().is_empty() {
            problems.push(at(
                t.title.span().start,
                format!("task '{key}' has an empty title"),
            ));
        }
        if t.owner.get_ref().trim().is_empty() {
            problems.push(at(
                t.owner.span().start,
                format!("task '{key}' has no owner role"),
            ));
        }
        let due_text = t.due.get_ref().trim().to_string();
        let due_after = due::parse(&due_text).unwrap_or_else(|| {
            problems.push(at(
                t.due.span().start,
                format!(
                    "task '{key}': due '{due_text}' is not a time after awareness such as 30m, 4h, 3d, 1d12h, PT4H or P3D"
                ),
            ));
            Duration::zero()
        });
        let completed_by = t.completed_by.as_ref().and_then(|c| {
            let event = CompletingEvent::ALL
                .into_iter()
                .find(|e| e.as_str() == c.get_ref().trim());
            if event.is_none() {
                let names: Vec<&str> = CompletingEvent::ALL.iter().map(|e| e.as_str()).collect();
                problems.push(at(
                    c.span().start,
                    format!(
                        "task '{key}': completed_by '{}' is not one of {}",
                        c.get_ref(),
                        names.join(", ")
                    ),
                ));
            }
            event
        });
        tasks.push(TaskTemplate {
            key,
            title: t.title.get_ref().trim().to_string(),
            due: due_text,
            due_after,
            owner: t.owner.get_ref().trim().to_string(),
            guidance: t.guidance.trim().to_string(),
            completed_by,
        });
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    Ok(Playbook {
        name,
        title: file.title.into_inner().trim().to_string(),
        description: file.description.trim().to_string(),
        sources: file.sources,
        origin,
        tasks,
    })
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"name = "x"
title = "X"

[[task]]
key = "a"
title = "A"
due = "4h"
owner = "dpo"

[[task]]
key = "b"
title = "B"
due = "P3D"
owner = "dpo"
"#;

    fn origin() -> Origin {
        Origin::File("x.toml".into())
    }

    #[test]
    fn reads_a_good_playbook() {
        let b = parse(GOOD, origin(), Some("x")).unwrap();
        assert_eq!(b.tasks.len(), 2);
        assert_eq!(b.tasks[1].due_after, Duration::days(3));
    }

    #[test]
    fn problems_name_the_line() {
        let bad = GOOD
            .replace("due = \"P3D\"", "due = \"soon\"")
            .replace("key = \"b\"", "key = \"a\"");
        let problems = parse(&bad, origin(), Some("x")).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].starts_with("x.toml:11: task key 'a' is used twice"),
            "{text:?}"
        );
        assert!(text[1].starts_with("x.toml:13: task 'a': due 'soon'"), "{text:?}");
    }

    #[test]
    fn syntax_errors_and_unknown_fields_name_the_line() {
        let bad = GOOD.replace(
            "owner = \"dpo\"\n\n[[task]]",
            "owner = \"dpo\"\ncolour = \"red\"\n[[task]]",
        );
        let p = parse(&bad, origin(), Some("x")).unwrap_err();
        assert!(
            p[0].to_string().starts_with("x.toml:9: unknown field `colour`"),
            "{:?}",
            p
        );
        let p = parse(&GOOD.replace("title = \"A\"", "title = A"), origin(), Some("x")).unwrap_err();
        assert_eq!(p[0].line, Some(6), "{p:?}");
        let p = parse(GOOD, origin(), Some("y")).unwrap_err();
        assert!(p[0].message.contains("differs from the file name"), "{p:?}");
    }

    #[test]
    fn completing_events_are_read_and_checked() {
        let good = GOOD.replace(
            "due = \"4h\"",
            "due = \"4h\"\ncompleted_by = \"submission-recorded\"",
        );
        let b = parse(&good, origin(), Some("x")).unwrap();
        assert_eq!(b.tasks[0].completed_by, Some(CompletingEvent::SubmissionRecorded));
        assert_eq!(b.tasks[1].completed_by, None);
        let bad = GOOD.replace("due = \"4h\"", "due = \"4h\"\ncompleted_by = \"sunrise\"");
        let p = parse(&bad, origin(), Some("x")).unwrap_err();
        assert!(
            p[0].to_string()
                .starts_with("x.toml:8: task 'a': completed_by 'sunrise' is not one of"),
            "{p:?}"
        );
    }
}
