//! Structured logs: JSON lines in production, compact text in development, filtered by
//! `RUST_LOG`. Every line of a request carries its `request_id` (the request span).

use tracing_subscriber::EnvFilter;

use crate::settings::{Environment, Settings};

/// Installs the global subscriber; a second call (as in tests) changes nothing.
pub fn init(settings: &Settings) {
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _already_set = match settings.environment {
        Environment::Production => builder.json().flatten_event(true).try_init(),
        Environment::Development => builder.compact().try_init(),
    };
}
