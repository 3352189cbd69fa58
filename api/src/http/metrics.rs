//! `GET /metrics`: the Prometheus text exposition of [`crate::metrics::Metrics`].

use actix_web::{HttpResponse, web};

use super::AppState;

/// The figures of this process.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .body(state.metrics.render(&state.db))
}
