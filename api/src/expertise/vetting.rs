//! The vetting of consultants ("une liste de consultants" that guarantees the quality of
//! partners on site): an authority or CUF recommends a consultant organisation, or advises
//! against it, for some themes, with a note for members. Never anonymous: each recommendation
//! names its authority (or CUF) and the user who recorded it. One per consultant and
//! recommender; recommending again replaces the recommender's earlier opinion.

use chrono::{SubsecRound, Utc};
use entities::{authority, consultant_recommendation as recommendation, organisation};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use serde_json::{Value, json};

use super::queries;
use crate::access::{Caller, STAFF};
use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::organisations::OrganisationKind;
use crate::storage;
use crate::values::LongText;

/// The most themes a recommendation names.
pub const MAX_THEMES: usize = 20;

/// A recommendation, parsed.
#[derive(Debug, Clone)]
pub struct NewRecommendation {
    pub organisation_id: i64,
    /// The recommending authority; `None` for CUF.
    pub authority_id: Option<i64>,
    pub recommended: bool,
    pub theme_ids: Vec<i64>,
    pub note: Option<LongText>,
    /// The version of the recommender's current recommendation, which this one replaces;
    /// `None` when there is none.
    pub replaces_version: Option<i32>,
}

/// Whether `caller` may read consultants' vetting: members, CUF staff and administrators,
/// the roles that read people's contact details. Ministries and anonymous callers see a
/// consultant's public profile only.
pub fn may_see_vetting(caller: &Caller) -> bool {
    caller.sees_contact_details()
}

/// `Ok` when `caller` may speak for `authority_id` (CUF when `None`): staff for anyone, a
/// MEMBER for its own authority only.
fn require_recommender(caller: &Caller, authority_id: Option<i64>) -> Result<(), ApiError> {
    match authority_id {
        Some(authority_id) => caller.require_own_authority(authority_id),
        None => caller.require(STAFF),
    }
}

/// The fields of a recommendation the audit log records.
fn snapshot(model: &recommendation::Model, theme_ids: &[i64]) -> Value {
    let themes: Vec<String> = theme_ids
        .iter()
        .map(|id| ids::encode(NodeKind::Theme, *id).0)
        .collect();
    json!({
        "consultant": ids::encode(NodeKind::Organisation, model.organisation_id).0,
        "authority": model.authority_id.map(|id| ids::encode(NodeKind::Authority, id).0),
        "recordedBy": model.recorded_by_user_id.map(|id| ids::encode(NodeKind::User, id).0),
        "recommended": model.recommended,
        "themes": themes,
        "note": model.note,
        "recommendedAt": model.recommended_at,
    })
}

/// Checks what a recommendation refers to: a consultant, an existing authority, themes.
async fn check_references(
    db: &impl ConnectionTrait,
    new: &NewRecommendation,
) -> Result<(), Rejection> {
    let consultant = storage::find::<organisation::Entity>(db, new.organisation_id).await?;
    match consultant {
        None => {
            return Err(Rejection::user(
                &["organisationId"],
                UserErrorCode::NotFound,
                "no organisation has this id",
            ));
        }
        Some(row) if OrganisationKind::from_stored(&row.kind) != OrganisationKind::Consultant => {
            return Err(Rejection::user(
                &["organisationId"],
                UserErrorCode::Invalid,
                "only organisations of kind CONSULTANT are vetted",
            ));
        }
        Some(_) => {}
    }
    if let Some(authority_id) = new.authority_id
        && storage::find::<authority::Entity>(db, authority_id)
            .await?
            .is_none()
    {
        return Err(Rejection::user(
            &["authorityId"],
            UserErrorCode::NotFound,
            "no authority has this id",
        ));
    }
    let themes = storage::find_many::<entities::theme::Entity>(db, &new.theme_ids).await?;
    if themes.len() != new.theme_ids.len() {
        return Err(Rejection::user(
            &["themeIds"],
            UserErrorCode::NotFound,
            "a theme id names no theme",
        ));
    }
    Ok(())
}

/// The recommender's current recommendation, which `new` may replace only when it names its
/// version: a recommendation recorded since the client looked is never overwritten.
async fn replaced(
    db: &impl ConnectionTrait,
    new: &NewRecommendation,
) -> Result<Option<recommendation::Model>, Rejection> {
    let current = queries::recommendation_by(db, new.organisation_id, new.authority_id).await?;
    match (current, new.replaces_version) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Rejection::user(
            &["version"],
            UserErrorCode::Conflict,
            "the recommendation this one was to replace has been withdrawn: reload and retry",
        )),
        (Some(current), None) => Err(Rejection::user(
            &["version"],
            UserErrorCode::Conflict,
            format!(
                "this recommender already has a recommendation of this consultant (version \
                 {}): send its version to replace it",
                current.version
            ),
        )),
        (Some(current), Some(version)) if current.version != version => {
            Err(storage::stale::<recommendation::Entity>(
                version,
                current.version,
            ))
        }
        (Some(current), Some(_)) => Ok(Some(current)),
    }
}

/// Records `new`: a MEMBER for its own authority, staff for CUF or any authority. Replaces the
/// recommender's earlier recommendation of the same consultant when `new` names its version.
pub async fn recommend_consultant(
    db: &impl TransactionTrait,
    actor: &Actor,
    new: NewRecommendation,
) -> Result<recommendation::Model, Rejection> {
    require_recommender(&actor.caller, new.authority_id)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    check_references(&transaction, &new).await?;
    let previous = replaced(&transaction, &new).await?;
    let now = Utc::now().trunc_subsecs(6);
    let model = recommendation::Model {
        id: previous.as_ref().map_or(0, |row| row.id),
        organisation_id: new.organisation_id,
        authority_id: new.authority_id,
        recorded_by_user_id: actor.caller.user_id(),
        recommended: new.recommended,
        note: new.note.map(LongText::into_inner),
        recommended_at: now,
        version: previous.as_ref().map_or(1, |row| row.version + 1),
        created_at: previous.as_ref().map_or(now, |row| row.created_at),
        updated_at: now,
    };
    let (saved, before) = match previous {
        None => (
            storage::insert::<recommendation::Entity>(&transaction, model).await?,
            None,
        ),
        Some(previous) => {
            let themes = queries::recommendation_theme_ids(&transaction, previous.id).await?;
            let before = snapshot(&previous, &themes);
            let version = previous.version;
            let Some(saved) = storage::update_at_version::<recommendation::Entity>(
                &transaction,
                previous.id,
                version,
                model,
            )
            .await?
            else {
                return Err(storage::stale::<recommendation::Entity>(
                    version,
                    version + 1,
                ));
            };
            (saved, Some(before))
        }
    };
    let mut theme_ids = new.theme_ids;
    theme_ids.sort_unstable();
    theme_ids.dedup();
    queries::replace_recommendation_themes(&transaction, saved.id, &theme_ids).await?;
    let node = ids::encode(NodeKind::ConsultantRecommendation, saved.id);
    audit::record(
        &transaction,
        actor,
        "recommendConsultant",
        Some(&node),
        before,
        Some(snapshot(&saved, &theme_ids)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(saved)
}

/// Withdraws the recommendation `id` if it is still at `version`: a MEMBER its own
/// authority's, staff any (CUF's included).
pub async fn withdraw_recommendation(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<recommendation::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::NotFound,
            "no recommendation has this id",
        ));
    };
    require_recommender(&actor.caller, current.authority_id)?;
    if current.version != version {
        return Err(storage::stale::<recommendation::Entity>(
            version,
            current.version,
        ));
    }
    let themes = queries::recommendation_theme_ids(&transaction, id).await?;
    if !storage::delete_at_version::<recommendation::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<recommendation::Entity>(
            version,
            version + 1,
        ));
    }
    let node = ids::encode(NodeKind::ConsultantRecommendation, id);
    audit::record(
        &transaction,
        actor,
        "withdrawRecommendation",
        Some(&node),
        Some(snapshot(&current, &themes)),
        None,
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(())
}
