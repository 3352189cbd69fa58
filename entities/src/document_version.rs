//! The `document_versions` table: each file uploaded for a document. The content is stored
//! by its SHA-256, outside the database.
use sea_orm::entity::prelude::*;

/// One row of `document_versions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    /// 1 for the first file, then 2, 3, …
    pub number: i32,
    /// The name the file was uploaded with, cleaned.
    pub filename: String,
    /// The type recognised from the content (not from the name).
    pub media_type: String,
    pub size: i64,
    /// SHA-256 of the content, hex: where the storage keeps it.
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    document_id,
    number,
    filename,
    media_type,
    size,
    sha256,
    uploaded_by,
    created_at,
);
