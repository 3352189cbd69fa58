//! The GraphQL face of the directory: `Cooperation` and `Theme`, the `cooperations`
//! connection, `themes`, `cooperationStats`, `pendingValidations`, and the mutations.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{cooperation, theme};
use futures_util::future::OptionFuture;
use sea_orm::DbErr;

use super::loaders::{Partner, PartnersLoader, ThemeLoader, ThemesLoader};
use super::themes::{self, ThemeCode};
use super::{
    CooperationChanges, CooperationFilter, CooperationOrdering, CooperationSource,
    CooperationStatus, NewCooperation, PartnerSide, ValidationState, Visibility,
};
use crate::access::graphql::{User, UserLoader};
use crate::access::{EDITORS, RoleGuard, STAFF};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::error::ApiError;
use crate::flat::Flat;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, parse_change, parse_deletion, payload, respond};
use crate::pagination::{
    OrderDirection, Page, PageArgs, PageRequest, SortValue, connection, wants_total_count,
};
use crate::people::graphql::Person;
use crate::values::{CountryCode, LongText, Name, ValueError};

/// A theme of CUF's taxonomy: governance, sustainable development, economy, culture, …
#[derive(Clone, Debug)]
pub struct Theme(pub Arc<theme::Model>);

impl From<theme::Model> for Theme {
    fn from(model: theme::Model) -> Self {
        Self(Arc::new(model))
    }
}

/// A theme of CUF's taxonomy: governance, sustainable development, economy, culture, …
#[Object]
impl Theme {
    /// The global id of this theme.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Theme, self.0.id)
    }

    /// The stable code, e.g. `governance`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The label shown, e.g. "Gouvernance locale".
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// The version of this record; send it back with `renameTheme`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the theme was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the theme was last renamed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One directory entry (fiche): a cooperation between French and foreign authorities, with
/// whatever of its relations was read along with its page.
#[derive(Clone, Debug)]
pub struct Cooperation(pub cooperation::Model, Related);

impl From<cooperation::Model> for Cooperation {
    fn from(model: cooperation::Model) -> Self {
        Self(model, Related::default())
    }
}

/// A fiche's partners and themes, read with its page (see [`with_related`]); those not read
/// there come from the loaders.
#[derive(Clone, Debug, Default)]
pub struct Related {
    partners: Option<Read<Partner>>,
    themes: Option<Read<Arc<theme::Model>>>,
}

/// What a page's read of one relation gave a fiche: its rows, or the read's error.
type Read<T> = Result<Arc<[T]>, Arc<DbErr>>;

/// The fiches of `page` with the partners and themes its selection asks for on its nodes
/// (through `edges { node }` or `nodes`), each asked of its loader once for the whole page
/// (`load_many`) rather than once per fiche: a map of keys, a channel and a task less for
/// every fiche. Through the loader, not around it: under load its batches gather the fiches
/// of several requests, and a page then costs PostgreSQL a fraction of a statement
/// (bench/RESULTS.md, session 8). A relation the selection does not name (behind a fragment
/// on another type, say) is left to each fiche.
async fn with_related(
    ctx: &Context<'_>,
    page: Page<cooperation::Model>,
) -> Result<Page<Cooperation>, ApiError> {
    let look = ctx.look_ahead();
    let nodes = [look.field("edges").field("node"), look.field("nodes")];
    let asks = |field: &str| nodes.iter().any(|node| node.field(field).exists());
    let partners = asks("frenchPartners") || asks("foreignPartners");
    let themes = asks("themes");
    if page.items.is_empty() || !(partners || themes) {
        return Ok(page.map(Cooperation::from));
    }
    let fiches: Vec<i64> = page.items.iter().map(|(_, fiche)| fiche.id).collect();
    let partner_loader = context::loader::<PartnersLoader>(ctx)?;
    let theme_loader = context::loader::<ThemesLoader>(ctx)?;
    let (mut partners, mut themes) = futures_util::future::join(
        OptionFuture::from(partners.then(|| partner_loader.load_many(fiches.iter().copied()))),
        OptionFuture::from(themes.then(|| theme_loader.load_many(fiches.iter().copied()))),
    )
    .await;
    let no_partners: Arc<[Partner]> = Arc::from(Vec::new());
    let no_themes: Arc<[Arc<theme::Model>]> = Arc::from(Vec::new());
    Ok(page.map(|fiche| {
        let related = Related {
            partners: partners
                .as_mut()
                .map(|read| take(read, fiche.id, &no_partners)),
            themes: themes.as_mut().map(|read| take(read, fiche.id, &no_themes)),
        };
        Cooperation(fiche, related)
    }))
}

/// One fiche's share of a page's read: its rows (`none` when it has none), or the error.
fn take<T>(
    read: &mut Result<HashMap<i64, Arc<[T]>>, Arc<DbErr>>,
    fiche: i64,
    none: &Arc<[T]>,
) -> Read<T> {
    match read {
        Ok(by_fiche) => Ok(by_fiche.remove(&fiche).unwrap_or_else(|| Arc::clone(none))),
        Err(error) => Err(Arc::clone(error)),
    }
}

impl Cooperation {
    /// The fiche's partners of both sides: read with its page, or by the loader.
    async fn all_partners(&self, ctx: &Context<'_>) -> Result<Option<Arc<[Partner]>>, ApiError> {
        if let Some(read) = &self.1.partners {
            return Ok(Some(read.clone()?));
        }
        let loader = context::loader::<PartnersLoader>(ctx)?;
        Ok(Box::pin(loader.load_one(self.0.id)).await?)
    }

    async fn partners(
        &self,
        ctx: &Context<'_>,
        side: PartnerSide,
    ) -> Result<Vec<Flat<Authority>>, ApiError> {
        let partners = self.all_partners(ctx).await?;
        Ok(partners
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|partner| partner.side == side.as_str())
            .map(|partner| Flat(Authority(Arc::clone(&partner.authority))))
            .collect())
    }
}

// Fields that wait on a loader or a query box that wait: async-graphql allocates every
// resolved field a future the size of the type's largest field, and a page of the directory
// resolves hundreds of fields (see ARCHITECTURE.md, "Performance").
/// One directory entry (fiche): a cooperation between French and foreign authorities.
#[Object]
impl Cooperation {
    /// The global id of this fiche.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Cooperation, self.0.id)
    }

    /// The title of the cooperation.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The partner country (ISO 3166-1 alpha-2).
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The French partner authorities.
    async fn french_partners(&self, ctx: &Context<'_>) -> Result<Vec<Flat<Authority>>, ApiError> {
        Box::pin(self.partners(ctx, PartnerSide::French)).await
    }

    /// The partner authorities of the partner country.
    async fn foreign_partners(&self, ctx: &Context<'_>) -> Result<Vec<Flat<Authority>>, ApiError> {
        Box::pin(self.partners(ctx, PartnerSide::Foreign)).await
    }

    /// Where the cooperation stands.
    async fn status(&self) -> Option<CooperationStatus> {
        CooperationStatus::from_stored(&self.0.status)
    }

    /// The themes of the cooperation, by label.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<Flat<Theme>>, ApiError> {
        let themes = match &self.1.themes {
            Some(read) => Some(read.clone()?),
            None => Box::pin(context::loader::<ThemesLoader>(ctx)?.load_one(self.0.id)).await?,
        };
        Ok(themes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|theme| Flat(Theme(Arc::clone(theme))))
            .collect())
    }

    /// The year it started, if known.
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }

    /// The year it ended or will end, if known.
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }

    /// A summary of the cooperation.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// Where the information comes from.
    async fn sources(&self) -> Vec<CooperationSource> {
        self.0
            .sources
            .split(',')
            .filter_map(CooperationSource::from_stored)
            .collect()
    }

    /// Internal notes, for CUF and the partner authorities only: null for anyone else.
    async fn internal_notes(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        let caller = context::caller(ctx);
        if caller.is_staff() {
            return Ok(self.0.internal_notes.as_deref());
        }
        let Some(own) = caller.member_authority() else {
            return Ok(None);
        };
        let partners = self.all_partners(ctx).await?;
        let partner = partners
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|partner| partner.authority.id == own);
        Ok(partner
            .then_some(self.0.internal_notes.as_deref())
            .flatten())
    }

    /// Where the fiche stands in the validation workflow.
    async fn validation_state(&self) -> Option<ValidationState> {
        ValidationState::from_stored(&self.0.validation_state)
    }

    /// Since when the fiche awaits validation by its authority.
    async fn awaiting_since(&self) -> Option<DateTime<Utc>> {
        self.0.awaiting_since
    }

    /// When the fiche was validated.
    async fn validated_at(&self) -> Option<DateTime<Utc>> {
        self.0.validated_at
    }

    /// Who validated it; visible to CUF staff (null for others).
    async fn validated_by(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(id) = self
            .0
            .validated_by
            .filter(|_| context::caller(ctx).is_staff())
        else {
            return Ok(None);
        };
        Ok(Box::pin(context::loader::<UserLoader>(ctx)?.load_one(id))
            .await?
            .map(User))
    }

    /// Whether CUF recorded the validation on the authority's behalf.
    async fn validated_on_behalf(&self) -> bool {
        self.0.validated_on_behalf
    }

    /// When the authority was last reminded to validate it.
    async fn last_reminded_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_reminded_at
    }

    /// How many reminders were sent about it.
    async fn reminder_count(&self) -> i32 {
        self.0.reminder_count
    }

    /// The version of this record, incremented by every change; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the fiche was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the fiche was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    CooperationConnection,
    CooperationEdge,
    Cooperation,
    "A page of the directory, as a Relay cursor connection.",
    "A fiche in a page, with its cursor."
);

/// Conditions on the fiches to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct CooperationFilterInput {
    /// Only fiches of this partner country.
    pub country_code: Option<String>,
    /// Only fiches with one of these statuses.
    pub statuses: Option<Vec<CooperationStatus>>,
    /// Only fiches with at least one of these themes.
    pub theme_ids: Option<Vec<ID>>,
    /// Only fiches with this authority as a partner, French or foreign.
    pub authority_id: Option<ID>,
    /// Only fiches in one of these validation states.
    pub validation_states: Option<Vec<ValidationState>>,
    /// Only cooperations active in or after this year.
    pub from_year: Option<i32>,
    /// Only cooperations active in or before this year.
    pub to_year: Option<i32>,
    /// Words that must all appear in the title, summary or partner names, ignoring case and
    /// accents.
    pub search: Option<String>,
}

impl CooperationFilterInput {
    /// The filter, parsed; `BAD_USER_INPUT` names the field at fault.
    pub fn parse(self) -> Result<CooperationFilter, ApiError> {
        let bad = |field: &str, message: String| {
            ApiError::BadUserInput(format!("filter.{field}: {message}"))
        };
        let country_code = self
            .country_code
            .map(|code| CountryCode::parse(&code).map(|code| code.as_str().to_owned()))
            .transpose()
            .map_err(|error| bad("countryCode", error.0))?;
        let themes = self
            .theme_ids
            .unwrap_or_default()
            .iter()
            .map(|id| ids::decode_as(id, NodeKind::Theme))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| bad("themeIds", error.to_string()))?;
        let authority_id = self
            .authority_id
            .map(|id| ids::decode_as(&id, NodeKind::Authority))
            .transpose()
            .map_err(|error| bad("authorityId", error.to_string()))?;
        Ok(CooperationFilter {
            country_code,
            statuses: self.statuses.unwrap_or_default(),
            themes,
            authority_id,
            validation_states: self.validation_states.unwrap_or_default(),
            from_year: self.from_year,
            to_year: self.to_year,
            search: crate::text::search_words(self.search.as_deref().unwrap_or_default())
                .map_err(|error| bad("search", error))?,
        })
    }
}

/// What fiches can be ordered by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum CooperationOrderField {
    /// The title, ignoring case and accents.
    #[default]
    Title,
    /// The start year (unknown years first when ascending).
    StartYear,
    /// The time of the last change.
    UpdatedAt,
}

/// An ordering of fiches; ties are broken by creation order.
#[derive(InputObject, Default)]
pub struct CooperationOrder {
    /// What to order by.
    pub field: CooperationOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl CooperationOrder {
    /// The ordering, with how to read each row's sort value.
    pub fn ordering(&self) -> CooperationOrdering {
        use cooperation::Column::{SortKey, StartYearKey, UpdatedAt};
        match self.field {
            CooperationOrderField::Title => {
                CooperationOrdering::new("TITLE", SortKey, self.direction, |row| {
                    SortValue::Text(row.sort_key.clone())
                })
            }
            CooperationOrderField::StartYear => {
                CooperationOrdering::new("START_YEAR", StartYearKey, self.direction, |row| {
                    SortValue::Number(i64::from(row.start_year_key))
                })
            }
            CooperationOrderField::UpdatedAt => {
                CooperationOrdering::new("UPDATED_AT", UpdatedAt, self.direction, |row| {
                    SortValue::Time(row.updated_at)
                })
            }
        }
    }
}

/// A fiche page as one caller may see it.
#[allow(clippy::too_many_arguments)]
pub async fn cooperation_connection(
    ctx: &Context<'_>,
    mut filter: CooperationFilter,
    authority_id: Option<i64>,
    order_by: Option<CooperationOrder>,
    args: PageArgs,
) -> Result<CooperationConnection, ApiError> {
    if authority_id.is_some() {
        filter.authority_id = authority_id;
    }
    let ordering = order_by.unwrap_or_default().ordering();
    let page = PageRequest::parse(args, &ordering.tag())?;
    let visibility = Visibility::of(context::caller(ctx));
    let (rows, total) = super::list_cooperations(
        context::db(ctx)?,
        visibility,
        &filter,
        &ordering,
        &page,
        wants_total_count(ctx),
    )
    .await?;
    Ok(CooperationConnection::new(
        with_related(ctx, rows).await?,
        total,
    ))
}

/// How many fiches have one status.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: CooperationStatus,
    /// How many fiches have it.
    pub count: i64,
}

/// How many fiches are in one validation state.
#[derive(SimpleObject)]
pub struct ValidationStateCount {
    /// The state.
    pub state: ValidationState,
    /// How many fiches are in it.
    pub count: i64,
}

/// How many fiches have one theme.
#[derive(SimpleObject)]
pub struct ThemeCount {
    /// The theme.
    pub theme: Theme,
    /// How many fiches have it.
    pub count: i64,
}

/// Counts of a country's directory, for dashboards, over the fiches the caller may see.
#[derive(SimpleObject)]
pub struct CooperationStats {
    /// The partner country.
    pub country_code: String,
    /// How many fiches there are.
    pub total: i64,
    /// How many of them are validated ("42 of 60 validated").
    pub validated: i64,
    /// Counts by status.
    pub by_status: Vec<StatusCount>,
    /// Counts by validation state.
    pub by_validation_state: Vec<ValidationStateCount>,
    /// Counts by theme (a fiche counts once for each of its themes).
    pub by_theme: Vec<ThemeCount>,
}

/// An authority with fiches awaiting its validation.
#[derive(SimpleObject)]
pub struct PendingValidation {
    /// The French authority that must validate.
    pub authority: Authority,
    /// Its fiches awaiting validation, oldest first.
    pub cooperations: Vec<Cooperation>,
    /// Since when the oldest of them waits.
    pub awaiting_since: Option<DateTime<Utc>>,
    /// When the authority was last reminded.
    pub last_reminded_at: Option<DateTime<Utc>>,
    /// The most reminders any of its fiches received.
    pub reminder_count: i32,
    /// The people to write to: the authority's current contacts with an e-mail address.
    pub contacts: Vec<Person>,
}

fn country(code: &str) -> Result<String, ApiError> {
    CountryCode::parse(code)
        .map(|code| code.as_str().to_owned())
        .map_err(|error| ApiError::BadUserInput(format!("`countryCode`: {error}")))
}

/// The directory queries.
#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// The fiches the caller may see that match `filter`, in `orderBy` order (by title by
    /// default), a page at a time. Anonymous callers and ministries see validated fiches; a
    /// member also sees its own authority's; CUF sees all.
    #[allow(clippy::too_many_arguments)]
    async fn cooperations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many fiches from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many fiches from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which fiches to list.")] filter: Option<CooperationFilterInput>,
        #[graphql(desc = "How to order them.")] order_by: Option<CooperationOrder>,
    ) -> Result<CooperationConnection, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        cooperation_connection(
            ctx,
            filter,
            None,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }

    /// Every theme of the taxonomy, by label.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<Theme>, ApiError> {
        Ok(super::queries::all_themes(context::db(ctx)?)
            .await?
            .into_iter()
            .map(Theme::from)
            .collect())
    }

    /// Counts of a country's directory by status, validation state and theme, over the
    /// fiches the caller may see.
    async fn cooperation_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner country (ISO 3166-1 alpha-2).")] country_code: String,
    ) -> Result<CooperationStats, ApiError> {
        let code = country(&country_code)?;
        let (db, visibility) = (context::db(ctx)?, Visibility::of(context::caller(ctx)));
        let by_status =
            super::queries::count_by(db, visibility, &code, cooperation::Column::Status).await?;
        let by_state =
            super::queries::count_by(db, visibility, &code, cooperation::Column::ValidationState)
                .await?;
        let by_theme = super::queries::count_by_theme(db, visibility, &code).await?;
        let themes = context::loader::<ThemeLoader>(ctx)?
            .load_many(by_theme.iter().map(|(id, _)| *id))
            .await?;
        let validated = by_state
            .iter()
            .filter(|(state, _)| state == ValidationState::Validated.as_str())
            .map(|(_, count)| count)
            .sum();
        Ok(CooperationStats {
            country_code: code,
            total: by_state.iter().map(|(_, count)| count).sum(),
            validated,
            by_status: by_status
                .into_iter()
                .filter_map(|(status, count)| {
                    Some(StatusCount {
                        status: CooperationStatus::from_stored(&status)?,
                        count,
                    })
                })
                .collect(),
            by_validation_state: by_state
                .into_iter()
                .filter_map(|(state, count)| {
                    Some(ValidationStateCount {
                        state: ValidationState::from_stored(&state)?,
                        count,
                    })
                })
                .collect(),
            by_theme: by_theme
                .into_iter()
                .filter_map(|(id, count)| {
                    Some(ThemeCount {
                        theme: Theme::from(themes.get(&id)?.clone()),
                        count,
                    })
                })
                .collect(),
        })
    }

    /// Per French authority, the fiches of a country awaiting its validation, since when,
    /// the reminders sent and whom to write to. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn pending_validations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner country (ISO 3166-1 alpha-2).")] country_code: String,
    ) -> Result<Vec<PendingValidation>, ApiError> {
        let code = country(&country_code)?;
        let db = context::db(ctx)?;
        let pending = super::reminders::pending(db, &code).await?;
        let authorities = context::loader::<AuthorityLoader>(ctx)?
            .load_many(pending.iter().map(|entry| entry.authority_id))
            .await?;
        Ok(pending
            .into_iter()
            .filter_map(|entry| {
                Some(PendingValidation {
                    authority: Authority::from(authorities.get(&entry.authority_id)?.clone()),
                    awaiting_since: entry
                        .fiches
                        .iter()
                        .filter_map(|fiche| fiche.awaiting_since)
                        .min(),
                    last_reminded_at: entry
                        .fiches
                        .iter()
                        .filter_map(|fiche| fiche.last_reminded_at)
                        .max(),
                    reminder_count: entry
                        .fiches
                        .iter()
                        .map(|fiche| fiche.reminder_count)
                        .max()
                        .unwrap_or(0),
                    cooperations: entry.fiches.into_iter().map(Cooperation::from).collect(),
                    contacts: entry.contacts.into_iter().map(Person).collect(),
                })
            })
            .collect())
    }
}

fn parse_ids(
    errors: &mut InputErrors,
    field: &str,
    values: &[ID],
    kind: NodeKind,
) -> Option<Vec<i64>> {
    let mut parsed = Vec::with_capacity(values.len());
    for value in values {
        parsed.push(errors.id(&[field], value, kind)?);
    }
    parsed.sort_unstable();
    parsed.dedup();
    Some(parsed)
}

/// A new fiche. It starts as a DRAFT.
#[derive(InputObject)]
pub struct CreateCooperationInput {
    /// The title; required, at most 200 characters.
    pub title: String,
    /// The partner country (ISO 3166-1 alpha-2).
    pub country_code: String,
    /// The French partner authorities (at least one, all in France). A MEMBER must include
    /// its own authority.
    pub french_partner_ids: Vec<ID>,
    /// The partner-country authorities (at least one, all in `countryCode`).
    pub foreign_partner_ids: Vec<ID>,
    /// Where the cooperation stands.
    pub status: CooperationStatus,
    /// Its themes.
    #[graphql(default)]
    pub theme_ids: Vec<ID>,
    /// The year it started (1900 to 2100).
    pub start_year: Option<i32>,
    /// The year it ended or will end; not before `startYear`.
    pub end_year: Option<i32>,
    /// A summary, at most 10,000 characters.
    pub summary: Option<String>,
    /// Where the information comes from.
    #[graphql(default)]
    pub sources: Vec<CooperationSource>,
    /// Notes for CUF and the partner authorities only.
    pub internal_notes: Option<String>,
}

fn long_text(
    errors: &mut InputErrors,
    field: &str,
    text: Option<&str>,
) -> Option<Option<LongText>> {
    errors.check(
        &[field],
        text.map(LongText::parse).transpose().map(Option::flatten),
    )
}

impl CreateCooperationInput {
    fn parse(self) -> Result<NewCooperation, Rejection> {
        let mut errors = InputErrors::default();
        let title = errors.check(&["title"], Name::parse(&self.title));
        let country_code = errors.check(&["countryCode"], CountryCode::parse(&self.country_code));
        let french = parse_ids(
            &mut errors,
            "frenchPartnerIds",
            &self.french_partner_ids,
            NodeKind::Authority,
        );
        let foreign = parse_ids(
            &mut errors,
            "foreignPartnerIds",
            &self.foreign_partner_ids,
            NodeKind::Authority,
        );
        let themes = parse_ids(&mut errors, "themeIds", &self.theme_ids, NodeKind::Theme);
        let summary = long_text(&mut errors, "summary", self.summary.as_deref());
        let internal_notes =
            long_text(&mut errors, "internalNotes", self.internal_notes.as_deref());
        errors.finish(|| {
            Some(NewCooperation {
                title: title?,
                country_code: country_code?,
                french_partners: french?,
                foreign_partners: foreign?,
                status: self.status,
                themes: themes?,
                start_year: self.start_year,
                end_year: self.end_year,
                summary: summary?,
                sources: self.sources,
                internal_notes: internal_notes?,
            })
        })
    }
}

/// Changes to a fiche. Omitted fields are left as they are; nullable fields set to null are
/// cleared; lists, when given, replace the current ones. An edit by CUF to a validated fiche
/// sends it back to AWAITING_VALIDATION; an edit by its own authority keeps it validated.
#[derive(InputObject)]
pub struct UpdateCooperationInput {
    /// The fiche to change.
    pub id: ID,
    /// The version the client read; if the fiche changed since, nothing is changed and a
    /// `CONFLICT` user error is returned.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// The French partner authorities.
    pub french_partner_ids: Option<Vec<ID>>,
    /// The partner-country authorities.
    pub foreign_partner_ids: Option<Vec<ID>>,
    /// A new status.
    pub status: Option<CooperationStatus>,
    /// The themes.
    pub theme_ids: Option<Vec<ID>>,
    /// A new start year, or null to clear it.
    pub start_year: MaybeUndefined<i32>,
    /// A new end year, or null to clear it.
    pub end_year: MaybeUndefined<i32>,
    /// A new summary, or null to clear it.
    pub summary: MaybeUndefined<String>,
    /// The sources.
    pub sources: Option<Vec<CooperationSource>>,
    /// New internal notes, or null to clear them.
    pub internal_notes: MaybeUndefined<String>,
}

impl UpdateCooperationInput {
    fn parse(self) -> Result<(i64, i32, CooperationChanges), Rejection> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &self.id, NodeKind::Cooperation);
        let ids = |errors: &mut InputErrors, field: &str, values: Option<Vec<ID>>, kind| {
            values.and_then(|values| parse_ids(errors, field, &values, kind))
        };
        let changes = CooperationChanges {
            title: self
                .title
                .and_then(|title| errors.check(&["title"], Name::parse(&title))),
            french_partners: ids(
                &mut errors,
                "frenchPartnerIds",
                self.french_partner_ids,
                NodeKind::Authority,
            ),
            foreign_partners: ids(
                &mut errors,
                "foreignPartnerIds",
                self.foreign_partner_ids,
                NodeKind::Authority,
            ),
            status: self.status,
            themes: ids(&mut errors, "themeIds", self.theme_ids, NodeKind::Theme),
            start_year: parse_change(
                &mut errors,
                &["startYear"],
                self.start_year,
                Ok::<i32, ValueError>,
            ),
            end_year: parse_change(
                &mut errors,
                &["endYear"],
                self.end_year,
                Ok::<i32, ValueError>,
            ),
            summary: parse_change(&mut errors, &["summary"], self.summary, |text| {
                LongText::parse(&text)
            })
            .map(Option::flatten),
            sources: self.sources,
            internal_notes: parse_change(
                &mut errors,
                &["internalNotes"],
                self.internal_notes,
                |text| LongText::parse(&text),
            )
            .map(Option::flatten),
        };
        let version = self.version;
        errors.finish(|| Some((id?, version, changes)))
    }
}

/// A step of the validation workflow.
#[derive(InputObject)]
pub struct TransitionCooperationInput {
    /// The fiche.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
    /// The state to move to. DRAFT → PREFILLED → AWAITING_VALIDATION are CUF's; PREFILLED or
    /// AWAITING_VALIDATION → VALIDATED is the French partner's (or CUF's, on its behalf);
    /// VALIDATED → AWAITING_VALIDATION reopens a fiche (CUF). Anything else is refused.
    pub to: ValidationState,
}

/// Which fiche to delete.
#[derive(InputObject)]
pub struct DeleteCooperationInput {
    /// The fiche.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
}

/// A new theme.
#[derive(InputObject)]
pub struct CreateThemeInput {
    /// A stable code: 2 to 64 lowercase letters, digits, `-` or `_`.
    pub code: String,
    /// The label shown.
    pub label: String,
}

/// A theme's new label.
#[derive(InputObject)]
pub struct RenameThemeInput {
    /// The theme.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
    /// The new label.
    pub label: String,
}

payload!(
    CreateCooperationPayload,
    cooperation: Cooperation,
    "The result of `createCooperation`.",
    "The new fiche; null when there are user errors."
);
payload!(
    UpdateCooperationPayload,
    cooperation: Cooperation,
    "The result of `updateCooperation`.",
    "The fiche as changed; null when there are user errors."
);
payload!(
    TransitionCooperationPayload,
    cooperation: Cooperation,
    "The result of `transitionCooperation`.",
    "The fiche in its new state; null when there are user errors."
);
payload!(
    DeleteCooperationPayload,
    deleted_id: ID,
    "The result of `deleteCooperation`.",
    "The id of the deleted fiche; null when there are user errors."
);
payload!(CreateThemePayload, theme: Theme, "The result of `createTheme`.", "The new theme; null when there are user errors.");
payload!(RenameThemePayload, theme: Theme, "The result of `renameTheme`.", "The renamed theme; null when there are user errors.");

/// The directory mutations.
#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Creates a fiche, as a DRAFT. CUF staff, or a MEMBER for its own authority.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn create_cooperation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new fiche.")] input: CreateCooperationInput,
    ) -> Result<CreateCooperationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |new| async move {
            super::create_cooperation(db, &actor, new).await
        })
        .await
    }

    /// Changes a fiche, provided nobody changed it since the client read `version`. CUF
    /// staff, or a MEMBER of one of its French partner authorities.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn update_cooperation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiche, its version and the changes.")] input: UpdateCooperationInput,
    ) -> Result<UpdateCooperationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(id, version, changes)| async move {
            super::update_cooperation(db, &actor, id, version, changes).await
        })
        .await
    }

    /// Moves a fiche through the validation workflow; an illegal step is a user error.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn transition_cooperation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiche, its version and the state to move to.")]
        input: TransitionCooperationInput,
    ) -> Result<TransitionCooperationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::Cooperation);
        let parsed = errors.finish(|| Some((id?, input.version, input.to)));
        respond(parsed, |(id, version, to)| async move {
            super::transition_cooperation(db, &actor, id, version, to).await
        })
        .await
    }

    /// Deletes a fiche. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn delete_cooperation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiche and its version.")] input: DeleteCooperationInput,
    ) -> Result<DeleteCooperationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let parsed = parse_deletion(&input.id, input.version, NodeKind::Cooperation);
        respond(parsed, |(id, version)| async move {
            super::delete_cooperation(db, &actor, id, version).await?;
            Ok(ids::encode(NodeKind::Cooperation, id))
        })
        .await
    }

    /// Adds a theme to the taxonomy. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_theme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code and label.")] input: CreateThemeInput,
    ) -> Result<CreateThemePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let code = errors.check(&["code"], ThemeCode::parse(&input.code));
        let label = errors.check(&["label"], Name::parse(&input.label));
        let parsed = errors.finish(|| Some((code?, label?)));
        respond(parsed, |(code, label)| async move {
            themes::create_theme(db, &actor, code, label).await
        })
        .await
    }

    /// Renames a theme; its code stays. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn rename_theme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The theme, its version and the new label.")] input: RenameThemeInput,
    ) -> Result<RenameThemePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::Theme);
        let label = errors.check(&["label"], Name::parse(&input.label));
        let parsed = errors.finish(|| Some((id?, input.version, label?)));
        respond(parsed, |(id, version, label)| async move {
            themes::rename_theme(db, &actor, id, version, label).await
        })
        .await
    }
}

/// Which late authorities to remind.
#[derive(InputObject)]
pub struct SendValidationRemindersInput {
    /// The partner country whose directory is concerned.
    pub country_code: String,
    /// Remind only about fiches awaiting validation for at least this many days.
    #[graphql(default = 14)]
    pub older_than_days: i32,
}

/// An authority reminded.
#[derive(SimpleObject)]
pub struct ReminderSent {
    /// The authority.
    pub authority: Authority,
    /// How many of its fiches the reminder lists.
    pub cooperation_count: i32,
    /// The addresses the message goes to.
    pub recipients: Vec<String>,
}

/// An authority not reminded, and why.
#[derive(SimpleObject)]
pub struct ReminderSkipped {
    /// The authority.
    pub authority: Authority,
    /// Why it was not reminded, e.g. "reminded recently".
    pub reason: String,
}

/// The result of `sendValidationReminders`.
#[derive(SimpleObject, Default)]
pub struct SendValidationRemindersPayload {
    /// The authorities reminded: one message each, queued in the outbox.
    pub reminded: Vec<ReminderSent>,
    /// The late authorities not reminded, and why.
    pub skipped: Vec<ReminderSkipped>,
    /// What is wrong with the input; empty on success.
    pub user_errors: Vec<crate::mutation::UserError>,
}

/// How often one authority may be reminded, from `CUF_REMINDER_INTERVAL_DAYS`.
#[derive(Debug, Clone, Copy)]
pub struct ReminderInterval(pub chrono::Duration);

/// The reminder mutation.
#[derive(Default)]
pub struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// Reminds the French authorities of a country whose fiches have awaited validation
    /// longer than `olderThanDays`: one message per authority (not per fiche) to its contacts,
    /// queued in the outbox, and never twice within the configured interval. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn send_validation_reminders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The country and the delay.")] input: SendValidationRemindersInput,
    ) -> Result<SendValidationRemindersPayload, ApiError> {
        let mut errors = InputErrors::default();
        let code = errors.check(&["countryCode"], CountryCode::parse(&input.country_code));
        let days = errors.check(
            &["olderThanDays"],
            (0..=3650)
                .contains(&input.older_than_days)
                .then_some(input.older_than_days)
                .ok_or_else(|| ValueError("must be between 0 and 3650".into())),
        );
        let parsed = errors.finish(|| Some((code?, days?)));
        let interval = ctx
            .data_opt::<ReminderInterval>()
            .map_or(chrono::Duration::days(7), |interval| interval.0);
        let result = match parsed {
            Ok((code, days)) => {
                let (db, actor) = (context::db(ctx)?, context::actor(ctx));
                super::reminders::send_reminders(
                    db,
                    &actor,
                    code.as_str(),
                    chrono::Duration::days(i64::from(days)),
                    interval,
                )
                .await
            }
            Err(rejection) => Err(rejection),
        };
        let (outcome, user_errors) = crate::mutation::into_payload(result)?;
        let Some(outcome) = outcome else {
            return Ok(SendValidationRemindersPayload {
                user_errors,
                ..Default::default()
            });
        };
        let loader = context::loader::<AuthorityLoader>(ctx)?;
        let ids = outcome
            .reminded
            .iter()
            .map(|entry| entry.authority_id)
            .chain(outcome.skipped.iter().map(|(id, _)| *id));
        let authorities = loader.load_many(ids).await?;
        let authority = |id: &i64| authorities.get(id).cloned().map(Authority::from);
        Ok(SendValidationRemindersPayload {
            reminded: outcome
                .reminded
                .iter()
                .filter_map(|entry| {
                    Some(ReminderSent {
                        authority: authority(&entry.authority_id)?,
                        cooperation_count: i32::try_from(entry.fiches).unwrap_or(i32::MAX),
                        recipients: entry.recipients.clone(),
                    })
                })
                .collect(),
            skipped: outcome
                .skipped
                .iter()
                .filter_map(|(id, reason)| {
                    Some(ReminderSkipped {
                        authority: authority(id)?,
                        reason: reason.clone(),
                    })
                })
                .collect(),
            user_errors,
        })
    }
}

/// The embassy's list, to compare with the directory.
#[derive(InputObject)]
pub struct CompareWithExternalListInput {
    /// The partner country whose directory is compared.
    pub country_code: String,
    /// The list as CSV (UTF-8, at most 5 MiB): a header naming `french_authority` and
    /// `foreign_authority`, optionally `status` and `title`, then one cooperation per line.
    pub csv: String,
}

/// One entry of an external list.
#[derive(SimpleObject, Clone)]
pub struct ExternalEntry {
    /// Its line in the CSV (the header is line 1).
    pub line: i32,
    /// The French authority as the list names it.
    pub french_authority: String,
    /// The foreign authority as the list names it.
    pub foreign_authority: String,
    /// The status the list gives, if any.
    pub status: Option<CooperationStatus>,
    /// The title the list gives, if any.
    pub title: Option<String>,
}

impl From<super::external::ExternalEntry> for ExternalEntry {
    fn from(entry: super::external::ExternalEntry) -> Self {
        Self {
            line: i32::try_from(entry.line).unwrap_or(i32::MAX),
            french_authority: entry.french_authority,
            foreign_authority: entry.foreign_authority,
            status: entry.status,
            title: entry.title,
        }
    }
}

/// An entry of the list that is in the directory.
#[derive(SimpleObject)]
pub struct ExternalMatch {
    /// The entry.
    pub entry: ExternalEntry,
    /// The fiche it matches.
    pub cooperation: Cooperation,
}

/// An entry of the list that may be a fiche of the directory.
#[derive(SimpleObject)]
pub struct PossibleMatch {
    /// The entry.
    pub entry: ExternalEntry,
    /// The closest fiche.
    pub cooperation: Cooperation,
    /// How alike their authorities' names are, from 0.5 to just under 1.
    pub score: f64,
}

/// The comparison of an external list with the directory; nothing was written.
#[derive(SimpleObject, Default)]
pub struct ExternalListComparison {
    /// Entries found in the directory.
    pub matched: Vec<ExternalMatch>,
    /// Fiches of the country the list does not mention.
    pub only_in_directory: Vec<Cooperation>,
    /// Entries the directory does not have.
    pub only_in_list: Vec<ExternalEntry>,
    /// Entries that may be fiches of the directory, to check by hand.
    pub possible_matches: Vec<PossibleMatch>,
    /// What is wrong with the list (the message names the line); empty on success.
    pub user_errors: Vec<crate::mutation::UserError>,
}

/// The comparison query.
#[derive(Default)]
pub struct ExternalListQuery;

#[Object]
impl ExternalListQuery {
    /// Compares the embassy's list of cooperations with the directory of a country: matched
    /// pairs, entries only in either, and possible matches with a score. Names match whatever
    /// their case, accents, punctuation, word order and usual abbreviations. Nothing is
    /// written. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn compare_with_external_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The country and the CSV.")] input: CompareWithExternalListInput,
    ) -> Result<ExternalListComparison, ApiError> {
        let code = match CountryCode::parse(&input.country_code) {
            Ok(code) => code,
            Err(error) => {
                let error = crate::mutation::UserError::new(
                    &["countryCode"],
                    crate::mutation::UserErrorCode::Invalid,
                    error.0,
                );
                return Ok(ExternalListComparison {
                    user_errors: vec![error],
                    ..Default::default()
                });
            }
        };
        let result = super::external::compare(context::db(ctx)?, &code, &input.csv).await;
        let (comparison, user_errors) = crate::mutation::into_payload(result)?;
        let Some(comparison) = comparison else {
            return Ok(ExternalListComparison {
                user_errors,
                ..Default::default()
            });
        };
        Ok(ExternalListComparison {
            matched: comparison
                .matched
                .into_iter()
                .map(|(entry, fiche)| ExternalMatch {
                    entry: entry.into(),
                    cooperation: Cooperation::from(fiche),
                })
                .collect(),
            only_in_directory: comparison
                .only_in_directory
                .into_iter()
                .map(Cooperation::from)
                .collect(),
            only_in_list: comparison
                .only_in_list
                .into_iter()
                .map(Into::into)
                .collect(),
            possible_matches: comparison
                .possible
                .into_iter()
                .map(|(entry, fiche, score)| PossibleMatch {
                    entry: entry.into(),
                    cooperation: Cooperation::from(fiche),
                    score,
                })
                .collect(),
            user_errors,
        })
    }
}

/// An entry of an external list to create as a fiche.
#[derive(InputObject)]
pub struct ExternalEntryInput {
    /// The French authority's name; an existing authority of that name is used, else one is
    /// created.
    pub french_authority: String,
    /// The foreign authority's name, resolved the same way in the partner country.
    pub foreign_authority: String,
    /// The status; ONGOING when omitted.
    pub status: Option<CooperationStatus>,
    /// The title; "French – foreign" when omitted.
    pub title: Option<String>,
}

/// Entries of the embassy's list to create as fiches.
#[derive(InputObject)]
pub struct ImportExternalEntriesInput {
    /// The partner country.
    pub country_code: String,
    /// The entries, at most 500.
    pub rows: Vec<ExternalEntryInput>,
}

/// The result of `importExternalEntries`.
#[derive(SimpleObject, Default)]
pub struct ImportExternalEntriesPayload {
    /// The new fiches, PREFILLED, from the EMBASSY source; empty when there are user errors.
    pub cooperations: Vec<Cooperation>,
    /// What is wrong with the input; nothing was written.
    pub user_errors: Vec<crate::mutation::UserError>,
}

/// The import mutation.
#[derive(Default)]
pub struct ExternalListMutation;

#[Object]
impl ExternalListMutation {
    /// Creates entries of the embassy's list as PREFILLED fiches (source EMBASSY), resolving or
    /// creating their authorities, all in one transaction. CUF staff only.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn import_external_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The country and the entries.")] input: ImportExternalEntriesInput,
    ) -> Result<ImportExternalEntriesPayload, ApiError> {
        let mut errors = InputErrors::default();
        let code = errors.check(&["countryCode"], CountryCode::parse(&input.country_code));
        if input.rows.is_empty() || input.rows.len() > 500 {
            errors.push(crate::mutation::UserError::new(
                &["rows"],
                crate::mutation::UserErrorCode::Invalid,
                "give between 1 and 500 rows",
            ));
        }
        let entries: Vec<super::external::ExternalEntry> = input
            .rows
            .into_iter()
            .enumerate()
            .map(|(position, row)| super::external::ExternalEntry {
                line: position,
                french_authority: row.french_authority,
                foreign_authority: row.foreign_authority,
                status: row.status,
                title: row.title,
            })
            .collect();
        let result = match errors.finish(|| code) {
            Ok(code) => {
                let (db, actor) = (context::db(ctx)?, context::actor(ctx));
                super::external::import(db, &actor, &code, entries).await
            }
            Err(rejection) => Err(rejection),
        };
        let (created, user_errors) = crate::mutation::into_payload(result)?;
        Ok(ImportExternalEntriesPayload {
            cooperations: created
                .unwrap_or_default()
                .into_iter()
                .map(Cooperation::from)
                .collect(),
            user_errors,
        })
    }
}
