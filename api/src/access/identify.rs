//! Who is calling: the credentials of a request (`Authorization: Bearer <access token or API
//! key>`, or `x-api-key`) become a `Caller`. No credentials is anonymous; bad credentials are
//! `UNAUTHENTICATED`, never silently anonymous.

use chrono::{Duration, Utc};
use entities::user;
use sea_orm::DatabaseConnection;

use super::{Access, Caller, UserCaller, queries, sessions, tokens};
use crate::error::ApiError;
use crate::storage;

/// The credentials a request carries.
#[derive(Debug, Default)]
pub struct Credentials<'a> {
    pub authorization: Option<&'a str>,
    pub api_key: Option<&'a str>,
}

/// Identifies the caller of a request.
pub async fn identify(
    db: &DatabaseConnection,
    access: &Access,
    credentials: Credentials<'_>,
) -> Result<Caller, ApiError> {
    let bearer = match credentials.authorization {
        None => None,
        Some(value) => {
            let (scheme, token) = value
                .trim()
                .split_once(' ')
                .ok_or(ApiError::Unauthenticated)?;
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(ApiError::Unauthenticated);
            }
            Some(token.trim())
        }
    };
    match (bearer, credentials.api_key) {
        (None, None) => Ok(Caller::Anonymous),
        (Some(_), Some(_)) => Err(ApiError::Unauthenticated),
        (None, Some(key)) => api_key(db, key).await,
        (Some(token), None) if token.starts_with(tokens::API_KEY_PREFIX) => {
            api_key(db, token).await
        }
        (Some(token), None) => access_token(db, access, token).await,
    }
}

async fn api_key(db: &DatabaseConnection, key: &str) -> Result<Caller, ApiError> {
    let found = queries::api_key_by_digest(db, &tokens::digest(key.trim())).await?;
    let key = found
        .filter(|key| key.revoked_at.is_none())
        .ok_or(ApiError::Unauthenticated)?;
    let now = Utc::now();
    // Recording every use would write on every read; a minute's precision is enough.
    if key
        .last_used_at
        .is_none_or(|last| now - last > Duration::minutes(1))
    {
        queries::touch_api_key(db, key.id, now).await?;
    }
    Ok(Caller::ApiKey {
        id: key.id,
        name: key.name,
        organisation_id: key.organisation_id,
        pinned: key.operations_pinned,
    })
}

async fn access_token(
    db: &DatabaseConnection,
    access: &Access,
    token: &str,
) -> Result<Caller, ApiError> {
    let claims = access.keys.verify(token).ok_or(ApiError::Unauthenticated)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| ApiError::Unauthenticated)?;
    let user = storage::find::<user::Entity>(db, user_id).await?;
    let user = user
        .filter(|user| sessions::token_still_valid(user, claims.iat_ms))
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Caller::User(UserCaller {
        id: user.id,
        role: sessions::role_of(&user),
        email: user.email,
        authority_id: user.authority_id,
        organisation_id: user.organisation_id,
    }))
}
