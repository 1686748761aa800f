//! Playbooks: checklists for kinds of incident (ransomware, a lost device, ...), as TOML data
//! in `playbooks/`. The built-in ones are embedded in the binary; a directory named in the
//! configuration (`[playbooks] dir`) replaces or adds to them, file by file.

pub mod due;
pub mod follow;
pub mod parse;
pub mod tasks;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
pub use parse::{Playbook, Problem, TaskTemplate};

/// The playbooks built into the binary: (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "credential-stuffing.toml",
        include_str!("../../playbooks/credential-stuffing.toml"),
    ),
    (
        "data-exfiltration.toml",
        include_str!("../../playbooks/data-exfiltration.toml"),
    ),
    (
        "insider-misuse.toml",
        include_str!("../../playbooks/insider-misuse.toml"),
    ),
    (
        "lost-or-stolen-device.toml",
        include_str!("../../playbooks/lost-or-stolen-device.toml"),
    ),
    (
        "misdirected-email-or-post.toml",
        include_str!("../../playbooks/misdirected-email-or-post.toml"),
    ),
    (
        "processor-breach.toml",
        include_str!("../../playbooks/processor-breach.toml"),
    ),
    ("ransomware.toml", include_str!("../../playbooks/ransomware.toml")),
];

/// The file in a playbook directory that holds jurisdiction rules, not a playbook.
pub const JURISDICTIONS_FILE: &str = "jurisdictions.toml";

/// Where a playbook came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum Origin {
    BuiltIn(String),
    File(PathBuf),
}

impl Origin {
    /// How errors name it: `playbooks/ransomware.toml` or the file's path.
    pub fn describe(&self) -> String {
        match self {
            Origin::BuiltIn(name) => format!("playbooks/{name} (built in)"),
            Origin::File(path) => path.display().to_string(),
        }
    }
}

/// The playbooks in effect: the built-in ones, replaced or added to by `dir`.
pub fn catalog(dir: Option<&Path>) -> Result<Vec<Playbook>> {
    let mut books = Vec::new();
    for (name, text) in EMBEDDED {
        let origin = Origin::BuiltIn((*name).to_string());
        books.push(parse::parse(text, origin, Some(stem(name))).map_err(problems_error)?);
    }
    if let Some(dir) = dir {
        for book in load_dir(dir).map_err(problems_error)? {
            books.retain(|b: &Playbook| b.name != book.name);
            books.push(book);
        }
    }
    books.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(books)
}

/// Finds a playbook by name; an unknown name is bad input that lists the valid ones.
pub fn find(dir: Option<&Path>, name: &str) -> Result<Playbook> {
    let books = catalog(dir)?;
    let wanted = name.trim().to_ascii_lowercase();
    let names: Vec<String> = books.iter().map(|b| b.name.clone()).collect();
    books.into_iter().find(|b| b.name == wanted).ok_or_else(|| {
        Error::bad_input(format!(
            "unknown playbook '{name}': valid ones are {}",
            names.join(", ")
        ))
    })
}

/// Validates a file, or every playbook file in a directory; returns the playbooks or every
/// problem found.
pub fn validate_path(path: &Path) -> std::result::Result<Vec<Playbook>, Vec<Problem>> {
    if path.is_dir() {
        return load_dir(path);
    }
    let text = std::fs::read_to_string(path).map_err(|e| vec![Problem::file(path, e)])?;
    let name = path.file_name().and_then(|n| n.to_str()).map(stem);
    parse::parse(&text, Origin::File(path.to_path_buf()), name).map(|b| vec![b])
}

fn load_dir(dir: &Path) -> std::result::Result<Vec<Playbook>, Vec<Problem>> {
    let entries = std::fs::read_dir(dir).map_err(|e| vec![Problem::file(dir, e)])?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "toml")
                && p.file_name().is_some_and(|n| n != JURISDICTIONS_FILE)
        })
        .collect();
    paths.sort();
    let (mut books, mut problems) = (Vec::new(), Vec::new());
    for path in paths {
        match validate_path(&path) {
            Ok(mut b) => books.append(&mut b),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(books)
    } else {
        Err(problems)
    }
}

fn stem(file_name: &str) -> &str {
    file_name.strip_suffix(".toml").unwrap_or(file_name)
}

pub use crate::tomlfile::problems_error;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_playbooks_are_valid() {
        let books = catalog(None).unwrap();
        let names: Vec<&str> = books.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "credential-stuffing",
                "data-exfiltration",
                "insider-misuse",
                "lost-or-stolen-device",
                "misdirected-email-or-post",
                "processor-breach",
                "ransomware"
            ]
        );
        for b in &books {
            assert!(b.tasks.len() >= 5, "{}", b.name);
        }
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let e = find(None, "alien-invasion").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains("credential-stuffing, data-exfiltration, "),
            "{e}"
        );
    }
}
