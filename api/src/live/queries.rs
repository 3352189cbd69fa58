//! The one statement of live changes.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// Sends `payload` on the PostgreSQL `channel`, at the commit of `db`'s transaction.
pub async fn notify(
    db: &impl ConnectionTrait,
    channel: &str,
    payload: String,
) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [channel.into(), payload.into()],
    ))
    .await?;
    Ok(())
}
