//! Sign-in throttling: after repeated failures for one account or from one client address,
//! further attempts are refused for a while, before any password hashing is spent. Counts
//! are kept in memory, per replica.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many failures one account may have in a window before being locked.
pub const ACCOUNT_FAILURES: u32 = 5;
/// How many failures one client address may have in a window.
pub const ADDRESS_FAILURES: u32 = 20;
/// The window over which failures count, and how long a lock lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Failure counts by key (`account:…`, `address:…`).
#[derive(Clone, Default)]
pub struct Throttle {
    failures: Arc<Mutex<HashMap<String, Failures>>>,
}

impl Throttle {
    fn keys(email: &str, address: Option<&str>) -> Vec<(String, u32)> {
        let mut keys = vec![(
            format!("account:{}", email.trim().to_lowercase()),
            ACCOUNT_FAILURES,
        )];
        if let Some(address) = address {
            keys.push((format!("address:{address}"), ADDRESS_FAILURES));
        }
        keys
    }

    /// `Err(seconds to wait)` when the account or the address is locked.
    pub fn check(&self, email: &str, address: Option<&str>) -> Result<(), u64> {
        let Ok(mut failures) = self.failures.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        failures.retain(|_, entry| now.duration_since(entry.since) < WINDOW);
        let wait = Self::keys(email, address)
            .into_iter()
            .filter_map(|(key, limit)| failures.get(&key).filter(|entry| entry.count >= limit))
            .map(|entry| (WINDOW - now.duration_since(entry.since)).as_secs().max(1))
            .max();
        wait.map_or(Ok(()), Err)
    }

    /// Counts a failed sign-in.
    pub fn failed(&self, email: &str, address: Option<&str>) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        for (key, _) in Self::keys(email, address) {
            failures
                .entry(key)
                .and_modify(|entry| entry.count += 1)
                .or_insert(Failures {
                    count: 1,
                    since: now,
                });
        }
    }

    /// Forgets an account's failures after a successful sign-in.
    pub fn succeeded(&self, email: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("account:{}", email.trim().to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_five_failures_and_unlocks_on_success() {
        let throttle = Throttle::default();
        for _ in 0..ACCOUNT_FAILURES {
            assert_eq!(throttle.check("a@example.org", Some("1.2.3.4")), Ok(()));
            throttle.failed("A@example.org", Some("1.2.3.4"));
        }
        let wait = throttle.check("a@example.org", Some("5.6.7.8"));
        assert!(matches!(wait, Err(seconds) if seconds > 0 && seconds <= WINDOW.as_secs()));
        assert_eq!(throttle.check("b@example.org", Some("1.2.3.4")), Ok(()));
        throttle.succeeded("a@example.org");
        assert_eq!(throttle.check("a@example.org", None), Ok(()));
    }
}
