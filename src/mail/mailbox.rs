//! Reading messages out of an mbox file or a Maildir, one raw message at a time: what
//! `send bounces` and `followup ingest` are given.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A message and where it came from (`FILE:LINE` for mbox, the file for Maildir).
#[derive(Debug)]
pub struct RawMessage {
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// Every message of an mbox file (mboxrd / mboxo: `From ` lines separate messages, `>From `
/// is unquoted).
pub fn read_mbox(path: &Path) -> Result<Vec<RawMessage>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
    let mut out = Vec::new();
    let mut current: Option<RawMessage> = None;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.starts_with(b"From ") {
            out.extend(current.take());
            current = Some(RawMessage {
                origin: format!("{}:{number}", path.display()),
                bytes: Vec::new(),
            });
            continue;
        }
        let Some(msg) = current.as_mut() else {
            return Err(Error::bad_input(format!(
                "{}:{number}: not an mbox file (it must start with a \"From \" line)",
                path.display()
            )));
        };
        let unquoted = line.starts_with(b">")
            && line
                .iter()
                .skip_while(|b| **b == b'>')
                .take(5)
                .eq(b"From ".iter());
        msg.bytes
            .extend_from_slice(if unquoted { &line[1..] } else { &line });
    }
    out.extend(current);
    Ok(out)
}

/// Every message in a Maildir's `new` and `cur` folders (or, for a plain folder of files,
/// every file in it), in name order.
pub fn read_maildir(dir: &Path) -> Result<Vec<RawMessage>> {
    if !dir.is_dir() {
        return Err(Error::bad_input(format!("{} is not a directory", dir.display())));
    }
    let sub: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .map(|s| dir.join(s))
        .filter(|p| p.is_dir())
        .collect();
    let folders = if sub.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        sub
    };
    let mut files = Vec::new();
    for folder in folders {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", folder.display())))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::bad_input(format!("cannot read {}: {e}", folder.display())))?;
            let path = entry.path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if path.is_file() && !hidden {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
            Ok(RawMessage {
                origin: path.display().to_string(),
                bytes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_splits_and_unquotes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("box");
        std::fs::write(
            &path,
            "From a@b Mon Jan  1 00:00:00 2026\nSubject: one\n\n>From here\nbody\nFrom c@d Tue Jan  2 00:00:00 2026\nSubject: two\n\nx\n",
        )
        .unwrap();
        let msgs = read_mbox(&path).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            String::from_utf8_lossy(&msgs[0].bytes),
            "Subject: one\n\nFrom here\nbody\n"
        );
        assert!(msgs[1].origin.ends_with(":6"));
        std::fs::write(&path, "Subject: no envelope\n").unwrap();
        assert!(read_mbox(&path).unwrap_err().to_string().contains(":1"));
    }
}
