//! Reading inventory files as spreadsheets and exports write them: UTF-8 with or without a
//! byte-order mark, UTF-16 with one (Excel's "Unicode Text"), or a named legacy encoding
//! (`--encoding windows-1252`); `,` `;` or tab as delimiter (detected from the header line, or
//! given); quoted fields with line breaks. A file that is not valid in the encoding it is read
//! as is refused before anything is imported, never imported as mojibake.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::{Error, Result};

/// An open inventory file, positioned after its header row.
pub struct CsvFile {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub delimiter: u8,
    /// Lines end in CR LF: the csv crate then starts each record at the LF of the line
    /// before, one line early.
    crlf: bool,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
}

/// One data row: its line in the file and its fields.
pub struct RawRow<'a> {
    pub line: u64,
    pub fields: Vec<&'a str>,
}

impl CsvFile {
    /// Opens `path`, checks its encoding and reads its header row.
    pub fn open(path: &Path, delimiter: Option<u8>, encoding: Option<&str>) -> Result<CsvFile> {
        let shown = path.display().to_string();
        let open = || File::open(path).map_err(|e| Error::bad_input(format!("cannot open {shown}: {e}")));
        let mut head = [0_u8; 2];
        let n = open()?.read(&mut head).unwrap_or(0);
        let utf16 = n == 2 && (head == [0xFF, 0xFE] || head == [0xFE, 0xFF]);
        let stream: Box<dyn Read + Send> = match encoding {
            Some(label) => {
                let enc = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                    Error::bad_input(format!(
                        "unknown encoding '{label}': use utf-8, windows-1252, iso-8859-1, utf-16le or utf-16be"
                    ))
                })?;
                Box::new(
                    DecodeReaderBytesBuilder::new()
                        .encoding(Some(enc))
                        .bom_sniffing(true)
                        .build(BufReader::new(open()?)),
                )
            }
            None if utf16 => Box::new(
                DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(BufReader::new(open()?)),
            ),
            None => {
                check_utf8(path)?;
                let mut file = BufReader::with_capacity(1 << 16, open()?);
                let mut bom = [0_u8; 3];
                let read = file.read(&mut bom).unwrap_or(0);
                if read == 3 && bom == [0xEF, 0xBB, 0xBF] {
                    Box::new(file)
                } else {
                    Box::new(Cursor::new(bom[..read].to_vec()).chain(file))
                }
            }
        };
        // Peek at the start to find the delimiter, then read on from where we were.
        let mut stream = stream;
        let mut start = vec![0_u8; 1 << 16];
        let mut filled = 0;
        while filled < start.len() {
            match stream.read(&mut start[filled..]) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) => return Err(Error::bad_input(format!("cannot read {shown}: {e}"))),
            }
        }
        start.truncate(filled);
        let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&start));
        let crlf = header_ends_in_crlf(&start);
        let stream: Box<dyn Read + Send> = Box::new(Cursor::new(start).chain(stream));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(stream);
        let headers = reader
            .byte_headers()
            .map_err(|e| Error::bad_input(format!("{shown}: cannot read the header row: {e}")))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect::<Vec<_>>();
        if headers.iter().all(String::is_empty) {
            return Err(Error::bad_input(format!(
                "{shown}: the file is empty or has no header row"
            )));
        }
        Ok(CsvFile {
            path: path.to_path_buf(),
            headers,
            delimiter,
            crlf,
            reader,
            record: csv::ByteRecord::new(),
        })
    }

    /// How far into the (decoded) input the last row read starts, in bytes: the progress of an
    /// import against the file's size.
    pub fn position(&self) -> u64 {
        self.record.position().map(|p| p.byte()).unwrap_or(0)
    }

    /// The next non-blank row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<RawRow<'_>>> {
        loop {
            let more = self.reader.read_byte_record(&mut self.record).map_err(|e| {
                Error::bad_input(format!(
                    "{}: {}",
                    self.path.display(),
                    e.to_string().replace('\n', " ")
                ))
            })?;
            if !more {
                return Ok(None);
            }
            if self.record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            // A record starts after the line break that ends the one before; with CR LF the
            // csv crate places that start at the LF, on the line before.
            let line = self
                .record
                .position()
                .map(|p| p.line() + u64::from(self.crlf))
                .unwrap_or(0);
            // The bytes were checked or decoded to UTF-8 when the file was opened.
            let fields = self
                .record
                .iter()
                .map(|f| std::str::from_utf8(f).unwrap_or(""))
                .collect();
            return Ok(Some(RawRow { line, fields }));
        }
    }
}

/// The delimiter that splits the first line into the most fields (outside quotes).
fn detect_delimiter(start: &[u8]) -> u8 {
    let mut counts = [(b',', 0_usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for &b in start {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                for (d, n) in counts.iter_mut() {
                    if *d == b {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

/// Whether the header line (outside quotes) ends in CR LF.
fn header_ends_in_crlf(start: &[u8]) -> bool {
    let mut quoted = false;
    for (i, &b) in start.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return i > 0 && start[i - 1] == b'\r',
            _ => {}
        }
    }
    false
}

/// Refuses a file that is not valid UTF-8, naming the line and what to do about it.
fn check_utf8(path: &Path) -> Result<()> {
    let mut file = BufReader::with_capacity(
        1 << 20,
        File::open(path).map_err(|e| Error::bad_input(e.to_string()))?,
    );
    let mut buf = vec![0_u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 1_u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            if !carry.is_empty() {
                return Err(not_utf8(path, line));
            }
            return Ok(());
        }
        carry.extend_from_slice(&buf[..n]);
        match std::str::from_utf8(&carry) {
            Ok(_) => {
                line += carry.iter().filter(|&&b| b == b'\n').count() as u64;
                carry.clear();
            }
            Err(e) if e.error_len().is_none() => {
                // A character split across reads: keep its start for the next round.
                let good = e.valid_up_to();
                line += carry[..good].iter().filter(|&&b| b == b'\n').count() as u64;
                carry.drain(..good);
            }
            Err(e) => {
                let good = e.valid_up_to();
                line += carry[..good].iter().filter(|&&b| b == b'\n').count() as u64;
                return Err(not_utf8(path, line));
            }
        }
    }
}

fn not_utf8(path: &Path, line: u64) -> Error {
    Error::bad_input(format!(
        "{}:{line}: the file is not UTF-8 text; if Excel or Outlook on Windows wrote it, import it \
         with --encoding windows-1252 (or name its encoding)",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_delimiter_of_the_header_line() {
        assert_eq!(detect_delimiter(b"id;email;name\n1;a@x.org;A"), b';');
        assert_eq!(detect_delimiter(b"id\temail\tname\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"id;x\",email,name\n"), b',');
        assert_eq!(detect_delimiter(b"id\n1\n"), b',');
        assert!(header_ends_in_crlf(b"id;\"a\nb\"\r\n1;2\r\n"));
        assert!(!header_ends_in_crlf(b"id,x\n1,2\r\n"));
    }
}
