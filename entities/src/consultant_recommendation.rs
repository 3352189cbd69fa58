//! The `consultant_recommendations` table: an authority's or CUF's opinion of a consultant
//! organisation.
use sea_orm::entity::prelude::*;

/// One row of `consultant_recommendations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultant_recommendations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organisation_id: i64,
    /// The recommending authority; null when CUF recommends.
    pub authority_id: Option<i64>,
    /// The user who recorded it; null when the server did (demo data).
    pub recorded_by_user_id: Option<i64>,
    pub recommended: bool,
    pub note: Option<String>,
    pub recommended_at: DateTimeUtc,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    organisation_id,
    authority_id,
    recorded_by_user_id,
    recommended,
    note,
    recommended_at,
    version,
    created_at,
    updated_at,
);
