//! The `cooperation_partners` table: the authorities of a cooperation, French or foreign side.
use sea_orm::entity::prelude::*;

/// One row of `cooperation_partners`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperation_partners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cooperation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub authority_id: i64,
    /// `FRENCH` or `FOREIGN`.
    pub side: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(cooperation_id, authority_id, side);
