//! The `action_fundings` table: a partner's co-financing of an action, apart from the authorities' shares.
use sea_orm::entity::prelude::*;

/// One row of `action_fundings`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_fundings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub action_id: i64,
    pub organisation_id: i64,
    pub amount_minor: i64,
    pub commitment: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(id, action_id, organisation_id, amount_minor, commitment);
