//! Every SQL statement about users, sessions and API keys, besides the generic ones of
//! `storage`.

use chrono::{DateTime, Utc};
use entities::{api_key, api_key_operation, session, user};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Select,
};

use super::Role;
use crate::pagination::{self, Ordering, Page, PageRequest};
use crate::storage::{Keyed, Versioned};

impl Keyed for user::Entity {
    const ID: user::Column = user::Column::Id;

    fn id(model: &user::Model) -> i64 {
        model.id
    }
}

impl Versioned for user::Entity {
    const NOUN: &'static str = "user";
    const VERSION: user::Column = user::Column::Version;

    fn version(model: &user::Model) -> i32 {
        model.version
    }
}

impl Keyed for api_key::Entity {
    const ID: api_key::Column = api_key::Column::Id;

    fn id(model: &api_key::Model) -> i64 {
        model.id
    }
}

/// The user with this e-mail address (stored in lower case).
pub async fn user_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email.to_lowercase()))
        .one(db)
        .await
}

/// How many active administrators there are.
pub async fn count_active_admins(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Active.eq(true))
        .count(db)
        .await
}

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub roles: Vec<Role>,
    pub active: Option<bool>,
    pub authority_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Words that must all appear in the e-mail address or display name.
    pub search: Vec<String>,
}

fn users_filtered(filter: &UserFilter) -> Select<user::Entity> {
    let mut condition = Condition::all();
    if !filter.roles.is_empty() {
        condition =
            condition.add(user::Column::Role.is_in(filter.roles.iter().map(|role| role.as_str())));
    }
    if let Some(active) = filter.active {
        condition = condition.add(user::Column::Active.eq(active));
    }
    if let Some(authority_id) = filter.authority_id {
        condition = condition.add(user::Column::AuthorityId.eq(authority_id));
    }
    if let Some(organisation_id) = filter.organisation_id {
        condition = condition.add(user::Column::OrganisationId.eq(organisation_id));
    }
    for word in &filter.search {
        // The word is matched as typed: LIKE's wildcards and escape character are escaped,
        // and both sides are lowercased, so that neither database's LIKE rules decide.
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = LikeExpr::new(format!("%{}%", escaped.to_lowercase())).escape('\\');
        let lower = |column: user::Column| Expr::expr(Func::lower(Expr::col(column)));
        condition = condition.add(
            Condition::any()
                .add(lower(user::Column::Email).like(pattern.clone()))
                .add(lower(user::Column::DisplayName).like(pattern)),
        );
    }
    user::Entity::find().filter(condition)
}

/// Users, oldest first.
pub fn users_by_creation() -> Ordering<user::Entity> {
    Ordering::new(
        "CREATED_AT",
        user::Column::CreatedAt,
        pagination::OrderDirection::Asc,
        |row: &user::Model| pagination::SortValue::Time(row.created_at),
    )
}

/// One page of the users that match `filter`.
pub async fn users_page(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<user::Model>, u64), DbErr> {
    pagination::fetch_page(
        db,
        users_filtered(filter),
        &users_by_creation(),
        page,
        with_total,
    )
    .await
}

/// Stores a new session (refresh token).
pub async fn insert_session(
    db: &impl ConnectionTrait,
    row: session::Model,
) -> Result<session::Model, DbErr> {
    let mut active = row.into_active_model().reset_all();
    active.id = NotSet;
    active.insert(db).await
}

/// The session whose refresh token has this digest.
pub async fn session_by_digest(
    db: &impl ConnectionTrait,
    digest: &str,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest))
        .one(db)
        .await
}

/// Marks the session used, unless it already was; whether this call marked it.
pub async fn mark_session_used(
    db: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::UsedAt, Expr::value(at))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Revokes every live session of a family, or of a user.
pub async fn revoke_sessions(
    db: &impl ConnectionTrait,
    family_id: Option<&str>,
    user_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut condition = Condition::all().add(session::Column::RevokedAt.is_null());
    if let Some(family_id) = family_id {
        condition = condition.add(session::Column::FamilyId.eq(family_id));
    }
    if let Some(user_id) = user_id {
        condition = condition.add(session::Column::UserId.eq(user_id));
    }
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(at))
        .filter(condition)
        .exec(db)
        .await?;
    Ok(())
}

/// The API key whose secret has this digest.
pub async fn api_key_by_digest(
    db: &impl ConnectionTrait,
    digest: &str,
) -> Result<Option<api_key::Model>, DbErr> {
    api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(digest))
        .one(db)
        .await
}

/// Marks the API key revoked, if it is not yet.
pub async fn revoke_api_key(
    db: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(at))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The operation with the digest `sha256` that the API key `api_key_id` registered.
pub async fn api_key_operation(
    db: &impl ConnectionTrait,
    api_key_id: i64,
    sha256: &str,
) -> Result<Option<api_key_operation::Model>, DbErr> {
    api_key_operation::Entity::find()
        .filter(api_key_operation::Column::ApiKeyId.eq(api_key_id))
        .filter(api_key_operation::Column::Sha256.eq(sha256))
        .one(db)
        .await
}

/// Replaces the registered operations of the API key `api_key_id` by `rows`, and pins the
/// key to them or not.
pub async fn replace_api_key_operations(
    db: &impl ConnectionTrait,
    api_key_id: i64,
    pinned: bool,
    rows: Vec<api_key_operation::Model>,
) -> Result<(), DbErr> {
    api_key_operation::Entity::delete_many()
        .filter(api_key_operation::Column::ApiKeyId.eq(api_key_id))
        .exec(db)
        .await?;
    for row in rows {
        let mut active = row.into_active_model().reset_all();
        active.id = sea_orm::ActiveValue::NotSet;
        active.insert(db).await?;
    }
    api_key::Entity::update_many()
        .col_expr(api_key::Column::OperationsPinned, Expr::value(pinned))
        .filter(api_key::Column::Id.eq(api_key_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that an API key was used.
pub async fn touch_api_key(
    db: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    api_key::Entity::update_many()
        .col_expr(api_key::Column::LastUsedAt, Expr::value(at))
        .filter(api_key::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// API keys, oldest first.
pub fn api_keys_by_creation() -> Ordering<api_key::Entity> {
    Ordering::new(
        "CREATED_AT",
        api_key::Column::CreatedAt,
        pagination::OrderDirection::Asc,
        |row: &api_key::Model| pagination::SortValue::Time(row.created_at),
    )
}

/// One page of API keys, of one organisation or all.
pub async fn api_keys_page(
    db: &impl ConnectionTrait,
    organisation_id: Option<i64>,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<api_key::Model>, u64), DbErr> {
    let mut select = api_key::Entity::find();
    if let Some(organisation_id) = organisation_id {
        select = select.filter(api_key::Column::OrganisationId.eq(organisation_id));
    }
    pagination::fetch_page(db, select, &api_keys_by_creation(), page, with_total).await
}

/// A key's registered operations load a batch of keys at a time, by id.
impl crate::storage::Children for api_key_operation::Entity {
    const PARENT: api_key_operation::Column = api_key_operation::Column::ApiKeyId;
    const ORDER: api_key_operation::Column = api_key_operation::Column::Id;

    fn parent(model: &api_key_operation::Model) -> Option<i64> {
        Some(model.api_key_id)
    }
}
