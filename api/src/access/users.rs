//! Users and what administrators do with them: create, change role, deactivate, reactivate,
//! reset a password. The last active administrator can be neither demoted nor deactivated.
//! Deactivating or resetting ends every session of the user at once.

use chrono::{SubsecRound, Utc};
use entities::{authority, organisation, user};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use serde_json::{Value, json};

use super::passwords::{Password, PasswordHasher};
use super::{Role, queries};
use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage;
use crate::values::{Email, Name};

/// What a user is attached to: MEMBER to one authority, MINISTRY to one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub role: Role,
    pub authority_id: Option<i64>,
    pub organisation_id: Option<i64>,
}

/// A new user, parsed.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: Name,
    pub assignment: Assignment,
    pub password: Password,
}

/// The fields of a user the audit log records: never the password hash.
fn snapshot(user: &user::Model) -> Value {
    json!({
        "email": user.email,
        "displayName": user.display_name,
        "role": user.role,
        "authorityId": user.authority_id.map(|id| ids::encode(NodeKind::Authority, id).0),
        "organisationId": user.organisation_id.map(|id| ids::encode(NodeKind::Organisation, id).0),
        "active": user.active,
    })
}

/// Checks that the role has the attachment it needs, and that it exists.
async fn check_assignment(
    db: &impl ConnectionTrait,
    assignment: Assignment,
) -> Result<(), Rejection> {
    let invalid = |field: &str, message: &str| {
        Err(Rejection::user(&[field], UserErrorCode::Invalid, message))
    };
    match (
        assignment.role,
        assignment.authority_id,
        assignment.organisation_id,
    ) {
        (Role::Member, None, _) => {
            return invalid("authorityId", "a MEMBER belongs to exactly one authority");
        }
        (Role::Member, Some(_), Some(_)) => {
            return invalid(
                "organisationId",
                "a MEMBER belongs to an authority, not an organisation",
            );
        }
        (Role::Ministry, _, None) => {
            return invalid(
                "organisationId",
                "a MINISTRY user belongs to one organisation",
            );
        }
        (Role::Ministry, Some(_), Some(_)) => {
            return invalid(
                "authorityId",
                "a MINISTRY user belongs to an organisation, not an authority",
            );
        }
        (Role::Admin | Role::CufStaff, Some(_), _) => {
            return invalid("authorityId", "only a MEMBER belongs to an authority");
        }
        _ => {}
    }
    if let Some(id) = assignment.authority_id
        && storage::find::<authority::Entity>(db, id).await?.is_none()
    {
        return Err(Rejection::user(
            &["authorityId"],
            UserErrorCode::NotFound,
            "no authority has this id",
        ));
    }
    if let Some(id) = assignment.organisation_id
        && storage::find::<organisation::Entity>(db, id)
            .await?
            .is_none()
    {
        return Err(Rejection::user(
            &["organisationId"],
            UserErrorCode::NotFound,
            "no organisation has this id",
        ));
    }
    Ok(())
}

/// Creates a user; the e-mail address must be new.
pub async fn create_user(
    db: &impl TransactionTrait,
    hasher: &PasswordHasher,
    actor: &Actor,
    new: NewUser,
) -> Result<user::Model, Rejection> {
    let password_hash = hasher.hash(&new.password).await?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let email = new.email.as_str().to_lowercase();
    if queries::user_by_email(&transaction, &email)
        .await?
        .is_some()
    {
        return Err(Rejection::user(
            &["email"],
            UserErrorCode::Conflict,
            "a user has this e-mail address already",
        ));
    }
    check_assignment(&transaction, new.assignment).await?;
    let now = Utc::now().trunc_subsecs(6);
    let row = user::Model {
        id: 0,
        email,
        display_name: new.display_name.as_str().to_owned(),
        role: new.assignment.role.as_str().to_owned(),
        authority_id: new.assignment.authority_id,
        organisation_id: new.assignment.organisation_id,
        password_hash,
        active: true,
        last_login_at: None,
        sessions_valid_after: now,
        calendar_token_hash: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let created = storage::insert::<user::Entity>(&transaction, row).await?;
    let node = ids::encode(NodeKind::User, created.id);
    audit::record(
        &transaction,
        actor,
        "createUser",
        Some(&node),
        None,
        Some(snapshot(&created)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

/// Refuses a change that would leave no active administrator.
async fn keep_an_admin(
    db: &impl ConnectionTrait,
    current: &user::Model,
    stays_admin: bool,
) -> Result<(), Rejection> {
    let is_active_admin = current.active && Role::from_stored(&current.role) == Role::Admin;
    if is_active_admin && !stays_admin && queries::count_active_admins(db).await? <= 1 {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::Conflict,
            "this is the last active administrator: make another one first",
        ));
    }
    Ok(())
}

/// How a change alters a user.
pub enum UserChange {
    Assign(Assignment),
    Activate(bool),
    Password(Password),
}

impl UserChange {
    fn mutation(&self) -> &'static str {
        match self {
            Self::Assign(_) => "setUserRole",
            Self::Activate(true) => "reactivateUser",
            Self::Activate(false) => "deactivateUser",
            Self::Password(_) => "resetUserPassword",
        }
    }
}

/// Applies `change` to the user `id`. Deactivation and a new password end every session.
pub async fn change_user(
    db: &impl TransactionTrait,
    hasher: &PasswordHasher,
    actor: &Actor,
    id: i64,
    change: UserChange,
) -> Result<user::Model, Rejection> {
    let new_hash = match &change {
        UserChange::Password(password) => Some(hasher.hash(password).await?),
        _ => None,
    };
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<user::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::NotFound,
            "no user has this id",
        ));
    };
    let now = Utc::now().trunc_subsecs(6);
    let mut next = current.clone();
    let mut end_sessions = false;
    match &change {
        UserChange::Assign(assignment) => {
            check_assignment(&transaction, *assignment).await?;
            keep_an_admin(&transaction, &current, assignment.role == Role::Admin).await?;
            next.role = assignment.role.as_str().to_owned();
            next.authority_id = assignment.authority_id;
            next.organisation_id = assignment.organisation_id;
        }
        UserChange::Activate(active) => {
            keep_an_admin(&transaction, &current, *active).await?;
            next.active = *active;
            end_sessions = !active;
        }
        UserChange::Password(_) => {
            next.password_hash = new_hash.unwrap_or_default();
            end_sessions = true;
        }
    }
    if end_sessions {
        next.sessions_valid_after = now;
        queries::revoke_sessions(&transaction, None, Some(id), now).await?;
    }
    next.version = current.version + 1;
    next.updated_at = now;
    let Some(updated) =
        storage::update_at_version::<user::Entity>(&transaction, id, current.version, next).await?
    else {
        return Err(storage::stale::<user::Entity>(
            current.version,
            current.version + 1,
        ));
    };
    let node = ids::encode(NodeKind::User, id);
    audit::record(
        &transaction,
        actor,
        change.mutation(),
        Some(&node),
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// Creates the administrator `email` unless an active administrator exists; whether it did.
pub async fn ensure_admin(
    db: &impl TransactionTrait,
    hasher: &PasswordHasher,
    email: &str,
    password: String,
) -> anyhow::Result<bool> {
    let transaction = db.begin().await?;
    let admins = queries::count_active_admins(&transaction).await?;
    drop(transaction);
    if admins > 0 {
        return Ok(false);
    }
    let new = NewUser {
        email: Email::parse(email)?,
        display_name: Name::parse("Administrator")?,
        assignment: Assignment {
            role: Role::Admin,
            authority_id: None,
            organisation_id: None,
        },
        password: Password::parse_new(password)?,
    };
    match create_user(db, hasher, &Actor::system(), new).await {
        Ok(_) => Ok(true),
        Err(Rejection::User(errors)) => {
            anyhow::bail!("cannot create the administrator: {errors:?}")
        }
        Err(Rejection::Api(error)) => anyhow::bail!("cannot create the administrator: {error:?}"),
    }
}
