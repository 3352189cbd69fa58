//! The audit log: every mutation records, in its own transaction, who did it, when, to which
//! node, and the fields before and after. Secrets and password hashes are never recorded:
//! domains pass explicit snapshots, not rows.

pub mod graphql;

use async_graphql::ID;
use chrono::{DateTime, SubsecRound, Utc};
use entities::audit_entry::{self, Column, Entity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use serde_json::{Value, json};

use crate::access::Caller;
use crate::pagination::{self, Ordering, Page, PageRequest};
use crate::storage::Keyed;

/// Who acts, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub caller: Caller,
    pub request_id: Option<String>,
}

impl Actor {
    /// The server itself: bootstrap, seeding, the command line.
    pub fn system() -> Self {
        Self {
            caller: Caller::System,
            request_id: None,
        }
    }

    fn label(&self) -> String {
        match &self.caller {
            Caller::Anonymous => "anonymous".into(),
            Caller::User(user) => user.email.clone(),
            Caller::ApiKey { name, .. } => format!("API key {name}"),
            Caller::System => "system".into(),
        }
    }
}

/// Records `mutation` on `node` by `actor`, with the node's fields `before` and `after`.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    mutation: &str,
    node: Option<&ID>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), DbErr> {
    let (user_id, api_key_id) = match &actor.caller {
        Caller::User(user) => (Some(user.id), None),
        Caller::ApiKey { id, .. } => (None, Some(*id)),
        _ => (None, None),
    };
    let entry = audit_entry::Model {
        id: 0,
        at: Utc::now().trunc_subsecs(6),
        user_id,
        api_key_id,
        actor: actor.label(),
        mutation: mutation.to_owned(),
        node_id: node.map(|id| id.to_string()),
        changes: json!({ "before": before, "after": after }).to_string(),
        request_id: actor.request_id.clone(),
    };
    let mut active = entry.into_active_model().reset_all();
    active.id = NotSet;
    active.insert(db).await?;
    Ok(())
}

/// When one of `mutations` was last recorded, if ever: how an export learns that a row left
/// it (a deletion leaves no `updated_at` behind). The entries are scanned newest first.
pub async fn latest(
    db: &impl ConnectionTrait,
    mutations: &[&str],
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Entity::find()
        .select_only()
        .column_as(Column::At.max(), "at")
        .filter(Column::Mutation.is_in(mutations.iter().copied()))
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await
        .map(Option::flatten)
}

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &audit_entry::Model) -> i64 {
        model.id
    }
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub node_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A page of audit entries, newest first.
pub async fn audit_log(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<audit_entry::Model>, u64), DbErr> {
    let mut condition = Condition::all();
    if let Some(user_id) = filter.user_id {
        condition = condition.add(Column::UserId.eq(user_id));
    }
    if let Some(node_id) = &filter.node_id {
        condition = condition.add(Column::NodeId.eq(node_id.as_str()));
    }
    if let Some(since) = filter.since {
        condition = condition.add(Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        condition = condition.add(Column::At.lt(until));
    }
    pagination::fetch_page(
        db,
        Entity::find().filter(condition),
        &newest_first(),
        page,
        with_total,
    )
    .await
}

/// The audit log's only ordering: newest first.
pub fn newest_first() -> Ordering<Entity> {
    Ordering::new(
        "AT",
        Column::At,
        pagination::OrderDirection::Desc,
        |row: &audit_entry::Model| pagination::SortValue::Time(row.at),
    )
}
