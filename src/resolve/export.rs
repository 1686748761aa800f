//! Writing the affected subjects out as CSV or JSON, streamed. CSV cells that a spreadsheet
//! would run as a formula (starting with = + - @, tab or carriage return) are prefixed with a
//! single quote.

use std::io::Write;

use crate::category::DataCategory;
use crate::db::affected::AffectedRow;
use crate::error::{Error, Result};

/// The CSV header of an export.
pub const CSV_HEADER: &[&str] = &[
    "subject_id",
    "name",
    "email",
    "locale",
    "country",
    "region",
    "jurisdiction",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "phone",
    "categories",
    "systems",
    "records",
    "special_categories",
];

/// Neutralises a cell a spreadsheet would evaluate.
pub fn safe_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

/// One affected person as a CSV record.
pub fn csv_record(r: &AffectedRow) -> Vec<String> {
    let o = |v: &Option<String>| safe_cell(v.as_deref().unwrap_or(""));
    vec![
        r.subject_id.to_string(),
        o(&r.name),
        o(&r.email),
        o(&r.locale),
        o(&r.country),
        o(&r.region),
        o(&r.jurisdiction),
        o(&r.address_line1),
        o(&r.address_line2),
        o(&r.postal_code),
        o(&r.city),
        o(&r.phone),
        DataCategory::join(&r.categories).replace(',', ";"),
        r.systems.join(";"),
        r.records.to_string(),
        if r.special { "yes" } else { "no" }.to_string(),
    ]
}

/// Streams a JSON array: `[`, then objects separated by commas, then `]`.
pub struct JsonArrayWriter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonArrayWriter<W> {
    pub fn new(mut out: W) -> Result<Self> {
        out.write_all(b"[").map_err(io)?;
        Ok(JsonArrayWriter { out, first: true })
    }

    pub fn push<T: serde::Serialize>(&mut self, item: &T) -> Result<()> {
        self.out
            .write_all(if self.first { b"\n  " } else { b",\n  " })
            .map_err(io)?;
        self.first = false;
        serde_json::to_writer(&mut self.out, item)
            .map_err(|e| Error::failure(format!("cannot write JSON: {e}")))
    }

    pub fn finish(mut self) -> Result<()> {
        self.out
            .write_all(if self.first { b"]\n" } else { b"\n]\n" })
            .map_err(io)?;
        self.out.flush().map_err(io)
    }
}

fn io(e: std::io::Error) -> Error {
    Error::failure(format!("cannot write the export: {e}"))
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        assert_eq!(safe_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(safe_cell("+49 30 123"), "'+49 30 123");
        assert_eq!(safe_cell("-1"), "'-1");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\tx"), "'\tx");
        assert_eq!(safe_cell("Ann Lee"), "Ann Lee");
        assert_eq!(safe_cell(""), "");
    }
}
