//! The `group_memberships` table: an authority's membership of a country group, or its request to join.
use sea_orm::entity::prelude::*;

/// One row of `group_memberships`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub group_id: i64,
    pub authority_id: i64,
    pub role: String,
    pub status: String,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    group_id,
    authority_id,
    role,
    status,
    since,
    until,
    created_at
);
