//! Files that hold personal data (the database, exports, reports, sample inventories) are
//! readable and writable by their owner only: created with mode 0600, and put back to 0600
//! when they existed with a wider mode.

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
