//! Reading the TOML data files people write (answers, playbooks, jurisdiction rules) so that
//! every error names the file and the line.

use std::fmt;
use std::path::Path;

use crate::error::Error;

/// The 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A parse error as `origin:line: message`.
pub fn describe_error(origin: &str, text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
    format!("{origin}:{line}: {}", e.message().trim())
}

/// A problem in a data file, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    /// A problem at the line of byte `offset` in `text`.
    pub fn at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            line: Some(line_of(text, offset)),
            message: message.into(),
        }
    }

    /// A parse error of `text`.
    pub fn parse(file: &str, text: &str, e: &toml::de::Error) -> Problem {
        Problem {
            file: file.to_string(),
            line: Some(e.span().map(|s| line_of(text, s.start)).unwrap_or(1)),
            message: e.message().trim().to_string(),
        }
    }

    /// A file that cannot be read.
    pub fn file(path: &Path, e: std::io::Error) -> Problem {
        Problem {
            file: path.display().to_string(),
            line: None,
            message: format!("cannot read: {e}"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Several problems as one line of bad input: the first, then how many more and which.
pub fn problems_error(problems: Vec<Problem>) -> Error {
    let mut lines = problems.iter().map(Problem::to_string);
    let first = lines.next().unwrap_or_default();
    let rest: Vec<String> = lines.collect();
    if rest.is_empty() {
        Error::bad_input(first)
    } else {
        Error::bad_input(format!("{first} (and {} more: {})", rest.len(), rest.join("; ")))
    }
}
