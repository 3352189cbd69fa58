//! The GraphQL face of the audit log: `AuditEntry` and `auditLog`, for administrators.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entities::audit_entry;

use super::AuditFilter;
use crate::access::graphql::{User, UserLoader};
use crate::access::{ADMIN, RoleGuard};
use crate::context;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::storage::ByIdLoader;
use crate::values;

/// Loads audit entries by id.
pub type AuditEntryLoader = ByIdLoader<audit_entry::Entity>;

/// One change: who made it, when, with which mutation, to which node, and the node's fields
/// before and after.
#[derive(Clone, Debug)]
pub struct AuditEntry(pub audit_entry::Model);

impl From<audit_entry::Model> for AuditEntry {
    fn from(model: audit_entry::Model) -> Self {
        Self(model)
    }
}

/// One change: who made it, when, with which mutation, to which node, and the node's fields
/// before and after.
#[Object]
impl AuditEntry {
    /// The global id of this entry.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::AuditEntry, self.0.id)
    }

    /// When the change was made.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Who made it, as shown: a user's e-mail address, an API key's name, or "system".
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// The user who made it, if a user did.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(id) = self.0.user_id else {
            return Ok(None);
        };
        Ok(context::loader::<UserLoader>(ctx)?
            .load_one(id)
            .await?
            .map(User))
    }

    /// The mutation, e.g. `updateAuthority`.
    async fn mutation(&self) -> &str {
        &self.0.mutation
    }

    /// The global id of the changed node.
    async fn node_id(&self) -> Option<ID> {
        self.0.node_id.clone().map(ID)
    }

    /// The changed fields as JSON text: `{"before": {…}, "after": {…}}` (null before a
    /// creation, null after a deletion). Never a password or a secret.
    async fn changes(&self) -> &str {
        &self.0.changes
    }

    /// The id of the HTTP request that made the change.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

connection!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    "A page of the audit log, newest first, as a Relay cursor connection.",
    "An audit entry in a page, with its cursor."
);

/// Conditions on the audit entries to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// Only the changes made by this user.
    pub user_id: Option<ID>,
    /// Only the changes to this node.
    pub node_id: Option<ID>,
    /// Only the changes made at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only the changes made before this time.
    pub until: Option<DateTime<Utc>>,
}

/// The audit log query.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many entries from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many entries from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which entries to list.")] filter: Option<AuditFilterInput>,
    ) -> Result<AuditEntryConnection, ApiError> {
        let filter = filter.unwrap_or_default();
        let user_id = filter
            .user_id
            .map(|id| ids::decode_as(&id, NodeKind::User))
            .transpose()
            .map_err(|error| ApiError::BadUserInput(format!("filter.userId: {error}")))?;
        let time = |name: &str, time: Option<DateTime<Utc>>| {
            time.map(values::time_within_years)
                .transpose()
                .map_err(|error| ApiError::BadUserInput(format!("filter.{name}: {error}")))
        };
        let filter = AuditFilter {
            user_id,
            node_id: filter
                .node_id
                .map(|id| ids::decode(&id).map(|_| id.0))
                .transpose()
                .map_err(|error| ApiError::BadUserInput(format!("filter.nodeId: {error}")))?,
            since: time("since", filter.since)?,
            until: time("until", filter.until)?,
        };
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last,
                before,
            },
            &super::newest_first().tag(),
        )?;
        let (rows, total) =
            super::audit_log(context::db(ctx)?, &filter, &page, wants_total_count(ctx)).await?;
        Ok(AuditEntryConnection::new(rows.map(AuditEntry), total))
    }
}
