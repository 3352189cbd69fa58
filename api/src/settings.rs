//! Configuration: environment variables and their matching flags, parsed once into typed
//! settings, with development defaults and refusals for what production must not run with.

use clap::{Args, Parser, Subcommand, ValueEnum};

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
}

/// The datasets `api seed` can load.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Dataset {
    /// The demo dataset built from the minutes of the Mexico country group (26 March 2014).
    Demo,
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
}

impl Settings {
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
        }
        if self.body_limit < 1024 {
            return Err("CUF_BODY_LIMIT must be at least 1024 bytes".into());
        }
        Ok(())
    }
}
