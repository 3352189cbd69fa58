//! Documents of the resource centre: a country dossier, minutes, advocacy, reports,
//! agreements; their authors, dated milestones and file versions. A version's file is stored
//! by the SHA-256 of its content, outside the database; nothing is overwritten: a new file is
//! a new version.

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, foreign_key, id_column, index, sort_key_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Documents {
    Table,
    Id,
    Title,
    SortKey,
    Kind,
    Status,
    Visibility,
    Language,
    GroupId,
    EventId,
    ProgrammeId,
    CooperationId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DocumentAuthors {
    Table,
    Id,
    DocumentId,
    PersonId,
    Position,
}

#[derive(DeriveIden)]
enum DocumentMilestones {
    Table,
    Id,
    DocumentId,
    Position,
    Title,
    DueStart,
    DueEnd,
    DuePrecision,
    Tentative,
    Done,
}

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    Id,
    DocumentId,
    Number,
    Filename,
    MediaType,
    Size,
    Sha256,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CountryGroups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cooperations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum People {
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
                    .table(Documents::Table)
                    .col(id_column(Documents::Id))
                    .col(ColumnDef::new(Documents::Title).string().not_null())
                    .col(sort_key_column(Documents::SortKey, backend))
                    .col(ColumnDef::new(Documents::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Documents::Status).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Documents::Visibility)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Documents::Language).string_len(8).not_null())
                    .col(ColumnDef::new(Documents::GroupId).big_integer().null())
                    .col(ColumnDef::new(Documents::EventId).big_integer().null())
                    .col(ColumnDef::new(Documents::ProgrammeId).big_integer().null())
                    .col(
                        ColumnDef::new(Documents::CooperationId)
                            .big_integer()
                            .null(),
                    )
                    .bookkeeping(
                        Documents::Version,
                        Documents::CreatedAt,
                        Documents::UpdatedAt,
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_documents_group",
                        (Documents::Table, Documents::GroupId),
                        (CountryGroups::Table, CountryGroups::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_documents_event",
                        (Documents::Table, Documents::EventId),
                        (Events::Table, Events::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_documents_programme",
                        (Documents::Table, Documents::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_documents_cooperation",
                        (Documents::Table, Documents::CooperationId),
                        (Cooperations::Table, Cooperations::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DocumentAuthors::Table)
                    .col(id_column(DocumentAuthors::Id))
                    .col(
                        ColumnDef::new(DocumentAuthors::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentAuthors::PersonId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentAuthors::Position)
                            .integer()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_document_authors_document",
                        (DocumentAuthors::Table, DocumentAuthors::DocumentId),
                        (Documents::Table, Documents::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_document_authors_person",
                        (DocumentAuthors::Table, DocumentAuthors::PersonId),
                        (People::Table, People::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DocumentMilestones::Table)
                    .col(id_column(DocumentMilestones::Id))
                    .col(
                        ColumnDef::new(DocumentMilestones::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentMilestones::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentMilestones::Title)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentMilestones::DueStart)
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(DocumentMilestones::DueEnd).date().not_null())
                    .col(
                        ColumnDef::new(DocumentMilestones::DuePrecision)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentMilestones::Tentative)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentMilestones::Done)
                            .boolean()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_document_milestones_document",
                        (DocumentMilestones::Table, DocumentMilestones::DocumentId),
                        (Documents::Table, Documents::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DocumentVersions::Table)
                    .col(id_column(DocumentVersions::Id))
                    .col(
                        ColumnDef::new(DocumentVersions::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::Number)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::Filename)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::MediaType)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::Size)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::Sha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::UploadedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(DocumentVersions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_document_versions_document",
                        (DocumentVersions::Table, DocumentVersions::DocumentId),
                        (Documents::Table, Documents::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_document_versions_uploaded_by",
                        (DocumentVersions::Table, DocumentVersions::UploadedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index("ix_documents_group_id", Documents::Table, &["group_id"]),
            index("ix_documents_event_id", Documents::Table, &["event_id"]),
            index(
                "ix_documents_programme_id",
                Documents::Table,
                &["programme_id"],
            ),
            index(
                "ix_documents_cooperation_id",
                Documents::Table,
                &["cooperation_id"],
            ),
            index(
                "ix_documents_kind",
                Documents::Table,
                &["kind", "sort_key", "id"],
            ),
            index(
                "ix_documents_status",
                Documents::Table,
                &["status", "sort_key", "id"],
            ),
            index(
                "ix_documents_sort_key",
                Documents::Table,
                &["sort_key", "id"],
            ),
            index(
                "ix_document_authors_document_id",
                DocumentAuthors::Table,
                &["document_id"],
            ),
            index(
                "ix_document_authors_person_id",
                DocumentAuthors::Table,
                &["person_id"],
            ),
            index(
                "ix_document_milestones_document_id",
                DocumentMilestones::Table,
                &["document_id"],
            ),
            index(
                "ix_document_milestones_due_start",
                DocumentMilestones::Table,
                &["due_start"],
            ),
            index(
                "ix_document_versions_uploaded_by",
                DocumentVersions::Table,
                &["uploaded_by"],
            ),
            index(
                "ux_document_versions_number",
                DocumentVersions::Table,
                &["document_id", "number"],
            )
            .unique()
            .to_owned(),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DocumentVersions::Table.into_iden(),
            DocumentMilestones::Table.into_iden(),
            DocumentAuthors::Table.into_iden(),
            Documents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
