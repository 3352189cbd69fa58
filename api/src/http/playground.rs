//! The GraphiQL playground, served entirely by the API: the page and every script and style
//! sheet it loads are compiled into the binary, so it works with no internet access, and its
//! Content-Security-Policy forbids it to reach any other origin.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::AppState;

const PAGE: &str = include_str!("../../assets/playground.html");

/// The vendored assets, by file name: (content, content type).
const ASSETS: [(&str, &[u8], &str); 5] = [
    (
        "graphiql.min.js",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "graphiql.min.css",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
        "text/css; charset=utf-8",
    ),
    (
        "react.production.min.js",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "react-dom.production.min.js",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "playground.js",
        include_bytes!("../../assets/playground.js"),
        "text/javascript; charset=utf-8",
    ),
];

/// Scripts and styles from this origin only; requests to this origin only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The playground page.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// One of the playground's assets; 404 for any other name.
pub async fn asset(file: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    if !state.playground {
        return HttpResponse::NotFound().finish();
    }
    match ASSETS.iter().find(|(name, _, _)| *name == file.as_str()) {
        Some((_, content, content_type)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(*content),
        None => HttpResponse::NotFound().finish(),
    }
}
