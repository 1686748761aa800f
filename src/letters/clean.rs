//! Text from the inventory made safe to place in a letter: one-line fields lose control
//! characters (a line break in a name would start a new mail header in a subject) and
//! bidirectional overrides (which can display text in another order than it is written);
//! paragraphs keep their line breaks. Right-to-left scripts and emoji stay as they are.

/// Explicit bidirectional embeddings, overrides and isolates: they can make text display in
/// another order than it is written (a name that reverses the line after it).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line of text: control characters (line breaks included) become spaces, bidi controls
/// go, runs of spaces shrink to one.
pub(crate) fn line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A phone number on one line: its spaces become no-break spaces, so wrapping never splits it.
pub(crate) fn phone(text: &str) -> String {
    line(text).replace(' ', "\u{a0}")
}

/// Text in paragraphs: line breaks normalised to `\n`, other control characters and bidi
/// controls removed, surrounding blank space trimmed.
pub(crate) fn paragraphs(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c == '\r' || c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cleaned_but_kept() {
        assert_eq!(line("Jane\r\nBcc: x@evil.example"), "Jane Bcc: x@evil.example");
        assert_eq!(line("  \u{202E}evil\u{202C}  name "), "evil name");
        assert_eq!(line("مرحبا 👩‍🔬"), "مرحبا 👩‍🔬");
        assert_eq!(paragraphs("a\r\n\r\nb\u{7}\tc\n"), "a\n\nb c");
    }
}
