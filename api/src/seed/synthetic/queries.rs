//! The SQL of the synthetic dataset: multi-row inserts in chunks that fit the backend's limit
//! on bind parameters, and the bookkeeping PostgreSQL needs after rows are inserted with
//! their ids.

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, IntoActiveModel, Iterable,
    Statement,
};

/// The most bind parameters one statement may carry: SQLite's `SQLITE_MAX_VARIABLE_NUMBER`
/// (32,766 since 3.32) and PostgreSQL's protocol limit (65,535).
fn parameter_limit(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Sqlite => 32_766,
        _ => 65_535,
    }
}

/// How many rows of `E` one INSERT may carry on `backend`.
pub fn rows_per_statement<E: EntityTrait>(backend: DbBackend) -> usize {
    let columns = E::Column::iter().count().max(1);
    (parameter_limit(backend) / columns).max(1)
}

/// Inserts `rows`, ids included, in as few statements as the parameter limit allows; how
/// many rows were written.
pub async fn insert_all<E>(db: &impl ConnectionTrait, rows: &[E::Model]) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
{
    let mut written = 0;
    for chunk in rows.chunks(rows_per_statement::<E>(db.get_database_backend())) {
        let models = chunk
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model);
        written += E::insert_many(models).exec_without_returning(db).await?;
    }
    Ok(written)
}

/// Moves the id sequence of each of `tables` past its largest id. Rows inserted with their
/// ids do not advance a PostgreSQL sequence, so without this the next row created through
/// the API would collide with id 1. SQLite's AUTOINCREMENT counter follows by itself.
pub async fn restart_id_sequences(db: &impl ConnectionTrait, tables: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in tables {
        // The table names are the entities' own constants, never input.
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
        );
        db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

/// The table name of `E`.
pub fn table<E: EntityName + Default>() -> &'static str {
    E::default().table_name()
}

/// Refreshes PostgreSQL's planner statistics, so that a benchmark run right after loading
/// measures the plans production would use rather than plans for empty tables (autovacuum
/// would get there, but only after a while).
pub async fn analyze(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}
