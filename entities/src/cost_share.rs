//! The `cost_shares` table: an authority's share of an action's cost, in minor units.
use sea_orm::entity::prelude::*;

/// One row of `cost_shares`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_shares")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub action_id: i64,
    pub authority_id: i64,
    pub percentage_hundredths: Option<i32>,
    pub fixed_minor: Option<i64>,
    pub amount_minor: i64,
    pub commitment: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    action_id,
    authority_id,
    percentage_hundredths,
    fixed_minor,
    amount_minor,
    commitment,
    version,
    created_at,
    updated_at,
);
