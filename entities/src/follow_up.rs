//! The `follow_ups` table: a dated action decided at an event.
use sea_orm::entity::prelude::*;

/// One row of `follow_ups`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub title: String,
    pub owner_person_id: Option<i64>,
    pub owner_authority_id: Option<i64>,
    pub due_start: Option<Date>,
    pub due_end: Option<Date>,
    pub due_precision: Option<String>,
    pub due_tentative: bool,
    pub status: String,
    pub cooperation_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    event_id,
    title,
    owner_person_id,
    owner_authority_id,
    due_start,
    due_end,
    due_precision,
    due_tentative,
    status,
    cooperation_id,
    version,
    created_at,
    updated_at,
);
