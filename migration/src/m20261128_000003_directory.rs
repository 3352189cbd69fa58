//! The directory of cooperations: themes, cooperations (fiches) with their partner
//! authorities and themes, and the outbox of messages (validation reminders).

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, foreign_key, id_column, index, sort_key_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Themes {
    Table,
    Id,
    Code,
    Label,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Cooperations {
    Table,
    Id,
    Title,
    SortKey,
    SearchText,
    CountryCode,
    Status,
    StartYear,
    EndYear,
    StartYearKey,
    Summary,
    Sources,
    InternalNotes,
    ValidationState,
    AwaitingSince,
    ValidatedAt,
    ValidatedBy,
    ValidatedOnBehalf,
    LastRemindedAt,
    ReminderCount,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CooperationPartners {
    Table,
    CooperationId,
    AuthorityId,
    Side,
}

#[derive(DeriveIden, Clone, Copy)]
enum CooperationThemes {
    Table,
    CooperationId,
    ThemeId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Kind,
    AuthorityId,
    Recipients,
    Subject,
    Body,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
}

#[derive(DeriveIden)]
enum Authorities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Themes::Table)
                    .col(id_column(Themes::Id))
                    .col(
                        ColumnDef::new(Themes::Code)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Themes::Label).string().not_null())
                    .bookkeeping(Themes::Version, Themes::CreatedAt, Themes::UpdatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Cooperations::Table)
                    .col(id_column(Cooperations::Id))
                    .col(ColumnDef::new(Cooperations::Title).string().not_null())
                    .col(sort_key_column(Cooperations::SortKey, backend))
                    .col(ColumnDef::new(Cooperations::SearchText).text().not_null())
                    .col(
                        ColumnDef::new(Cooperations::CountryCode)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Cooperations::StartYear).integer().null())
                    .col(ColumnDef::new(Cooperations::EndYear).integer().null())
                    .col(
                        ColumnDef::new(Cooperations::StartYearKey)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Cooperations::Summary).text().null())
                    .col(ColumnDef::new(Cooperations::Sources).string().not_null())
                    .col(ColumnDef::new(Cooperations::InternalNotes).text().null())
                    .col(
                        ColumnDef::new(Cooperations::ValidationState)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::AwaitingSince)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::ValidatedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::ValidatedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::ValidatedOnBehalf)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::LastRemindedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Cooperations::ReminderCount)
                            .integer()
                            .not_null(),
                    )
                    .bookkeeping(
                        Cooperations::Version,
                        Cooperations::CreatedAt,
                        Cooperations::UpdatedAt,
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_cooperations_validated_by",
                        (Cooperations::Table, Cooperations::ValidatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CooperationPartners::Table)
                    .col(
                        ColumnDef::new(CooperationPartners::CooperationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CooperationPartners::AuthorityId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CooperationPartners::Side)
                            .string_len(8)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .name("pk_cooperation_partners")
                            .col(CooperationPartners::CooperationId)
                            .col(CooperationPartners::AuthorityId),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_cooperation_partners_cooperation",
                        (
                            CooperationPartners::Table,
                            CooperationPartners::CooperationId,
                        ),
                        (Cooperations::Table, Cooperations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_cooperation_partners_authority",
                        (CooperationPartners::Table, CooperationPartners::AuthorityId),
                        (Authorities::Table, Authorities::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CooperationThemes::Table)
                    .col(
                        ColumnDef::new(CooperationThemes::CooperationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CooperationThemes::ThemeId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .name("pk_cooperation_themes")
                            .col(CooperationThemes::CooperationId)
                            .col(CooperationThemes::ThemeId),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_cooperation_themes_cooperation",
                        (CooperationThemes::Table, CooperationThemes::CooperationId),
                        (Cooperations::Table, Cooperations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_cooperation_themes_theme",
                        (CooperationThemes::Table, CooperationThemes::ThemeId),
                        (Themes::Table, Themes::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(id_column(Outbox::Id))
                    .col(ColumnDef::new(Outbox::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Outbox::AuthorityId).big_integer().null())
                    .col(ColumnDef::new(Outbox::Recipients).text().not_null())
                    .col(ColumnDef::new(Outbox::Subject).string().not_null())
                    .col(ColumnDef::new(Outbox::Body).text().not_null())
                    .col(
                        ColumnDef::new(Outbox::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Outbox::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(Outbox::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Outbox::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Outbox::LastError).text().null())
                    .foreign_key(&mut foreign_key(
                        "fk_outbox_authority",
                        (Outbox::Table, Outbox::AuthorityId),
                        (Authorities::Table, Authorities::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "ix_cooperations_sort_key",
                Cooperations::Table,
                &["sort_key", "id"],
            ),
            index(
                "ix_cooperations_start_year_key",
                Cooperations::Table,
                &["start_year_key", "id"],
            ),
            index(
                "ix_cooperations_updated_at",
                Cooperations::Table,
                &["updated_at", "id"],
            ),
            index(
                "ix_cooperations_country_code",
                Cooperations::Table,
                &["country_code", "validation_state"],
            ),
            index("ix_cooperations_status", Cooperations::Table, &["status"]),
            index(
                "ix_cooperations_validation_state",
                Cooperations::Table,
                &["validation_state", "awaiting_since"],
            ),
            index(
                "ix_cooperations_validated_by",
                Cooperations::Table,
                &["validated_by"],
            ),
            index(
                "ix_cooperation_partners_authority_id",
                CooperationPartners::Table,
                &["authority_id", "side"],
            ),
            index(
                "ix_cooperation_themes_theme_id",
                CooperationThemes::Table,
                &["theme_id"],
            ),
            index(
                "ix_outbox_pending",
                Outbox::Table,
                &["sent_at", "next_attempt_at"],
            ),
            index(
                "ix_outbox_authority_id",
                Outbox::Table,
                &["authority_id", "created_at"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
