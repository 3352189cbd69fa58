//! What `GET /metrics` exposes in the Prometheus text format: GraphQL requests by operation
//! name and outcome with their latency, SQL statements (all, per operation, slow ones), the
//! database pool, and rate-limit rejections. No dependency: counters under a mutex, written
//! out on each scrape.
//!
//! Statements are attributed to the request that sent them through a task-local counter,
//! carried into the tasks DataLoaders spawn (see [`spawn_in_request`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use tracing::Instrument;

/// The upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// At most this many operation names get their own series; later ones count as `other`.
const MAX_OPERATIONS: usize = 200;

tokio::task_local! {
    static STATEMENTS: Arc<AtomicU64>;
}

/// Runs `future` counting the SQL statements it sends into `counter`.
pub async fn counting_statements<F: Future>(counter: Arc<AtomicU64>, future: F) -> F::Output {
    STATEMENTS.scope(counter, future).await
}

/// The DataLoader spawner: the batch runs in a new task that still counts its statements
/// for the request that started it and logs in its span.
///
/// The batch first yields to the runtime: `yield_now` defers its wake-up until the worker's
/// runtime has run every ready task, so the request's resolvers, which may yield several times
/// while resolving a long list (`FuturesUnordered` yields every 32 items), all add their keys
/// before the batch reads them. The batch waits for the request's own progress, not for a
/// timer: a page of 100 sends as many statements as a page of 10, without a fixed delay on
/// every relation level.
pub fn spawn_in_request(future: BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    let future = async move {
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        future.await;
    }
    .instrument(tracing::Span::current());
    match STATEMENTS.try_with(Arc::clone) {
        Ok(counter) => tokio::spawn(STATEMENTS.scope(counter, future)),
        Err(_) => tokio::spawn(future),
    }
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bucket, bound) in self.buckets.iter_mut().zip(LATENCY_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
struct Operation {
    outcomes: BTreeMap<&'static str, u64>,
    latency: Histogram,
    statements: u64,
}

/// Every figure of this process.
#[derive(Debug)]
pub struct Metrics {
    operations: Mutex<HashMap<String, Operation>>,
    statements: AtomicU64,
    failed_statements: AtomicU64,
    slow_statements: AtomicU64,
    rate_limited: AtomicU64,
    slow_threshold: Duration,
}

/// The label of an operation name: the name when it is a GraphQL name, `anonymous` without
/// one. Names are the client's: they are checked, never trusted.
fn operation_label(name: Option<&str>) -> String {
    match name {
        None => "anonymous".into(),
        Some(name)
            if !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            name.into()
        }
        Some(_) => "invalid".into(),
    }
}

impl Metrics {
    /// Figures logging statements slower than `slow_threshold`.
    pub fn new(slow_threshold: Duration) -> Self {
        Self {
            operations: Mutex::new(HashMap::new()),
            statements: AtomicU64::new(0),
            failed_statements: AtomicU64::new(0),
            slow_statements: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            slow_threshold,
        }
    }

    /// Counts `db`'s statements from now on, and logs the slow ones.
    pub fn watch(self: &Arc<Self>, db: &mut DatabaseConnection) {
        let metrics = Arc::clone(self);
        db.set_metric_callback(move |info| metrics.statement(info));
    }

    fn statement(&self, info: &sea_orm::metric::Info<'_>) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let _ = STATEMENTS.try_with(|counter| counter.fetch_add(1, Ordering::Relaxed));
        if info.failed {
            self.failed_statements.fetch_add(1, Ordering::Relaxed);
        }
        // Every statement with its values inlined, for `bench/run.sh` to replay with pgbench:
        // only with `RUST_LOG=api::sql=trace`, never in production (values may be personal).
        tracing::trace!(target: "api::sql", sql = %info.statement, "statement");
        if info.elapsed >= self.slow_threshold {
            self.slow_statements.fetch_add(1, Ordering::Relaxed);
            // The SQL only: values may be personal data or secrets.
            tracing::warn!(
                elapsed_ms = info.elapsed.as_secs_f64() * 1000.0,
                sql = %info.statement.sql,
                "slow statement"
            );
        }
    }

    /// Records one GraphQL request.
    pub fn request(
        &self,
        operation: Option<&str>,
        outcome: &'static str,
        elapsed: Duration,
        statements: u64,
    ) {
        let mut operations = self
            .operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut label = operation_label(operation);
        if !operations.contains_key(&label) && operations.len() >= MAX_OPERATIONS {
            label = "other".into();
        }
        let entry = operations.entry(label).or_default();
        *entry.outcomes.entry(outcome).or_default() += 1;
        entry.latency.observe(elapsed.as_secs_f64());
        entry.statements += statements;
    }

    /// Records a request refused by the rate limiter.
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the pool of `db`.
    pub fn render(&self, db: &DatabaseConnection) -> String {
        let mut out = String::with_capacity(4096);
        let operations = self
            .operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut names: Vec<&String> = operations.keys().collect();
        names.sort();
        out.push_str("# HELP cuf_graphql_requests_total GraphQL requests by operation name and outcome.\n# TYPE cuf_graphql_requests_total counter\n");
        for name in &names {
            for (outcome, count) in &operations[*name].outcomes {
                let _ = writeln!(
                    out,
                    "cuf_graphql_requests_total{{operation=\"{name}\",outcome=\"{outcome}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP cuf_graphql_request_duration_seconds GraphQL request latency by operation name.\n# TYPE cuf_graphql_request_duration_seconds histogram\n");
        for name in &names {
            let histogram = &operations[*name].latency;
            for (bound, count) in LATENCY_BUCKETS.iter().zip(histogram.buckets) {
                let _ = writeln!(
                    out,
                    "cuf_graphql_request_duration_seconds_bucket{{operation=\"{name}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "cuf_graphql_request_duration_seconds_bucket{{operation=\"{name}\",le=\"+Inf\"}} {}\ncuf_graphql_request_duration_seconds_sum{{operation=\"{name}\"}} {}\ncuf_graphql_request_duration_seconds_count{{operation=\"{name}\"}} {}",
                histogram.count, histogram.sum, histogram.count
            );
        }
        out.push_str("# HELP cuf_graphql_statements_total SQL statements sent for GraphQL requests, by operation name.\n# TYPE cuf_graphql_statements_total counter\n");
        for name in &names {
            let _ = writeln!(
                out,
                "cuf_graphql_statements_total{{operation=\"{name}\"}} {}",
                operations[*name].statements
            );
        }
        drop(operations);
        let counters = [
            (
                "cuf_db_statements_total",
                "SQL statements sent.",
                &self.statements,
            ),
            (
                "cuf_db_statement_errors_total",
                "SQL statements that failed.",
                &self.failed_statements,
            ),
            (
                "cuf_db_slow_statements_total",
                "SQL statements slower than the slow-query threshold.",
                &self.slow_statements,
            ),
            (
                "cuf_rate_limited_total",
                "Requests refused by the rate limiter.",
                &self.rate_limited,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let (size, idle, max) = pool_usage(db);
        for (name, help, value) in [
            (
                "cuf_db_pool_connections",
                "Open database connections.",
                size,
            ),
            (
                "cuf_db_pool_idle_connections",
                "Idle database connections.",
                idle,
            ),
            (
                "cuf_db_pool_max_connections",
                "The most database connections the pool opens.",
                max,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// The pool's open, idle and maximum connections.
fn pool_usage(db: &DatabaseConnection) -> (u64, u64, u64) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => usage(db.get_postgres_connection_pool()),
        DatabaseBackend::Sqlite => usage(db.get_sqlite_connection_pool()),
        _ => (0, 0, 0),
    }
}

fn usage<D: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<D>) -> (u64, u64, u64) {
    (
        u64::from(pool.size()),
        pool.num_idle() as u64,
        u64::from(pool.options().get_max_connections()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_checked_before_they_become_labels() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("DirectoryPage")), "DirectoryPage");
        assert_eq!(operation_label(Some("a\"} 1\nevil")), "invalid");
        assert_eq!(operation_label(Some("9lives")), "invalid");
    }

    #[test]
    fn histograms_are_cumulative() {
        let mut histogram = Histogram::default();
        histogram.observe(0.003);
        histogram.observe(0.2);
        assert_eq!(histogram.buckets[0], 0);
        assert_eq!(histogram.buckets[2], 1);
        assert_eq!(histogram.buckets[LATENCY_BUCKETS.len() - 1], 2);
        assert_eq!(histogram.count, 2);
    }
}
