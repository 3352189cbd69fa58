//! Rate limiting on query cost: one token bucket per credential (a user, an API key) and per
//! client address for anonymous callers. A request takes as many tokens as its cost; the
//! bucket refills at a steady rate up to its capacity. Buckets live in this process: with
//! several replicas, each enforces its own share.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::access::Caller;

/// Whom a bucket belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BucketKey {
    User(i64),
    ApiKey(i64),
    Address(String),
}

impl BucketKey {
    /// The bucket of `caller`, calling from `address`.
    pub fn of(caller: &Caller, address: Option<&str>) -> Self {
        match caller {
            Caller::User(user) => Self::User(user.id),
            Caller::ApiKey { id, .. } => Self::ApiKey(*id),
            Caller::Anonymous | Caller::System => {
                Self::Address(address.unwrap_or("unknown").to_owned())
            }
        }
    }
}

/// The state of a caller's bucket after a request, for the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The bucket's capacity.
    pub limit: u64,
    /// The tokens left.
    pub remaining: u64,
    /// When the bucket will be full again, in seconds since the Unix epoch.
    pub reset: u64,
}

/// A request refused: the quota and how long to wait before the request can pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub quota: Quota,
    pub retry_after: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets are forgotten once full; past this many, full ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// Every bucket of this process.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: u64,
    refill_per_second: u64,
    buckets: Mutex<HashMap<BucketKey, Bucket>>,
}

impl RateLimiter {
    /// Buckets of `capacity` tokens refilled by `refill_per_second`; a capacity or a refill
    /// of 0 turns limiting off.
    pub fn new(capacity: u64, refill_per_second: u64) -> Self {
        Self {
            capacity,
            refill_per_second,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether requests are limited at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0 && self.refill_per_second > 0
    }

    /// Takes `cost` tokens from `key`'s bucket at `now`. A cost above the capacity is charged
    /// as the capacity, so that it can pass from a full bucket.
    pub fn take(&self, key: &BucketKey, cost: u64, now: Instant) -> Result<Quota, Refused> {
        let capacity = self.capacity as f64;
        let rate = self.refill_per_second as f64;
        let cost = cost.min(self.capacity) as f64;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > SWEEP_ABOVE {
            buckets.retain(|_, bucket| {
                bucket.tokens + now.saturating_duration_since(bucket.updated).as_secs_f64() * rate
                    < capacity
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        let passes = bucket.tokens >= cost;
        if passes {
            bucket.tokens -= cost;
        }
        let quota = Quota {
            limit: self.capacity,
            remaining: bucket.tokens.floor() as u64,
            reset: unix_seconds_after(Duration::from_secs_f64((capacity - bucket.tokens) / rate)),
        };
        if passes {
            Ok(quota)
        } else {
            let retry_after = ((cost - bucket.tokens) / rate).ceil().max(1.0) as u64;
            Err(Refused { quota, retry_after })
        }
    }
}

fn unix_seconds_after(wait: Duration) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (now + wait).as_secs_f64().ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_then_refills_at_its_rate() {
        let limiter = RateLimiter::new(100, 10);
        let key = BucketKey::Address("192.0.2.1".into());
        let start = Instant::now();
        assert_eq!(limiter.take(&key, 60, start).map(|q| q.remaining), Ok(40));
        let refused = limiter
            .take(&key, 60, start)
            .expect_err("the bucket is short");
        assert_eq!(refused.retry_after, 2);
        assert_eq!(refused.quota.remaining, 40);
        let later = start + Duration::from_secs(2);
        assert_eq!(limiter.take(&key, 60, later).map(|q| q.remaining), Ok(0));
    }

    #[test]
    fn buckets_are_per_key_and_costs_are_capped_at_the_capacity() {
        let limiter = RateLimiter::new(100, 10);
        let now = Instant::now();
        let first = BucketKey::User(1);
        assert!(limiter.take(&first, 1_000, now).is_ok());
        assert!(limiter.take(&first, 1, now).is_err());
        assert!(limiter.take(&BucketKey::User(2), 1, now).is_ok());
        assert!(limiter.take(&BucketKey::ApiKey(1), 1, now).is_ok());
    }
}
