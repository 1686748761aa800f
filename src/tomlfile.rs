//! Reading the TOML data files people write (answers, playbooks, jurisdiction rules) so that
//! every error names the file and the line.

/// The 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A parse error as `origin:line: message`.
pub fn describe_error(origin: &str, text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
    format!("{origin}:{line}: {}", e.message().trim())
}
