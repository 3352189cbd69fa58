//! The `outbox` table: messages to send (validation reminders), kept until delivered.
use sea_orm::entity::prelude::*;

/// One row of `outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub authority_id: Option<i64>,
    /// Comma-separated e-mail addresses.
    pub recipients: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTimeUtc,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    kind,
    authority_id,
    recipients,
    subject,
    body,
    created_at,
    attempts,
    next_attempt_at,
    sent_at,
    last_error,
);
