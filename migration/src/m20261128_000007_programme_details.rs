//! Programme partners (organisation and role), milestones, and co-financing lines of actions.

use sea_orm_migration::prelude::*;

use crate::naming::{foreign_key, id_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ProgrammePartners {
    Table,
    Id,
    ProgrammeId,
    OrganisationId,
    Role,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProgrammeMilestones {
    Table,
    Id,
    ProgrammeId,
    Position,
    Title,
    DueStart,
    DueEnd,
    DuePrecision,
    DueTentative,
    Done,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActionFundings {
    Table,
    Id,
    ActionId,
    OrganisationId,
    AmountMinor,
    Commitment,
}

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProgrammeActions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        manager
            .create_table(
                Table::create()
                    .table(ProgrammePartners::Table)
                    .col(id_column(ProgrammePartners::Id))
                    .col(
                        ColumnDef::new(ProgrammePartners::ProgrammeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammePartners::OrganisationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammePartners::Role)
                            .string_len(32)
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_programme_partners_programme",
                        (ProgrammePartners::Table, ProgrammePartners::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_programme_partners_organisation",
                        (ProgrammePartners::Table, ProgrammePartners::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeMilestones::Table)
                    .col(id_column(ProgrammeMilestones::Id))
                    .col(
                        ColumnDef::new(ProgrammeMilestones::ProgrammeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeMilestones::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeMilestones::Title)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ProgrammeMilestones::DueStart).date().null())
                    .col(ColumnDef::new(ProgrammeMilestones::DueEnd).date().null())
                    .col(
                        ColumnDef::new(ProgrammeMilestones::DuePrecision)
                            .string_len(8)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeMilestones::DueTentative)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeMilestones::Done)
                            .boolean()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_programme_milestones_programme",
                        (ProgrammeMilestones::Table, ProgrammeMilestones::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActionFundings::Table)
                    .col(id_column(ActionFundings::Id))
                    .col(
                        ColumnDef::new(ActionFundings::ActionId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionFundings::OrganisationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionFundings::AmountMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ActionFundings::Commitment)
                            .string_len(16)
                            .not_null(),
                    )
                    .check((
                        "ck_action_fundings_amount",
                        Expr::col(ActionFundings::AmountMinor).gte(0),
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_action_fundings_action",
                        (ActionFundings::Table, ActionFundings::ActionId),
                        (ProgrammeActions::Table, ProgrammeActions::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_action_fundings_organisation",
                        (ActionFundings::Table, ActionFundings::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "ix_programme_partners_programme_id",
                ProgrammePartners::Table,
                &["programme_id"],
            ),
            index(
                "ix_programme_partners_organisation_id",
                ProgrammePartners::Table,
                &["organisation_id"],
            ),
            index(
                "ix_programme_milestones_programme_id",
                ProgrammeMilestones::Table,
                &["programme_id", "position"],
            ),
            index(
                "ix_action_fundings_action_id",
                ActionFundings::Table,
                &["action_id"],
            ),
            index(
                "ix_action_fundings_organisation_id",
                ActionFundings::Table,
                &["organisation_id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
