//! Live changes for subscriptions. A domain function records each change it makes with
//! [`record`] inside its write transaction, and ends the transaction with [`commit`]:
//!
//! - on PostgreSQL the change is a `NOTIFY` sent in that transaction, so it leaves only if the
//!   transaction commits, and every replica listening on the database ([`listen`]) receives it,
//!   the one that made it included;
//! - on SQLite (one process) the change waits in the request's scope ([`within`]) until
//!   [`commit`] succeeds, then goes to the process's [`Bus`].
//!
//! Subscribers read the bus and re-read the changed row under their own visibility before
//! delivering anything, so a change carries ids, never content.

pub mod graphql;

use std::sync::Mutex;
use std::time::Duration;

use async_graphql::Enum;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionSession};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel changes travel on.
pub const CHANNEL: &str = "cuf_changes";

/// How many changes a slow subscriber may fall behind before it skips some.
const BUS_CAPACITY: usize = 4096;

/// What happened to an object.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[graphql(name = "ChangeKind")]
pub enum ChangeKind {
    /// It was created.
    Created,
    /// It was changed.
    Updated,
    /// It was deleted.
    Deleted,
}

/// What a deleted fiche was, to decide who may hear of its deletion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FicheFacts {
    pub country_code: String,
    pub validated: bool,
    pub french_partners: Vec<i64>,
    pub foreign_partners: Vec<i64>,
}

/// One committed change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "camelCase")]
pub enum Change {
    /// A fiche of the directory; `deleted` describes it when it is gone.
    Cooperation {
        id: i64,
        kind: ChangeKind,
        deleted: Option<FicheFacts>,
    },
    /// A cost share of a programme's action.
    Commitment {
        programme_id: i64,
        share_id: i64,
        kind: ChangeKind,
    },
    /// An event of a country group; `members_only` for an event of members' visibility.
    Event {
        country_group_id: i64,
        id: i64,
        kind: ChangeKind,
        members_only: bool,
    },
}

/// The process's fan-out of committed changes to its subscribers.
#[derive(Clone)]
pub struct Bus(broadcast::Sender<Change>);

impl Default for Bus {
    fn default() -> Self {
        Self(broadcast::channel(BUS_CAPACITY).0)
    }
}

impl Bus {
    /// Hands `change` to every current subscriber of this process.
    pub fn publish(&self, change: Change) {
        // No subscriber is not an error.
        let _ = self.0.send(change);
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.0.subscribe()
    }
}

/// The changes of the request's current write transaction (SQLite), and the bus they go to.
struct Pending {
    bus: Bus,
    changes: Mutex<Vec<Change>>,
}

tokio::task_local! {
    static PENDING: Pending;
}

/// Runs `future` (a request) with a scope where SQLite transactions keep their changes until
/// they commit.
pub async fn within<F: Future>(bus: &Bus, future: F) -> F::Output {
    let pending = Pending {
        bus: bus.clone(),
        changes: Mutex::new(Vec::new()),
    };
    PENDING.scope(pending, future).await
}

/// Forgets the changes of a transaction that ended without [`commit`] (rolled back, or
/// dropped on an error): every write transaction begins with it (`db::begin_write`).
pub fn discard_pending() {
    let _ = PENDING.try_with(|pending| {
        if let Ok(mut changes) = pending.changes.lock() {
            changes.clear();
        }
    });
}

/// Records `change`, made in the write transaction `db`, for delivery once it commits.
pub async fn record(db: &impl ConnectionTrait, change: Change) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let payload = serde_json::to_string(&change)
                .map_err(|error| DbErr::Custom(format!("cannot encode a change: {error}")))?;
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await?;
        }
        _ => {
            // Outside a request (the command line, seeding) nobody in this process listens.
            let _ = PENDING.try_with(|pending| {
                if let Ok(mut changes) = pending.changes.lock() {
                    changes.push(change);
                }
            });
        }
    }
    Ok(())
}

/// Commits `transaction`, then delivers the changes it recorded (SQLite; PostgreSQL delivers
/// its notifications itself at commit). A failed commit drops them.
pub async fn commit(transaction: impl TransactionSession) -> Result<(), DbErr> {
    let outcome = transaction.commit().await;
    let _ = PENDING.try_with(|pending| {
        let changes = match pending.changes.lock() {
            Ok(mut changes) => std::mem::take(&mut *changes),
            Err(_) => return,
        };
        if outcome.is_ok() {
            for change in changes {
                pending.bus.publish(change);
            }
        }
    });
    outcome
}

/// Listens on PostgreSQL at `url` for the changes of every replica and publishes them on
/// `bus`, reconnecting after a lost connection, until the process ends.
pub fn listen(url: String, bus: Bus) {
    use sea_orm::sqlx::postgres::PgListener;
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(250);
        loop {
            let mut listener = match PgListener::connect(&url).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for changes; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                tracing::warn!(%error, "cannot listen for changes; retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            delay = Duration::from_millis(250);
            loop {
                match listener.recv().await {
                    Ok(notification) => match serde_json::from_str(notification.payload()) {
                        Ok(change) => bus.publish(change),
                        Err(error) => tracing::warn!(%error, "an unreadable change was ignored"),
                    },
                    Err(error) => {
                        // The next `recv` reconnects; changes sent meanwhile are lost to
                        // this replica's subscribers, who re-read state on the next one.
                        tracing::warn!(%error, "the change listener lost its connection");
                        tokio::time::sleep(delay).await;
                        break;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_as_json_and_back() {
        let changes = [
            Change::Cooperation {
                id: 7,
                kind: ChangeKind::Deleted,
                deleted: Some(FicheFacts {
                    country_code: "MX".into(),
                    validated: true,
                    french_partners: vec![1],
                    foreign_partners: vec![2, 3],
                }),
            },
            Change::Commitment {
                programme_id: 1,
                share_id: 2,
                kind: ChangeKind::Updated,
            },
            Change::Event {
                country_group_id: 4,
                id: 5,
                kind: ChangeKind::Created,
                members_only: true,
            },
        ];
        for change in changes {
            let text = serde_json::to_string(&change).expect("encodes");
            assert!(
                text.len() < 8000,
                "NOTIFY payloads must stay under 8000 bytes"
            );
            assert_eq!(
                serde_json::from_str::<Change>(&text).expect("decodes"),
                change
            );
        }
    }

    #[tokio::test]
    async fn a_change_is_published_only_after_its_commit() {
        use sea_orm::Database;
        let db = Database::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let bus = Bus::default();
        let mut receiver = bus.subscribe();
        let change = Change::Event {
            country_group_id: 1,
            id: 2,
            kind: ChangeKind::Updated,
            members_only: false,
        };
        within(&bus, async {
            let rolled_back = crate::db::begin_write(&db).await.expect("begins");
            record(&rolled_back, change.clone()).await.expect("records");
            rolled_back.rollback().await.expect("rolls back");
            let transaction = crate::db::begin_write(&db).await.expect("begins");
            record(&transaction, change.clone()).await.expect("records");
            assert!(receiver.try_recv().is_err(), "nothing before the commit");
            commit(transaction).await.expect("commits");
        })
        .await;
        assert_eq!(receiver.try_recv().expect("one change"), change);
        assert!(
            receiver.try_recv().is_err(),
            "the rolled-back change is gone"
        );
    }
}
