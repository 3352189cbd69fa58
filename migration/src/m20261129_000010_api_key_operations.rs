//! Operations registered for an API key: a ministry's integration pinned to the documents it
//! has tested. A pinned key runs only those (looked up by the SHA-256 of their text).

use sea_orm_migration::prelude::*;

use crate::naming::{foreign_key, id_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    OperationsPinned,
}

#[derive(DeriveIden)]
enum ApiKeyOperations {
    Table,
    Id,
    ApiKeyId,
    Name,
    Sha256,
    Document,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiKeys::Table)
                    .add_column(
                        ColumnDef::new(ApiKeys::OperationsPinned)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeyOperations::Table)
                    .col(id_column(ApiKeyOperations::Id))
                    .col(
                        ColumnDef::new(ApiKeyOperations::ApiKeyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeyOperations::Name)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKeyOperations::Sha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ApiKeyOperations::Document).text().not_null())
                    .col(
                        ColumnDef::new(ApiKeyOperations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_api_key_operations_api_key",
                        (ApiKeyOperations::Table, ApiKeyOperations::ApiKeyId),
                        (ApiKeys::Table, ApiKeys::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_api_key_operations_key_sha256",
                    ApiKeyOperations::Table,
                    &["api_key_id", "sha256"],
                )
                .unique()
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiKeyOperations::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiKeys::Table)
                    .drop_column(ApiKeys::OperationsPinned)
                    .to_owned(),
            )
            .await
    }
}
