//! The outbox: messages (validation reminders) are written in the transaction that decides
//! to send them, then delivered by a background worker, through SMTP when `CUF_SMTP_URL` is
//! set and to the log otherwise. A failed delivery is retried with a growing delay and keeps
//! its error; a message is never lost when the server stops, only possibly sent twice.

pub mod graphql;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use entities::outbox::{self, Column, Entity};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::pagination::{self, Ordering, Page, PageRequest};
use crate::storage::{self, Keyed};

/// How many times a message is tried before it is left with its error.
pub const MAX_ATTEMPTS: i32 = 6;

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &outbox::Model) -> i64 {
        model.id
    }
}

/// How messages leave the server.
#[derive(Clone)]
pub enum Mailer {
    /// Written to the log (no SMTP server configured).
    Log,
    /// Sent through an SMTP server.
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl Mailer {
    /// SMTP when `url` is given (`smtp://host:port`, `smtps://user:password@host`), the log
    /// otherwise.
    pub fn new(url: Option<&str>, from: &str) -> anyhow::Result<Self> {
        let Some(url) = url.filter(|url| !url.trim().is_empty()) else {
            return Ok(Self::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(StdDuration::from_secs(20)))
            .build();
        Ok(Self::Smtp {
            transport: Box::new(transport),
            from: from.parse()?,
        })
    }

    async fn send(&self, message: &outbox::Model) -> Result<(), String> {
        match self {
            Self::Log => {
                tracing::info!(
                    to = %message.recipients,
                    subject = %message.subject,
                    body = %message.body,
                    "message delivered to the log (no SMTP server configured)"
                );
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let mut builder = Message::builder()
                    .from(from.clone())
                    .subject(message.subject.clone());
                for recipient in message
                    .recipients
                    .split(',')
                    .filter(|address| !address.is_empty())
                {
                    builder = builder.to(recipient
                        .parse()
                        .map_err(|error| format!("{recipient}: {error}"))?);
                }
                let email = builder
                    .body(message.body.clone())
                    .map_err(|error| error.to_string())?;
                transport
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            }
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub kind: &'static str,
    pub authority_id: Option<i64>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// Queues a message; it is delivered once the surrounding transaction commits.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    message: NewMessage,
) -> Result<outbox::Model, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let row = outbox::Model {
        id: 0,
        kind: message.kind.to_owned(),
        authority_id: message.authority_id,
        recipients: message.recipients.join(","),
        subject: message.subject,
        body: message.body,
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
        sent_at: None,
        last_error: None,
    };
    storage::insert::<Entity>(db, row).await
}

/// When a message of `kind` was last queued for the authority `authority_id`.
pub async fn last_queued_for(
    db: &impl ConnectionTrait,
    kind: &str,
    authority_id: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let last = Entity::find()
        .filter(Column::Kind.eq(kind))
        .filter(Column::AuthorityId.eq(authority_id))
        .order_by_desc(Column::CreatedAt)
        .one(db)
        .await?;
    Ok(last.map(|message| message.created_at))
}

fn retry_delay(attempts: i32) -> Duration {
    Duration::minutes(i64::from(5_i32.saturating_pow(attempts.clamp(0, 5) as u32)))
}

/// Delivers up to `limit` due messages; how many were sent. Each message is claimed first,
/// so that two replicas never send it at the same time.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    limit: u64,
) -> Result<usize, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let due = crate::storage::all(
        db,
        Entity::find()
            .filter(Column::SentAt.is_null())
            .filter(Column::NextAttemptAt.lte(now))
            .order_by_asc(Column::NextAttemptAt)
            .limit(limit),
    )
    .await?;
    let mut sent = 0;
    for message in due {
        let lease = now + Duration::minutes(5);
        let claimed = Entity::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(lease))
            .filter(Column::Id.eq(message.id))
            .filter(Column::NextAttemptAt.eq(message.next_attempt_at))
            .filter(Column::SentAt.is_null())
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let attempts = message.attempts + 1;
        let outcome = mailer.send(&message).await;
        let finished = Utc::now().trunc_subsecs(6);
        let mut update = Entity::update_many()
            .col_expr(Column::Attempts, Expr::value(attempts))
            .filter(Column::Id.eq(message.id));
        update = match &outcome {
            Ok(()) => update
                .col_expr(Column::SentAt, Expr::value(finished))
                .col_expr(Column::LastError, Expr::value(Option::<String>::None)),
            Err(error) => {
                tracing::warn!(message_id = message.id, attempts, %error, "message not delivered");
                let next = if attempts >= MAX_ATTEMPTS {
                    // Left with its error for CUF to see; no more automatic tries.
                    finished + Duration::days(36_500)
                } else {
                    finished + retry_delay(attempts)
                };
                update
                    .col_expr(Column::LastError, Expr::value(Some(error.clone())))
                    .col_expr(Column::NextAttemptAt, Expr::value(next))
            }
        };
        update.exec(db).await?;
        sent += usize::from(outcome.is_ok());
    }
    Ok(sent)
}

/// Delivers due messages every `interval` until the process ends.
pub fn spawn_worker(db: DatabaseConnection, mailer: Mailer, interval: StdDuration) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&db, &mailer, 50).await {
                tracing::warn!(%error, "outbox delivery failed");
            }
            tokio::time::sleep(interval).await;
        }
    });
}

/// Messages, newest first.
pub fn newest_first() -> Ordering<Entity> {
    Ordering::new(
        "CREATED_AT",
        Column::CreatedAt,
        pagination::OrderDirection::Desc,
        |row: &outbox::Model| pagination::SortValue::Time(row.created_at),
    )
}

/// One page of messages, all or only those not delivered yet.
pub async fn messages_page(
    db: &impl ConnectionTrait,
    undelivered_only: bool,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<outbox::Model>, u64), DbErr> {
    let mut select = Entity::find();
    if undelivered_only {
        select = select.filter(Column::SentAt.is_null());
    }
    pagination::fetch_page(db, select, &newest_first(), page, with_total).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time() {
        assert_eq!(retry_delay(1), Duration::minutes(5));
        assert_eq!(retry_delay(2), Duration::minutes(25));
        assert!(retry_delay(9) <= Duration::minutes(3125));
    }
}
