//! Service credentials for ministries: an API key is bound to one organisation, acts with the
//! MINISTRY role (read-only), is shown once when created and stored only as a digest.

use chrono::{SubsecRound, Utc};
use entities::{api_key, organisation};
use sea_orm::{TransactionSession, TransactionTrait};
use serde_json::{Value, json};

use super::tokens;
use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage;
use crate::values::Name;

fn snapshot(key: &api_key::Model) -> Value {
    json!({
        "name": key.name,
        "prefix": key.prefix,
        "organisationId": ids::encode(NodeKind::Organisation, key.organisation_id).0,
        "revoked": key.revoked_at.is_some(),
    })
}

/// Creates an API key for `organisation_id`; the key and its secret, shown this once.
pub async fn create_api_key(
    db: &impl TransactionTrait,
    actor: &Actor,
    organisation_id: i64,
    name: Name,
) -> Result<(api_key::Model, String), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    if storage::find::<organisation::Entity>(&transaction, organisation_id)
        .await?
        .is_none()
    {
        return Err(Rejection::user(
            &["organisationId"],
            UserErrorCode::NotFound,
            "no organisation has this id",
        ));
    }
    let secret = format!("{}{}", tokens::API_KEY_PREFIX, tokens::random_secret());
    let row = api_key::Model {
        id: 0,
        organisation_id,
        name: name.as_str().to_owned(),
        prefix: secret.chars().take(12).collect(),
        key_hash: tokens::digest(&secret),
        created_by: actor.caller.user_id(),
        created_at: Utc::now().trunc_subsecs(6),
        last_used_at: None,
        revoked_at: None,
    };
    let created = storage::insert::<api_key::Entity>(&transaction, row).await?;
    let node = ids::encode(NodeKind::ApiKey, created.id);
    audit::record(
        &transaction,
        actor,
        "createApiKey",
        Some(&node),
        None,
        Some(snapshot(&created)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok((created, secret))
}

/// Revokes the API key `id`: it stops working at once.
pub async fn revoke_api_key(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
) -> Result<api_key::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<api_key::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::NotFound,
            "no API key has this id",
        ));
    };
    let mut revoked = current.clone();
    revoked
        .revoked_at
        .get_or_insert(Utc::now().trunc_subsecs(6));
    if let Some(at) = revoked.revoked_at {
        super::queries::revoke_api_key(&transaction, id, at).await?;
    }
    let node = ids::encode(NodeKind::ApiKey, id);
    audit::record(
        &transaction,
        actor,
        "revokeApiKey",
        Some(&node),
        Some(snapshot(&current)),
        Some(snapshot(&revoked)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(revoked)
}
