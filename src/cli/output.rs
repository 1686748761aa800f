//! The one writer for stdout: tables and key/value blocks on a terminal or in a pipe, JSON
//! under `--json`, nothing but results under `-q`. Errors go to stderr from `main`.

use std::fmt::Display;
use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::error::{Error, Result};

/// Where a command's output goes, and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub quiet: bool,
}

impl Out {
    /// A line of narration: suppressed by `-q`.
    pub fn say(&self, text: impl Display) {
        if !self.quiet {
            write_stdout(&format!("{text}\n"));
        }
    }

    /// The result a script reads (a new reference, say): printed even under `-q`.
    pub fn result(&self, text: impl Display) {
        write_stdout(&format!("{text}\n"));
    }

    /// `text` exactly as it is (no newline added): printed even under `-q`.
    pub fn raw(&self, text: &str) {
        write_stdout(text);
    }

    /// Pretty JSON, followed by a newline.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::failure(format!("cannot write JSON: {e}")))?;
        write_stdout(&format!("{text}\n"));
        Ok(())
    }

    /// A table with a header row.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        for row in rows {
            table.add_row(row);
        }
        write_stdout(&format!("{table}\n"));
    }

    /// Aligned `label  value` lines; values spanning several lines stay aligned.
    pub fn fields(&self, pairs: &[(&str, String)]) {
        let width = pairs.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        let mut text = String::new();
        for (label, value) in pairs {
            let mut lines = value.lines();
            let first = lines.next().unwrap_or("");
            text.push_str(&format!("{label:width$}  {first}\n"));
            for line in lines {
                text.push_str(&format!("{:width$}  {line}\n", ""));
            }
        }
        write_stdout(&text);
    }
}

/// Writes to stdout; a closed pipe (`breachdesk ... | head`) is not an error.
fn write_stdout(text: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(io::stderr(), "breachdesk: cannot write output: {e}");
    }
}

/// `-` for a missing value in tables.
pub fn or_dash<T: Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}
