//! The `cooperation_themes` table: the themes of a cooperation.
use sea_orm::entity::prelude::*;

/// One row of `cooperation_themes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperation_themes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cooperation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(cooperation_id, theme_id);
