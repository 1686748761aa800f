//! The field blocks of a `message/delivery-status` body (RFC 3464 §2.1): a per-message block,
//! then one block per recipient, separated by blank lines; field names in any case, values
//! folded onto lines that start with white space.

/// One block of fields, names lower-cased, folded values joined with a space.
pub type Block = Vec<(String, String)>;

pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut current: Block = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            current.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

pub fn field<'a>(block: &'a Block, name: &str) -> Option<&'a str> {
    block
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `rfc822; someone@example.org` → `someone@example.org`.
pub fn address(value: &str) -> Option<String> {
    let v = value.split_once(';').map(|(_, a)| a).unwrap_or(value);
    let v = v.trim().trim_matches(|c| c == '<' || c == '>').trim();
    (v.contains('@')).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_with_folded_values_and_any_case() {
        let text = "Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-recipient: RFC822;\r\n  someone@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n";
        let b = blocks(text);
        assert_eq!(b.len(), 2);
        assert_eq!(
            field(&b[1], "final-recipient"),
            Some("RFC822; someone@example.net")
        );
        assert_eq!(
            address(field(&b[1], "final-recipient").unwrap()).as_deref(),
            Some("someone@example.net")
        );
        assert_eq!(field(&b[1], "status"), Some("5.1.1"));
    }
}
