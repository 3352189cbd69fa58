//! Authorities, organisations, people and their affiliations.

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, id_column, index, sort_key_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Authorities {
    Table,
    Id,
    Name,
    SortKey,
    SearchText,
    Kind,
    CountryCode,
    Population,
    ParentId,
    IsCufMember,
    Website,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
    Name,
    Acronym,
    SortKey,
    SearchText,
    Kind,
    CountryCode,
    Website,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum People {
    Table,
    Id,
    FirstName,
    LastName,
    SortKey,
    SearchText,
    Email,
    Phone,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Affiliations {
    Table,
    Id,
    PersonId,
    AuthorityId,
    OrganisationId,
    JobTitle,
    Since,
    Until,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Authorities::Table)
                    .col(id_column(Authorities::Id))
                    .col(ColumnDef::new(Authorities::Name).string().not_null())
                    .col(sort_key_column(Authorities::SortKey, backend))
                    .col(ColumnDef::new(Authorities::SearchText).text().not_null())
                    .col(ColumnDef::new(Authorities::Kind).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Authorities::CountryCode)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Authorities::Population).big_integer().null())
                    .col(ColumnDef::new(Authorities::ParentId).big_integer().null())
                    .col(
                        ColumnDef::new(Authorities::IsCufMember)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Authorities::Website).string().null())
                    .col(ColumnDef::new(Authorities::Description).text().null())
                    .bookkeeping(
                        Authorities::Version,
                        Authorities::CreatedAt,
                        Authorities::UpdatedAt,
                    )
                    .check((
                        "ck_authorities_population",
                        Expr::col(Authorities::Population).gte(0),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_authorities_parent")
                            .from(Authorities::Table, Authorities::ParentId)
                            .to(Authorities::Table, Authorities::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(id_column(Organisations::Id))
                    .col(ColumnDef::new(Organisations::Name).string().not_null())
                    .col(ColumnDef::new(Organisations::Acronym).string().null())
                    .col(sort_key_column(Organisations::SortKey, backend))
                    .col(ColumnDef::new(Organisations::SearchText).text().not_null())
                    .col(
                        ColumnDef::new(Organisations::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::CountryCode)
                            .string_len(2)
                            .null(),
                    )
                    .col(ColumnDef::new(Organisations::Website).string().null())
                    .col(ColumnDef::new(Organisations::Description).text().null())
                    .bookkeeping(
                        Organisations::Version,
                        Organisations::CreatedAt,
                        Organisations::UpdatedAt,
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(id_column(People::Id))
                    .col(ColumnDef::new(People::FirstName).string().not_null())
                    .col(ColumnDef::new(People::LastName).string().not_null())
                    .col(sort_key_column(People::SortKey, backend))
                    .col(ColumnDef::new(People::SearchText).text().not_null())
                    .col(ColumnDef::new(People::Email).string().null())
                    .col(ColumnDef::new(People::Phone).string().null())
                    .bookkeeping(People::Version, People::CreatedAt, People::UpdatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Affiliations::Table)
                    .col(id_column(Affiliations::Id))
                    .col(
                        ColumnDef::new(Affiliations::PersonId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Affiliations::AuthorityId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Affiliations::OrganisationId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Affiliations::JobTitle).string().null())
                    .col(ColumnDef::new(Affiliations::Since).date().null())
                    .col(ColumnDef::new(Affiliations::Until).date().null())
                    .col(ColumnDef::new(Affiliations::Position).integer().not_null())
                    .check((
                        "ck_affiliations_one_employer",
                        Expr::col(Affiliations::AuthorityId)
                            .is_null()
                            .ne(Expr::col(Affiliations::OrganisationId).is_null()),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_affiliations_person")
                            .from(Affiliations::Table, Affiliations::PersonId)
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_affiliations_authority")
                            .from(Affiliations::Table, Affiliations::AuthorityId)
                            .to(Authorities::Table, Authorities::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_affiliations_organisation")
                            .from(Affiliations::Table, Affiliations::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "ix_authorities_sort_key",
                Authorities::Table,
                &["sort_key", "id"],
            ),
            index(
                "ix_authorities_created_at",
                Authorities::Table,
                &["created_at", "id"],
            ),
            index(
                "ix_authorities_country_code",
                Authorities::Table,
                &["country_code"],
            ),
            index("ix_authorities_kind", Authorities::Table, &["kind"]),
            index(
                "ix_authorities_parent_id",
                Authorities::Table,
                &["parent_id"],
            ),
            index(
                "ix_organisations_sort_key",
                Organisations::Table,
                &["sort_key", "id"],
            ),
            index(
                "ix_organisations_created_at",
                Organisations::Table,
                &["created_at", "id"],
            ),
            index(
                "ix_organisations_country_code",
                Organisations::Table,
                &["country_code"],
            ),
            index("ix_organisations_kind", Organisations::Table, &["kind"]),
            index("ix_people_sort_key", People::Table, &["sort_key", "id"]),
            index("ix_people_created_at", People::Table, &["created_at", "id"]),
            index(
                "ix_affiliations_person_id",
                Affiliations::Table,
                &["person_id", "position"],
            ),
            index(
                "ix_affiliations_authority_id",
                Affiliations::Table,
                &["authority_id"],
            ),
            index(
                "ix_affiliations_organisation_id",
                Affiliations::Table,
                &["organisation_id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
