//! The database connection pool, on SQLite or PostgreSQL, and its migrations.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::settings::Settings;

/// The file path inside a `sqlite:` URL, if it names a file.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Opens the pool. For SQLite the file's folder is created, and the file is put in WAL mode
/// with foreign keys enforced.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let url = &settings.database_url;
    let folder = sqlite_path(url).and_then(|path| std::path::Path::new(path).parent());
    if let Some(parent) = folder.filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| {
            DbErr::Custom(format!("cannot create {}: {error}", parent.display()))
        })?;
    }
    let protection = &settings.protection;
    let statement_timeout = protection.statement_timeout_ms.to_string();
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(settings.db_max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(
            protection.db_acquire_timeout_seconds.max(1),
        ))
        .idle_timeout(Duration::from_secs(protection.db_idle_timeout_seconds))
        .max_lifetime(Duration::from_secs(protection.db_max_lifetime_seconds))
        // A connection idle for a while is checked before use, so that a restarted database
        // is reconnected to; a busy one is not, which saves a round trip per statement.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |options| {
            // A runaway statement is cancelled by the server itself (SQLSTATE 57014).
            options.options([("statement_timeout", statement_timeout.as_str())])
        })
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so that two writers queue on the busy timeout instead of the second
/// failing when it upgrades its read lock; on PostgreSQL it is a plain transaction, whose
/// conditional writes wait on the row lock. Changes recorded for subscribers by an earlier
/// transaction that never committed are forgotten.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    crate::live::discard_pending();
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/cuf.sqlite?mode=rwc"),
            Some("data/cuf.sqlite")
        );
        assert_eq!(sqlite_path("sqlite:/tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/cuf"), None);
    }
}
