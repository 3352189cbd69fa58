//! Indexes for the filter and sort columns the earlier migrations left without one. A
//! two-valued filter (a flag, the events' visibility) is indexed together with its list's
//! keyset order: alone it would rarely narrow a scan enough for the planner to use it.

use sea_orm_migration::prelude::*;

use crate::naming::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Authorities {
    Table,
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
}

#[derive(DeriveIden)]
enum Cooperations {
    Table,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
}

#[derive(DeriveIden)]
enum Events {
    Table,
}

#[derive(DeriveIden)]
enum FollowUps {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [
            index(
                "ix_authorities_is_cuf_member",
                Authorities::Table,
                &["is_cuf_member", "sort_key", "id"],
            ),
            index(
                "ix_users_active",
                Users::Table,
                &["active", "created_at", "id"],
            ),
            index(
                "ix_api_keys_created_at",
                ApiKeys::Table,
                &["created_at", "id"],
            ),
            index(
                "ix_cooperations_start_year",
                Cooperations::Table,
                &["start_year"],
            ),
            index(
                "ix_cooperations_end_year",
                Cooperations::Table,
                &["end_year"],
            ),
            index("ix_outbox_created_at", Outbox::Table, &["created_at", "id"]),
            index("ix_events_date_end", Events::Table, &["date_end"]),
            index(
                "ix_events_tentative",
                Events::Table,
                &["tentative", "date_start", "id"],
            ),
            index(
                "ix_events_visibility",
                Events::Table,
                &["visibility", "date_start", "id"],
            ),
            // `ix_follow_ups_due_end` (migration 4) leads with `status`; this one serves the
            // unfiltered list by due date.
            index(
                "ix_follow_ups_due_end_id",
                FollowUps::Table,
                &["due_end", "id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
