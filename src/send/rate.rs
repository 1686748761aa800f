//! Rate limits: one for the whole run and one per recipient domain, so that neither the relay
//! nor a big mailbox provider is flooded. Each message reserves the earliest slot both limits
//! allow, first come first served, and waits for it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

pub struct RateLimiter {
    overall: Option<Duration>,
    per_domain: BTreeMap<String, Duration>,
    default_domain: Option<Duration>,
    next: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    overall: Option<Instant>,
    domains: HashMap<String, Instant>,
}

fn interval(rate: f64) -> Duration {
    Duration::from_secs_f64(1.0 / rate)
}

impl RateLimiter {
    /// Rates in messages per second; `None` for no limit.
    pub fn new(
        overall: Option<f64>,
        per_domain: &BTreeMap<String, f64>,
        default_domain: Option<f64>,
    ) -> Self {
        RateLimiter {
            overall: overall.map(interval),
            per_domain: per_domain
                .iter()
                .map(|(d, r)| (d.clone(), interval(*r)))
                .collect(),
            default_domain: default_domain.map(interval),
            next: Mutex::new(Slots::default()),
        }
    }

    fn domain_interval(&self, domain: &str) -> Option<Duration> {
        self.per_domain.get(domain).copied().or(self.default_domain)
    }

    /// Waits until a message to `domain` may go.
    pub async fn acquire(&self, domain: &str) {
        let domain_interval = self.domain_interval(domain);
        if self.overall.is_none() && domain_interval.is_none() {
            return;
        }
        let at = {
            let mut slots = self.next.lock().await;
            let now = Instant::now();
            let mut at = now;
            if let Some(t) = slots.overall {
                at = at.max(t);
            }
            if domain_interval.is_some()
                && let Some(t) = slots.domains.get(domain)
            {
                at = at.max(*t);
            }
            if let Some(i) = self.overall {
                slots.overall = Some(at + i);
            }
            if let Some(i) = domain_interval {
                slots.domains.insert(domain.to_string(), at + i);
            }
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// The domain of an address, lower-cased: what per-domain limits are keyed on.
pub fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('>').to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_messages_overall_and_per_domain() {
        let mut per = BTreeMap::new();
        per.insert("slow.example".to_string(), 2.0);
        let limiter = RateLimiter::new(Some(10.0), &per, None);
        let start = Instant::now();
        for _ in 0..10 {
            limiter.acquire("fast.example").await;
        }
        // 10 messages at 10/s: the first at once, the tenth 0.9 s later.
        assert_eq!(start.elapsed(), Duration::from_millis(900));
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire("slow.example").await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(1000),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(domain_of("Erika@Example.ORG"), "example.org");
    }
}
