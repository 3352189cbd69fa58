//! Country groups with their memberships, and events with participants, agenda, decisions
//! and follow-ups.

use sea_orm_migration::prelude::*;

use crate::naming::{Bookkeeping, foreign_key, id_column, index, sort_key_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CountryGroups {
    Table,
    Id,
    Name,
    SortKey,
    CountryCode,
    ChairAuthorityId,
    ChairPersonId,
    CoordinatorPersonId,
    LaunchedOn,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum GroupMemberships {
    Table,
    Id,
    GroupId,
    AuthorityId,
    Role,
    Status,
    Since,
    Until,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    Title,
    Kind,
    GroupId,
    Visibility,
    OrganiserAuthorityId,
    OrganiserOrganisationId,
    FacilitatorPersonId,
    DateStart,
    DateEnd,
    DatePrecision,
    Tentative,
    StartsAt,
    EndsAt,
    TimeZone,
    Venue,
    StreetAddress,
    City,
    LocationCountryCode,
    Directions,
    Minutes,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventParticipants {
    Table,
    Id,
    EventId,
    PersonId,
    AuthorityId,
    OrganisationId,
    JobTitle,
    Attendance,
}

#[derive(DeriveIden, Clone, Copy)]
enum AgendaItems {
    Table,
    Id,
    EventId,
    Position,
    Title,
}

#[derive(DeriveIden, Clone, Copy)]
enum Decisions {
    Table,
    Id,
    EventId,
    AgendaItemId,
    Position,
    Text,
}

#[derive(DeriveIden, Clone, Copy)]
enum FollowUps {
    Table,
    Id,
    EventId,
    Title,
    OwnerPersonId,
    OwnerAuthorityId,
    DueStart,
    DueEnd,
    DuePrecision,
    DueTentative,
    Status,
    CooperationId,
    Version,
    CreatedAt,
    UpdatedAt,
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

fn big(name: impl IntoIden, nullable: bool) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    column.big_integer();
    if nullable {
        column.null()
    } else {
        column.not_null()
    };
    column
}

fn text(name: impl IntoIden, nullable: bool) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    column.string();
    if nullable {
        column.null()
    } else {
        column.not_null()
    };
    column
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(CountryGroups::Table)
                    .col(id_column(CountryGroups::Id))
                    .col(text(CountryGroups::Name, false))
                    .col(sort_key_column(CountryGroups::SortKey, backend))
                    .col(
                        ColumnDef::new(CountryGroups::CountryCode)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(big(CountryGroups::ChairAuthorityId, true))
                    .col(big(CountryGroups::ChairPersonId, true))
                    .col(big(CountryGroups::CoordinatorPersonId, true))
                    .col(ColumnDef::new(CountryGroups::LaunchedOn).date().null())
                    .col(ColumnDef::new(CountryGroups::Description).text().null())
                    .bookkeeping(
                        CountryGroups::Version,
                        CountryGroups::CreatedAt,
                        CountryGroups::UpdatedAt,
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_country_groups_chair",
                        (CountryGroups::Table, CountryGroups::ChairAuthorityId),
                        (Authorities::Table, Authorities::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_country_groups_chair_person",
                        (CountryGroups::Table, CountryGroups::ChairPersonId),
                        (People::Table, People::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_country_groups_coordinator",
                        (CountryGroups::Table, CountryGroups::CoordinatorPersonId),
                        (People::Table, People::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupMemberships::Table)
                    .col(id_column(GroupMemberships::Id))
                    .col(big(GroupMemberships::GroupId, false))
                    .col(big(GroupMemberships::AuthorityId, false))
                    .col(
                        ColumnDef::new(GroupMemberships::Role)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GroupMemberships::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(GroupMemberships::Since).date().null())
                    .col(ColumnDef::new(GroupMemberships::Until).date().null())
                    .col(
                        ColumnDef::new(GroupMemberships::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_group_memberships_group",
                        (GroupMemberships::Table, GroupMemberships::GroupId),
                        (CountryGroups::Table, CountryGroups::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_group_memberships_authority",
                        (GroupMemberships::Table, GroupMemberships::AuthorityId),
                        (Authorities::Table, Authorities::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(id_column(Events::Id))
                    .col(text(Events::Title, false))
                    .col(ColumnDef::new(Events::Kind).string_len(32).not_null())
                    .col(big(Events::GroupId, true))
                    .col(ColumnDef::new(Events::Visibility).string_len(16).not_null())
                    .col(big(Events::OrganiserAuthorityId, true))
                    .col(big(Events::OrganiserOrganisationId, true))
                    .col(big(Events::FacilitatorPersonId, true))
                    .col(ColumnDef::new(Events::DateStart).date().not_null())
                    .col(ColumnDef::new(Events::DateEnd).date().not_null())
                    .col(
                        ColumnDef::new(Events::DatePrecision)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Events::Tentative).boolean().not_null())
                    .col(
                        ColumnDef::new(Events::StartsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Events::EndsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(text(Events::TimeZone, true))
                    .col(text(Events::Venue, true))
                    .col(text(Events::StreetAddress, true))
                    .col(text(Events::City, true))
                    .col(
                        ColumnDef::new(Events::LocationCountryCode)
                            .string_len(2)
                            .null(),
                    )
                    .col(ColumnDef::new(Events::Directions).text().null())
                    .col(ColumnDef::new(Events::Minutes).text().null())
                    .bookkeeping(Events::Version, Events::CreatedAt, Events::UpdatedAt)
                    .foreign_key(&mut foreign_key(
                        "fk_events_group",
                        (Events::Table, Events::GroupId),
                        (CountryGroups::Table, CountryGroups::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_events_organiser_authority",
                        (Events::Table, Events::OrganiserAuthorityId),
                        (Authorities::Table, Authorities::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_events_organiser_organisation",
                        (Events::Table, Events::OrganiserOrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_events_facilitator",
                        (Events::Table, Events::FacilitatorPersonId),
                        (People::Table, People::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventParticipants::Table)
                    .col(id_column(EventParticipants::Id))
                    .col(big(EventParticipants::EventId, false))
                    .col(big(EventParticipants::PersonId, false))
                    .col(big(EventParticipants::AuthorityId, true))
                    .col(big(EventParticipants::OrganisationId, true))
                    .col(text(EventParticipants::JobTitle, true))
                    .col(
                        ColumnDef::new(EventParticipants::Attendance)
                            .string_len(16)
                            .not_null(),
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_event_participants_event",
                        (EventParticipants::Table, EventParticipants::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_participants_person",
                        (EventParticipants::Table, EventParticipants::PersonId),
                        (People::Table, People::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_participants_authority",
                        (EventParticipants::Table, EventParticipants::AuthorityId),
                        (Authorities::Table, Authorities::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_participants_organisation",
                        (EventParticipants::Table, EventParticipants::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgendaItems::Table)
                    .col(id_column(AgendaItems::Id))
                    .col(big(AgendaItems::EventId, false))
                    .col(ColumnDef::new(AgendaItems::Position).integer().not_null())
                    .col(text(AgendaItems::Title, false))
                    .foreign_key(&mut foreign_key(
                        "fk_agenda_items_event",
                        (AgendaItems::Table, AgendaItems::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Decisions::Table)
                    .col(id_column(Decisions::Id))
                    .col(big(Decisions::EventId, false))
                    .col(big(Decisions::AgendaItemId, true))
                    .col(ColumnDef::new(Decisions::Position).integer().not_null())
                    .col(ColumnDef::new(Decisions::Text).text().not_null())
                    .foreign_key(&mut foreign_key(
                        "fk_decisions_event",
                        (Decisions::Table, Decisions::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_decisions_agenda_item",
                        (Decisions::Table, Decisions::AgendaItemId),
                        (AgendaItems::Table, AgendaItems::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FollowUps::Table)
                    .col(id_column(FollowUps::Id))
                    .col(big(FollowUps::EventId, false))
                    .col(text(FollowUps::Title, false))
                    .col(big(FollowUps::OwnerPersonId, true))
                    .col(big(FollowUps::OwnerAuthorityId, true))
                    .col(ColumnDef::new(FollowUps::DueStart).date().null())
                    .col(ColumnDef::new(FollowUps::DueEnd).date().null())
                    .col(ColumnDef::new(FollowUps::DuePrecision).string_len(8).null())
                    .col(ColumnDef::new(FollowUps::DueTentative).boolean().not_null())
                    .col(ColumnDef::new(FollowUps::Status).string_len(16).not_null())
                    .col(big(FollowUps::CooperationId, true))
                    .bookkeeping(
                        FollowUps::Version,
                        FollowUps::CreatedAt,
                        FollowUps::UpdatedAt,
                    )
                    .foreign_key(&mut foreign_key(
                        "fk_follow_ups_event",
                        (FollowUps::Table, FollowUps::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_follow_ups_owner_person",
                        (FollowUps::Table, FollowUps::OwnerPersonId),
                        (People::Table, People::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_follow_ups_owner_authority",
                        (FollowUps::Table, FollowUps::OwnerAuthorityId),
                        (Authorities::Table, Authorities::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_follow_ups_cooperation",
                        (FollowUps::Table, FollowUps::CooperationId),
                        (Cooperations::Table, Cooperations::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "ix_country_groups_sort_key",
                CountryGroups::Table,
                &["sort_key", "id"],
            ),
            index(
                "ix_country_groups_country_code",
                CountryGroups::Table,
                &["country_code"],
            ),
            index(
                "ix_country_groups_chair_authority_id",
                CountryGroups::Table,
                &["chair_authority_id"],
            ),
            index(
                "ix_country_groups_chair_person_id",
                CountryGroups::Table,
                &["chair_person_id"],
            ),
            index(
                "ix_country_groups_coordinator_person_id",
                CountryGroups::Table,
                &["coordinator_person_id"],
            ),
            index(
                "ix_group_memberships_group_id",
                GroupMemberships::Table,
                &["group_id", "status"],
            ),
            index(
                "ix_group_memberships_authority_id",
                GroupMemberships::Table,
                &["authority_id"],
            ),
            index("ix_events_date_start", Events::Table, &["date_start", "id"]),
            index(
                "ix_events_group_id",
                Events::Table,
                &["group_id", "date_start"],
            ),
            index("ix_events_kind", Events::Table, &["kind"]),
            index(
                "ix_events_organiser_authority_id",
                Events::Table,
                &["organiser_authority_id"],
            ),
            index(
                "ix_events_organiser_organisation_id",
                Events::Table,
                &["organiser_organisation_id"],
            ),
            index(
                "ix_events_facilitator_person_id",
                Events::Table,
                &["facilitator_person_id"],
            ),
            index(
                "ix_event_participants_event_id",
                EventParticipants::Table,
                &["event_id"],
            ),
            index(
                "ix_event_participants_person_id",
                EventParticipants::Table,
                &["person_id"],
            ),
            index(
                "ix_event_participants_authority_id",
                EventParticipants::Table,
                &["authority_id"],
            ),
            index(
                "ix_event_participants_organisation_id",
                EventParticipants::Table,
                &["organisation_id"],
            ),
            index(
                "ix_agenda_items_event_id",
                AgendaItems::Table,
                &["event_id", "position"],
            ),
            index(
                "ix_decisions_event_id",
                Decisions::Table,
                &["event_id", "position"],
            ),
            index(
                "ix_decisions_agenda_item_id",
                Decisions::Table,
                &["agenda_item_id"],
            ),
            index("ix_follow_ups_event_id", FollowUps::Table, &["event_id"]),
            index(
                "ix_follow_ups_owner_person_id",
                FollowUps::Table,
                &["owner_person_id"],
            ),
            index(
                "ix_follow_ups_owner_authority_id",
                FollowUps::Table,
                &["owner_authority_id", "status"],
            ),
            index(
                "ix_follow_ups_due_end",
                FollowUps::Table,
                &["status", "due_end"],
            ),
            index(
                "ix_follow_ups_cooperation_id",
                FollowUps::Table,
                &["cooperation_id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
