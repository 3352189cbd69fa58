//! The GraphQL face of expertise: the `Expertise` object, the `expertise` connection,
//! `Authority.expertise`, and the create, update and delete mutations.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};
use entities::{cooperation, expertise};

use super::loaders::{CitedCooperationsLoader, ExpertiseByAuthorityLoader};
use super::{
    ExpertiseChanges, ExpertiseContent, ExpertiseFilter, ExpertiseOrdering, MAX_COOPERATIONS,
    MAX_LANGUAGES, MAX_SERVICES,
};
use crate::access::{EDITORS, RoleGuard};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::directory::Visibility;
use crate::directory::graphql::{Cooperation, Theme};
use crate::directory::loaders::ThemeLoader;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{
    InputErrors, Rejection, UserError, UserErrorCode, parse_change, parse_deletion, payload,
    respond,
};
use crate::pagination::{
    OrderDirection, PageArgs, PageRequest, SortValue, connection, wants_total_count,
};
use crate::people::graphql::Person;
use crate::people::loaders::PersonLoader;
use crate::storage::ByIdLoader;
use crate::values::{CountryCode, LanguageCode, LongText, Name, ValueError};

/// An authority's know-how on a theme, for the common offer of its country groups: what it
/// knows how to do, which of its services hold it, the cooperations that show it, whom to
/// contact and in which languages.
#[derive(Clone, Debug)]
pub struct Expertise(pub expertise::Model);

impl From<expertise::Model> for Expertise {
    fn from(model: expertise::Model) -> Self {
        Self(model)
    }
}

/// An authority's know-how on a theme, for the common offer of its country groups: what it
/// knows how to do, which of its services hold it, the cooperations that show it, whom to
/// contact and in which languages.
#[Object]
impl Expertise {
    /// The global id of this entry.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Expertise, self.0.id)
    }

    /// The French authority that holds the know-how.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let authority = context::loader::<AuthorityLoader>(ctx)?
            .load_one(self.0.authority_id)
            .await?;
        Ok(authority.map(Authority::from))
    }

    /// The theme of CUF's taxonomy the know-how belongs to.
    async fn theme(&self, ctx: &Context<'_>) -> Result<Option<Theme>, ApiError> {
        let theme = context::loader::<ThemeLoader>(ctx)?
            .load_one(self.0.theme_id)
            .await?;
        Ok(theme.map(Theme::from))
    }

    /// A short title, e.g. "Gestion de l'eau et assainissement".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the authority knows how to do, and how it has done it.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The services or departments that hold the know-how, in the order given.
    async fn services(&self) -> Vec<&str> {
        super::services_of(&self.0)
    }

    /// The languages the contact and services speak, as ISO 639-1 codes (`fr`, `es`), in
    /// alphabetical order.
    async fn languages(&self) -> Vec<&str> {
        super::languages_of(&self.0)
    }

    /// Whom to contact; their e-mail and telephone follow `Person`'s rules (null for
    /// anonymous callers and ministries). Null when nobody is named.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Person>, ApiError> {
        let Some(person_id) = self.0.contact_person_id else {
            return Ok(None);
        };
        let person = context::loader::<PersonLoader>(ctx)?
            .load_one(person_id)
            .await?;
        Ok(person.map(Person))
    }

    /// The directory fiches that show the know-how (the authority is a French partner of
    /// each), as the caller may see them: validated fiches for the public.
    async fn cooperations(&self, ctx: &Context<'_>) -> Result<Vec<Cooperation>, ApiError> {
        cited_cooperations(ctx, self.0.id).await
    }

    /// The version of this record, incremented by every change; send it back with an update.
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

/// The fiches the entry `id` cites that the caller may see, by id.
async fn cited_cooperations(ctx: &Context<'_>, id: i64) -> Result<Vec<Cooperation>, ApiError> {
    let links = context::loader::<CitedCooperationsLoader>(ctx)?
        .load_one(id)
        .await?
        .unwrap_or_default();
    let fiches = context::loader::<ByIdLoader<cooperation::Entity>>(ctx)?
        .load_many(links.iter().map(|link| link.cooperation_id))
        .await?;
    let caller = context::caller(ctx);
    let mut visible = Vec::new();
    for link in &links {
        if let Some(fiche) = fiches.get(&link.cooperation_id)
            && crate::node::may_see_cooperation(ctx, caller, fiche).await?
        {
            visible.push(Cooperation::from(fiche.clone()));
        }
    }
    Ok(visible)
}

/// The entries of the authority `authority_id`, by title: `Authority.expertise`.
pub async fn expertise_of(
    ctx: &Context<'_>,
    authority_id: i64,
) -> Result<Vec<Expertise>, ApiError> {
    let rows = context::loader::<ExpertiseByAuthorityLoader>(ctx)?
        .load_one(authority_id)
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().map(Expertise).collect())
}

connection!(
    ExpertiseConnection,
    ExpertiseEdge,
    Expertise,
    "A page of expertise entries, as a Relay cursor connection.",
    "An expertise entry in a page, with its cursor."
);

/// Conditions on the expertise entries to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct ExpertiseFilterInput {
    /// Only entries on one of these themes.
    pub theme_ids: Option<Vec<ID>>,
    /// Only entries shown by a cooperation with this partner country (ISO 3166-1 alpha-2),
    /// among the fiches the caller may see.
    pub country_code: Option<String>,
    /// Only entries of this authority.
    pub authority_id: Option<ID>,
    /// Words that must all appear in the title, description, services or the authority's
    /// name, ignoring case and accents: "assainissement eau" finds "Eau et
    /// assainissement".
    pub search: Option<String>,
}

impl ExpertiseFilterInput {
    fn parse(self) -> Result<ExpertiseFilter, ApiError> {
        let bad = |field: &str, message: String| {
            ApiError::BadUserInput(format!("filter.{field}: {message}"))
        };
        Ok(ExpertiseFilter {
            themes: self
                .theme_ids
                .unwrap_or_default()
                .iter()
                .map(|id| ids::decode_as(id, NodeKind::Theme))
                .collect::<Result<_, _>>()
                .map_err(|error| bad("themeIds", error.to_string()))?,
            country_code: self
                .country_code
                .map(|code| CountryCode::parse(&code))
                .transpose()
                .map_err(|error| bad("countryCode", error.0))?,
            authority_id: self
                .authority_id
                .map(|id| ids::decode_as(&id, NodeKind::Authority))
                .transpose()
                .map_err(|error| bad("authorityId", error.to_string()))?,
            search: crate::text::search_words(self.search.as_deref().unwrap_or_default())
                .map_err(|error| bad("search", error))?,
        })
    }
}

/// What expertise entries can be ordered by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ExpertiseOrderField {
    /// The title, ignoring case and accents.
    #[default]
    Title,
    /// The creation time.
    CreatedAt,
    /// The time of the last change.
    UpdatedAt,
}

/// An ordering of expertise entries; ties are broken by creation order.
#[derive(InputObject, Default)]
pub struct ExpertiseOrder {
    /// What to order by.
    pub field: ExpertiseOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl ExpertiseOrder {
    fn ordering(&self) -> ExpertiseOrdering {
        use expertise::Column::{CreatedAt, SortKey, UpdatedAt};
        match self.field {
            ExpertiseOrderField::Title => {
                ExpertiseOrdering::new("TITLE", SortKey, self.direction, |row| {
                    SortValue::Text(row.sort_key.clone())
                })
            }
            ExpertiseOrderField::CreatedAt => {
                ExpertiseOrdering::new("CREATED_AT", CreatedAt, self.direction, |row| {
                    SortValue::Time(row.created_at)
                })
            }
            ExpertiseOrderField::UpdatedAt => {
                ExpertiseOrdering::new("UPDATED_AT", UpdatedAt, self.direction, |row| {
                    SortValue::Time(row.updated_at)
                })
            }
        }
    }
}

/// The expertise queries.
#[derive(Default)]
pub struct ExpertiseQuery;

#[Object]
impl ExpertiseQuery {
    /// Which French authorities know how to do what: the expertise entries that match
    /// `filter`, in `orderBy` order (by title by default), a page at a time, each with the
    /// cooperations behind it. Public, like the authorities.
    #[allow(clippy::too_many_arguments)]
    async fn expertise(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many entries from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many entries from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which entries to list.")] filter: Option<ExpertiseFilterInput>,
        #[graphql(desc = "How to order them.")] order_by: Option<ExpertiseOrder>,
    ) -> Result<ExpertiseConnection, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        let ordering = order_by.unwrap_or_default().ordering();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = PageRequest::parse(args, &ordering.tag())?;
        let visibility = Visibility::of(context::caller(ctx));
        let (rows, total) = super::list_expertise(
            context::db(ctx)?,
            visibility,
            &filter,
            &ordering,
            &page,
            wants_total_count(ctx),
        )
        .await?;
        Ok(ExpertiseConnection::new(rows.map(Expertise), total))
    }
}

/// Parses a list input of at most `max` items, each with `parse`, recording every error
/// under `field` and the item's position.
fn parse_list<T>(
    errors: &mut InputErrors,
    field: &str,
    items: &[String],
    max: usize,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<Vec<T>> {
    if items.len() > max {
        errors.push(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("at most {max} items"),
        ));
        return None;
    }
    let parsed: Vec<Option<T>> = items
        .iter()
        .enumerate()
        .map(|(position, item)| errors.check(&[field, &position.to_string()], parse(item)))
        .collect();
    parsed.into_iter().collect()
}

/// Parses the global ids of `kind` of a list input of at most `max` items.
pub(crate) fn parse_ids(
    errors: &mut InputErrors,
    field: &str,
    items: &[ID],
    max: usize,
    kind: NodeKind,
) -> Option<Vec<i64>> {
    let texts: Vec<String> = items.iter().map(|id| id.to_string()).collect();
    parse_list(errors, field, &texts, max, |id| {
        ids::decode_as(id, kind).map_err(|error| ValueError(error.to_string()))
    })
}

fn required_description(text: &str) -> Result<LongText, ValueError> {
    LongText::parse(text)?.ok_or_else(|| ValueError("must not be empty".into()))
}

/// A new expertise entry.
#[derive(InputObject)]
pub struct CreateExpertiseInput {
    /// The French authority that holds the know-how: a member's own; any for CUF staff.
    pub authority_id: ID,
    /// The theme of CUF's taxonomy.
    pub theme_id: ID,
    /// A short title, at most 200 characters.
    pub title: String,
    /// What the authority knows how to do; required, at most 10,000 characters.
    pub description: String,
    /// The services or departments that hold it, at most 10, each at most 200 characters.
    pub services: Option<Vec<String>>,
    /// The languages spoken, as ISO 639-1 codes (`fr`, `es`), at most 10.
    pub languages: Option<Vec<String>>,
    /// The person to contact.
    pub contact_person_id: Option<ID>,
    /// Directory fiches that show the know-how, at most 20: each must have the authority
    /// among its French partners.
    pub cooperation_ids: Option<Vec<ID>>,
}

impl CreateExpertiseInput {
    fn parse(self) -> Result<(i64, ExpertiseContent), Rejection> {
        let mut errors = InputErrors::default();
        let authority_id = errors.id(&["authorityId"], &self.authority_id, NodeKind::Authority);
        let theme_id = errors.id(&["themeId"], &self.theme_id, NodeKind::Theme);
        let title = errors.check(&["title"], Name::parse(&self.title));
        let description = errors.check(&["description"], required_description(&self.description));
        let services = self.services.unwrap_or_default();
        let services = parse_list(
            &mut errors,
            "services",
            &services,
            MAX_SERVICES,
            Name::parse,
        );
        let languages = self.languages.unwrap_or_default();
        let languages = parse_list(
            &mut errors,
            "languages",
            &languages,
            MAX_LANGUAGES,
            LanguageCode::parse,
        );
        let contact = self
            .contact_person_id
            .map(|id| errors.id(&["contactPersonId"], &id, NodeKind::Person));
        let cooperation_ids = self.cooperation_ids.unwrap_or_default();
        let cooperation_ids = parse_ids(
            &mut errors,
            "cooperationIds",
            &cooperation_ids,
            MAX_COOPERATIONS,
            NodeKind::Cooperation,
        );
        errors.finish(|| {
            let content = ExpertiseContent {
                theme_id: theme_id?,
                title: title?,
                description: description?,
                services: services?,
                languages: languages?,
                contact_person_id: contact.map(|id| id.ok_or(())).transpose().ok()?,
                cooperation_ids: cooperation_ids?,
            };
            Some((authority_id?, content))
        })
    }
}

/// Changes to an expertise entry. Omitted fields are left as they are; lists given replace
/// the whole list; `contactPersonId` set to null clears it. The authority never changes.
#[derive(InputObject)]
pub struct UpdateExpertiseInput {
    /// The entry to change.
    pub id: ID,
    /// The version the client read; if the entry changed since, nothing is changed and a
    /// `CONFLICT` user error is returned.
    pub version: i32,
    /// A new theme.
    pub theme_id: Option<ID>,
    /// A new title.
    pub title: Option<String>,
    /// A new description (not blank).
    pub description: Option<String>,
    /// The services, replacing the current ones.
    pub services: Option<Vec<String>>,
    /// The languages, replacing the current ones.
    pub languages: Option<Vec<String>>,
    /// A new contact person, or null to name none.
    pub contact_person_id: MaybeUndefined<ID>,
    /// The cited fiches, replacing the current ones.
    pub cooperation_ids: Option<Vec<ID>>,
}

impl UpdateExpertiseInput {
    fn parse(self) -> Result<(i64, i32, ExpertiseChanges), Rejection> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &self.id, NodeKind::Expertise);
        let changes = ExpertiseChanges {
            theme_id: self
                .theme_id
                .and_then(|theme| errors.id(&["themeId"], &theme, NodeKind::Theme)),
            title: self
                .title
                .and_then(|title| errors.check(&["title"], Name::parse(&title))),
            description: self
                .description
                .and_then(|text| errors.check(&["description"], required_description(&text))),
            services: self.services.and_then(|services| {
                parse_list(
                    &mut errors,
                    "services",
                    &services,
                    MAX_SERVICES,
                    Name::parse,
                )
            }),
            languages: self.languages.and_then(|languages| {
                parse_list(
                    &mut errors,
                    "languages",
                    &languages,
                    MAX_LANGUAGES,
                    LanguageCode::parse,
                )
            }),
            contact_person_id: parse_change(
                &mut errors,
                &["contactPersonId"],
                self.contact_person_id,
                |id| ids::decode_as(&id, NodeKind::Person).map_err(|e| ValueError(e.to_string())),
            ),
            cooperation_ids: self.cooperation_ids.and_then(|cooperation_ids| {
                parse_ids(
                    &mut errors,
                    "cooperationIds",
                    &cooperation_ids,
                    MAX_COOPERATIONS,
                    NodeKind::Cooperation,
                )
            }),
        };
        let version = self.version;
        errors.finish(|| Some((id?, version, changes)))
    }
}

/// Which expertise entry to delete.
#[derive(InputObject)]
pub struct DeleteExpertiseInput {
    /// The entry to delete.
    pub id: ID,
    /// The version the client read; if the entry changed since, nothing is deleted.
    pub version: i32,
}

payload!(
    CreateExpertisePayload,
    expertise: Expertise,
    "The result of `createExpertise`.",
    "The new entry; null when there are user errors."
);
payload!(
    UpdateExpertisePayload,
    expertise: Expertise,
    "The result of `updateExpertise`.",
    "The entry as changed; null when there are user errors."
);
payload!(
    DeleteExpertisePayload,
    deleted_id: ID,
    "The result of `deleteExpertise`.",
    "The id of the deleted entry; null when there are user errors."
);

/// The expertise mutations.
#[derive(Default)]
pub struct ExpertiseMutation;

#[Object]
impl ExpertiseMutation {
    /// Records an authority's know-how on a theme: a member for its own authority
    /// (`FORBIDDEN` for another), CUF staff and administrators for any French authority.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn create_expertise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new entry.")] input: CreateExpertiseInput,
    ) -> Result<CreateExpertisePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(authority_id, content)| async move {
            super::create_expertise(db, &actor, authority_id, content).await
        })
        .await
    }

    /// Changes an expertise entry, provided nobody changed it since the client read
    /// `version`: a member its own authority's entries, CUF staff and administrators any.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn update_expertise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry, its version and the changes.")] input: UpdateExpertiseInput,
    ) -> Result<UpdateExpertisePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(id, version, changes)| async move {
            super::update_expertise(db, &actor, id, version, changes).await
        })
        .await
    }

    /// Deletes an expertise entry at the version the client read: a member its own
    /// authority's entries, CUF staff and administrators any.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn delete_expertise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry and its version.")] input: DeleteExpertiseInput,
    ) -> Result<DeleteExpertisePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let parsed = parse_deletion(&input.id, input.version, NodeKind::Expertise);
        respond(parsed, |(id, version)| async move {
            super::delete_expertise(db, &actor, id, version).await?;
            Ok(ids::encode(NodeKind::Expertise, id))
        })
        .await
    }
}
