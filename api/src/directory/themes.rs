//! The CUF-managed taxonomy of themes: a stable `code` and a `label` CUF staff may rename.

use chrono::{SubsecRound, Utc};
use entities::theme;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage;
use crate::values::{Name, ValueError};

/// A theme code: lowercase letters, digits, `-` and `_`, 2 to 64 characters
/// (`governance`, `higher-education`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeCode(String);

impl ThemeCode {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let code = text.trim();
        let valid = (2..=64).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(ValueError(format!(
                "{code:?} is not a theme code: 2 to 64 lowercase letters, digits, - or _"
            )));
        }
        Ok(Self(code.to_owned()))
    }
}

/// Creates a theme; its code must be new.
pub async fn create_theme(
    db: &impl TransactionTrait,
    actor: &Actor,
    code: ThemeCode,
    label: Name,
) -> Result<theme::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let existing = theme::Entity::find()
        .filter(theme::Column::Code.eq(code.0.as_str()))
        .one(&transaction)
        .await?;
    if existing.is_some() {
        return Err(Rejection::user(
            &["code"],
            UserErrorCode::Conflict,
            "a theme has this code already",
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let row = theme::Model {
        id: 0,
        code: code.0,
        label: label.as_str().to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let created = storage::insert::<theme::Entity>(&transaction, row).await?;
    let node = ids::encode(NodeKind::Theme, created.id);
    let after = json!({ "code": created.code, "label": created.label });
    audit::record(
        &transaction,
        actor,
        "createTheme",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

/// Renames the theme `id` if it is still at `version`; its code never changes.
pub async fn rename_theme(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    label: Name,
) -> Result<theme::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<theme::Entity>(&transaction, id, version).await?;
    let mut next = current.clone();
    next.label = label.as_str().to_owned();
    next.version = version + 1;
    next.updated_at = Utc::now().trunc_subsecs(6);
    let Some(updated) =
        storage::update_at_version::<theme::Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<theme::Entity>(version, version + 1));
    };
    let node = ids::encode(NodeKind::Theme, id);
    audit::record(
        &transaction,
        actor,
        "renameTheme",
        Some(&node),
        Some(json!({ "label": current.label })),
        Some(json!({ "label": updated.label })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}
