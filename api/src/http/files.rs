//! `GET /files/{id}`: a document version's file, for callers who may read the document.
//! Always an attachment, with the type recognised at upload, `nosniff` and a sandboxing
//! content security policy, so that no file ever renders as a page of the API's origin.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use entities::{document, document_version};

use super::{AppState, identify_caller, json_error};
use crate::storage;

fn not_found() -> HttpResponse {
    json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no file has this id")
}

fn unavailable() -> HttpResponse {
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "the service is temporarily unavailable, retry later",
    )
}

/// `filename*` (RFC 6266, RFC 8187) with an ASCII fallback.
fn disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\'))
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /files/{id}`.
pub async fn download(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return not_found();
    };
    let caller = match identify_caller(&request, &state).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let version = match storage::find::<document_version::Entity>(&state.db, id).await {
        Ok(Some(version)) => version,
        Ok(None) => return not_found(),
        Err(_) => return unavailable(),
    };
    match storage::find::<document::Entity>(&state.db, version.document_id).await {
        // A file of a document the caller may not read does not exist for them.
        Ok(Some(document)) if crate::documents::may_read(&caller, &document) => {}
        Ok(_) => return not_found(),
        Err(_) => return unavailable(),
    }
    let content = match state.files.store.open(&version.sha256).await {
        Ok(Some(content)) => content,
        Ok(None) => {
            tracing::error!(sha256 = %version.sha256, "a stored file is missing");
            return not_found();
        }
        Err(error) => {
            tracing::error!(%error, "a stored file cannot be read");
            return unavailable();
        }
    };
    let etag = format!("\"{}\"", version.sha256);
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    if fresh {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, version.media_type.as_str()))
        .insert_header((header::CONTENT_DISPOSITION, disposition(&version.filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::ETAG, etag))
        .no_chunking(u64::try_from(version.size).unwrap_or_default())
        .streaming(content)
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn names_are_quoted_safely() {
        assert_eq!(
            disposition("Compte rendu 26 mars.pdf"),
            "attachment; filename=\"Compte rendu 26 mars.pdf\"; filename*=UTF-8''Compte%20rendu%2026%20mars.pdf"
        );
        assert!(disposition("réunion\".pdf").starts_with("attachment; filename=\"r_union.pdf\""));
    }
}
