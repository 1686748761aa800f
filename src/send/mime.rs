//! The body of a letter's email: multipart/alternative with the text and the HTML part,
//! written in one pass per part into one buffer.
//!
//! lettre's builder spent a fifth of a sending run's CPU on the body (choosing an encoding by
//! scanning each part, quoted-printable through a general encoder, CRLF normalisation as a
//! separate pass, several copies). Here each part is written once: as `8bit` when the server
//! takes 8-bit MIME (RFC 6152, which nearly every server offers) and no line is longer than
//! SMTP allows, as `7bit` when it is ASCII anyway, else as quoted-printable (RFC 2045 6.7).
//! Lines end in CRLF. The headers are still lettre's (address and RFC 2047 encoding).
//! [`Stuffed`] then gives the message the form DATA carries.

use std::fmt::Write as _;

/// How the message may carry its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// The server offers 8BITMIME: UTF-8 lines go as they are.
    EightBit,
    /// Only 7-bit: non-ASCII text is quoted-printable.
    SevenBit,
}

/// The longest line SMTP carries, without its CRLF (RFC 5321 4.5.3.1.6).
const MAX_LINE: usize = 998;
/// The longest quoted-printable line, without its CRLF (RFC 2045 6.7 rule 5).
const QP_LINE: usize = 76;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    SevenBit,
    EightBit,
    QuotedPrintable,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::SevenBit => "7bit",
            Encoding::EightBit => "8bit",
            Encoding::QuotedPrintable => "quoted-printable",
        }
    }
}

fn encoding(text: &str, transfer: Transfer) -> Encoding {
    // Whole-slice searches (vectorised) rather than a loop over every byte: any NUL or CR that
    // does not end a line (neither can go as it is), the longest line, any non-ASCII byte.
    let bytes = text.as_bytes();
    let bare_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    let mut start = 0;
    let long = memchr::memchr_iter(b'\n', bytes)
        .chain(std::iter::once(bytes.len()))
        .any(|end| {
            let line = &bytes[start..end];
            start = end + 1;
            line.strip_suffix(b"\r").unwrap_or(line).len() > MAX_LINE
        });
    let plain = !bare_cr && !long && memchr::memchr(0, bytes).is_none();
    match (plain, text.is_ascii(), transfer) {
        (true, true, _) => Encoding::SevenBit,
        (true, false, Transfer::EightBit) => Encoding::EightBit,
        _ => Encoding::QuotedPrintable,
    }
}

/// Appends the MIME headers and body of a multipart/alternative message with `text` and
/// `html` to `out`, which already holds the message's other headers. `boundary` is any string
/// not in the parts: it is checked against them and lengthened if one contains it. Returns
/// whether a part went as 8-bit (the MAIL command then says `BODY=8BITMIME`).
pub fn write_alternative(
    out: &mut String,
    text: &str,
    html: &str,
    transfer: Transfer,
    boundary: &str,
) -> bool {
    let mut boundary = boundary.to_string();
    let within = |part: &str, b: &str| memchr::memmem::find(part.as_bytes(), b.as_bytes()).is_some();
    while within(text, &boundary) || within(html, &boundary) {
        boundary.push('_');
    }
    let _ = write!(
        out,
        "MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary=\"{boundary}\"\r\n\r\n"
    );
    let mut eight_bit = false;
    for (kind, body) in [("plain", text), ("html", html)] {
        let enc = encoding(body, transfer);
        eight_bit |= enc == Encoding::EightBit;
        let _ = write!(
            out,
            "--{boundary}\r\nContent-Type: text/{kind}; charset=utf-8\r\nContent-Transfer-Encoding: {}\r\n\r\n",
            enc.name()
        );
        match enc {
            Encoding::QuotedPrintable => quoted_printable(body, out),
            _ => crlf(body, out),
        }
        out.push_str("\r\n");
    }
    let _ = write!(out, "--{boundary}--\r\n");
    eight_bit
}

/// `text` with every line ending made CRLF (no ending added after the last line).
fn crlf(text: &str, out: &mut String) {
    out.reserve(text.len() + text.len() / 32);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        if lines.peek().is_some() {
            out.push_str("\r\n");
        }
    }
}

/// `text` quoted-printable: lines of at most 76 characters with soft breaks, `=`, control
/// and non-ASCII bytes as `=XX`, a space or tab before a line break encoded.
fn quoted_printable(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(text.len() + text.len() / 4);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.strip_suffix('\r').unwrap_or(line).as_bytes();
        let mut width = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let literal = matches!(b, b'!'..=b'<' | b'>'..=b'~') || (matches!(b, b' ' | b'\t') && !last);
            let len = if literal { 1 } else { 3 };
            // Room for a soft break ("=") after this token unless the line ends with it.
            let room = if last { QP_LINE } else { QP_LINE - 1 };
            if width + len > room {
                out.push_str("=\r\n");
                width = 0;
            }
            if literal {
                out.push(char::from(b));
            } else {
                out.extend([
                    '=',
                    char::from(HEX[usize::from(b >> 4)]),
                    char::from(HEX[usize::from(b & 15)]),
                ]);
            }
            width += len;
        }
        if lines.peek().is_some() {
            out.push_str("\r\n");
        }
    }
}

/// A message as DATA carries it: a dot doubled at the start of every line (RFC 5321 4.5.2),
/// the end marked by a line holding a dot. Written straight into the command lettre sends:
/// the message is copied once, as it is stuffed.
pub struct Stuffed<'a>(pub &'a str);

impl std::fmt::Display for Stuffed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        if rest.starts_with('.') {
            f.write_char('.')?;
        }
        while let Some(i) = memchr::memmem::find(rest.as_bytes(), b"\n.") {
            // `i` is the byte of an ASCII newline: a character boundary.
            f.write_str(&rest[..=i])?;
            f.write_char('.')?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)?;
        if !self.0.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(message: &str, kind: &str) -> (String, String) {
        let start = message
            .find(&format!("Content-Type: text/{kind}"))
            .unwrap_or_else(|| panic!("no {kind} part in {message}"));
        let rest = &message[start..];
        let enc = rest
            .lines()
            .find_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
            .unwrap()
            .to_string();
        let body_start = rest.find("\r\n\r\n").unwrap() + 4;
        let body_end = rest[body_start..].find("\r\n--").unwrap() + body_start;
        (enc, rest[body_start..body_end].to_string())
    }

    fn decoded(enc: &str, body: &str) -> String {
        let text = match enc {
            "quoted-printable" => String::from_utf8(
                quoted_printable::decode(body, quoted_printable::ParseMode::Strict).unwrap(),
            )
            .unwrap(),
            _ => body.to_string(),
        };
        text.replace("\r\n", "\n")
    }

    #[test]
    fn parts_come_back_exactly_in_every_encoding() {
        let long_word = "x".repeat(1200);
        let cases = [
            "Dear Anna,\n\nyour data were copied.\n".to_string(),
            "Liebe Jürgen Ærnö 🙂,\n\ntrailing space \ntrailing tab\t\nend = equals\n".to_string(),
            format!("a line longer than SMTP allows: {long_word}\nnext"),
            "<p>Hallo &amp; <b>Welt</b> — “quotes”</p>\r\n<p>x</p>".to_string(),
            "=3D looks encoded, .starts with a dot\n.\n".to_string(),
            String::new(),
        ];
        for transfer in [Transfer::EightBit, Transfer::SevenBit] {
            for text in &cases {
                let mut message = "Subject: x\r\n".to_string();
                write_alternative(&mut message, text, "<p>é</p>", transfer, "=_b0undary");
                for line in message.split("\r\n") {
                    assert!(line.len() <= MAX_LINE, "{} bytes", line.len());
                    assert!(!line.contains('\n') && !line.contains('\r'), "bare line ending");
                }
                let (enc, body) = part(&message, "plain");
                assert_eq!(decoded(&enc, &body), text.replace("\r\n", "\n"), "{enc}");
                if enc == "quoted-printable" {
                    assert!(body.split("\r\n").all(|l| l.len() <= QP_LINE), "{body}");
                }
                let expected = match (text.is_ascii(), text.contains(&long_word), transfer) {
                    (_, true, _) => "quoted-printable",
                    (true, _, _) => "7bit",
                    (false, _, Transfer::EightBit) => "8bit",
                    (false, _, Transfer::SevenBit) => "quoted-printable",
                };
                assert_eq!(enc, expected, "{text:?}");
                let (enc, body) = part(&message, "html");
                assert_eq!(decoded(&enc, &body), "<p>é</p>");
                assert!(message.ends_with("--=_b0undary--\r\n"), "{message}");
            }
        }
    }

    #[test]
    fn a_boundary_found_in_a_part_is_lengthened() {
        let mut message = String::new();
        write_alternative(
            &mut message,
            "see --b here",
            "<p>--b_</p>",
            Transfer::EightBit,
            "b",
        );
        assert!(message.contains("boundary=\"b__\""), "{message}");
        assert!(message.ends_with("--b__--\r\n"));
    }

    fn stuffed(message: &str) -> String {
        Stuffed(message).to_string()
    }

    #[test]
    fn lines_starting_with_a_dot_get_a_second_one() {
        assert_eq!(stuffed("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
        assert_eq!(stuffed(".first\r\nx.y\r\n"), "..first\r\nx.y\r\n.\r\n");
        assert_eq!(stuffed("a\r\n.\r\nb"), "a\r\n..\r\nb\r\n.\r\n");
    }

    #[test]
    fn lines_too_long_bare_cr_and_nul_need_quoted_printable() {
        let line = |n: usize| "a".repeat(n);
        let at = |text: &str| encoding(text, Transfer::EightBit);
        assert_eq!(at(&line(MAX_LINE)), Encoding::SevenBit);
        assert_eq!(at(&format!("{}\r\nb", line(MAX_LINE))), Encoding::SevenBit);
        assert_eq!(
            at(&format!("b\n{}", line(MAX_LINE + 1))),
            Encoding::QuotedPrintable
        );
        assert_eq!(
            at(&format!("{}\nb", line(MAX_LINE + 1))),
            Encoding::QuotedPrintable
        );
        assert_eq!(at("a\rb"), Encoding::QuotedPrintable);
        assert_eq!(at("a\r"), Encoding::QuotedPrintable);
        assert_eq!(at("a\0b"), Encoding::QuotedPrintable);
        assert_eq!(at("ä\r\n"), Encoding::EightBit);
        assert_eq!(encoding("ä", Transfer::SevenBit), Encoding::QuotedPrintable);
    }

    #[test]
    fn eight_bit_is_asked_for_only_when_used() {
        let needs_eight_bit = |[text, html]: [&str; 2], transfer| {
            write_alternative(&mut String::new(), text, html, transfer, "=_b")
        };
        assert!(needs_eight_bit(["ä", "a"], Transfer::EightBit));
        assert!(!needs_eight_bit(["a", "b"], Transfer::EightBit));
        assert!(!needs_eight_bit(["ä", ""], Transfer::SevenBit));
        assert!(!needs_eight_bit([&"ä".repeat(600), ""], Transfer::EightBit));
    }
}
