//! `[send]` in breachdesk.toml and the environment: where letters go, as whom, how fast, how
//! often a temporary failure is tried again. Resolved once per `send` run into [`SendPlan`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::config::Settings;
use crate::error::{Error, Result};

/// `[send]` as written in the configuration file. The SMTP password never lives here: it
/// comes from `BREACHDESK_SMTP_PASSWORD`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSection {
    /// lettre's URL form: `smtps://relay:465`, `smtp://relay:587?tls=required`,
    /// `smtp://127.0.0.1:25` (plaintext: loopback only unless `--allow-plaintext`).
    /// `BREACHDESK_SMTP_URL` overrides it.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `"Example Ltd Privacy <privacy@example.org>"` (default: the DPO's email).
    pub from: Option<String>,
    /// Where replies go (default: the DPO's email).
    pub reply_to: Option<String>,
    /// The name given in EHLO (default: the letters' Message-ID domain).
    pub helo_name: Option<String>,
    /// Connections (and so messages in flight) at once (default 4).
    pub concurrency: Option<usize>,
    /// Messages per second overall (default: no limit).
    pub rate: Option<f64>,
    /// Messages per second to one recipient domain, e.g. `"gmail.com" = 20`.
    #[serde(default)]
    pub domain_rates: BTreeMap<String, f64>,
    /// Messages per second to any other single domain (default: no limit).
    pub default_domain_rate: Option<f64>,
    /// Attempts before a temporary failure becomes a failure (default 8).
    pub max_attempts: Option<u32>,
    /// The first retry waits this long, doubling each time with ±20% jitter (default 60).
    pub retry_base_seconds: Option<u64>,
    /// The longest wait between retries (default 6 h).
    pub retry_max_seconds: Option<u64>,
    /// How long a worker's claim on letters lasts without renewal (default 60).
    pub lease_seconds: Option<u64>,
    /// How long to wait for the server at each step (default 120).
    pub timeout_seconds: Option<u64>,
    /// Where `--transport file` writes `.eml` files (default `sent-mail`; a folder per incident).
    pub file_dir: Option<PathBuf>,
    /// A PEM file of extra root certificates (a relay with a private CA).
    pub ca_file: Option<PathBuf>,
    /// DKIM signing, when the relay does not sign.
    pub dkim: Option<DkimSection>,
}

/// `[send.dkim]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkimSection {
    /// A PEM private key (RSA PKCS#1, or Ed25519 as base64 of the raw key).
    pub key_file: PathBuf,
    pub selector: String,
    pub domain: String,
    /// `rsa` (default) or `ed25519`.
    pub algorithm: Option<String>,
}

/// How a run sends, resolved from `[send]` and the command line.
#[derive(Debug, Clone)]
pub struct SendPlan {
    pub concurrency: usize,
    pub rate: Option<f64>,
    pub domain_rates: BTreeMap<String, f64>,
    pub default_domain_rate: Option<f64>,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub lease: Duration,
    pub timeout: Duration,
}

impl SendPlan {
    /// The plan from the configuration, with `concurrency` and `rate` from the command line
    /// taking precedence.
    pub fn resolve(settings: &Settings, concurrency: Option<usize>, rate: Option<f64>) -> Result<SendPlan> {
        let s = &settings.send;
        let concurrency = concurrency.or(s.concurrency).unwrap_or(4);
        if concurrency == 0 || concurrency > 256 {
            return Err(Error::bad_input("--concurrency must be between 1 and 256"));
        }
        let rate = rate.or(s.rate);
        let check = |what: &str, r: f64| {
            if r.is_finite() && r > 0.0 {
                Ok(())
            } else {
                Err(Error::bad_input(format!(
                    "{what} must be a positive number of messages per second"
                )))
            }
        };
        if let Some(r) = rate {
            check("--rate", r)?;
        }
        for (domain, r) in &s.domain_rates {
            check(&format!("[send.domain_rates] {domain}"), *r)?;
        }
        if let Some(r) = s.default_domain_rate {
            check("[send] default_domain_rate", r)?;
        }
        let max_attempts = s.max_attempts.unwrap_or(8).max(1);
        Ok(SendPlan {
            concurrency,
            rate,
            domain_rates: s
                .domain_rates
                .iter()
                .map(|(d, r)| (d.trim().to_ascii_lowercase(), *r))
                .collect(),
            default_domain_rate: s.default_domain_rate,
            max_attempts,
            retry_base: Duration::from_secs(s.retry_base_seconds.unwrap_or(60)),
            retry_max: Duration::from_secs(s.retry_max_seconds.unwrap_or(6 * 3600)),
            lease: Duration::from_secs(s.lease_seconds.unwrap_or(60).max(1)),
            timeout: Duration::from_secs(s.timeout_seconds.unwrap_or(120).max(1)),
        })
    }

    /// The wait before attempt `attempts + 1`, given `attempts` made: exponential, capped,
    /// with ±20% jitter so that many deferred letters do not all come back at once.
    pub fn backoff(&self, attempts: u32, jitter: f64) -> Duration {
        let factor = 2_f64.powi(attempts.saturating_sub(1).min(30) as i32);
        let base = (self.retry_base.as_secs_f64() * factor).min(self.retry_max.as_secs_f64());
        Duration::from_secs_f64((base * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SendPlan {
        SendPlan {
            concurrency: 1,
            rate: None,
            domain_rates: BTreeMap::new(),
            default_domain_rate: None,
            max_attempts: 8,
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(3600),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let p = plan();
        assert_eq!(p.backoff(1, 0.5), Duration::from_secs(60));
        assert_eq!(p.backoff(2, 0.5), Duration::from_secs(120));
        assert_eq!(p.backoff(3, 0.5), Duration::from_secs(240));
        assert_eq!(p.backoff(20, 0.5), Duration::from_secs(3600));
        assert_eq!(p.backoff(1, 0.0), Duration::from_secs(48));
        assert_eq!(p.backoff(1, 1.0), Duration::from_secs(72));
    }
}
