//! The HTTP edge: routes, the request-id middleware, the GraphQL-over-HTTP handler, the
//! offline playground and the health probes. Nothing here knows a domain.

pub mod admission;
mod documents;
pub mod exports;
mod files;
mod graphql;
mod health;
mod metrics;
mod negotiation;
mod persisted;
mod playground;
pub mod rate_limit;
mod request_id;
mod ws;

use actix_web::web;
use sea_orm::DatabaseConnection;

use crate::schema::AppSchema;

pub use graphql::{identify_caller, json_error};
pub use request_id::{RequestId, request_id};

/// What every handler shares.
pub struct AppState {
    pub schema: AppSchema,
    /// The same schema without the full validation, for documents that passed it already
    /// and whose outcome could not change (`documents.rs`).
    pub prevalidated: AppSchema,
    /// Signing keys and the password hasher, to identify callers.
    pub access: crate::access::Access,
    pub db: DatabaseConnection,
    /// The SDL served at `/schema.graphql`, computed once.
    pub sdl: String,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The schema's types and fields, to cost documents.
    pub shape: crate::limits::Shape,
    /// The limits documents are checked against.
    pub limits: crate::limits::Limits,
    /// The token buckets of callers.
    pub rate_limiter: rate_limit::RateLimiter,
    /// The figures `/metrics` exposes.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// The longest a GraphQL request may run.
    pub request_timeout: std::time::Duration,
    /// The bound on operations executing at once.
    pub admission: admission::Admission,
    /// Whether `GET /graphql` serves the playground.
    pub playground: bool,
    /// Whether the schema is public (introspection, `/schema.graphql`).
    pub introspection: bool,
    /// The changes subscriptions deliver.
    pub bus: crate::live::Bus,
    /// The origins browsers may call from (`*` for any), for the WebSocket's `Origin` check.
    pub origins: Vec<String>,
    /// How long a WebSocket may wait before its `connection_init`.
    pub ws_init_timeout: std::time::Duration,
    /// The documents of automatic persisted queries, by digest.
    pub persisted: persisted::PersistedQueries,
    /// Parsed documents by their text, so that a document sent again is not parsed again.
    pub documents: documents::ParsedDocuments,
    /// Where uploaded files are kept, and the largest one.
    pub files: crate::documents::graphql::FileStorage,
    /// CUF's IATI organisation identifier, for the IATI export.
    pub iati_reporting_org_ref: String,
}

/// Registers every route of the API.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/graphql", web::post().to(graphql::post))
        .route("/graphql", web::get().to(graphql::get))
        .route("/graphql", web::route().to(graphql::method_not_allowed))
        .route("/graphql/ws", web::get().to(ws::subscribe))
        .route("/graphql/assets/{file}", web::get().to(playground::asset))
        .route("/schema.graphql", web::get().to(health::schema))
        .route("/files/{id}", web::get().to(files::download))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route(
            "/calendar/{file}",
            web::get().to(crate::events::calendar::feed),
        )
        .route(
            "/export/cooperations.csv",
            web::get().to(crate::directory::export::cooperations_csv),
        )
        .route(
            "/export/iati/{file}",
            web::get().to(crate::opendata::iati::activities_xml),
        )
        .route(
            "/export/offer/{file}",
            web::get().to(crate::expertise::offer::offer_csv),
        )
        .route(
            "/export/aid-summary.csv",
            web::get().to(crate::opendata::aid_summary::aid_summary_csv),
        );
}
