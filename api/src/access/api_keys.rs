//! Service credentials for ministries: an API key is bound to one organisation, acts with the
//! MINISTRY role (read-only), is shown once when created and stored only as a digest.

use chrono::{SubsecRound, Utc};
use entities::{api_key, api_key_operation, organisation};
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
        operations_pinned: false,
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

/// An operation to register for an API key: its name and document, already checked.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub name: String,
    pub document: String,
}

/// Replaces the operations registered for the API key `id` and pins the key to them (it then
/// runs only those) or not. The key, with its operations.
pub async fn set_api_key_operations(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    pinned: bool,
    operations: Vec<NewOperation>,
) -> Result<api_key::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<api_key::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["apiKeyId"],
            UserErrorCode::NotFound,
            "no API key has this id",
        ));
    };
    let now = Utc::now().trunc_subsecs(6);
    let rows: Vec<api_key_operation::Model> = operations
        .into_iter()
        .map(|operation| api_key_operation::Model {
            id: 0,
            api_key_id: id,
            name: operation.name,
            sha256: tokens::digest(&operation.document),
            document: operation.document,
            created_at: now,
        })
        .collect();
    let registered = json!(
        rows.iter()
            .map(|row| json!({ "name": row.name, "sha256": row.sha256 }))
            .collect::<Vec<_>>()
    );
    super::queries::replace_api_key_operations(&transaction, id, pinned, rows).await?;
    let node = ids::encode(NodeKind::ApiKey, id);
    audit::record(
        &transaction,
        actor,
        "setApiKeyOperations",
        Some(&node),
        Some(json!({ "pinned": current.operations_pinned })),
        Some(json!({ "pinned": pinned, "operations": registered })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(api_key::Model {
        operations_pinned: pinned,
        ..current
    })
}

/// The document with the digest `sha256` that the API key `api_key_id` registered.
pub async fn registered_operation(
    db: &impl sea_orm::ConnectionTrait,
    api_key_id: i64,
    sha256: &str,
) -> Result<Option<String>, ApiError> {
    Ok(super::queries::api_key_operation(db, api_key_id, sha256)
        .await?
        .map(|operation| operation.document))
}
