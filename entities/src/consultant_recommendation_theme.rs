//! The `consultant_recommendation_themes` table: the themes a recommendation is for.
use sea_orm::entity::prelude::*;

/// One row of `consultant_recommendation_themes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultant_recommendation_themes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub recommendation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(recommendation_id, theme_id);
