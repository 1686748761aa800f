//! The manifest of a print run: one CSV row per letter (which file, which page, who it goes
//! to), for the mail house, and read back by `letters posted` to mark exactly those letters
//! as sent. Cells a spreadsheet would run as a formula are neutralised.

use std::path::Path;

use crate::error::{Error, Result};
use crate::resolve::export::safe_cell;

/// Address lines the manifest has columns for; more lines are joined into the last.
pub const ADDRESS_COLUMNS: usize = 6;

/// The manifest's header.
pub fn header() -> Vec<String> {
    let mut h: Vec<String> = [
        "file",
        "page",
        "pages",
        "notification_id",
        "subject_id",
        "letter",
        "locale",
        "country",
        "verification_code",
        "content_hash",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend((1..=ADDRESS_COLUMNS).map(|i| format!("address_{i}")));
    h
}

/// One letter's row.
#[derive(Debug, Clone)]
pub struct ManifestRow {
    pub file: String,
    pub page: usize,
    pub pages: usize,
    pub notification_id: i64,
    pub subject_id: i64,
    pub letter: String,
    pub locale: String,
    pub country: String,
    pub verification_code: String,
    pub content_hash: String,
    pub address: Vec<String>,
}

impl ManifestRow {
    pub fn record(&self) -> Vec<String> {
        let mut r = vec![
            safe_cell(&self.file),
            self.page.to_string(),
            self.pages.to_string(),
            self.notification_id.to_string(),
            self.subject_id.to_string(),
            self.letter.clone(),
            safe_cell(&self.locale),
            safe_cell(&self.country),
            safe_cell(&self.verification_code),
            self.content_hash.clone(),
        ];
        let mut lines: Vec<String> = self.address.clone();
        if lines.len() > ADDRESS_COLUMNS {
            let tail = lines.split_off(ADDRESS_COLUMNS - 1).join(", ");
            lines.push(tail);
        }
        lines.resize(ADDRESS_COLUMNS, String::new());
        r.extend(lines.iter().map(|l| safe_cell(l)));
        r
    }
}

/// What `letters posted` needs of a manifest: (notification id, content hash) per letter.
pub fn read_posted(path: &Path) -> Result<Vec<(i64, String)>> {
    let bad = |what: String| Error::bad_input(format!("{}: {what}", path.display()));
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| Error::bad_input(format!("cannot read the manifest {}: {e}", path.display())))?;
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("not a manifest: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("not a manifest of `letters pdf`: no column {name}")))
    };
    let (id_col, hash_col) = (column("notification_id")?, column("content_hash")?);
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        let id = record
            .get(id_col)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .ok_or_else(|| bad(format!("line {line}: notification_id is not a number")))?;
        let hash = record.get(hash_col).unwrap_or_default().trim().to_string();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!("line {line}: content_hash is not a SHA-256")));
        }
        out.push((id, hash));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_formula_safe_and_long_addresses_fit() {
        let row = ManifestRow {
            file: "a.pdf".into(),
            page: 3,
            pages: 2,
            notification_id: 7,
            subject_id: 9,
            letter: "initial".into(),
            locale: "de".into(),
            country: "DE".into(),
            verification_code: "ABCD".into(),
            content_hash: "0".repeat(64),
            address: (1..=8).map(|i| format!("=L{i}")).collect(),
        };
        let r = row.record();
        assert_eq!(r.len(), header().len());
        assert_eq!(r[10], "'=L1");
        assert_eq!(r[15], "'=L6, =L7, =L8");
    }
}
