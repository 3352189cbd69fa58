//! Concerted action programmes: programmes, their actions, each action's cost items and the
//! authorities' cost shares.

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, foreign_key, id_column, index, sort_key_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Programmes {
    Table,
    Id,
    Title,
    SortKey,
    GroupId,
    LeadAuthorityId,
    CoordinatorOrganisationId,
    Status,
    Currency,
    StartsOn,
    EndsOn,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProgrammeActions {
    Table,
    Id,
    ProgrammeId,
    Position,
    Title,
    Description,
    Status,
    SharingMethod,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CostItems {
    Table,
    Id,
    ActionId,
    Position,
    Label,
    Quantity,
    UnitCostMinor,
    AmountMinor,
}

#[derive(DeriveIden, Clone, Copy)]
enum CostShares {
    Table,
    Id,
    ActionId,
    AuthorityId,
    PercentageHundredths,
    FixedMinor,
    AmountMinor,
    Commitment,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CountryGroups {
    Table,
    Id,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Programmes::Table)
                    .col(id_column(Programmes::Id))
                    .col(ColumnDef::new(Programmes::Title).string().not_null())
                    .col(sort_key_column(Programmes::SortKey, backend))
                    .col(ColumnDef::new(Programmes::GroupId).big_integer().null())
                    .col(
                        ColumnDef::new(Programmes::LeadAuthorityId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Programmes::CoordinatorOrganisationId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Programmes::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Programmes::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Programmes::StartsOn).date().null())
                    .col(ColumnDef::new(Programmes::EndsOn).date().null())
                    .col(ColumnDef::new(Programmes::Description).text().null())
                    .bookkeeping(
                        Programmes::Version,
                        Programmes::CreatedAt,
                        Programmes::UpdatedAt,
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_programmes_group",
                        (Programmes::Table, Programmes::GroupId),
                        (CountryGroups::Table, CountryGroups::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_programmes_lead",
                        (Programmes::Table, Programmes::LeadAuthorityId),
                        (Authorities::Table, Authorities::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_programmes_coordinator",
                        (Programmes::Table, Programmes::CoordinatorOrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeActions::Table)
                    .col(id_column(ProgrammeActions::Id))
                    .col(
                        ColumnDef::new(ProgrammeActions::ProgrammeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeActions::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ProgrammeActions::Title).string().not_null())
                    .col(ColumnDef::new(ProgrammeActions::Description).text().null())
                    .col(
                        ColumnDef::new(ProgrammeActions::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeActions::SharingMethod)
                            .string_len(16)
                            .not_null(),
                    )
                    .bookkeeping(
                        ProgrammeActions::Version,
                        ProgrammeActions::CreatedAt,
                        ProgrammeActions::UpdatedAt,
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_programme_actions_programme",
                        (ProgrammeActions::Table, ProgrammeActions::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CostItems::Table)
                    .col(id_column(CostItems::Id))
                    .col(ColumnDef::new(CostItems::ActionId).big_integer().not_null())
                    .col(ColumnDef::new(CostItems::Position).integer().not_null())
                    .col(ColumnDef::new(CostItems::Label).string().not_null())
                    .col(ColumnDef::new(CostItems::Quantity).big_integer().not_null())
                    .col(
                        ColumnDef::new(CostItems::UnitCostMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CostItems::AmountMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .check((
                        "ck_cost_items_amount",
                        Expr::col(CostItems::AmountMinor).gte(0),
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_cost_items_action",
                        (CostItems::Table, CostItems::ActionId),
                        (ProgrammeActions::Table, ProgrammeActions::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CostShares::Table)
                    .col(id_column(CostShares::Id))
                    .col(
                        ColumnDef::new(CostShares::ActionId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CostShares::AuthorityId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CostShares::PercentageHundredths)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(CostShares::FixedMinor).big_integer().null())
                    .col(
                        ColumnDef::new(CostShares::AmountMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CostShares::Commitment)
                            .string_len(16)
                            .not_null(),
                    )
                    .bookkeeping(
                        CostShares::Version,
                        CostShares::CreatedAt,
                        CostShares::UpdatedAt,
                    )
                    .check((
                        "ck_cost_shares_amount",
                        Expr::col(CostShares::AmountMinor).gte(0),
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_cost_shares_action",
                        (CostShares::Table, CostShares::ActionId),
                        (ProgrammeActions::Table, ProgrammeActions::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_cost_shares_authority",
                        (CostShares::Table, CostShares::AuthorityId),
                        (Authorities::Table, Authorities::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "ix_programmes_sort_key",
                Programmes::Table,
                &["sort_key", "id"],
            ),
            index("ix_programmes_group_id", Programmes::Table, &["group_id"]),
            index(
                "ix_programmes_lead_authority_id",
                Programmes::Table,
                &["lead_authority_id"],
            ),
            index(
                "ix_programmes_coordinator_organisation_id",
                Programmes::Table,
                &["coordinator_organisation_id"],
            ),
            index("ix_programmes_status", Programmes::Table, &["status"]),
            index(
                "ix_programme_actions_programme_id",
                ProgrammeActions::Table,
                &["programme_id", "position"],
            ),
            index(
                "ix_cost_items_action_id",
                CostItems::Table,
                &["action_id", "position"],
            ),
            index(
                "ix_cost_shares_action_id",
                CostShares::Table,
                &["action_id", "authority_id"],
            ),
            index(
                "ix_cost_shares_authority_id",
                CostShares::Table,
                &["authority_id", "commitment"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
