//! The one writer of files that hold personal data or secrets (the database, exports, reports,
//! rejected rows, letters, sample inventories, the configuration): they are readable and
//! writable by their owner only, created with mode 0600 and put back to 0600 when they existed
//! with a wider mode, whatever the umask. Folders created for them are 0700.
//!
//! Callers check output paths against their inputs first (`output_guard`).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` for writing, owner-only. With `create_new`, refuses an existing file;
/// otherwise creates or truncates it.
pub fn open(path: &Path, create_new: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// Writes `bytes` to `path`, owner-only.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use io::Write;
    let mut w = io::BufWriter::new(open(path, false)?);
    w.write_all(bytes)?;
    w.flush()
}

/// Creates `dir` and any missing parents, each owner-only (0700). A folder that exists is
/// left as it is: it may be one the user shares on purpose.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        let existed = dir.is_dir();
        builder.create(dir)?;
        if !existed {
            // The mode above is reduced by the umask; never widened past 0700, so set it.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_0600_and_new_folders_0700() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.csv");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        write(&file, b"new").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        let nested = dir.path().join("a/b");
        create_dir(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
    }
}
