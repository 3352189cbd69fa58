//! The GraphQL schema: the root `Query` and `Mutation` merged from every domain, the
//! DataLoaders, the extensions and the limits. Built without a database for `export-schema`.

use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use entities::api_key;

use crate::access::Access;
use crate::access::api_key_graphql::{ApiKeyMutation, ApiKeyQuery};
use crate::access::graphql::{AccessMutation, AccessQuery, UserLoader};
use crate::access::sign_in::SignInMutation;
use crate::audit::graphql::{AuditEntryLoader, AuditQuery};
use crate::authorities::graphql::{AuthorityMutation, AuthorityQuery};
use crate::authorities::loaders::AuthorityLoader;
use crate::directory::graphql::{
    DirectoryMutation, DirectoryQuery, ExternalListMutation, ExternalListQuery, ReminderInterval,
    ReminderMutation,
};
use crate::directory::loaders::{PartnersLoader, ThemeLoader, ThemesLoader};
use crate::documents::graphql::{DocumentMutation, DocumentQuery, FileStorage};
use crate::events::calendar::CalendarMutation;
use crate::events::graphql::{
    AgendaLoader, DecisionsLoader, EventMutation, EventQuery, FollowUpsLoader, ParticipantsLoader,
};
use crate::expertise::graphql::{ExpertiseMutation, ExpertiseQuery};
use crate::expertise::loaders::{
    CitedCooperationsLoader, ExpertiseByAuthorityLoader, ExpertiseLoader, RecommendationLoader,
    RecommendationThemesLoader, RecommendationsLoader,
};
use crate::expertise::vetting_graphql::VettingMutation;
use crate::groups::MembershipsLoader;
use crate::groups::graphql::{CountryGroupLoader, GroupMutation, GroupQuery};
use crate::live::Bus;
use crate::live::graphql::SubscriptionRoot;
use crate::node::NodeQuery;
use crate::opendata::graphql::OpenDataQuery;
use crate::organisations::graphql::{OrganisationMutation, OrganisationQuery};
use crate::organisations::loaders::OrganisationLoader;
use crate::outbox::graphql::OutboxQuery;
use crate::people::graphql::{PersonMutation, PersonQuery};
use crate::people::loaders::{AffiliationsByPersonLoader, PersonLoader};
use crate::programmes::graphql::{
    ContributionsLoader, ProgrammeDetailsLoader, ProgrammeMutation, ProgrammeQuery,
    ProgrammesByGroupLoader,
};
use crate::storage::{ByIdLoader, ChildrenLoader};

/// Every query of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    AccessQuery,
    AuthorityQuery,
    OrganisationQuery,
    PersonQuery,
    ApiKeyQuery,
    AuditQuery,
    DirectoryQuery,
    ExternalListQuery,
    OutboxQuery,
    GroupQuery,
    EventQuery,
    ProgrammeQuery,
    OpenDataQuery,
    DocumentQuery,
    ExpertiseQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
pub struct Mutation(
    SignInMutation,
    AccessMutation,
    ApiKeyMutation,
    AuthorityMutation,
    OrganisationMutation,
    PersonMutation,
    DirectoryMutation,
    ReminderMutation,
    ExternalListMutation,
    GroupMutation,
    EventMutation,
    CalendarMutation,
    ProgrammeMutation,
    DocumentMutation,
    ExpertiseMutation,
    VettingMutation,
);

/// The executable schema.
pub type AppSchema = Schema<Query, Mutation, SubscriptionRoot>;

/// How long a DataLoader waits to gather keys into one batch, once the request's ready
/// resolvers have run (see [`crate::metrics::spawn_in_request`]): nothing more.
const LOADER_DELAY: Duration = Duration::ZERO;

/// What the schema answers beyond the API itself.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Answer introspection queries (`__schema`, `__type`).
    pub introspection: bool,
    /// Suggest field names in validation errors ("did you mean …").
    pub suggestions: bool,
    /// Run only the checks execution needs, not the full validation: for documents that
    /// passed it already, whose outcome could not change (see `http/documents.rs`).
    pub prevalidated: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            introspection: true,
            suggestions: true,
            prevalidated: false,
        }
    }
}

/// The document limits (depth, cost, aliases…) are checked by [`crate::limits`] before the
/// schema sees a request, so that each has its own error code.
fn builder(options: Options) -> SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    let mut builder = Schema::build(Query::default(), Mutation::default(), SubscriptionRoot);
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    if !options.suggestions {
        builder = builder.disable_suggestions();
    }
    if options.prevalidated {
        builder = builder.validation_mode(async_graphql::ValidationMode::Fast);
    }
    builder
}

fn loader<L>(loader: L) -> DataLoader<L>
where
    L: async_graphql::dataloader::Loader<i64>,
{
    DataLoader::new(loader, crate::metrics::spawn_in_request).delay(LOADER_DELAY)
}

/// Settings the domains read at run time.
#[derive(Debug, Clone, Copy)]
pub struct Tunables {
    /// The least time between two validation reminders to one authority.
    pub reminder_interval: chrono::Duration,
}

/// The schema serving `db`, signing in with `access`, its subscriptions fed by `bus`, its
/// uploads kept in `files`.
pub fn build(
    db: DatabaseConnection,
    access: Access,
    options: Options,
    tunables: Tunables,
    bus: Bus,
    files: FileStorage,
) -> AppSchema {
    builder(options)
        .data(access)
        .data(ReminderInterval(tunables.reminder_interval))
        .data(loader(UserLoader::new(db.clone())))
        .data(loader(ByIdLoader::<api_key::Entity>::new(db.clone())))
        .data(loader(AuditEntryLoader::new(db.clone())))
        .data(loader(ThemeLoader::new(db.clone())))
        .data(loader(PartnersLoader(db.clone())))
        .data(loader(ThemesLoader(db.clone())))
        .data(loader(CountryGroupLoader::new(db.clone())))
        .data(loader(ParticipantsLoader::new(db.clone())))
        .data(loader(AgendaLoader::new(db.clone())))
        .data(loader(DecisionsLoader::new(db.clone())))
        .data(loader(FollowUpsLoader::new(db.clone())))
        .data(loader(ProgrammeDetailsLoader(db.clone())))
        .data(loader(ByIdLoader::<entities::event::Entity>::new(
            db.clone(),
        )))
        .data(loader(ByIdLoader::<entities::cooperation::Entity>::new(
            db.clone(),
        )))
        .data(loader(ByIdLoader::<entities::programme::Entity>::new(
            db.clone(),
        )))
        .data(loader(AuthorityLoader::new(db.clone())))
        .data(loader(OrganisationLoader::new(db.clone())))
        .data(loader(PersonLoader::new(db.clone())))
        .data(loader(AffiliationsByPersonLoader(db.clone())))
        .data(loader(MembershipsLoader::new(db.clone())))
        .data(loader(ProgrammesByGroupLoader::new(db.clone())))
        .data(loader(ContributionsLoader(db.clone())))
        .data(loader(
            ChildrenLoader::<entities::programme_partner::Entity>::new(db.clone()),
        ))
        .data(loader(ChildrenLoader::<
            entities::programme_milestone::Entity,
        >::new(db.clone())))
        .data(loader(
            ChildrenLoader::<entities::api_key_operation::Entity>::new(db.clone()),
        ))
        .data(loader(
            ChildrenLoader::<entities::document_author::Entity>::new(db.clone()),
        ))
        .data(loader(
            ChildrenLoader::<entities::document_milestone::Entity>::new(db.clone()),
        ))
        .data(loader(
            ChildrenLoader::<entities::document_version::Entity>::new(db.clone()),
        ))
        .data(loader(ByIdLoader::<entities::document::Entity>::new(
            db.clone(),
        )))
        .data(files)
        .data(loader(ExpertiseLoader::new(db.clone())))
        .data(loader(ExpertiseByAuthorityLoader::new(db.clone())))
        .data(loader(CitedCooperationsLoader::new(db.clone())))
        .data(loader(RecommendationLoader::new(db.clone())))
        .data(loader(RecommendationsLoader::new(db.clone())))
        .data(loader(RecommendationThemesLoader::new(db.clone())))
        .data(db)
        .data(bus)
        .finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder(Options::default()).finish().sdl()
}
