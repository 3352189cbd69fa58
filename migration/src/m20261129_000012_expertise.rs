//! The expertise offer and the vetting of consultants: an authority's know-how on a theme
//! (`expertise`, with the cooperations that show it), and the recommendations of consultant
//! organisations by an authority or by CUF (`consultant_recommendations`, with their themes).

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, foreign_key, id_column, index, sort_key_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Expertise {
    Table,
    Id,
    AuthorityId,
    ThemeId,
    Title,
    SortKey,
    SearchText,
    Description,
    Services,
    Languages,
    ContactPersonId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ExpertiseCooperations {
    Table,
    ExpertiseId,
    CooperationId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsultantRecommendations {
    Table,
    Id,
    OrganisationId,
    AuthorityId,
    RecordedByUserId,
    Recommended,
    Note,
    RecommendedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsultantRecommendationThemes {
    Table,
    RecommendationId,
    ThemeId,
}

#[derive(DeriveIden)]
enum Authorities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Themes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cooperations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn expertise_table(backend: sea_orm_migration::sea_orm::DbBackend) -> TableCreateStatement {
    Table::create()
        .table(Expertise::Table)
        .col(id_column(Expertise::Id))
        .col(
            ColumnDef::new(Expertise::AuthorityId)
                .big_integer()
                .not_null(),
        )
        .col(ColumnDef::new(Expertise::ThemeId).big_integer().not_null())
        .col(ColumnDef::new(Expertise::Title).string().not_null())
        .col(sort_key_column(Expertise::SortKey, backend))
        .col(ColumnDef::new(Expertise::SearchText).text().not_null())
        .col(ColumnDef::new(Expertise::Description).text().not_null())
        .col(ColumnDef::new(Expertise::Services).text().not_null())
        .col(
            ColumnDef::new(Expertise::Languages)
                .string_len(128)
                .not_null(),
        )
        .col(
            ColumnDef::new(Expertise::ContactPersonId)
                .big_integer()
                .null(),
        )
        .bookkeeping(
            Expertise::Version,
            Expertise::CreatedAt,
            Expertise::UpdatedAt,
        )
        .foreign_key(&mut foreign_key(
            "fk_expertise_authority",
            (Expertise::Table, Expertise::AuthorityId),
            (Authorities::Table, Authorities::Id),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            "fk_expertise_theme",
            (Expertise::Table, Expertise::ThemeId),
            (Themes::Table, Themes::Id),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            "fk_expertise_contact_person",
            (Expertise::Table, Expertise::ContactPersonId),
            (People::Table, People::Id),
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

fn expertise_cooperations_table() -> TableCreateStatement {
    Table::create()
        .table(ExpertiseCooperations::Table)
        .col(
            ColumnDef::new(ExpertiseCooperations::ExpertiseId)
                .big_integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(ExpertiseCooperations::CooperationId)
                .big_integer()
                .not_null(),
        )
        .primary_key(
            Index::create()
                .name("pk_expertise_cooperations")
                .col(ExpertiseCooperations::ExpertiseId)
                .col(ExpertiseCooperations::CooperationId),
        )
        .foreign_key(&mut foreign_key(
            "fk_expertise_cooperations_expertise",
            (
                ExpertiseCooperations::Table,
                ExpertiseCooperations::ExpertiseId,
            ),
            (Expertise::Table, Expertise::Id),
            ForeignKeyAction::Cascade,
        ))
        // A deleted fiche leaves the expertise that cited it; the deletion is in the audit log.
        .foreign_key(&mut foreign_key(
            "fk_expertise_cooperations_cooperation",
            (
                ExpertiseCooperations::Table,
                ExpertiseCooperations::CooperationId,
            ),
            (Cooperations::Table, Cooperations::Id),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn recommendations_table() -> TableCreateStatement {
    use ConsultantRecommendations as R;
    Table::create()
        .table(R::Table)
        .col(id_column(R::Id))
        .col(ColumnDef::new(R::OrganisationId).big_integer().not_null())
        .col(ColumnDef::new(R::AuthorityId).big_integer().null())
        .col(ColumnDef::new(R::RecordedByUserId).big_integer().null())
        .col(ColumnDef::new(R::Recommended).boolean().not_null())
        .col(ColumnDef::new(R::Note).text().null())
        .col(
            ColumnDef::new(R::RecommendedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .bookkeeping(R::Version, R::CreatedAt, R::UpdatedAt)
        .foreign_key(&mut foreign_key(
            "fk_consultant_recommendations_organisation",
            (R::Table, R::OrganisationId),
            (Organisations::Table, Organisations::Id),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            "fk_consultant_recommendations_authority",
            (R::Table, R::AuthorityId),
            (Authorities::Table, Authorities::Id),
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            "fk_consultant_recommendations_recorded_by",
            (R::Table, R::RecordedByUserId),
            (Users::Table, Users::Id),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn recommendation_themes_table() -> TableCreateStatement {
    use ConsultantRecommendationThemes as T;
    Table::create()
        .table(T::Table)
        .col(ColumnDef::new(T::RecommendationId).big_integer().not_null())
        .col(ColumnDef::new(T::ThemeId).big_integer().not_null())
        .primary_key(
            Index::create()
                .name("pk_consultant_recommendation_themes")
                .col(T::RecommendationId)
                .col(T::ThemeId),
        )
        .foreign_key(&mut foreign_key(
            "fk_consultant_recommendation_themes_recommendation",
            (T::Table, T::RecommendationId),
            (
                ConsultantRecommendations::Table,
                ConsultantRecommendations::Id,
            ),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut foreign_key(
            "fk_consultant_recommendation_themes_theme",
            (T::Table, T::ThemeId),
            (Themes::Table, Themes::Id),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

/// One recommendation per consultant and recommender: an authority's (a plain unique index,
/// in which CUF's null authority never collides), and CUF's (a partial one).
fn one_recommendation_per_recommender() -> [IndexCreateStatement; 2] {
    use ConsultantRecommendations as R;
    [
        index(
            "ux_consultant_recommendations_authority",
            R::Table,
            &["organisation_id", "authority_id"],
        )
        .unique()
        .to_owned(),
        index(
            "ux_consultant_recommendations_cuf",
            R::Table,
            &["organisation_id"],
        )
        .unique()
        .and_where(Expr::col(R::AuthorityId).is_null())
        .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for table in [
            expertise_table(backend),
            expertise_cooperations_table(),
            recommendations_table(),
            recommendation_themes_table(),
        ] {
            manager.create_table(table).await?;
        }
        let mut indexes = vec![
            index(
                "ix_expertise_authority_id",
                Expertise::Table,
                &["authority_id", "sort_key"],
            ),
            index("ix_expertise_theme_id", Expertise::Table, &["theme_id"]),
            index(
                "ix_expertise_contact_person_id",
                Expertise::Table,
                &["contact_person_id"],
            ),
            index(
                "ix_expertise_sort_key",
                Expertise::Table,
                &["sort_key", "id"],
            ),
            index(
                "ix_expertise_created_at",
                Expertise::Table,
                &["created_at", "id"],
            ),
            index(
                "ix_expertise_updated_at",
                Expertise::Table,
                &["updated_at", "id"],
            ),
            index(
                "ix_expertise_cooperations_cooperation_id",
                ExpertiseCooperations::Table,
                &["cooperation_id"],
            ),
            index(
                "ix_consultant_recommendations_authority_id",
                ConsultantRecommendations::Table,
                &["authority_id"],
            ),
            index(
                "ix_consultant_recommendations_recorded_by",
                ConsultantRecommendations::Table,
                &["recorded_by_user_id"],
            ),
            index(
                "ix_consultant_recommendation_themes_theme_id",
                ConsultantRecommendationThemes::Table,
                &["theme_id"],
            ),
        ];
        indexes.extend(one_recommendation_per_recommender());
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConsultantRecommendationThemes::Table.into_iden(),
            ConsultantRecommendations::Table.into_iden(),
            ExpertiseCooperations::Table.into_iden(),
            Expertise::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
