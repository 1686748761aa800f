//! Database URLs and their passwords: whether a URL carries one (in its user part or as a
//! query parameter), the URL fit to print, and driver messages with the password taken out.

/// Whether a query parameter holds a secret (`password`, `sslpassword`).
fn is_password_key(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with("password")
}

/// Whether a database URL carries a password: in its user part
/// (`scheme://user:password@host/...`) or as a query parameter (`?password=...`).
pub fn url_has_password(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => u.password().is_some() || u.query_pairs().any(|(k, _)| is_password_key(&k)),
        // Not a URL we can read: err on the side of a secret.
        Err(_) => {
            url.split_once("://")
                .and_then(|(_, rest)| rest.rsplit_once('@'))
                .is_some_and(|(userinfo, _)| userinfo.contains(':'))
                || url.to_ascii_lowercase().contains("password=")
        }
    }
}

/// `text` (an error from a database driver, say) with every password of `url` replaced by
/// `***`, in case the driver quoted it.
pub fn scrub_secrets(text: &str, url: &str) -> String {
    let Ok(u) = url::Url::parse(url) else {
        // Not a URL we can read: the user part's password, as the fallback above finds it.
        let password = url
            .split_once("://")
            .and_then(|(_, rest)| rest.rsplit_once('@'))
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .map(|(_, p)| p);
        return match password {
            Some(p) if !p.is_empty() => text.replace(p, "***"),
            _ => text.to_string(),
        };
    };
    let mut secrets: Vec<String> = u
        .query_pairs()
        .filter(|(k, _)| is_password_key(k))
        .map(|(_, v)| v.into_owned())
        .collect();
    if let Some(p) = u.password() {
        secrets.push(p.to_string());
        secrets.push(percent_decode(p));
    }
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), "***");
    }
    out
}

/// `%XX` escapes decoded (invalid UTF-8 replaced), as a driver reads a URL's password.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A database URL fit to print: every password, in the user part or a query parameter,
/// replaced by `***`.
pub fn redact_url(url: &str) -> String {
    if !url_has_password(url) {
        return url.to_string();
    }
    let Ok(mut u) = url::Url::parse(url) else {
        let scheme = url.split_once("://").map_or("", |(s, _)| s);
        return format!("{scheme}://***");
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_password_key(&k) {
                    "***".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://bd:s3cret@db/x"), "postgres://bd:***@db/x");
        assert_eq!(redact_url("postgres://bd@db/x"), "postgres://bd@db/x");
        assert_eq!(redact_url("sqlite://breachdesk.db"), "sqlite://breachdesk.db");
        assert!(url_has_password("postgres://bd:s3cret@db/x"));
        assert!(!url_has_password("sqlite://breachdesk.db"));
        assert!(!url_has_password("postgres://bd@db/x?sslmode=require"));
        for url in [
            "postgres://bd@db/x?password=s3cret",
            "postgres://bd@db/x?sslmode=require&Password=s3cret",
            "postgres://db/x?sslpassword=s3cret",
            "postgres://bd:s3cret@db/x?password=s3cret",
            "postgres://bd:s3c/ret@db/x",
            "postgres://bd:s3c%25ret@db/x",
        ] {
            assert!(url_has_password(url), "{url}");
            let shown = redact_url(url);
            assert!(!shown.contains("s3c"), "{url} -> {shown}");
        }
        assert_eq!(
            redact_url("postgres://bd@db/x?sslmode=require&password=s3cret"),
            "postgres://bd@db/x?sslmode=require&password=***"
        );
    }
}
