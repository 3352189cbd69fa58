//! The `Node` interface and the `node` and `nodes` root fields: any object by its global id.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Interface, Object};

use entities::{api_key, cooperation, event, programme};

use crate::events::graphql::Event;
use crate::events::{EventVisibility, may_see_members_events};
use crate::expertise::graphql::Expertise;
use crate::expertise::loaders::{ExpertiseLoader, RecommendationLoader};
use crate::expertise::vetting::may_see_vetting;
use crate::expertise::vetting_graphql::ConsultantRecommendation;
use crate::groups::graphql::{CountryGroup, CountryGroupLoader};
use crate::programmes::graphql::Programme;

use crate::access::api_key_graphql::ApiKey;
use crate::access::graphql::{User, UserLoader};
use crate::access::{Caller, Role};
use crate::audit::graphql::{AuditEntry, AuditEntryLoader};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::directory::graphql::{Cooperation, Theme};
use crate::directory::loaders::{PartnersLoader, ThemeLoader};
use crate::directory::{PartnerSide, ValidationState, Visibility};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::people::graphql::Person;
use crate::people::loaders::PersonLoader;
use crate::storage::ByIdLoader;

/// The most ids `nodes` accepts at once.
pub const MAX_NODES: usize = 100;

/// An object with a global id, which `node(id:)` fetches again.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The global, opaque and stable id of the object."
))]
pub enum Node {
    Authority(Authority),
    Organisation(Organisation),
    Person(Person),
    User(User),
    ApiKey(ApiKey),
    AuditEntry(AuditEntry),
    Cooperation(Cooperation),
    Theme(Theme),
    CountryGroup(CountryGroup),
    Event(Event),
    Programme(Programme),
    Document(crate::documents::graphql::Document),
    Expertise(Expertise),
    ConsultantRecommendation(ConsultantRecommendation),
}

async fn load(ctx: &Context<'_>, kind: NodeKind, id: i64) -> Result<Option<Node>, ApiError> {
    let caller = context::caller(ctx);
    Ok(match kind {
        NodeKind::Authority => load_with(context::loader::<AuthorityLoader>(ctx)?, id)
            .await?
            .map(|model| Node::Authority(Authority::from(model))),
        NodeKind::Organisation => load_with(context::loader::<OrganisationLoader>(ctx)?, id)
            .await?
            .map(|model| Node::Organisation(Organisation(model))),
        NodeKind::Person => load_with(context::loader::<PersonLoader>(ctx)?, id)
            .await?
            .map(|model| Node::Person(Person(model))),
        // Users are visible to administrators and to themselves; keys and the audit log to
        // administrators. Hidden rows read as missing ones.
        NodeKind::User if caller.role() == Some(Role::Admin) || caller.user_id() == Some(id) => {
            load_with(context::loader::<UserLoader>(ctx)?, id)
                .await?
                .map(|model| Node::User(User(model)))
        }
        NodeKind::ApiKey if caller.role() == Some(Role::Admin) => {
            load_with(context::loader::<ByIdLoader<api_key::Entity>>(ctx)?, id)
                .await?
                .map(|model| Node::ApiKey(ApiKey(model)))
        }
        NodeKind::AuditEntry if caller.role() == Some(Role::Admin) => {
            load_with(context::loader::<AuditEntryLoader>(ctx)?, id)
                .await?
                .map(|model| Node::AuditEntry(AuditEntry(model)))
        }
        NodeKind::User | NodeKind::ApiKey | NodeKind::AuditEntry => None,
        // A fiche the caller may not see reads as a missing one.
        NodeKind::Cooperation => {
            match load_with(context::loader::<ByIdLoader<cooperation::Entity>>(ctx)?, id).await? {
                Some(model) if may_see_cooperation(ctx, caller, &model).await? => {
                    Some(Node::Cooperation(Cooperation::from(model)))
                }
                _ => None,
            }
        }
        NodeKind::Theme => load_with(context::loader::<ThemeLoader>(ctx)?, id)
            .await?
            .map(|model| Node::Theme(Theme::from(model))),
        NodeKind::CountryGroup => load_with(context::loader::<CountryGroupLoader>(ctx)?, id)
            .await?
            .map(|model| Node::CountryGroup(CountryGroup(model))),
        // A members-only event reads as missing to those who may not see it.
        NodeKind::Event => load_with(context::loader::<ByIdLoader<event::Entity>>(ctx)?, id)
            .await?
            .filter(|model| {
                model.visibility == EventVisibility::Public.as_str()
                    || may_see_members_events(caller)
            })
            .map(|model| Node::Event(Event(model))),
        // Programmes are for signed-in callers.
        NodeKind::Programme if caller.role().is_some() => {
            load_with(context::loader::<ByIdLoader<programme::Entity>>(ctx)?, id)
                .await?
                .map(|model| Node::Programme(Programme(model)))
        }
        NodeKind::Programme => None,
        // A document the caller may not read reads as a missing one.
        NodeKind::Document => load_with(
            context::loader::<ByIdLoader<entities::document::Entity>>(ctx)?,
            id,
        )
        .await?
        .filter(|model| crate::documents::may_read(caller, model))
        .map(|model| Node::Document(crate::documents::graphql::Document(model))),
        NodeKind::Expertise => load_with(context::loader::<ExpertiseLoader>(ctx)?, id)
            .await?
            .map(|model| Node::Expertise(Expertise(model))),
        // Vetting is for members and CUF: hidden from anyone else.
        NodeKind::ConsultantRecommendation if may_see_vetting(caller) => {
            load_with(context::loader::<RecommendationLoader>(ctx)?, id)
                .await?
                .map(|model| Node::ConsultantRecommendation(ConsultantRecommendation(model)))
        }
        NodeKind::ConsultantRecommendation => None,
    })
}

/// Whether `caller` may see the fiche `model`: the rule of
/// [`crate::directory::queries::visible`], checked on a loaded row (its partners through their
/// DataLoader) so that many nodes cost one statement per table.
pub(crate) async fn may_see_cooperation(
    ctx: &Context<'_>,
    caller: &Caller,
    model: &cooperation::Model,
) -> Result<bool, ApiError> {
    match Visibility::of(caller) {
        Visibility::All => Ok(true),
        Visibility::ValidatedAnd(_)
            if model.validation_state == ValidationState::Validated.as_str() =>
        {
            Ok(true)
        }
        Visibility::ValidatedAnd(None) => Ok(false),
        Visibility::ValidatedAnd(Some(authority_id)) => {
            let partners = context::loader::<PartnersLoader>(ctx)?
                .load_one(model.id)
                .await?;
            Ok(partners
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|partner| {
                    partner.authority.id == authority_id
                        && partner.side == PartnerSide::French.as_str()
                }))
        }
    }
}

async fn load_with<L>(loader: &DataLoader<L>, id: i64) -> Result<Option<L::Value>, ApiError>
where
    L: async_graphql::dataloader::Loader<i64, Error = std::sync::Arc<sea_orm::DbErr>>,
{
    Ok(loader.load_one(id).await?)
}

/// The root fields that fetch objects by global id.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id; null if there is none. A malformed id is
    /// `BAD_USER_INPUT`.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as read from an object's `id`.")] id: ID,
    ) -> Result<Option<Node>, ApiError> {
        let (kind, row_id) =
            ids::decode(&id).map_err(|error| ApiError::BadUserInput(format!("`id` {error}")))?;
        load(ctx, kind, row_id).await
    }

    /// The objects with these global ids (at most 100), in the order asked, with null where
    /// there is none. Any malformed id is `BAD_USER_INPUT`.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, as read from objects' `id`.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>, ApiError> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::BadUserInput(format!(
                "`ids` may hold at most {MAX_NODES} ids"
            )));
        }
        let decoded = ids
            .iter()
            .enumerate()
            .map(|(position, id)| {
                ids::decode(id)
                    .map_err(|error| ApiError::BadUserInput(format!("`ids[{position}]` {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let loads = decoded
            .into_iter()
            .map(|(kind, row_id)| load(ctx, kind, row_id));
        futures_util::future::try_join_all(loads).await
    }
}
