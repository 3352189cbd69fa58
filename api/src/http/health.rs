//! Probes and the schema file: `/healthz` (the process answers), `/readyz` (the database
//! answers too), `/schema.graphql` (the SDL).

use std::time::Duration;

use actix_web::{HttpResponse, web};

use super::AppState;

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 while the process serves requests.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// 200 when the database answers within two seconds, 503 otherwise.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "database unavailable" }))
        }
        Err(_) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "database timeout" })),
    }
}

/// The schema in GraphQL SDL; 404 where introspection is off, as the SDL tells the same.
pub async fn schema(state: web::Data<AppState>) -> HttpResponse {
    if !state.introspection {
        return super::json_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "the schema is not published by this server",
        );
    }
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(state.sdl.clone())
}
