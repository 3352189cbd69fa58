//! The `expertise_cooperations` table: the directory fiches an expertise entry cites.
use sea_orm::entity::prelude::*;

/// One row of `expertise_cooperations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expertise_cooperations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub expertise_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cooperation_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(expertise_id, cooperation_id);
