//! Reading messages out of an mbox file or a Maildir (mail-parser's readers), one raw message
//! at a time, in a stable order: what `send bounces` and `followup ingest` are given.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where returned mail or replies are.
#[derive(Debug, Clone)]
pub enum MailSource {
    Maildir(PathBuf),
    Mbox(PathBuf),
}

/// A message and where it came from: its file in the Maildir, or `#N` in the mbox.
#[derive(Debug)]
pub struct RawMessage {
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// Every message of the source.
pub fn read(source: &MailSource) -> Result<Vec<RawMessage>> {
    match source {
        MailSource::Maildir(dir) => read_maildir(dir),
        MailSource::Mbox(file) => {
            let f = std::fs::File::open(file)
                .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", file.display())))?;
            mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(f))
                .enumerate()
                .map(|(i, m)| {
                    m.map(|m| RawMessage {
                        origin: format!("{}#{}", file.display(), i + 1),
                        bytes: m.unwrap_contents(),
                    })
                    .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", file.display())))
                })
                .collect()
        }
    }
}

fn read_maildir(dir: &Path) -> Result<Vec<RawMessage>> {
    let bad = |e: std::io::Error| {
        Error::bad_input(format!(
            "{} is not a Maildir (it needs cur/ and new/): {e}",
            dir.display()
        ))
    };
    let mut out = Vec::new();
    for m in mail_parser::mailbox::maildir::MessageIterator::new(dir).map_err(bad)? {
        let m = m.map_err(bad)?;
        let origin = m
            .path()
            .strip_prefix(dir)
            .unwrap_or(m.path())
            .display()
            .to_string();
        out.push(RawMessage {
            origin,
            bytes: m.unwrap_contents(),
        });
    }
    out.sort_by(|a, b| a.origin.cmp(&b.origin));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_and_maildir() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("box");
        std::fs::write(
            &path,
            "From a@b Mon Jan  1 00:00:00 2026\nSubject: one\n\nbody\n\nFrom c@d Tue Jan  2 00:00:00 2026\nSubject: two\n\nx\n",
        )
        .unwrap();
        let msgs = read(&MailSource::Mbox(path)).unwrap();
        assert_eq!(msgs.len(), 2);
        assert!(String::from_utf8_lossy(&msgs[1].bytes).contains("Subject: two"));
        let md = dir.path().join("md");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        std::fs::write(md.join("new").join("2"), "Subject: b\n\nx\n").unwrap();
        std::fs::write(md.join("cur").join("1:2,S"), "Subject: a\n\nx\n").unwrap();
        let msgs = read(&MailSource::Maildir(md.clone())).unwrap();
        assert_eq!(msgs.len(), 2);
        let err = read(&MailSource::Maildir(dir.path().join("nope"))).unwrap_err();
        assert!(err.to_string().contains("not a Maildir"), "{err}");
    }
}
