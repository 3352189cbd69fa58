//! The `programmes` table: a concerted action programme.
use sea_orm::entity::prelude::*;

/// One row of `programmes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programmes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub sort_key: String,
    pub group_id: Option<i64>,
    pub lead_authority_id: Option<i64>,
    pub coordinator_organisation_id: Option<i64>,
    pub status: String,
    pub currency: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub description: Option<String>,
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
    sort_key,
    group_id,
    lead_authority_id,
    coordinator_organisation_id,
    status,
    currency,
    starts_on,
    ends_on,
    description,
    version,
    created_at,
    updated_at,
);
