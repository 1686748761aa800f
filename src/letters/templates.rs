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

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        /// The default template set: relative path and text.
        pub static BUILTIN: &[(&str, &str)] = &[
            $( ($path, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/letters/", $path))), )*
        ];
    };
}

builtin![
    "en/advice.toml",
    "en/initial/subject.txt",
    "en/initial/email.txt",
    "en/initial/email.html",
    "en/initial/postal.txt",
    "en/update/subject.txt",
    "en/update/email.txt",
    "en/update/email.html",
    "en/update/postal.txt",
    "en/partials/contact.txt",
    "en/partials/contact.html",
    "en/partials/what_happened.txt",
    "en/partials/what_happened.html",
    "en/partials/what_we_did.txt",
    "en/partials/what_we_did.html",
    "en/partials/what_you_can_do.txt",
    "en/partials/what_you_can_do.html",
    "en/partials/verification.txt",
    "en/partials/verification.html",
    "de/advice.toml",
    "de/initial/subject.txt",
    "de/initial/email.txt",
    "de/initial/email.html",
    "de/initial/postal.txt",
    "de/update/subject.txt",
    "de/update/email.txt",
    "de/update/email.html",
    "de/update/postal.txt",
    "de/partials/contact.txt",
    "de/partials/contact.html",
    "de/partials/what_happened.txt",
    "de/partials/what_happened.html",
    "de/partials/what_we_did.txt",
    "de/partials/what_we_did.html",
    "de/partials/what_you_can_do.txt",
    "de/partials/what_you_can_do.html",
    "de/partials/verification.txt",
    "de/partials/verification.html",
    "fr/advice.toml",
    "fr/initial/subject.txt",
    "fr/initial/email.txt",
    "fr/initial/email.html",
    "fr/initial/postal.txt",
    "fr/update/subject.txt",
    "fr/update/email.txt",
    "fr/update/email.html",
    "fr/update/postal.txt",
    "fr/partials/contact.txt",
    "fr/partials/contact.html",
    "fr/partials/what_happened.txt",
    "fr/partials/what_happened.html",
    "fr/partials/what_we_did.txt",
    "fr/partials/what_we_did.html",
    "fr/partials/what_you_can_do.txt",
    "fr/partials/what_you_can_do.html",
    "fr/partials/verification.txt",
    "fr/partials/verification.html",
    "es/advice.toml",
    "es/initial/subject.txt",
    "es/initial/email.txt",
    "es/initial/email.html",
    "es/initial/postal.txt",
    "es/update/subject.txt",
    "es/update/email.txt",
    "es/update/email.html",
    "es/update/postal.txt",
    "es/partials/contact.txt",
    "es/partials/contact.html",
    "es/partials/what_happened.txt",
    "es/partials/what_happened.html",
    "es/partials/what_we_did.txt",
    "es/partials/what_we_did.html",
    "es/partials/what_you_can_do.txt",
    "es/partials/what_you_can_do.html",
    "es/partials/verification.txt",
    "es/partials/verification.html",
    "it/advice.toml",
    "it/initial/subject.txt",
    "it/initial/email.txt",
    "it/initial/email.html",
    "it/initial/postal.txt",
    "it/update/subject.txt",
    "it/update/email.txt",
    "it/update/email.html",
    "it/update/postal.txt",
    "it/partials/contact.txt",
    "it/partials/contact.html",
    "it/partials/what_happened.txt",
    "it/partials/what_happened.html",
    "it/partials/what_we_did.txt",
    "it/partials/what_we_did.html",
    "it/partials/what_you_can_do.txt",
    "it/partials/what_you_can_do.html",
    "it/partials/verification.txt",
    "it/partials/verification.html",
    "nl/advice.toml",
    "nl/initial/subject.txt",
    "nl/initial/email.txt",
    "nl/initial/email.html",
    "nl/initial/postal.txt",
    "nl/update/subject.txt",
    "nl/update/email.txt",
    "nl/update/email.html",
    "nl/update/postal.txt",
    "nl/partials/contact.txt",
    "nl/partials/contact.html",
    "nl/partials/what_happened.txt",
    "nl/partials/what_happened.html",
    "nl/partials/what_we_did.txt",
    "nl/partials/what_we_did.html",
    "nl/partials/what_you_can_do.txt",
    "nl/partials/what_you_can_do.html",
    "nl/partials/verification.txt",
    "nl/partials/verification.html",
    "pl/advice.toml",
    "pl/initial/subject.txt",
    "pl/initial/email.txt",
    "pl/initial/email.html",
    "pl/initial/postal.txt",
    "pl/update/subject.txt",
    "pl/update/email.txt",
    "pl/update/email.html",
    "pl/update/postal.txt",
    "pl/partials/contact.txt",
    "pl/partials/contact.html",
    "pl/partials/what_happened.txt",
    "pl/partials/what_happened.html",
    "pl/partials/what_we_did.txt",
    "pl/partials/what_we_did.html",
    "pl/partials/what_you_can_do.txt",
    "pl/partials/what_you_can_do.html",
    "pl/partials/verification.txt",
    "pl/partials/verification.html",
    "pt/advice.toml",
    "pt/initial/subject.txt",
    "pt/initial/email.txt",
    "pt/initial/email.html",
    "pt/initial/postal.txt",
    "pt/update/subject.txt",
    "pt/update/email.txt",
    "pt/update/email.html",
    "pt/update/postal.txt",
    "pt/partials/contact.txt",
    "pt/partials/contact.html",
    "pt/partials/what_happened.txt",
    "pt/partials/what_happened.html",
    "pt/partials/what_we_did.txt",
    "pt/partials/what_we_did.html",
    "pt/partials/what_you_can_do.txt",
    "pt/partials/what_you_can_do.html",
    "pt/partials/verification.txt",
    "pt/partials/verification.html",
    "sv/advice.toml",
    "sv/initial/subject.txt",
    "sv/initial/email.txt",
    "sv/initial/email.html",
    "sv/initial/postal.txt",
    "sv/update/subject.txt",
    "sv/update/email.txt",
    "sv/update/email.html",
    "sv/update/postal.txt",
    "sv/partials/contact.txt",
    "sv/partials/contact.html",
    "sv/partials/what_happened.txt",
    "sv/partials/what_happened.html",
    "sv/partials/what_we_did.txt",
    "sv/partials/what_we_did.html",
    "sv/partials/what_you_can_do.txt",
    "sv/partials/what_you_can_do.html",
    "sv/partials/verification.txt",
    "sv/partials/verification.html",
];

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
