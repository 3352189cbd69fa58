//! What every file export (`/export/…`) shares: the answer when it cannot start, its validator
//! (`ETag`, `Last-Modified`) and `304 Not Modified` for conditional requests, and the body
//! streamed a page at a time. Nothing here knows a domain.

use std::future::Future;
use std::time::SystemTime;

use actix_web::HttpResponseBuilder;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, EntityTag, Header, HttpDate, IfModifiedSince, IfNoneMatch, LastModified,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt, stream};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::json_error;
use crate::storage::Freshness;

/// The answer when an export cannot start: 400 for a bad parameter, 401 and 403 for a caller
/// who may not read it, 404 for nothing to export, 503 while the database cannot be reached,
/// 504 when a statement ran too long, 500 (its cause logged) for anything else.
pub fn failure(error: &ApiError, export: &str) -> HttpResponse {
    let status = match error {
        ApiError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Timeout => StatusCode::GATEWAY_TIMEOUT,
        ApiError::BadUserInput(_) => StatusCode::BAD_REQUEST,
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => {
            tracing::error!(?error, export, "export failed");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    json_error(status, error.code(), &error.to_string())
}

/// An export's validator, computed from what the export would read (how many rows and when
/// they last changed) rather than from the export itself, so that checking it is cheap.
#[derive(Debug, Clone)]
pub struct Validator {
    tag: EntityTag,
    last_modified: Option<DateTime<Utc>>,
}

impl Validator {
    /// The validator of `export` for a caller of visibility `class` with the query `params`,
    /// over the rows described by `parts`; `removed` is the latest moment a row may have
    /// left them (a deletion), which their own `updated_at` cannot show. The tag is weak:
    /// two answers with one tag hold the same data, not necessarily the same bytes.
    pub fn new(
        export: &str,
        class: &str,
        params: &str,
        parts: &[Freshness],
        removed: Option<DateTime<Utc>>,
    ) -> Self {
        let mut hasher = Sha256::new();
        for text in [export, class, params] {
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        let mut last_modified = removed;
        for part in parts {
            let last = part.last.map(|last| last.timestamp_micros());
            hasher.update(format!("{}:{last:?}", part.count).as_bytes());
            hasher.update([0]);
            last_modified = part.latest(last_modified);
        }
        let digest = hasher.finalize();
        let hex: String = digest
            .iter()
            .take(16)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self {
            tag: EntityTag::new_weak(hex),
            last_modified,
        }
    }

    /// Whether the client's copy is current (RFC 9110, section 13.2.2): `If-None-Match`
    /// decides when present (weak comparison); otherwise `If-Modified-Since`, to the second.
    pub fn is_fresh(&self, request: &HttpRequest) -> bool {
        if request.headers().contains_key(header::IF_NONE_MATCH) {
            return match IfNoneMatch::parse(request) {
                Ok(IfNoneMatch::Any) => true,
                Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&self.tag)),
                Err(_) => false,
            };
        }
        let (Some(last), Ok(IfModifiedSince(since))) =
            (self.last_modified, IfModifiedSince::parse(request))
        else {
            return false;
        };
        let since = DateTime::<Utc>::from(SystemTime::from(since));
        last.timestamp() <= since.timestamp()
    }

    /// Adds the validator and the caching rules to a response: private (it depends on the
    /// caller), to be revalidated at every use.
    pub fn apply(&self, response: &mut HttpResponseBuilder) {
        response
            .insert_header(header::ETag(self.tag.clone()))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .insert_header((header::VARY, "authorization, x-api-key"));
        if let Some(last) = self.last_modified {
            response.insert_header(LastModified(HttpDate::from(SystemTime::from(last))));
        }
    }

    /// `304 Not Modified`, with the validator.
    pub fn not_modified(&self) -> HttpResponse {
        let mut response = HttpResponse::NotModified();
        self.apply(&mut response);
        response.finish()
    }
}

/// An export's body after its first page: the following chunks, `None` after the last.
pub trait Pages: 'static {
    /// The next chunk.
    fn next_page(&mut self) -> impl Future<Output = Result<Option<Bytes>, ApiError>>;
}

/// The body of an export: `head` (read before answering, so that a failure to start is a
/// clear status), then the chunks of `pages`. A failure once the response has started can
/// only cut it short; its cause is logged.
pub fn body<P: Pages>(
    head: Bytes,
    pages: P,
    export: &'static str,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> + 'static {
    let rest = stream::unfold(Some(pages), move |pages| async move {
        let mut pages = pages?;
        match pages.next_page().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(pages))),
            Ok(None) => None,
            Err(error) => {
                tracing::error!(?error, export, "export failed");
                let error = actix_web::error::ErrorInternalServerError("export failed");
                Some((Err(error), None))
            }
        }
    });
    stream::once(async move { Ok(head) }).chain(rest)
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::test::TestRequest;
    use chrono::TimeZone;
    use sea_orm::DbErr;

    use super::*;

    #[test]
    fn an_export_that_cannot_start_answers_with_the_status_of_its_cause() {
        let unavailable = ApiError::ServiceUnavailable(DbErr::Custom("gone".into()));
        let status = |error: &ApiError| failure(error, "test").status();
        assert_eq!(status(&unavailable), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(&ApiError::Timeout), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(status(&ApiError::Unauthenticated), StatusCode::UNAUTHORIZED);
        assert_eq!(
            status(&ApiError::internal("a bug")),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    fn validator(count: i64, class: &str) -> Validator {
        let last = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single();
        Validator::new("test", class, "", &[Freshness { count, last }], None)
    }

    #[test]
    fn the_tag_follows_the_rows_and_the_callers_class() {
        assert_eq!(validator(3, "public").tag, validator(3, "public").tag);
        assert_ne!(validator(3, "public").tag, validator(4, "public").tag);
        assert_ne!(validator(3, "public").tag, validator(3, "all").tag);
    }

    #[test]
    fn if_none_match_decides_before_if_modified_since() {
        let current = validator(3, "public");
        let tag = current.tag.to_string();
        let fresh = |request: TestRequest| current.is_fresh(&request.to_http_request());
        assert!(fresh(
            TestRequest::get().insert_header(("if-none-match", tag.as_str()))
        ));
        assert!(fresh(
            TestRequest::get().insert_header(("if-none-match", "*"))
        ));
        let listed = format!("\"other\", {tag}");
        assert!(fresh(
            TestRequest::get().insert_header(("if-none-match", listed.as_str()))
        ));
        assert!(!fresh(
            TestRequest::get().insert_header(("if-none-match", "W/\"other\""))
        ));
        let later = "Wed, 01 May 2024 12:00:00 GMT";
        let earlier = "Wed, 01 May 2024 11:59:59 GMT";
        assert!(fresh(
            TestRequest::get().insert_header(("if-modified-since", later))
        ));
        assert!(!fresh(
            TestRequest::get().insert_header(("if-modified-since", earlier))
        ));
        assert!(!fresh(
            TestRequest::get()
                .insert_header(("if-modified-since", later))
                .insert_header(("if-none-match", "W/\"other\""))
        ));
        assert!(!fresh(TestRequest::get()));
    }
}
