//! What a piece of incoming mail is: a delivery status notification (failed or delayed), an
//! automatic reply, or a person's reply — and what it refers to.
//!
//! Order matters: bounces are recognised before replies, because many bounces carry the
//! `In-Reply-To` of the letter and an `Auto-Submitted` header; and automatic replies are
//! recognised before people's replies, also without `Auto-Submitted` (some providers leave it
//! out and mark vacation replies their own way).

use std::sync::LazyLock;

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use regex::Regex;
use serde::Serialize;

use super::dsn_fields::{address, blocks, field};

/// What a DSN says happened to the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DsnAction {
    /// Not delivered, and the server has given up.
    Failed,
    /// Not delivered yet; the server is still trying.
    Delayed,
    Delivered,
    Relayed,
    Expanded,
}

/// A delivery status notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dsn {
    pub action: DsnAction,
    /// The address the message could not be delivered to.
    pub recipient: Option<String>,
    /// The RFC 3464 `Status` field (e.g. `5.1.1`), when there is one.
    pub status: Option<String>,
    /// The enhanced code in the remote server's reply (`Diagnostic-Code`) or, without DSN
    /// fields, in the bounce's text: often more precise than `status` (`5.0.0`).
    pub detail_status: Option<String>,
    /// The remote server's reply, shortened.
    pub diagnostic: Option<String>,
    /// The Message-ID of the returned letter, when the bounce carries it.
    pub original_message_id: Option<String>,
    /// `In-Reply-To` and `References` of the bounce itself (some servers set them).
    pub refers_to: Vec<String>,
}

impl Dsn {
    /// The code to store: the detailed one when the status field is only a class (`x.0.0`).
    pub fn best_status(&self) -> Option<&str> {
        match (&self.status, &self.detail_status) {
            (Some(s), Some(d)) if s.ends_with(".0.0") => Some(d),
            (Some(s), _) => Some(s),
            (None, d) => d.as_deref(),
        }
    }
}

/// A reply, automatic or from a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub from: Option<String>,
    pub message_id: Option<String>,
    /// `In-Reply-To` first, then `References`, newest last as written.
    pub refers_to: Vec<String>,
    pub subject: Option<String>,
}

/// What a message is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Classified {
    Dsn(Dsn),
    AutoReply(Reply),
    Reply(Reply),
    /// Not a mail message at all.
    Unreadable,
}

static ENHANCED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(#\[])([245]\.\d{1,3}\.\d{1,3})(?:$|[\s)\].,;:])").expect("valid regex")
});
static MESSAGE_ID_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^message-id:\s*(<[^>\s]+>)").expect("valid regex"));
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<?([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?").expect("valid regex")
});

/// Classifies one raw message.
pub fn classify(raw: &[u8]) -> Classified {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Classified::Unreadable;
    };
    if msg.headers().is_empty() {
        return Classified::Unreadable;
    }
    if let Some(dsn) = rfc3464(&msg).or_else(|| plain_bounce(&msg)) {
        return Classified::Dsn(dsn);
    }
    let reply = Reply {
        from: msg
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
        message_id: msg.message_id().map(angle),
        refers_to: refers_to(&msg),
        subject: msg.subject().map(str::to_string),
    };
    if is_auto_reply(&msg) {
        Classified::AutoReply(reply)
    } else {
        Classified::Reply(reply)
    }
}

fn angle(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') {
        id.to_string()
    } else {
        format!("<{id}>")
    }
}

fn refers_to(msg: &Message<'_>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for value in [msg.in_reply_to(), msg.references()] {
        let list: Vec<String> = match value {
            mail_parser::HeaderValue::Text(t) => vec![t.to_string()],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
            _ => Vec::new(),
        };
        for id in list {
            let id = angle(&id);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

fn header_text<'a>(msg: &'a Message<'_>, name: &str) -> Option<&'a str> {
    msg.headers_raw()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// An RFC 3464 report: a `message/delivery-status` part anywhere in the message.
fn rfc3464(msg: &Message<'_>) -> Option<Dsn> {
    let status_part = msg.parts.iter().find(|p| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
        })
    })?;
    let text = String::from_utf8_lossy(status_part.contents()).to_string();
    let blocks = blocks(&text);
    // The per-recipient group is the block with a Final-Recipient; an Action in the
    // per-message block (where it does not belong) is ignored.
    let (per_message, recipient_block) =
        match blocks.iter().position(|b| field(b, "final-recipient").is_some()) {
            Some(i) => (
                blocks.iter().take(i).flatten().cloned().collect::<Vec<_>>(),
                blocks[i].clone(),
            ),
            None => (
                blocks.first().cloned().unwrap_or_default(),
                blocks.get(1).cloned().unwrap_or_default(),
            ),
        };
    let action = match field(&recipient_block, "action").map(|a| a.to_ascii_lowercase()) {
        Some(a) if a.starts_with("delayed") => DsnAction::Delayed,
        Some(a) if a.starts_with("delivered") => DsnAction::Delivered,
        Some(a) if a.starts_with("relayed") => DsnAction::Relayed,
        Some(a) if a.starts_with("expanded") => DsnAction::Expanded,
        Some(_) => DsnAction::Failed,
        None => match field(&recipient_block, "status") {
            Some(s) if s.starts_with('4') => DsnAction::Delayed,
            _ => DsnAction::Failed,
        },
    };
    let status = field(&recipient_block, "status").and_then(|s| enhanced_code(&format!(" {s} ")));
    let diagnostic = field(&recipient_block, "diagnostic-code").map(|d| {
        let reply = d.split_once(';').map(|(_, r)| r).unwrap_or(d).trim();
        reply.chars().take(300).collect::<String>()
    });
    let detail_status = diagnostic
        .as_deref()
        .and_then(|d| enhanced_code(&format!(" {d} ")));
    let recipient = field(&recipient_block, "final-recipient")
        .or_else(|| field(&recipient_block, "original-recipient"))
        .and_then(address)
        .or_else(|| header_text(msg, "X-Failed-Recipients").and_then(address));
    let original_message_id = field(&per_message, "x-original-message-id")
        .map(angle)
        .or_else(|| returned_message_id(msg));
    Some(Dsn {
        action,
        recipient,
        status,
        detail_status,
        diagnostic,
        original_message_id,
        refers_to: refers_to(msg),
    })
}

/// The Message-ID of the returned original: a `message/rfc822` part, or a
/// `text/rfc822-headers` part.
fn returned_message_id(msg: &Message<'_>) -> Option<String> {
    for part in &msg.parts {
        match &part.body {
            PartType::Message(inner) => {
                if let Some(id) = inner.message_id() {
                    return Some(angle(id));
                }
            }
            PartType::Text(text) if is_type(part, "text", "rfc822-headers") => {
                if let Some(c) = MESSAGE_ID_LINE.captures(text) {
                    return Some(c[1].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

fn is_type(part: &mail_parser::MessagePart<'_>, ctype: &str, subtype: &str) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case(ctype)
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case(subtype))
    })
}

/// A bounce without DSN fields (qmail, Exim's plain form, old sendmail): from the mailer
/// daemon, with the failed address in `X-Failed-Recipients` or in the text.
fn plain_bounce(msg: &Message<'_>) -> Option<Dsn> {
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("")
        .to_ascii_lowercase();
    let subject = msg.subject().unwrap_or("").to_ascii_lowercase();
    let from_daemon = from.starts_with("mailer-daemon@") || from.starts_with("postmaster@");
    let failed_header = header_text(msg, "X-Failed-Recipients");
    let bounce_subject = [
        "undelivered mail",
        "mail delivery failed",
        "failure notice",
        "delivery status notification",
        "undeliverable",
        "returned mail",
        "delivery failure",
        "not yet been delivered",
        "delayed",
    ]
    .iter()
    .any(|s| subject.contains(s));
    if !(failed_header.is_some() || (from_daemon && bounce_subject)) {
        return None;
    }
    let text = body_text(msg);
    let lower = text.to_ascii_lowercase();
    let delayed = subject.contains("delayed")
        || subject.starts_with("warning")
        || lower.contains("has not yet been delivered")
        || lower.contains("delivery attempts will continue")
        || lower.contains("will be retried");
    // The copy of the original that bounces append is not part of the explanation.
    let explanation = [
        "--- below this line is a copy of the message",
        "------ this is a copy of the message",
    ]
    .iter()
    .filter_map(|m| lower.find(m))
    .min()
    .map(|i| &text[..i])
    .unwrap_or(&text);
    let recipient = failed_header.and_then(address).or_else(|| {
        ADDRESS
            .captures_iter(explanation)
            .map(|c| c[1].to_string())
            .find(|a| {
                let a = a.to_ascii_lowercase();
                !a.starts_with("mailer-daemon@")
                    && !a.starts_with("postmaster@")
                    && Some(a.as_str()) != msg_to(msg).as_deref()
            })
    });
    Some(Dsn {
        action: if delayed {
            DsnAction::Delayed
        } else {
            DsnAction::Failed
        },
        recipient,
        status: None,
        detail_status: enhanced_code(explanation),
        diagnostic: None,
        original_message_id: returned_message_id(msg).or_else(|| {
            let start = explanation.len();
            MESSAGE_ID_LINE.captures(&text[start..]).map(|c| c[1].to_string())
        }),
        refers_to: refers_to(msg),
    })
}

fn msg_to(msg: &Message<'_>) -> Option<String> {
    msg.to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.to_ascii_lowercase())
}

/// All text of the message, decoded where the parser could, else as raw bytes.
fn body_text(msg: &Message<'_>) -> String {
    let mut text = String::new();
    for part in &msg.parts {
        if let PartType::Text(t) = &part.body {
            text.push_str(t);
            text.push('\n');
        }
    }
    if text.trim().is_empty() {
        let raw = String::from_utf8_lossy(msg.raw_message());
        if let Some(i) = raw.find("\n\n").or_else(|| raw.find("\r\n\r\n")) {
            text.push_str(&raw[i..]);
        }
    }
    text
}

fn enhanced_code(text: &str) -> Option<String> {
    ENHANCED.captures(text).map(|c| c[1].to_string())
}

/// Vacation and out-of-office replies, marked by RFC 3834 or by a provider's own headers or
/// subject line.
fn is_auto_reply(msg: &Message<'_>) -> bool {
    if let Some(v) = header_text(msg, "Auto-Submitted")
        && !v.eq_ignore_ascii_case("no")
    {
        return true;
    }
    let marked = [
        "X-Autoreply",
        "X-Autorespond",
        "X-Apple-Action",
        "X-Auto-Response-Suppress-Reply",
        "X-Vacation",
    ]
    .iter()
    .any(|h| header_text(msg, h).is_some());
    let precedence = header_text(msg, "Precedence").is_some_and(|p| p.eq_ignore_ascii_case("auto_reply"));
    let subject = msg.subject().unwrap_or("").to_lowercase();
    let auto_subject = [
        "auto reply",
        "auto-reply",
        "autoreply",
        "automatic reply",
        "automatic response",
        "out of office",
        "out of the office",
        "abwesenheitsnotiz",
        "automatische antwort",
        "réponse automatique",
        "absence",
    ]
    .iter()
    .any(|s| subject.contains(s));
    marked || precedence || auto_subject
}

#[cfg(test)]
mod tests;
