//! Users, their sessions (refresh tokens), API keys for ministries, and the audit log.

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, foreign_key, id_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    Role,
    AuthorityId,
    OrganisationId,
    PasswordHash,
    Active,
    LastLoginAt,
    SessionsValidAfter,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeys {
    Table,
    Id,
    OrganisationId,
    Name,
    Prefix,
    KeyHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEntries {
    Table,
    Id,
    At,
    UserId,
    ApiKeyId,
    Actor,
    Mutation,
    NodeId,
    Changes,
    RequestId,
}

#[derive(DeriveIden)]
enum Authorities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

fn timestamp(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn optional_timestamp(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id_column(Users::Id))
                    .col(
                        ColumnDef::new(Users::Email)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::DisplayName).string().not_null())
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Users::AuthorityId).big_integer().null())
                    .col(ColumnDef::new(Users::OrganisationId).big_integer().null())
                    .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                    .col(ColumnDef::new(Users::Active).boolean().not_null())
                    .col(optional_timestamp(Users::LastLoginAt))
                    .col(timestamp(Users::SessionsValidAfter))
                    .bookkeeping(Users::Version, Users::CreatedAt, Users::UpdatedAt)
                    .foreign_key(&mut foreign_key(
                        "fk_users_authority",
                        (Users::Table, Users::AuthorityId),
                        (Authorities::Table, Authorities::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_users_organisation",
                        (Users::Table, Users::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id_column(Sessions::Id))
                    .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Sessions::FamilyId).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Sessions::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(timestamp(Sessions::CreatedAt))
                    .col(timestamp(Sessions::ExpiresAt))
                    .col(optional_timestamp(Sessions::UsedAt))
                    .col(optional_timestamp(Sessions::RevokedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_sessions_user",
                        (Sessions::Table, Sessions::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(id_column(ApiKeys::Id))
                    .col(
                        ColumnDef::new(ApiKeys::OrganisationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                    .col(ColumnDef::new(ApiKeys::Prefix).string_len(16).not_null())
                    .col(
                        ColumnDef::new(ApiKeys::KeyHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(ApiKeys::CreatedBy).big_integer().null())
                    .col(timestamp(ApiKeys::CreatedAt))
                    .col(optional_timestamp(ApiKeys::LastUsedAt))
                    .col(optional_timestamp(ApiKeys::RevokedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_api_keys_organisation",
                        (ApiKeys::Table, ApiKeys::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_api_keys_created_by",
                        (ApiKeys::Table, ApiKeys::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEntries::Table)
                    .col(id_column(AuditEntries::Id))
                    .col(timestamp(AuditEntries::At))
                    .col(ColumnDef::new(AuditEntries::UserId).big_integer().null())
                    .col(ColumnDef::new(AuditEntries::ApiKeyId).big_integer().null())
                    .col(ColumnDef::new(AuditEntries::Actor).string().not_null())
                    .col(
                        ColumnDef::new(AuditEntries::Mutation)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditEntries::NodeId).string_len(128).null())
                    .col(ColumnDef::new(AuditEntries::Changes).text().not_null())
                    .col(
                        ColumnDef::new(AuditEntries::RequestId)
                            .string_len(64)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        for statement in [
            index("ix_users_role", Users::Table, &["role"]),
            index("ix_users_authority_id", Users::Table, &["authority_id"]),
            index(
                "ix_users_organisation_id",
                Users::Table,
                &["organisation_id"],
            ),
            index("ix_users_created_at", Users::Table, &["created_at", "id"]),
            index("ix_sessions_user_id", Sessions::Table, &["user_id"]),
            index("ix_sessions_family_id", Sessions::Table, &["family_id"]),
            index(
                "ix_api_keys_organisation_id",
                ApiKeys::Table,
                &["organisation_id"],
            ),
            index("ix_api_keys_created_by", ApiKeys::Table, &["created_by"]),
            index("ix_audit_entries_at", AuditEntries::Table, &["at", "id"]),
            index(
                "ix_audit_entries_user_id",
                AuditEntries::Table,
                &["user_id", "at"],
            ),
            index(
                "ix_audit_entries_api_key_id",
                AuditEntries::Table,
                &["api_key_id"],
            ),
            index(
                "ix_audit_entries_node_id",
                AuditEntries::Table,
                &["node_id", "at"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
