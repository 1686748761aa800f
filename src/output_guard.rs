//! Output paths never replace what a command reads: `--output` and `--rejects` are checked
//! against the SQLite database and its companion files, the configuration file and the
//! command's own inputs before anything is opened for writing.
//!
//! Paths are compared after resolving symlinks and `..` (the file's folder when the file does
//! not exist yet, so that `breachdesk.db-wal` is refused while SQLite has none), and by device
//! and inode when both exist, so that a hard link is caught too.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Settings};
use crate::db::Location;
use crate::error::{Error, Result};

/// The files a command's outputs must not be.
#[derive(Debug, Default)]
pub struct Protected {
    files: Vec<(PathBuf, &'static str)>,
}

impl Protected {
    /// The database (a SQLite file with its `-wal`, `-shm` and `-journal`) and the
    /// configuration file of `settings`.
    pub fn of(settings: &Settings) -> Protected {
        let mut p = Protected::default();
        if let Ok(Location::Sqlite(db)) = Location::parse(&settings.database_url) {
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut name = db.clone().into_os_string();
                name.push(suffix);
                p.files.push((PathBuf::from(name), "a file of the database"));
            }
            p.files.push((db, "the database"));
        }
        let config = settings
            .config_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(CONFIG_FILE));
        p.files.push((config, "the configuration file"));
        p
    }

    /// Adds one of the command's inputs.
    pub fn input(mut self, path: &Path) -> Protected {
        self.files.push((path.to_path_buf(), "an input of this command"));
        self
    }

    /// Refuses `path`, given with `flag`, when it is one of the protected files.
    pub fn check(&self, flag: &str, path: &Path) -> Result<()> {
        let target = identity(path);
        for (file, what) in &self.files {
            if identity(file).same_as(&target) {
                return Err(Error::bad_input(format!(
                    "{flag} {} is {what}: writing there would destroy it; choose another file",
                    path.display()
                )));
            }
        }
        Ok(())
    }
}

/// Where a path leads: its resolved form, and its device and inode when it exists.
struct Identity {
    resolved: Option<PathBuf>,
    inode: Option<(u64, u64)>,
}

impl Identity {
    fn same_as(&self, other: &Identity) -> bool {
        (self.inode.is_some() && self.inode == other.inode)
            || (self.resolved.is_some() && self.resolved == other.resolved)
    }
}

fn identity(path: &Path) -> Identity {
    let resolved = std::fs::canonicalize(path).ok().or_else(|| {
        // Not there (yet): resolve its folder and keep the name.
        let name = path.file_name()?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::canonicalize(parent).ok().map(|dir| dir.join(name))
    });
    Identity {
        resolved,
        inode: inode(path),
    }
}

#[cfg(unix)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_path: &Path) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(dir: &Path) -> Protected {
        Protected {
            files: vec![
                (dir.join("breachdesk.db"), "the database"),
                (dir.join("breachdesk.db-wal"), "a file of the database"),
            ],
        }
    }

    #[test]
    fn same_file_by_any_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("breachdesk.db"), "x").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        let p = protected(d);
        assert!(p.check("--output", &d.join("breachdesk.db")).is_err());
        assert!(p.check("--output", &d.join("sub/../breachdesk.db")).is_err());
        // The WAL does not exist, and is still refused by name.
        assert!(p.check("--output", &d.join("breachdesk.db-wal")).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("breachdesk.db"), d.join("link")).unwrap();
            std::fs::hard_link(d.join("breachdesk.db"), d.join("hard")).unwrap();
            assert!(p.check("--output", &d.join("link")).is_err());
            assert!(p.check("--output", &d.join("hard")).is_err());
        }
        assert!(p.check("--output", &d.join("export.csv")).is_ok());
        assert!(p.check("--output", &d.join("sub/breachdesk.db")).is_ok());
    }
}
