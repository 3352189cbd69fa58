//! The GraphQL face of the outbox: what was queued, sent or failed, for CUF staff.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entities::outbox;

use crate::access::{RoleGuard, STAFF};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::error::ApiError;
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};

/// A message queued for delivery, such as a validation reminder.
#[derive(Clone, Debug)]
pub struct OutboxMessage(pub outbox::Model);

/// A message queued for delivery, such as a validation reminder.
#[Object]
impl OutboxMessage {
    /// What kind of message it is, e.g. `VALIDATION_REMINDER`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// The authority it concerns.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(id) = self.0.authority_id else {
            return Ok(None);
        };
        Ok(context::loader::<AuthorityLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Authority::from))
    }

    /// The e-mail addresses it goes to.
    async fn recipients(&self) -> Vec<&str> {
        self.0
            .recipients
            .split(',')
            .filter(|address| !address.is_empty())
            .collect()
    }

    /// The subject line.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The plain-text body.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// When it was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// How many delivery attempts were made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// When it was delivered; null until then.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }

    /// The error of the last failed attempt, if any.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
}

connection!(
    OutboxMessageConnection,
    OutboxMessageEdge,
    OutboxMessage,
    "A page of the outbox, newest first, as a Relay cursor connection.",
    "A message in a page, with its cursor."
);

/// The outbox query.
#[derive(Default)]
pub struct OutboxQuery;

#[Object]
impl OutboxQuery {
    /// The messages queued by the API, newest first, with their delivery state. CUF staff
    /// only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn outbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many messages from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Only the messages not delivered yet.", default)] undelivered_only: bool,
    ) -> Result<OutboxMessageConnection, ApiError> {
        let args = PageArgs {
            first,
            after,
            last: None,
            before: None,
        };
        let page = PageRequest::parse(args, &super::newest_first().tag())?;
        let (rows, total) = super::messages_page(
            context::db(ctx)?,
            undelivered_only,
            &page,
            wants_total_count(ctx),
        )
        .await?;
        Ok(OutboxMessageConnection::new(rows.map(OutboxMessage), total))
    }
}
