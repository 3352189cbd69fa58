//! Signing in and out: `login` checks the password (after the throttle, in the same time
//! whether or not the e-mail exists) and opens a session; `refresh` rotates its refresh token,
//! and a token used twice revokes its whole family; `logout` ends one session,
//! `logout_everywhere` all of a user's.

use chrono::{DateTime, SubsecRound, Utc};
use entities::{session, user};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use super::passwords::{Password, Verified};
use super::{Access, Role, queries, tokens};
use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage;
use crate::values::Email;

/// What a successful sign-in or refresh gives.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user: user::Model,
}

const WRONG_CREDENTIALS: &str = "wrong e-mail address or password";

fn wrong_credentials() -> Rejection {
    Rejection::user(&[], UserErrorCode::Invalid, WRONG_CREDENTIALS)
}

async fn open_session(
    db: &impl ConnectionTrait,
    access: &Access,
    user: user::Model,
    family_id: String,
) -> Result<Tokens, ApiError> {
    let now = Utc::now().trunc_subsecs(6);
    let refresh_token = tokens::random_secret();
    let refresh_expires_at = now + access.session_lifetime;
    queries::insert_session(
        db,
        session::Model {
            id: 0,
            user_id: user.id,
            family_id,
            token_hash: tokens::digest(&refresh_token),
            created_at: now,
            expires_at: refresh_expires_at,
            used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    let (access_token, expires_at) = access.keys.issue(user.id).map_err(ApiError::internal)?;
    Ok(Tokens {
        access_token,
        expires_at,
        refresh_token,
        refresh_expires_at,
        user,
    })
}

/// Signs in with an e-mail address and a password from `address`.
pub async fn login(
    db: &(impl TransactionTrait + ConnectionTrait),
    access: &Access,
    email: &str,
    password: Password,
    address: Option<&str>,
) -> Result<Tokens, Rejection> {
    if let Err(retry_after) = access.throttle.check(email, address) {
        return Err(ApiError::RateLimited { retry_after }.into());
    }
    // The password is checked before the transaction: a hash takes tens of milliseconds, and
    // a flood of sign-ins must not hold database connections (or SQLite's write lock) while
    // they queue for the hashing threads. The update below is conditional on the version read.
    // No account has an address that is not one; and PostgreSQL would fail on a NUL in it.
    let found = match Email::parse(email) {
        Ok(email) => queries::user_by_email(db, email.as_str()).await?,
        Err(_) => None,
    };
    let verified = access
        .hasher
        .verify(
            &password,
            found.as_ref().map(|user| user.password_hash.as_str()),
        )
        .await?;
    let Some(mut user) = found.filter(|user| user.active && verified != Verified::No) else {
        access.throttle.failed(email, address);
        return Err(wrong_credentials());
    };
    access.throttle.succeeded(email);
    if let Verified::YesRehashed(hash) = verified {
        user.password_hash = hash;
    }
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    user.last_login_at = Some(Utc::now().trunc_subsecs(6));
    let id = user.id;
    let version = user.version;
    let user = storage::update_at_version::<user::Entity>(&transaction, id, version, user)
        .await?
        .ok_or_else(|| ApiError::Conflict("the account changed during sign-in: retry".into()))?;
    let tokens = open_session(
        &transaction,
        access,
        user,
        uuid::Uuid::new_v4().simple().to_string(),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(tokens)
}

/// Exchanges a refresh token for new tokens. A token presented twice revokes its family.
pub async fn refresh(
    db: &impl TransactionTrait,
    access: &Access,
    refresh_token: &str,
) -> Result<Tokens, Rejection> {
    let invalid = || {
        Rejection::user(
            &["refreshToken"],
            UserErrorCode::Invalid,
            "the session has ended: sign in again",
        )
    };
    let now = Utc::now().trunc_subsecs(6);
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(session) =
        queries::session_by_digest(&transaction, &tokens::digest(refresh_token)).await?
    else {
        return Err(invalid());
    };
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Err(invalid());
    }
    if !queries::mark_session_used(&transaction, session.id, now).await? {
        // A second use: someone else holds a copy. End every session of the family.
        queries::revoke_sessions(&transaction, Some(&session.family_id), None, now).await?;
        transaction.commit().await.map_err(ApiError::from)?;
        return Err(invalid());
    }
    let user = storage::find::<user::Entity>(&transaction, session.user_id).await?;
    let Some(user) = user.filter(|user| user.active) else {
        return Err(invalid());
    };
    let tokens = open_session(&transaction, access, user, session.family_id).await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(tokens)
}

/// Ends the session of `refresh_token`, if it is one.
pub async fn logout(db: &impl ConnectionTrait, refresh_token: &str) -> Result<(), ApiError> {
    if let Some(session) = queries::session_by_digest(db, &tokens::digest(refresh_token)).await? {
        queries::revoke_sessions(db, Some(&session.family_id), None, Utc::now()).await?;
    }
    Ok(())
}

/// Ends every session of the user `id`; their access tokens stop working at once.
pub async fn logout_everywhere(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
) -> Result<(), Rejection> {
    let now = Utc::now().trunc_subsecs(6);
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(mut user) = storage::find::<user::Entity>(&transaction, id).await? else {
        return Err(ApiError::Unauthenticated.into());
    };
    queries::revoke_sessions(&transaction, None, Some(id), now).await?;
    let version = user.version;
    user.sessions_valid_after = now;
    user.version += 1;
    storage::update_at_version::<user::Entity>(&transaction, id, version, user).await?;
    let node = ids::encode(NodeKind::User, id);
    audit::record(
        &transaction,
        actor,
        "logoutEverywhere",
        Some(&node),
        None,
        None,
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(())
}

/// Whether a user may act with a token issued at `issued_at_ms`.
pub fn token_still_valid(user: &user::Model, issued_at_ms: i64) -> bool {
    user.active && issued_at_ms >= user.sessions_valid_after.timestamp_millis()
}

/// The role of a stored user.
pub fn role_of(user: &user::Model) -> Role {
    Role::from_stored(&user.role)
}
