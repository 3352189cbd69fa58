//! Schema migrations. The history is frozen: a shipped migration never changes, a new one is
//! added instead. The same migrations run on SQLite and PostgreSQL; where the two differ (the
//! collation of sort keys), the migration asks the backend. This crate never imports `entities`.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_actors;
mod m20261128_000002_access;
mod m20261128_000003_directory;
mod m20261128_000004_groups_events;
mod m20261128_000005_calendar_tokens;
mod m20261128_000006_programmes;
mod m20261128_000007_programme_details;
mod m20261128_000008_indexes;
mod m20261129_000009_open_data;
mod m20261129_000010_api_key_operations;
mod m20261129_000011_documents;
mod m20261129_000012_expertise;
mod naming;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_actors::Migration),
            Box::new(m20261128_000002_access::Migration),
            Box::new(m20261128_000003_directory::Migration),
            Box::new(m20261128_000004_groups_events::Migration),
            Box::new(m20261128_000005_calendar_tokens::Migration),
            Box::new(m20261128_000006_programmes::Migration),
            Box::new(m20261128_000007_programme_details::Migration),
            Box::new(m20261128_000008_indexes::Migration),
            Box::new(m20261129_000009_open_data::Migration),
            Box::new(m20261129_000010_api_key_operations::Migration),
            Box::new(m20261129_000011_documents::Migration),
            Box::new(m20261129_000012_expertise::Migration),
        ]
    }
}
