//! The `programme_actions` table: an action of a programme, with its sharing method.
use sea_orm::entity::prelude::*;

/// One row of `programme_actions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub programme_id: i64,
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub sharing_method: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    programme_id,
    position,
    title,
    description,
    status,
    sharing_method,
    version,
    created_at,
    updated_at,
);
