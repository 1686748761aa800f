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
            inside(dir, &found)?;
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
        let kind = entry
            .file_type()
            .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
        if kind.is_symlink() && path.is_dir() {
            // Followed, a link to a directory could lead anywhere, or round in a circle.
            return Err(Error::bad_input(format!(
                "template directory {} is a symbolic link: copy the templates in instead",
                path.display()
            )));
        }
        if kind.is_dir() {
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

/// Refuses a template file that resolves (through a symbolic link) to a file outside the
/// template directory: a letter must never carry the text of some other file of the machine.
fn inside(root: &Path, found: &[(String, PathBuf)]) -> Result<()> {
    let root = root
        .canonicalize()
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", root.display())))?;
    for (_, full) in found {
        let real = full
            .canonicalize()
            .map_err(|e| Error::bad_input(format!("cannot read template {}: {e}", full.display())))?;
        if !real.starts_with(&root) {
            return Err(Error::bad_input(format!(
                "template {} links to a file outside the template directory: copy the file in instead",
                full.display()
            )));
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

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_template_directory_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("en/initial")).unwrap();
        // A link to a file inside the directory is fine.
        std::fs::write(dir.path().join("en/initial/base.txt"), "Subject").unwrap();
        std::os::unix::fs::symlink("base.txt", dir.path().join("en/initial/subject.txt")).unwrap();
        let loaded = TemplateFiles::load(Some(dir.path())).unwrap();
        assert_eq!(loaded.get("en/initial/subject.txt").unwrap().text, "Subject");
        // A link to a file elsewhere is refused, and its text is never read into a letter.
        std::os::unix::fs::symlink(
            outside.path().join("secret"),
            dir.path().join("en/initial/email.txt"),
        )
        .unwrap();
        let err = TemplateFiles::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("outside the template directory"), "{err}");
        assert!(!err.contains("host secret"), "{err}");
        std::fs::remove_file(dir.path().join("en/initial/email.txt")).unwrap();
        // So is a linked directory.
        std::os::unix::fs::symlink(outside.path(), dir.path().join("fr")).unwrap();
        let err = TemplateFiles::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
    }
}
