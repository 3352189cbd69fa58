//! The `cost_items` table: a line of an action's budget, amounts in minor units.
use sea_orm::entity::prelude::*;

/// One row of `cost_items`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub action_id: i64,
    pub position: i32,
    pub label: String,
    pub quantity: i64,
    pub unit_cost_minor: i64,
    pub amount_minor: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    action_id,
    position,
    label,
    quantity,
    unit_cost_minor,
    amount_minor
);
