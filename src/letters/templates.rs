//! The template files: the default set embedded in the binary, overridden file by file from a
//! directory with the same layout, and the set's version (a hash of every byte in it).
//!
//! Layout, under `templates/letters/` in the source tree or under `--templates DIR`:
//! `LOCALE/KIND/{subject.txt,email.txt,email.html,postal.txt}` for each kind (`initial`,
//! `update`), `LOCALE/partials/NAME.{txt,html}`, and `LOCALE/advice.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub use super::builtin::BUILTIN;

/// The language every set falls back to when a person's locale has no templates.
pub const DEFAULT_LANGUAGE: &str = "en";

/// Where a template file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    /// A file in the override directory.
    File(PathBuf),
}

/// One template file.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Relative path with `/`: `de/initial/email.txt`.
    pub path: String,
    pub text: String,
    pub origin: Origin,
}

impl TemplateFile {
    /// How errors name the file: the override's path on disk, or `builtin:de/initial/email.txt`.
    pub fn display(&self) -> String {
        match &self.origin {
            Origin::Builtin => format!("builtin:{}", self.path),
            Origin::File(p) => p.display().to_string(),
        }
    }

    /// The locale directory the file is in (`de`).
    pub fn locale(&self) -> &str {
        self.path.split('/').next().unwrap_or_default()
    }
}

/// What a file is, by its place in the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role<'a> {
    /// `LOCALE/KIND/NAME`: a letter part.
    Letter {
        kind: &'a str,
        name: &'a str,
    },
    /// `LOCALE/partials/NAME.EXT`: a partial, called as `{{> NAME}}`.
    Partial {
        name: &'a str,
        html: bool,
    },
    /// `LOCALE/advice.toml`.
    Advice,
    Unknown,
}

/// The role of `path` in the layout.
pub fn role(path: &str) -> Role<'_> {
    let parts: Vec<&str> = path.split('/').collect();
    let locale_ok = parts[0]
        .parse::<super::Locale>()
        .is_ok_and(|l| l.as_str() == parts[0]);
    if !locale_ok {
        return Role::Unknown;
    }
    match parts.as_slice() {
        [_, "advice.toml"] => Role::Advice,
        [_, "partials", file] => match file.rsplit_once('.') {
            Some((name, "txt")) if !name.is_empty() => Role::Partial { name, html: false },
            Some((name, "html")) if !name.is_empty() => Role::Partial { name, html: true },
            _ => Role::Unknown,
        },
        [
            _,
            kind @ ("initial" | "update"),
            name @ ("subject.txt" | "email.txt" | "email.html" | "postal.txt"),
        ] => Role::Letter { kind, name },
        _ => Role::Unknown,
    }
}

/// A template set's files, by relative path.
#[derive(Debug, Clone)]
pub struct TemplateFiles {
    files: BTreeMap<String, TemplateFile>,
}

impl TemplateFiles {
    /// The embedded default set.
    pub fn builtin() -> TemplateFiles {
        let files = BUILTIN
            .iter()
            .map(|(path, text)| {
                let file = TemplateFile {
                    path: (*path).to_string(),
                    text: (*text).to_string(),
                    origin: Origin::Builtin,
                };
                (file.path.clone(), file)
            })
            .collect();
        TemplateFiles { files }
    }

    /// The default set with every file found under `dir` (if given) replacing or adding to it.
    pub fn load(dir: Option<&Path>) -> Result<TemplateFiles> {
        let mut set = TemplateFiles::builtin();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(Error::bad_input(format!(
                    "--templates {}: no such directory",
                    dir.display()
                )));
            }
            let mut found = Vec::new();
            walk(dir, dir, &mut found)?;
            for (path, full) in found {
                let text = std::fs::read_to_string(&full)
                    .map_err(|e| Error::bad_input(format!("cannot read template {}: {e}", full.display())))?;
                set.insert(TemplateFile {
                    path,
                    text,
                    origin: Origin::File(full),
                });
            }
        }
        Ok(set)
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, file: TemplateFile) {
        self.files.insert(file.path.clone(), file);
    }

    pub fn get(&self, path: &str) -> Option<&TemplateFile> {
        self.files.get(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = &TemplateFile> {
        self.files.values()
    }

    /// The locales: the top-level directories that hold template files.
    pub fn locales(&self) -> BTreeSet<&str> {
        self.files
            .values()
            .filter(|f| role(&f.path) != Role::Unknown)
            .map(TemplateFile::locale)
            .collect()
    }

    /// The set's version: SHA-256 over every file's path and bytes, in path order. A stored
    /// letter names it, so that it can be rendered again byte for byte.
    pub fn version(&self) -> String {
        let mut hash = Sha256::new();
        for file in self.files.values() {
            hash.update((file.path.len() as u64).to_le_bytes());
            hash.update(file.path.as_bytes());
            hash.update((file.text.len() as u64).to_le_bytes());
            hash.update(file.text.as_bytes());
        }
        hex::encode(hash.finalize())
    }
}

/// Collects the files under `dir` (hidden ones and editor backups skipped) with their
/// `/`-separated paths relative to `root`.
fn walk(root: &Path, dir: &Path, found: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::bad_input(format!("cannot read {}: {e}", dir.display())))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, found)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect();
            found.push((parts.join("/"), path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_source_tree_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/letters");
        let mut on_disk = Vec::new();
        walk(&root, &root, &mut on_disk).unwrap();
        let mut on_disk: Vec<String> = on_disk.into_iter().map(|(p, _)| p).collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "templates/letters and the BUILTIN list differ");
        for (path, _) in BUILTIN {
            assert_ne!(role(path), Role::Unknown, "{path}");
        }
        assert_eq!(role("de-AT/initial/email.txt"), Role::Unknown);
        assert_eq!(role("letters/initial/email.txt"), Role::Unknown);
        assert_eq!(
            role("de-at/partials/x.txt"),
            Role::Partial {
                name: "x",
                html: false
            }
        );
    }

    #[test]
    fn overrides_replace_one_file_and_change_the_version() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("de/initial")).unwrap();
        std::fs::write(dir.path().join("de/initial/subject.txt"), "Betreff").unwrap();
        std::fs::write(dir.path().join(".DS_Store"), "x").unwrap();
        let builtin = TemplateFiles::builtin();
        let loaded = TemplateFiles::load(Some(dir.path())).unwrap();
        assert_eq!(loaded.get("de/initial/subject.txt").unwrap().text, "Betreff");
        assert!(matches!(
            loaded.get("de/initial/subject.txt").unwrap().origin,
            Origin::File(_)
        ));
        assert_eq!(
            loaded.get("en/initial/subject.txt").unwrap().origin,
            Origin::Builtin
        );
        assert_eq!(loaded.iter().count(), builtin.iter().count());
        assert_ne!(loaded.version(), builtin.version());
        assert_eq!(builtin.version(), TemplateFiles::builtin().version());
        assert_eq!(builtin.version().len(), 64);
        assert!(TemplateFiles::load(Some(&dir.path().join("nope"))).is_err());
    }
}
