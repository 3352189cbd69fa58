//! The `events` table: an event: a group meeting, workshop, state visit, conference...
use sea_orm::entity::prelude::*;

/// One row of `events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub group_id: Option<i64>,
    pub visibility: String,
    pub organiser_authority_id: Option<i64>,
    pub organiser_organisation_id: Option<i64>,
    pub facilitator_person_id: Option<i64>,
    pub date_start: Date,
    pub date_end: Date,
    pub date_precision: String,
    pub tentative: bool,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub time_zone: Option<String>,
    pub venue: Option<String>,
    pub street_address: Option<String>,
    pub city: Option<String>,
    pub location_country_code: Option<String>,
    pub directions: Option<String>,
    pub minutes: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    title,
    kind,
    group_id,
    visibility,
    organiser_authority_id,
    organiser_organisation_id,
    facilitator_person_id,
    date_start,
    date_end,
    date_precision,
    tentative,
    starts_at,
    ends_at,
    time_zone,
    venue,
    street_address,
    city,
    location_country_code,
    directions,
    minutes,
    version,
    created_at,
    updated_at,
);
