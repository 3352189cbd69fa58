//! The `users` table: people who sign in, with their role.
use sea_orm::entity::prelude::*;

/// One row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub authority_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// An argon2id PHC string; never the password.
    pub password_hash: String,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    /// Access tokens issued before this instant are refused (deactivation, sign-out
    /// everywhere).
    pub sessions_valid_after: DateTimeUtc,
    /// SHA-256 of the user's personal calendar token, hex; null until one is made.
    pub calendar_token_hash: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    email,
    display_name,
    role,
    authority_id,
    organisation_id,
    password_hash,
    active,
    last_login_at,
    sessions_valid_after,
    calendar_token_hash,
    version,
    created_at,
    updated_at,
);
