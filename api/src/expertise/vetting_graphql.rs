//! The GraphQL face of vetting: the `ConsultantRecommendation` object, `Organisation.vetting`
//! and the `recommendConsultant` and `withdrawRecommendation` mutations.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entities::{consultant_recommendation, organisation};

use super::graphql::parse_ids;
use super::loaders::{RecommendationThemesLoader, RecommendationsLoader};
use super::vetting::{MAX_THEMES, NewRecommendation, may_see_vetting};
use crate::access::graphql::UserLoader;
use crate::access::{EDITORS, RoleGuard};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::directory::graphql::Theme;
use crate::directory::loaders::ThemeLoader;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, parse_deletion, payload, respond};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::values::LongText;

/// Who recorded a recommendation the server itself loaded (the demo dataset).
const SYSTEM_RECORDER: &str = "Cités Unies France";

/// An authority's or CUF's opinion of a consultant organisation: recommended or advised
/// against, for which themes, since when, with a note for members. Visible to members, CUF
/// staff and administrators only.
#[derive(Clone, Debug)]
pub struct ConsultantRecommendation(pub consultant_recommendation::Model);

impl From<consultant_recommendation::Model> for ConsultantRecommendation {
    fn from(model: consultant_recommendation::Model) -> Self {
        Self(model)
    }
}

/// An authority's or CUF's opinion of a consultant organisation: recommended or advised
/// against, for which themes, since when, with a note for members. Visible to members, CUF
/// staff and administrators only.
#[Object]
impl ConsultantRecommendation {
    /// The global id of this recommendation.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::ConsultantRecommendation, self.0.id)
    }

    /// The consultant organisation.
    async fn consultant(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        let organisation = context::loader::<OrganisationLoader>(ctx)?
            .load_one(self.0.organisation_id)
            .await?;
        Ok(organisation.map(Organisation))
    }

    /// Whether CUF itself gives this opinion (then `authority` is null).
    async fn by_cuf(&self) -> bool {
        self.0.authority_id.is_none()
    }

    /// The authority that gives this opinion; null when CUF does.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(authority_id) = self.0.authority_id else {
            return Ok(None);
        };
        let authority = context::loader::<AuthorityLoader>(ctx)?
            .load_one(authority_id)
            .await?;
        Ok(authority.map(Authority::from))
    }

    /// The display name of the user who recorded it ("Cités Unies France" for the demo
    /// dataset, which the server loads itself).
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        let Some(user_id) = self.0.recorded_by_user_id else {
            return Ok(SYSTEM_RECORDER.to_owned());
        };
        let user = context::loader::<UserLoader>(ctx)?
            .load_one(user_id)
            .await?;
        Ok(user.map_or_else(|| SYSTEM_RECORDER.to_owned(), |user| user.display_name))
    }

    /// True when the consultant is recommended, false when it is advised against.
    async fn recommended(&self) -> bool {
        self.0.recommended
    }

    /// The themes the opinion is about, by label; empty when it is general.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<Theme>, ApiError> {
        let links = context::loader::<RecommendationThemesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let themes = context::loader::<ThemeLoader>(ctx)?
            .load_many(links.iter().map(|link| link.theme_id))
            .await?;
        let mut themes: Vec<Theme> = themes.into_values().map(Theme::from).collect();
        themes.sort_by(|left, right| left.0.label.cmp(&right.0.label));
        Ok(themes)
    }

    /// A note for members: what the consultant did, for whom, how it went.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// When the opinion was given (or last given again).
    async fn recommended_at(&self) -> DateTime<Utc> {
        self.0.recommended_at
    }

    /// The version of this record; send it back to replace or withdraw it.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// `Organisation.vetting`: the recommendations of `organisation`, oldest first, for members,
/// CUF staff and administrators; `None` for anonymous callers and ministries, who see the
/// public profile only (as people's contact details are null for them).
pub async fn vetting_of(
    ctx: &Context<'_>,
    organisation: &organisation::Model,
) -> Result<Option<Vec<ConsultantRecommendation>>, ApiError> {
    if !may_see_vetting(context::caller(ctx)) {
        return Ok(None);
    }
    let rows = context::loader::<RecommendationsLoader>(ctx)?
        .load_one(organisation.id)
        .await?
        .unwrap_or_default();
    Ok(Some(
        rows.into_iter().map(ConsultantRecommendation).collect(),
    ))
}

/// An opinion of a consultant, given or given again.
#[derive(InputObject)]
pub struct RecommendConsultantInput {
    /// The consultant: an organisation of kind CONSULTANT.
    pub organisation_id: ID,
    /// The recommending authority (a member's own); omit it for CUF's own opinion (CUF staff
    /// and administrators).
    pub authority_id: Option<ID>,
    /// True to recommend the consultant, false to advise against it.
    pub recommended: bool,
    /// The themes the opinion is about, at most 20.
    pub theme_ids: Option<Vec<ID>>,
    /// A note for members, at most 10,000 characters.
    pub note: Option<String>,
    /// The version of the recommender's current recommendation of this consultant, to
    /// replace it; omit it when there is none. A mismatch is a `CONFLICT` user error.
    pub version: Option<i32>,
}

impl RecommendConsultantInput {
    fn parse(self) -> Result<NewRecommendation, Rejection> {
        let mut errors = InputErrors::default();
        let organisation_id = errors.id(
            &["organisationId"],
            &self.organisation_id,
            NodeKind::Organisation,
        );
        let authority_id = self
            .authority_id
            .map(|id| errors.id(&["authorityId"], &id, NodeKind::Authority));
        let theme_ids = self.theme_ids.unwrap_or_default();
        let theme_ids = parse_ids(
            &mut errors,
            "themeIds",
            &theme_ids,
            MAX_THEMES,
            NodeKind::Theme,
        );
        let note = errors.check(
            &["note"],
            self.note
                .as_deref()
                .map(LongText::parse)
                .transpose()
                .map(Option::flatten),
        );
        errors.finish(|| {
            Some(NewRecommendation {
                organisation_id: organisation_id?,
                authority_id: authority_id.map(|id| id.ok_or(())).transpose().ok()?,
                recommended: self.recommended,
                theme_ids: theme_ids?,
                note: note?,
                replaces_version: self.version,
            })
        })
    }
}

/// Which recommendation to withdraw.
#[derive(InputObject)]
pub struct WithdrawRecommendationInput {
    /// The recommendation.
    pub id: ID,
    /// The version the client read; if it changed since, nothing is withdrawn.
    pub version: i32,
}

payload!(
    RecommendConsultantPayload,
    recommendation: ConsultantRecommendation,
    "The result of `recommendConsultant`.",
    "The recommendation as recorded; null when there are user errors."
);
payload!(
    WithdrawRecommendationPayload,
    withdrawn_id: ID,
    "The result of `withdrawRecommendation`.",
    "The id of the withdrawn recommendation; null when there are user errors."
);

/// The vetting mutations.
#[derive(Default)]
pub struct VettingMutation;

#[Object]
impl VettingMutation {
    /// Gives an authority's or CUF's opinion of a consultant: a member for its own authority
    /// (`FORBIDDEN` for another, or for CUF), CUF staff and administrators for CUF or any
    /// authority. Recorded with the user who gives it. A recommender has one opinion of a
    /// consultant: to change it, send its `version`.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn recommend_consultant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consultant, the recommender and the opinion.")]
        input: RecommendConsultantInput,
    ) -> Result<RecommendConsultantPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |new| async move {
            super::vetting::recommend_consultant(db, &actor, new).await
        })
        .await
    }

    /// Withdraws a recommendation at the version the client read: a member its own
    /// authority's, CUF staff and administrators any.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn withdraw_recommendation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recommendation and its version.")] input: WithdrawRecommendationInput,
    ) -> Result<WithdrawRecommendationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let kind = NodeKind::ConsultantRecommendation;
        respond(
            parse_deletion(&input.id, input.version, kind),
            |(id, version)| async move {
                super::vetting::withdraw_recommendation(db, &actor, id, version).await?;
                Ok(ids::encode(kind, id))
            },
        )
        .await
    }
}
