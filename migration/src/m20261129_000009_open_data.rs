//! Indexes for the open-data exports: the programmes whose money counts in a year (by start
//! date, else end date, else creation), and the latest audit entry of a mutation, which the
//! exports' validators read to notice deletions.

use sea_orm_migration::prelude::*;

use crate::naming::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programmes {
    Table,
}

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [
            index(
                "ix_programmes_dates",
                Programmes::Table,
                &["starts_on", "ends_on", "created_at"],
            ),
            index(
                "ix_audit_entries_mutation",
                AuditEntries::Table,
                &["mutation", "at"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
