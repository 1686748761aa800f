//! Plain-text layout: lines wrapped at a width (with a hanging indent for list items), blank
//! lines that conditional sections leave behind collapsed to one, trailing spaces removed.

/// Appends `raw`, laid out, to `out`.
pub fn finish_text(raw: &str, width: usize, out: &mut String) {
    let mut blank_pending = false;
    let mut started = false;
    for line in raw.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_pending = started;
            continue;
        }
        if blank_pending {
            out.push('\n');
            blank_pending = false;
        }
        started = true;
        wrap_line(line, width, out);
    }
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    // A line of at most `width` bytes has at most `width` characters.
    if line.len() <= width || line.chars().count() <= width {
        out.push_str(line);
        out.push('\n');
        return;
    }
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let bullet = ["- ", "* ", "• "].iter().find(|b| body.starts_with(**b));
    let hanging: String = format!("{indent}{}", if bullet.is_some() { "  " } else { "" });
    let mut current = indent.chars().count();
    let mut first_on_line = true;
    out.push_str(indent);
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if !first_on_line && current + 1 + len > width {
            out.push('\n');
            out.push_str(&hanging);
            current = hanging.chars().count();
            first_on_line = true;
        }
        if !first_on_line {
            out.push(' ');
            current += 1;
        }
        out.push_str(word);
        current += len;
        first_on_line = false;
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish(raw: &str, width: usize) -> String {
        let mut out = String::new();
        finish_text(raw, width, &mut out);
        out
    }

    #[test]
    fn wraps_with_hanging_indents_and_collapses_blank_lines() {
        assert_eq!(finish("\n\nHello   \n\n\n\nWorld\n\n", 72), "Hello\n\nWorld\n");
        assert_eq!(finish("one two three four", 9), "one two\nthree\nfour\n");
        assert_eq!(finish("- alpha beta gamma", 12), "- alpha beta\n  gamma\n");
        assert_eq!(finish("  quoted text here", 12), "  quoted\n  text here\n");
        let url = "https://example.org/a/very/long/path/that/does/not/fit";
        assert_eq!(finish(&format!("see {url}"), 20), format!("see\n{url}\n"));
        assert!(
            finish(&"word ".repeat(100), 72)
                .lines()
                .all(|l| l.chars().count() <= 72)
        );
    }
}
