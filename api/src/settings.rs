//! Configuration: environment variables and their matching flags, parsed once into typed
//! settings, with development defaults and refusals for what production must not run with.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::limits::Limits;

/// The embedded database `cargo run` uses: a SQLite file under `./data/`, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/cuf.sqlite?mode=rwc";

/// The command line of the `api` binary.
#[derive(Parser, Debug)]
#[command(
    name = "api",
    version,
    about = "The CUF Cooperation API: a GraphQL service"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands of `api`.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Print the GraphQL schema (SDL) on standard output.
    ExportSchema,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Load a dataset into an empty database, then exit.
    Seed {
        #[command(subcommand)]
        dataset: Dataset,
    },
    /// Manage users from the command line.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

/// What `api user` does.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    /// Create a user; the password is read from standard input.
    Create {
        /// The new user's e-mail address.
        #[arg(long)]
        email: String,
        /// The new user's role: ADMIN or CUF_STAFF (attach MEMBER and MINISTRY users to
        /// their authority or organisation through the API).
        #[arg(long)]
        role: String,
        /// The name shown for the new user.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

/// The datasets `api seed` can load.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Dataset {
    /// The demo dataset built from the minutes of the Mexico country group (26 March 2014).
    Demo,
    /// A synthetic dataset for benchmarks: at scale 1, 2,000 authorities, 50,000 fiches, 100
    /// country groups, 5,000 events with 40,000 participants, 500 programmes with 3,000
    /// actions and 12,000 cost shares. The same scale always loads the same rows.
    Synthetic {
        /// Multiplies every count: a decimal from 0.01 to 1000 (`2`, `0.5`, `0.01`).
        #[arg(long, default_value_t = crate::seed::synthetic::Scale::ONE)]
        scale: crate::seed::synthetic::Scale,
    },
}

/// Where the server runs.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local development: demo data on an empty database, permissive defaults.
    Development,
    /// Production: no demo data, strict checks at start.
    Production,
}

/// Every setting of the server.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The address and port to listen on.
    #[arg(
        long,
        env = "CUF_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// The database: `sqlite://path?mode=rwc` or `postgres://user:password@host/database`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,
    /// `development` or `production`.
    #[arg(long = "env", env = "CUF_ENV", value_enum, default_value_t = Environment::Development, global = true)]
    pub environment: Environment,
    /// Origins allowed to call the API from a browser, separated by commas.
    #[arg(long, env = "CUF_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
    /// The log filter, in `tracing` syntax (e.g. `info,api=debug`).
    #[arg(long = "log", env = "RUST_LOG", default_value = "info", global = true)]
    pub log_filter: String,
    /// HTTP worker threads; one per core by default.
    #[arg(long, env = "CUF_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// The largest request body accepted, in bytes.
    #[arg(long, env = "CUF_BODY_LIMIT", default_value_t = 100 * 1024, global = true)]
    pub body_limit: usize,
    /// Where uploaded files are kept (content-addressed by SHA-256).
    #[arg(
        long,
        env = "CUF_FILES_DIR",
        default_value = "data/files",
        global = true
    )]
    pub files_dir: std::path::PathBuf,
    /// The largest file an upload may carry, in bytes.
    #[arg(
        long,
        env = "CUF_MAX_UPLOAD_BYTES",
        default_value_t = 20 * 1024 * 1024,
        global = true
    )]
    pub max_upload_bytes: u64,
    /// The most database connections in the pool.
    #[arg(
        long,
        env = "CUF_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
    /// Load the demo dataset into an empty database at start (default: in development only).
    #[arg(long, env = "CUF_DEMO_DATA", global = true)]
    pub demo_data: Option<bool>,
    /// The secret that signs access tokens (at least 32 bytes); required in production. In
    /// development a random one is made at each start.
    #[arg(long, env = "CUF_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// The id (`kid`) of the signing secret.
    #[arg(long, env = "CUF_JWT_KEY_ID", default_value = "k1", global = true)]
    pub jwt_key_id: String,
    /// The previous signing secret, still accepted for verification during a rotation.
    #[arg(
        long,
        env = "CUF_JWT_PREVIOUS_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_previous_secret: Option<String>,
    /// The id of the previous signing secret.
    #[arg(
        long,
        env = "CUF_JWT_PREVIOUS_KEY_ID",
        default_value = "k0",
        global = true
    )]
    pub jwt_previous_key_id: String,
    /// How long an access token lives, in minutes.
    #[arg(
        long,
        env = "CUF_ACCESS_TOKEN_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub access_token_minutes: i64,
    /// How long a session (refresh token) lives without use, in days.
    #[arg(long, env = "CUF_SESSION_DAYS", default_value_t = 30, global = true)]
    pub session_days: i64,
    /// With `CUF_ADMIN_PASSWORD`: the administrator created at start when none exists.
    #[arg(long, env = "CUF_ADMIN_EMAIL", global = true)]
    pub admin_email: Option<String>,
    /// The password of `CUF_ADMIN_EMAIL`'s account.
    #[arg(
        long,
        env = "CUF_ADMIN_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// How many password hashes may run at once (default: half the cores, at least one).
    #[arg(long, env = "CUF_HASH_CONCURRENCY", default_value_t = default_hash_concurrency(), global = true)]
    pub hash_concurrency: usize,
    /// The SMTP server that delivers messages (`smtp://host:port`,
    /// `smtps://user:password@host`); without it, messages go to the log.
    #[arg(long, env = "CUF_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of messages.
    #[arg(
        long,
        env = "CUF_MAIL_FROM",
        default_value = "CUF Cooperation API <noreply@cites-unies-france.org>",
        global = true
    )]
    pub mail_from: String,
    /// How often the outbox is delivered, in seconds.
    #[arg(
        long,
        env = "CUF_OUTBOX_INTERVAL_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub outbox_interval_seconds: u64,
    /// How long a WebSocket at `/graphql/ws` may wait before its `connection_init`, in
    /// seconds; then it is closed (4408).
    #[arg(
        long,
        env = "CUF_WS_INIT_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub ws_init_timeout_seconds: u64,
    /// The least number of days between two validation reminders to one authority.
    #[arg(
        long,
        env = "CUF_REMINDER_INTERVAL_DAYS",
        default_value_t = 7,
        global = true
    )]
    pub reminder_interval_days: i64,
    /// CUF's IATI organisation identifier: the `reporting-org` of the IATI export and the
    /// prefix of its activity identifiers (`FR-CUF-PAC-12`). Set the registered one in
    /// production.
    #[arg(
        long,
        env = "CUF_IATI_REPORTING_ORG_REF",
        default_value = DEFAULT_IATI_REPORTING_ORG_REF,
        global = true
    )]
    pub iati_reporting_org_ref: String,
    /// The limits that protect the server: query shape and cost, rate, time, the pool.
    #[command(flatten)]
    pub protection: Protection,
}

/// The IATI organisation identifier used until a registered one is configured.
pub const DEFAULT_IATI_REPORTING_ORG_REF: &str = "FR-CUF";

/// The limits that protect the server from expensive, abusive or stuck requests.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// The deepest nesting of fields in a query.
    #[arg(long, env = "CUF_MAX_DEPTH", default_value_t = Limits::default().depth, global = true)]
    pub max_depth: usize,
    /// The highest cost of a query: fields, with connections multiplied by their page size.
    #[arg(long, env = "CUF_MAX_COMPLEXITY", default_value_t = Limits::default().complexity, global = true)]
    pub max_complexity: u64,
    /// The most aliases in a document.
    #[arg(long, env = "CUF_MAX_ALIASES", default_value_t = Limits::default().aliases, global = true)]
    pub max_aliases: usize,
    /// The most fields in a document.
    #[arg(long, env = "CUF_MAX_FIELDS", default_value_t = Limits::default().fields, global = true)]
    pub max_fields: usize,
    /// The most directives on one field.
    #[arg(long, env = "CUF_MAX_DIRECTIVES", default_value_t = Limits::default().directives, global = true)]
    pub max_directives: usize,
    /// The deepest nesting of fragment spreads.
    #[arg(long, env = "CUF_MAX_FRAGMENT_DEPTH", default_value_t = Limits::default().fragment_depth, global = true)]
    pub max_fragment_depth: usize,
    /// Answer introspection queries (default: in development only).
    #[arg(long, env = "CUF_INTROSPECTION", global = true)]
    pub introspection: Option<bool>,
    /// Suggest field names in errors, "did you mean …" (default: in development only).
    #[arg(long, env = "CUF_SUGGESTIONS", global = true)]
    pub suggestions: Option<bool>,
    /// Serve the playground at `GET /graphql` (default: in development only).
    #[arg(long, env = "CUF_PLAYGROUND", global = true)]
    pub playground: Option<bool>,
    /// The tokens of a caller's rate-limit bucket (one per unit of query cost); 0 turns rate
    /// limiting off.
    #[arg(long, env = "CUF_RATE_LIMIT_CAPACITY", default_value_t = DEFAULT_RATE_CAPACITY, global = true)]
    pub rate_limit_capacity: u64,
    /// The tokens a bucket regains each second.
    #[arg(long, env = "CUF_RATE_LIMIT_REFILL", default_value_t = DEFAULT_RATE_REFILL, global = true)]
    pub rate_limit_refill: u64,
    /// The longest a GraphQL request may run, in seconds.
    #[arg(
        long,
        env = "CUF_REQUEST_TIMEOUT_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_seconds: u64,
    /// The most GraphQL queries executing at once, and apart from them the most mutations;
    /// further ones wait their turn within the request timeout. Bounds the memory a burst
    /// of requests can take.
    #[arg(
        long,
        env = "CUF_MAX_CONCURRENT_OPERATIONS",
        default_value_t = DEFAULT_MAX_CONCURRENT_OPERATIONS,
        global = true
    )]
    pub max_concurrent_operations: usize,
    /// The longest one SQL statement may run on PostgreSQL (`statement_timeout`), in
    /// milliseconds.
    #[arg(
        long,
        env = "CUF_STATEMENT_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub statement_timeout_ms: u64,
    /// Statements slower than this are logged (with their SQL, never their values), in
    /// milliseconds.
    #[arg(long, env = "CUF_SLOW_QUERY_MS", default_value_t = 200, global = true)]
    pub slow_query_ms: u64,
    /// How long a request waits for a free database connection, in seconds.
    #[arg(
        long,
        env = "CUF_DB_ACQUIRE_TIMEOUT_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub db_acquire_timeout_seconds: u64,
    /// How long an idle connection stays in the pool, in seconds.
    #[arg(
        long,
        env = "CUF_DB_IDLE_TIMEOUT_SECONDS",
        default_value_t = 600,
        global = true
    )]
    pub db_idle_timeout_seconds: u64,
    /// How long a connection lives before it is replaced, in seconds.
    #[arg(
        long,
        env = "CUF_DB_MAX_LIFETIME_SECONDS",
        default_value_t = 1_800,
        global = true
    )]
    pub db_max_lifetime_seconds: u64,
}

/// Half the machine's cores, at least one: a flood of sign-ins then leaves the other half to
/// everything else. On two cores, one hashing thread kept the directory's p99 during a flood
/// at 1.3 to 1.7 times its p99 without, against 1.75 to 2.1 with two (bench/RESULTS.md).
pub fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
}

/// The default bound on queries (and, apart, mutations) executing at once.
pub const DEFAULT_MAX_CONCURRENT_OPERATIONS: usize = 16;
/// The default capacity of a rate-limit bucket: four of the costliest queries.
pub const DEFAULT_RATE_CAPACITY: u64 = 200_000;
/// The default refill of a rate-limit bucket, per second.
pub const DEFAULT_RATE_REFILL: u64 = 2_500;

impl Default for Protection {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            max_depth: limits.depth,
            max_complexity: limits.complexity,
            max_aliases: limits.aliases,
            max_fields: limits.fields,
            max_directives: limits.directives,
            max_fragment_depth: limits.fragment_depth,
            introspection: None,
            suggestions: None,
            playground: None,
            rate_limit_capacity: DEFAULT_RATE_CAPACITY,
            rate_limit_refill: DEFAULT_RATE_REFILL,
            request_timeout_seconds: 30,
            max_concurrent_operations: DEFAULT_MAX_CONCURRENT_OPERATIONS,
            statement_timeout_ms: 10_000,
            slow_query_ms: 200,
            db_acquire_timeout_seconds: 5,
            db_idle_timeout_seconds: 600,
            db_max_lifetime_seconds: 1_800,
        }
    }
}

impl Protection {
    /// The document limits.
    pub fn limits(&self) -> Limits {
        Limits {
            depth: self.max_depth,
            complexity: self.max_complexity,
            aliases: self.max_aliases,
            fields: self.max_fields,
            directives: self.max_directives,
            fragment_depth: self.max_fragment_depth,
            introspection: true,
        }
    }
}

/// A development signing secret everyone can read; refused in production.
pub const DEVELOPMENT_SECRET_MARKER: &str = "development";

impl Settings {
    /// Whether introspection queries are answered.
    pub fn introspection(&self) -> bool {
        self.protection
            .introspection
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether errors suggest field names.
    pub fn suggestions(&self) -> bool {
        self.protection
            .suggestions
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether `GET /graphql` serves the playground.
    pub fn playground(&self) -> bool {
        self.protection
            .playground
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether the demo dataset is loaded into an empty database at start.
    pub fn loads_demo_data(&self) -> bool {
        self.demo_data
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Refuses combinations production must not run with.
    pub fn validate(&self) -> Result<(), String> {
        if self.environment == Environment::Production {
            if self.cors_origins.iter().any(|origin| origin.trim() == "*") {
                return Err("CUF_CORS_ORIGINS=* is refused in production: list the origins".into());
            }
            if self.demo_data == Some(true) {
                return Err("CUF_DEMO_DATA=true is refused in production".into());
            }
            let secret = self.jwt_secret.as_deref().unwrap_or_default();
            if secret.len() < crate::access::tokens::MIN_SECRET_BYTES
                || secret.to_lowercase().contains(DEVELOPMENT_SECRET_MARKER)
            {
                return Err(format!(
                    "production needs CUF_JWT_SECRET: a random secret of at least {} bytes",
                    crate::access::tokens::MIN_SECRET_BYTES
                ));
            }
        }
        if let Some(secret) = &self.jwt_secret
            && secret.len() < crate::access::tokens::MIN_SECRET_BYTES
        {
            return Err(format!(
                "CUF_JWT_SECRET must be at least {} bytes",
                crate::access::tokens::MIN_SECRET_BYTES
            ));
        }
        if self.admin_email.is_some() != self.admin_password.is_some() {
            return Err("set both CUF_ADMIN_EMAIL and CUF_ADMIN_PASSWORD, or neither".into());
        }
        if !crate::opendata::is_organisation_ref(&self.iati_reporting_org_ref) {
            return Err(
                "CUF_IATI_REPORTING_ORG_REF must be an IATI organisation identifier: letters, \
                 digits and hyphens, e.g. FR-RNA-W751234567"
                    .into(),
            );
        }
        if self.body_limit < 1024 {
            return Err("CUF_BODY_LIMIT must be at least 1024 bytes".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_takes_half_the_cores_and_at_least_one() {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        let threads = default_hash_concurrency();
        assert!(threads >= 1);
        assert!(
            threads == 1 || threads * 2 <= cores,
            "{threads} of {cores} cores"
        );
    }
}
