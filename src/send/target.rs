//! Where SMTP letters go: the relay's URL read in lettre's form, and the policy on plaintext.
//! The password never travels in the URL given on the command line or in the config file.

use std::net::IpAddr;

use crate::config::Settings;
use crate::error::{Error, Result};

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://...?tls=required`: STARTTLS, or no letter is sent.
    StartTls,
    /// `smtp://...?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic,
    /// `smtp://` with no `tls`: plaintext.
    None,
}

/// A mail relay to hand letters to.
#[derive(Debug, Clone)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    /// From `BREACHDESK_SMTP_PASSWORD` (or the URL in `BREACHDESK_SMTP_URL`).
    pub password: Option<String>,
}

impl SmtpTarget {
    /// The relay from `BREACHDESK_SMTP_URL` or `[send] smtp_url`; refuses plaintext to a host
    /// other than this machine unless `allow_plaintext`.
    pub fn from_settings(settings: &Settings, allow_plaintext: bool) -> Result<SmtpTarget> {
        let (url, from_env) = match (&settings.smtp_url_env, &settings.send.smtp_url) {
            (Some(url), _) => (url.as_str(), true),
            (None, Some(url)) => (url.as_str(), false),
            (None, None) => {
                return Err(Error::bad_input(
                    "no mail server configured: set BREACHDESK_SMTP_URL (e.g. smtps://relay.example.org:465 or \
                     smtp://relay.example.org:587?tls=required) or [send] smtp_url in breachdesk.toml, or use \
                     --transport file to write .eml files",
                ));
            }
        };
        let mut target = parse(url)?;
        if target.password.is_some() && !from_env {
            return Err(Error::bad_input(
                "[send] smtp_url carries a password: keep it in BREACHDESK_SMTP_PASSWORD instead",
            ));
        }
        if let Some(p) = &settings.smtp_password {
            target.password = Some(p.expose().to_string());
        }
        if target.password.is_some() && target.user.is_none() {
            return Err(Error::bad_input(
                "BREACHDESK_SMTP_PASSWORD is set but the SMTP URL names no user: write smtps://USER@HOST",
            ));
        }
        target.check_plaintext(allow_plaintext)?;
        Ok(target)
    }

    fn check_plaintext(&self, allow_plaintext: bool) -> Result<()> {
        let protected = matches!(self.security, Security::Implicit | Security::StartTls);
        if protected || allow_plaintext || is_loopback(&self.host) {
            return Ok(());
        }
        Err(Error::bad_input(format!(
            "{} would carry letters without TLS: use smtps://{}:465 (TLS) or smtp://{}:587?tls=required \
             (STARTTLS); --allow-plaintext sends in the clear anyway",
            self.describe(),
            self.host,
            self.host
        )))
    }

    /// The relay fit to print: no password.
    pub fn describe(&self) -> String {
        let scheme = if self.security == Security::Implicit {
            "smtps"
        } else {
            "smtp"
        };
        let user = self.user.as_ref().map(|u| format!("{u}@")).unwrap_or_default();
        let tls = match self.security {
            Security::StartTls => "?tls=required",
            Security::Opportunistic => "?tls=opportunistic",
            _ => "",
        };
        format!("{scheme}://{user}{}:{}{tls}", self.host, self.port)
    }
}

/// Reads `smtp[s]://[user[:password]@]host[:port][?tls=required|opportunistic|none]`.
pub fn parse(url: &str) -> Result<SmtpTarget> {
    let bad = |why: &str| Error::bad_input(format!("SMTP URL: {why} (e.g. smtps://relay.example.org:465)"));
    let parsed = url::Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
    let implicit = match parsed.scheme() {
        "smtps" => true,
        "smtp" => false,
        other => return Err(bad(&format!("unknown scheme '{other}': use smtp or smtps"))),
    };
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("no host"))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let mut tls = None;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "tls" => tls = Some(value.to_string()),
            other => return Err(bad(&format!("unknown parameter '{other}'"))),
        }
    }
    let security = match (implicit, tls.as_deref()) {
        (true, None | Some("wrapper") | Some("required")) => Security::Implicit,
        (true, Some(other)) => return Err(bad(&format!("smtps:// cannot have tls={other}"))),
        (false, Some("required")) => Security::StartTls,
        (false, Some("opportunistic")) => Security::Opportunistic,
        (false, None | Some("none")) => Security::None,
        (false, Some(other)) => {
            return Err(bad(&format!(
                "tls={other}: use tls=required or tls=opportunistic"
            )));
        }
    };
    let port = parsed.port().unwrap_or(match security {
        Security::Implicit => 465,
        Security::StartTls | Security::Opportunistic => 587,
        Security::None => 25,
    });
    let decode = |s: &str| {
        percent_decode(s).map_err(|_| bad("the user or password is not valid percent-encoded UTF-8"))
    };
    let user = match parsed.username() {
        "" => None,
        u => Some(decode(u)?),
    };
    let password = parsed.password().map(decode).transpose()?;
    Ok(SmtpTarget {
        host,
        port,
        security,
        user,
        password,
    })
}

fn percent_decode(s: &str) -> std::result::Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

/// `localhost` or a loopback address: a local relay, or a test server.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lettre_url_forms() {
        let t = parse("smtps://relay.example.org").unwrap();
        assert_eq!((t.security, t.port), (Security::Implicit, 465));
        let t = parse("smtp://mailer%40example.org@relay.example.org:587?tls=required").unwrap();
        assert_eq!((t.security, t.port), (Security::StartTls, 587));
        assert_eq!(t.user.as_deref(), Some("mailer@example.org"));
        let t = parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (t.security, t.port, t.host.as_str()),
            (Security::None, 2525, "127.0.0.1")
        );
        let t = parse("smtp://[::1]:25").unwrap();
        assert!(is_loopback(&t.host));
        assert!(parse("http://relay").is_err());
        assert!(parse("smtp://relay?tls=maybe").is_err());
        assert!(parse("smtp://relay?foo=1").is_err());
    }

    #[test]
    fn plaintext_only_to_loopback() {
        let t = parse("smtp://relay.example.org:25").unwrap();
        let err = t.check_plaintext(false).unwrap_err().to_string();
        assert!(err.contains("smtps://relay.example.org:465"), "{err}");
        assert!(t.check_plaintext(true).is_ok());
        assert!(
            parse("smtp://localhost:25")
                .unwrap()
                .check_plaintext(false)
                .is_ok()
        );
        assert!(
            parse("smtp://relay:25?tls=opportunistic")
                .unwrap()
                .check_plaintext(false)
                .is_err()
        );
        assert!(
            parse("smtp://relay?tls=required")
                .unwrap()
                .check_plaintext(false)
                .is_ok()
        );
    }

    #[test]
    fn printing_hides_the_password() {
        let t = parse("smtps://u:secret@relay:465").unwrap();
        assert!(!t.describe().contains("secret"));
    }
}
