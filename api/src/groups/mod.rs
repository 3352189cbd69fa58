//! Country groups (groupes-pays): a partner country, a chair authority and its elected
//! representative, a CUF desk officer, and member authorities (with their requests to join).

pub mod graphql;

use async_graphql::Enum;
use chrono::{NaiveDate, SubsecRound, Utc};
use entities::country_group::{self, Column, Entity};
use entities::group_membership;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::pagination::{self, Ordering, Page, PageRequest, SortValue};
use crate::storage::{self, Keyed, Versioned};
use crate::text;

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &country_group::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "country group";
    const VERSION: Column = Column::Version;

    fn version(model: &country_group::Model) -> i32 {
        model.version
    }
}

impl Keyed for group_membership::Entity {
    const ID: group_membership::Column = group_membership::Column::Id;

    fn id(model: &group_membership::Model) -> i64 {
        model.id
    }
}

/// An authority's role in a group.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MembershipRole {
    /// A member.
    Member,
    /// The chair (présidence).
    Chair,
    /// An observer.
    Observer,
}

impl MembershipRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "MEMBER",
            Self::Chair => "CHAIR",
            Self::Observer => "OBSERVER",
        }
    }
}

/// Where a membership stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MembershipStatus {
    /// Asked for by the authority, awaiting CUF.
    Requested,
    /// A member.
    Active,
    /// Declined by CUF.
    Declined,
}

impl MembershipStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "REQUESTED",
            Self::Active => "ACTIVE",
            Self::Declined => "DECLINED",
        }
    }
}

/// A group, parsed.
#[derive(Debug, Clone)]
pub struct GroupContent {
    pub name: String,
    pub country_code: String,
    pub chair_authority_id: Option<i64>,
    pub chair_person_id: Option<i64>,
    pub coordinator_person_id: Option<i64>,
    pub launched_on: Option<NaiveDate>,
    pub description: Option<String>,
}

/// A membership, parsed.
#[derive(Debug, Clone)]
pub struct NewMembership {
    pub authority_id: i64,
    pub role: MembershipRole,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Groups by name.
pub fn by_name() -> Ordering<Entity> {
    Ordering::new(
        "NAME",
        Column::SortKey,
        pagination::OrderDirection::Asc,
        |row: &country_group::Model| SortValue::Text(row.sort_key.clone()),
    )
}

/// One page of groups, of one country or all.
pub async fn groups_page(
    db: &impl ConnectionTrait,
    country_code: Option<&str>,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<country_group::Model>, u64), DbErr> {
    let mut select = Entity::find();
    if let Some(code) = country_code {
        select = select.filter(Column::CountryCode.eq(code));
    }
    pagination::fetch_page(db, select, &by_name(), page, with_total).await
}

/// The memberships of these groups, oldest first.
/// Loads the memberships of a batch of groups, by group.
pub type MembershipsLoader = crate::storage::ChildrenLoader<group_membership::Entity>;

impl crate::storage::Children for group_membership::Entity {
    const PARENT: group_membership::Column = group_membership::Column::GroupId;
    const ORDER: group_membership::Column = group_membership::Column::Id;

    fn parent(model: &group_membership::Model) -> Option<i64> {
        Some(model.group_id)
    }
}

pub async fn memberships_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<group_membership::Model>, DbErr> {
    crate::storage::rows_of::<group_membership::Entity>(
        db,
        group_membership::Column::GroupId,
        ids,
        &[group_membership::Column::Id],
    )
    .await
}

fn group_row(
    id: i64,
    content: &GroupContent,
    version: i32,
    created_at: chrono::DateTime<Utc>,
) -> country_group::Model {
    country_group::Model {
        id,
        name: content.name.clone(),
        sort_key: text::fold(&content.name),
        country_code: content.country_code.clone(),
        chair_authority_id: content.chair_authority_id,
        chair_person_id: content.chair_person_id,
        coordinator_person_id: content.coordinator_person_id,
        launched_on: content.launched_on,
        description: content.description.clone(),
        version,
        created_at,
        updated_at: Utc::now().trunc_subsecs(6),
    }
}

async fn replace_memberships(
    db: &impl ConnectionTrait,
    group_id: i64,
    memberships: &[NewMembership],
) -> Result<(), ApiError> {
    group_membership::Entity::delete_many()
        .filter(group_membership::Column::GroupId.eq(group_id))
        .filter(group_membership::Column::Status.ne(MembershipStatus::Requested.as_str()))
        .exec(db)
        .await?;
    let now = Utc::now().trunc_subsecs(6);
    for membership in memberships {
        let row = group_membership::Model {
            id: 0,
            group_id,
            authority_id: membership.authority_id,
            role: membership.role.as_str().to_owned(),
            status: MembershipStatus::Active.as_str().to_owned(),
            since: membership.since,
            until: membership.until,
            created_at: now,
        };
        storage::insert::<group_membership::Entity>(db, row).await?;
    }
    Ok(())
}

/// Creates a group with its memberships.
pub async fn create_group(
    db: &impl TransactionTrait,
    actor: &Actor,
    content: GroupContent,
    memberships: Vec<NewMembership>,
) -> Result<country_group::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let now = Utc::now().trunc_subsecs(6);
    let created = storage::insert::<Entity>(&transaction, group_row(0, &content, 1, now)).await?;
    replace_memberships(&transaction, created.id, &memberships).await?;
    let node = ids::encode(NodeKind::CountryGroup, created.id);
    audit::record(
        &transaction,
        actor,
        "createCountryGroup",
        Some(&node),
        None,
        Some(json!({ "name": created.name })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

/// Replaces the group `id` and its memberships (requests stay) if still at `version`.
pub async fn update_group(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    content: GroupContent,
    memberships: Vec<NewMembership>,
) -> Result<country_group::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<Entity>(&transaction, id, version).await?;
    let next = group_row(id, &content, version + 1, current.created_at);
    let Some(updated) =
        storage::update_at_version::<Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<Entity>(version, version + 1));
    };
    replace_memberships(&transaction, id, &memberships).await?;
    let node = ids::encode(NodeKind::CountryGroup, id);
    audit::record(
        &transaction,
        actor,
        "updateCountryGroup",
        Some(&node),
        Some(json!({ "name": current.name })),
        Some(json!({ "name": updated.name })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// A MEMBER asks for its authority to join the group `group_id`.
pub async fn request_membership(
    db: &impl TransactionTrait,
    actor: &Actor,
    group_id: i64,
) -> Result<group_membership::Model, Rejection> {
    let Some(authority_id) = actor.caller.member_authority() else {
        return Err(ApiError::Forbidden.into());
    };
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    if storage::find::<Entity>(&transaction, group_id)
        .await?
        .is_none()
    {
        return Err(Rejection::user(
            &["countryGroupId"],
            UserErrorCode::NotFound,
            "no country group has this id",
        ));
    }
    let existing = memberships_of(&transaction, &[group_id]).await?;
    if existing.iter().any(|row| {
        row.authority_id == authority_id && row.status != MembershipStatus::Declined.as_str()
    }) {
        return Err(Rejection::user(
            &["countryGroupId"],
            UserErrorCode::Conflict,
            "the authority is a member or has asked already",
        ));
    }
    let row = group_membership::Model {
        id: 0,
        group_id,
        authority_id,
        role: MembershipRole::Member.as_str().to_owned(),
        status: MembershipStatus::Requested.as_str().to_owned(),
        since: None,
        until: None,
        created_at: Utc::now().trunc_subsecs(6),
    };
    let created = storage::insert::<group_membership::Entity>(&transaction, row).await?;
    let node = ids::encode(NodeKind::CountryGroup, group_id);
    audit::record(
        &transaction,
        actor,
        "requestGroupMembership",
        Some(&node),
        None,
        Some(json!({ "status": "REQUESTED" })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

/// CUF accepts or declines the membership request `id`.
pub async fn decide_membership(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    accept: bool,
) -> Result<group_membership::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(mut row) = storage::find::<group_membership::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["membershipId"],
            UserErrorCode::NotFound,
            "no membership request has this id",
        ));
    };
    if row.status != MembershipStatus::Requested.as_str() {
        return Err(Rejection::user(
            &["membershipId"],
            UserErrorCode::Invalid,
            "this membership is not a pending request",
        ));
    }
    let status = if accept {
        MembershipStatus::Active
    } else {
        MembershipStatus::Declined
    };
    row.status = status.as_str().to_owned();
    if accept {
        row.since = Some(Utc::now().date_naive());
    }
    storage::save::<group_membership::Entity>(&transaction, row.clone()).await?;
    let node = ids::encode(NodeKind::CountryGroup, row.group_id);
    audit::record(
        &transaction,
        actor,
        "decideGroupMembership",
        Some(&node),
        None,
        Some(json!({ "status": row.status })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(row)
}
