//! GraphQL over HTTP, following the GraphQL Foundation's specification rather than the stock
//! adapter: `POST` takes `application/json` only (a `text/plain` body, which a browser sends
//! cross-origin without a preflight, never executes), `GET` runs queries only, `Accept` is
//! honoured, batches are refused, bodies are bounded, and each refusal has its status code.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ServerError, Value, Variables};
use futures_util::StreamExt;
use serde_json::json;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::negotiation::{self, ResponseFormat};
use super::rate_limit::{BucketKey, Quota, Refused};
use super::{AppState, RequestId, persisted, playground};
use crate::access::Caller;
use crate::access::identify::{Credentials, identify};
use crate::access::sign_in::{ClientAddress, REFRESH_COOKIE, RefreshCookie};
use crate::error::ApiError;
use crate::{limits, metrics};

/// A request refused before execution: its status, code and message.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.insert_header((header::ALLOW, "POST"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response
            .content_type(ResponseFormat::Json.content_type())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(one_error(&self.message, self.code, None))
    }
}

/// The one shape of every error answered outside execution: `errors` holding one error with
/// its message and `extensions.code` (and, for `RATE_LIMITED`, `extensions.retryAfter`).
fn one_error(message: &str, code: &str, retry_after: Option<u64>) -> serde_json::Value {
    let mut extensions = json!({ "code": code });
    if let (Some(seconds), Some(object)) = (retry_after, extensions.as_object_mut()) {
        object.insert("retryAfter".into(), seconds.into());
    }
    json!({ "errors": [{ "message": message, "extensions": extensions }] })
}

/// The parts of a GraphQL-over-HTTP request.
struct Params {
    /// The document; absent when only its digest is sent (a persisted query).
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
    /// `extensions.persistedQuery.sha256Hash`.
    persisted: Option<String>,
    /// The files of a multipart request, which its variables refer to.
    uploads: Vec<async_graphql::UploadValue>,
}

/// The digest of `extensions.persistedQuery`, if any; version 1 only.
fn persisted_hash(extensions: Option<serde_json::Value>) -> Result<Option<String>, Refusal> {
    let Some(persisted) = extensions.and_then(|mut extensions| {
        extensions
            .as_object_mut()
            .and_then(|object| object.remove("persistedQuery"))
    }) else {
        return Ok(None);
    };
    if persisted["version"] != 1 {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "PERSISTED_QUERY_NOT_SUPPORTED",
            "persistedQuery.version must be 1",
        ));
    }
    match persisted["sha256Hash"].as_str() {
        Some(hash) if persisted::is_digest(hash) => Ok(Some(hash.to_owned())),
        _ => Err(Refusal::bad_request(
            "persistedQuery.sha256Hash must be a SHA-256 in lowercase hex",
        )),
    }
}

fn accept_header(request: &HttpRequest) -> Option<&str> {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
}

fn response_format(request: &HttpRequest) -> Result<ResponseFormat, Refusal> {
    negotiation::negotiate(accept_header(request)).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "responses are application/graphql-response+json or application/json",
        )
    })
}

fn check_content_type(request: &HttpRequest) -> Result<(), Refusal> {
    let unsupported = || {
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as application/json",
        )
    };
    let mime = request
        .mime_type()
        .map_err(|_| unsupported())?
        .ok_or_else(unsupported)?;
    let charset_ok = mime
        .get_param("charset")
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    if mime.essence_str() != "application/json" || !charset_ok {
        return Err(unsupported());
    }
    Ok(())
}

async fn read_body(
    request: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body must be at most {limit} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| Refusal::bad_request("the request body could not be read"))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn params_from_json(body: &[u8]) -> Result<Params, Refusal> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Refusal::bad_request("the request body is not valid JSON"))?;
    let mut object = match value {
        serde_json::Value::Object(object) => object,
        serde_json::Value::Array(_) => {
            return Err(Refusal::bad_request("batched requests are not supported"));
        }
        _ => {
            return Err(Refusal::bad_request(
                "the request body must be a JSON object",
            ));
        }
    };
    let persisted = match object.remove("extensions") {
        None | Some(serde_json::Value::Null) => None,
        Some(extensions @ serde_json::Value::Object(_)) => persisted_hash(Some(extensions))?,
        Some(_) => return Err(Refusal::bad_request("`extensions` must be an object")),
    };
    let query = match object.remove("query") {
        Some(serde_json::Value::String(query)) => Some(query),
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
        None if persisted.is_some() => None,
        None => return Err(Refusal::bad_request("`query` is required")),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(name)) => Some(name),
        Some(_) => return Err(Refusal::bad_request("`operationName` must be a string")),
    };
    let variables = match object.remove("variables") {
        None | Some(serde_json::Value::Null) => None,
        Some(variables @ serde_json::Value::Object(_)) => Some(variables),
        Some(_) => return Err(Refusal::bad_request("`variables` must be an object")),
    };
    Ok(Params {
        query,
        operation_name,
        variables,
        persisted,
        uploads: Vec::new(),
    })
}

fn params_from_query_string(query_string: &str) -> Result<Option<Params>, Refusal> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query_string)
        .map_err(|_| Refusal::bad_request("the query string is malformed"))?
        .into_inner();
    let take = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let persisted = match take("extensions") {
        None => None,
        Some(text) => {
            persisted_hash(Some(serde_json::from_str(&text).map_err(|_| {
                Refusal::bad_request("`extensions` must be a JSON object")
            })?))?
        }
    };
    let query = take("query");
    if query.is_none() && persisted.is_none() {
        return Ok(None);
    }
    let variables = match take("variables") {
        None => None,
        Some(text) => match serde_json::from_str(&text) {
            Ok(serde_json::Value::Null) => None,
            Ok(variables @ serde_json::Value::Object(_)) => Some(variables),
            _ => return Err(Refusal::bad_request("`variables` must be a JSON object")),
        },
    };
    Ok(Some(Params {
        query,
        operation_name: take("operationName").filter(|name| !name.is_empty()),
        variables,
        persisted,
        uploads: Vec::new(),
    }))
}

/// The type of the operation that `operation_name` selects in `document`, if it selects one.
pub(super) fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    operation.map(|operation| operation.node.ty)
}

/// The body of a response made only of `errors`, each with its `extensions.code`.
fn error_body(errors: &[ServerError], code: &str) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = errors
        .iter()
        .map(|error| {
            let mut value =
                serde_json::to_value(error).unwrap_or_else(|_| json!({ "message": error.message }));
            if let Some(object) = value.as_object_mut() {
                object.insert("extensions".into(), json!({ "code": code }));
            }
            value
        })
        .collect();
    json!({ "errors": errors })
}

fn json_response(
    status: StatusCode,
    format: ResponseFormat,
    body: &serde_json::Value,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(format.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body.to_string())
}

/// The status of a response made only of request errors: 400 for the GraphQL response
/// media type, 200 for plain JSON (the GraphQL-over-HTTP rules).
fn request_error_status(format: ResponseFormat) -> StatusCode {
    match format {
        ResponseFormat::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        ResponseFormat::Json => StatusCode::OK,
    }
}

/// A request error with one message and code, in the negotiated format.
fn request_error(format: ResponseFormat, code: &str, message: &str) -> HttpResponse {
    json_response(
        request_error_status(format),
        format,
        &one_error(message, code, None),
    )
}

/// What a request came to, for the metrics.
struct Outcome {
    label: &'static str,
    response: HttpResponse,
}

impl Outcome {
    fn new(label: &'static str, response: HttpResponse) -> Self {
        Self { label, response }
    }
}

/// The name of the operation that runs: the one asked for, else the document's only one.
fn operation_name_of(document: &ExecutableDocument, asked: Option<&str>) -> Option<String> {
    match (asked, &document.operations) {
        (Some(name), _) => Some(name.to_owned()),
        (None, DocumentOperations::Multiple(operations)) if operations.len() == 1 => {
            operations.keys().next().map(|name| name.to_string())
        }
        _ => None,
    }
}

async fn execute(
    request: &HttpRequest,
    state: &AppState,
    format: ResponseFormat,
    params: Params,
    get: bool,
) -> HttpResponse {
    let started = Instant::now();
    let statements = Arc::new(AtomicU64::new(0));
    let mut operation_name = params.operation_name.clone();
    let outcome = metrics::counting_statements(
        Arc::clone(&statements),
        run(request, state, format, params, get, &mut operation_name),
    )
    .await;
    let statements = statements.load(Ordering::Relaxed);
    state.metrics.request(
        operation_name.as_deref(),
        outcome.label,
        started.elapsed(),
        statements,
    );
    tracing::debug!(
        operation = operation_name.as_deref().unwrap_or(""),
        outcome = outcome.label,
        statements,
        "graphql request"
    );
    outcome.response
}

async fn run(
    request: &HttpRequest,
    state: &AppState,
    format: ResponseFormat,
    params: Params,
    get: bool,
    named: &mut Option<String>,
) -> Outcome {
    let operation_name = params.operation_name;
    let mut caller = None;
    let (query, registered) = match document(
        request,
        state,
        format,
        params.query,
        params.persisted.as_deref(),
        &mut caller,
    )
    .await
    {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let mut graphql = async_graphql::Request::new(query);
    graphql.uploads = params.uploads;
    if let Some(name) = &operation_name {
        graphql = graphql.operation_name(name.clone());
    }
    if let Some(variables) = params.variables {
        graphql = graphql.variables(Variables::from_json(variables));
    }
    let variables = graphql.variables.clone();
    // Only documents that parse are remembered under their digest.
    let to_remember = params
        .persisted
        .as_ref()
        .map(|hash| (hash, graphql.query.clone()));
    let (document, parsed) = match state.documents.parse(&mut graphql) {
        Ok(found) => found,
        Err(error) => {
            let body = error_body(&[error], "GRAPHQL_PARSE_FAILED");
            let response = json_response(StatusCode::BAD_REQUEST, format, &body);
            return Outcome::new("refused", response);
        }
    };
    if let Some((hash, query)) = to_remember {
        state.persisted.insert(hash, &query);
    }
    *named = operation_name_of(document, operation_name.as_deref());
    let operation = operation_type(document, operation_name.as_deref());
    if operation == Some(OperationType::Subscription) {
        let response = request_error(
            format,
            "BAD_REQUEST",
            "subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws)",
        );
        return Outcome::new("refused", response);
    }
    if get && operation == Some(OperationType::Mutation) {
        let refusal = Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
        return Outcome::new("refused", refusal.into_response());
    }
    let analysis = match limits::analyse(
        &state.shape,
        &state.limits,
        document,
        operation_name.as_deref(),
        &variables,
    ) {
        Ok(analysis) => analysis,
        Err(violation) => {
            let response = request_error(format, violation.code, &violation.message);
            return Outcome::new("refused", response);
        }
    };
    // For resolvers (the audit's actor) and for presenting the response's errors.
    let request_id = request.extensions().get::<RequestId>().cloned();
    if let Some(id) = &request_id {
        graphql = graphql.data(id.clone());
    }
    let caller = match caller {
        Some(caller) => caller,
        None => match identify_caller(request, state).await {
            Ok(caller) => caller,
            Err(response) => return Outcome::new("unauthenticated", response),
        },
    };
    if let Caller::ApiKey {
        id, pinned: true, ..
    } = &caller
        && !registered
    {
        let digest = crate::access::tokens::digest(&graphql.query);
        match crate::access::api_keys::registered_operation(&state.db, *id, &digest).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                let refusal = Refusal::new(
                    StatusCode::FORBIDDEN,
                    "OPERATION_NOT_ALLOWED",
                    "this API key runs only its registered operations: ask an administrator to register this document",
                );
                return Outcome::new("refused", refusal.into_response());
            }
            Err(error) => return Outcome::new("error", api_error_response(&error)),
        }
    }
    let address = request.peer_addr().map(|address| address.ip().to_string());
    let quota = if state.rate_limiter.enabled() {
        let key = BucketKey::of(&caller, address.as_deref());
        match state
            .rate_limiter
            .take(&key, analysis.cost, std::time::Instant::now())
        {
            Ok(quota) => Some(quota),
            Err(refused) => {
                state.metrics.rate_limited();
                return Outcome::new("rate_limited", rate_limited(refused));
            }
        }
    } else {
        None
    };
    graphql = graphql.data(caller);
    if let Some(address) = address {
        graphql = graphql.data(ClientAddress(address));
    }
    if let Some(cookie) = request
        .cookie(REFRESH_COOKIE)
        .filter(|cookie| !cookie.value().is_empty())
    {
        graphql = graphql.data(RefreshCookie(cookie.value().to_owned()));
    }
    // Unconstrained by tokio's cooperative budget: a long list's resolvers await hundreds of
    // DataLoader answers at once, and a spent budget would defer the request behind the next
    // batch, splitting it (see `metrics::spawn_in_request`). The request still yields on I/O.
    // Waiting for a place counts against the request's time (see `admission`).
    // A document that passed the full validation before, with an outcome no request could
    // change, is not validated again (`documents.rs`).
    let prevalidated = parsed.as_ref().is_some_and(|parsed| parsed.validated());
    let schema = if prevalidated {
        &state.prevalidated
    } else {
        &state.schema
    };
    let execution = async {
        let _place = state.admission.enter(operation).await;
        tokio::task::unconstrained(crate::live::within(&state.bus, schema.execute(graphql))).await
    };
    let Ok(response) = tokio::time::timeout(state.request_timeout, execution).await else {
        let message = format!(
            "the request took longer than {} seconds and was cancelled: ask for less, or retry later",
            state.request_timeout.as_secs()
        );
        let body = one_error(&message, "TIMEOUT", None);
        return Outcome::new(
            "timeout",
            json_response(StatusCode::GATEWAY_TIMEOUT, format, &body),
        );
    };
    if let Some(parsed) = parsed.filter(|_| !prevalidated) {
        parsed.note_validation(&response);
    }
    // A request error (the document did not validate, variables did not coerce) has no data
    // and no error with a path: the spec omits `data` and, for the GraphQL response type,
    // answers 400.
    let request_error = response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let mut cost = json!({ "requested": analysis.cost });
    if let (Some(quota), Some(cost)) = (quota, cost.as_object_mut()) {
        cost.insert("limit".into(), quota.limit.into());
        cost.insert("remaining".into(), quota.remaining.into());
        cost.insert("resetAt".into(), quota.reset.into());
    }
    let mut response = response;
    crate::error::present_response(&mut response, request_id.as_ref().map(RequestId::as_str));
    if let Ok(cost) = Value::from_json(cost) {
        response.extensions.insert("cost".into(), cost);
    }
    let (status, body) = if request_error {
        let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
        if let Some(object) = body.as_object_mut() {
            object.remove("data");
        }
        (request_error_status(format), body.to_string().into_bytes())
    } else {
        // The common case goes straight to bytes, without an intermediate JSON tree.
        // Sized for a typical page, so that a long answer is not copied at every doubling.
        let mut body = Vec::with_capacity(16 * 1024);
        if serde_json::to_writer(&mut body, &response).is_err() {
            body = b"{}".to_vec();
        }
        (StatusCode::OK, body)
    };
    let mut http_response = HttpResponse::build(status)
        .content_type(format.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body);
    for (name, value) in response.http_headers.iter() {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_str().as_bytes()),
            header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            http_response.headers_mut().append(name, value);
        }
    }
    if let Some(quota) = quota {
        quota_headers(&mut http_response, quota);
    }
    let label = if response.errors.is_empty() {
        "ok"
    } else {
        "error"
    };
    Outcome::new(label, http_response)
}

/// The document of a request: its text, or the one a persisted query's digest names (the
/// replica's memory, else an operation the calling API key registered, for which the caller
/// is identified here), and whether it is one of the key's registered operations.
async fn document(
    request: &HttpRequest,
    state: &AppState,
    format: ResponseFormat,
    query: Option<String>,
    persisted: Option<&str>,
    caller: &mut Option<Caller>,
) -> Result<(String, bool), Outcome> {
    let refused =
        |code: &str, message: &str| Outcome::new("refused", request_error(format, code, message));
    match (query, persisted) {
        (Some(query), Some(hash)) => {
            if crate::access::tokens::digest(&query) != hash {
                return Err(refused(
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    "persistedQuery.sha256Hash is not the SHA-256 of `query`",
                ));
            }
            Ok((query, false))
        }
        (Some(query), None) => Ok((query, false)),
        (None, Some(hash)) => {
            if let Some(query) = state.persisted.get(hash) {
                return Ok((query.to_string(), false));
            }
            let identified = identify_caller(request, state)
                .await
                .map_err(|response| Outcome::new("unauthenticated", response))?;
            let registered = match &identified {
                Caller::ApiKey { id, .. } => {
                    crate::access::api_keys::registered_operation(&state.db, *id, hash)
                        .await
                        .map_err(|error| Outcome::new("error", api_error_response(&error)))?
                }
                _ => None,
            };
            *caller = Some(identified);
            // Apollo's clients recognise this message and resend the document.
            registered
                .map(|query| (query, true))
                .ok_or_else(|| refused("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound"))
        }
        (None, None) => Err(Outcome::new(
            "refused",
            Refusal::bad_request("`query` is required").into_response(),
        )),
    }
}

/// An error outside execution (identifying the caller, a lookup): the database's absence
/// is a 503, anything else an internal error, logged.
fn outside_execution(error: &ApiError) -> Refusal {
    match error {
        ApiError::ServiceUnavailable(_) | ApiError::Timeout => Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "the service is temporarily unavailable, retry later",
        ),
        other => {
            tracing::error!(error = ?other, "a request failed before execution");
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            )
        }
    }
}

fn api_error_response(error: &ApiError) -> HttpResponse {
    outside_execution(error).into_response()
}

/// The GitHub-style `X-RateLimit-*` headers.
fn quota_headers(response: &mut HttpResponse, quota: Quota) {
    let headers = response.headers_mut();
    let pairs = [
        ("x-ratelimit-limit", quota.limit),
        ("x-ratelimit-remaining", quota.remaining),
        (
            "x-ratelimit-used",
            quota.limit.saturating_sub(quota.remaining),
        ),
        ("x-ratelimit-reset", quota.reset),
    ];
    for (name, value) in pairs {
        headers.insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from(value),
        );
    }
    headers.insert(
        header::HeaderName::from_static("x-ratelimit-resource"),
        header::HeaderValue::from_static("graphql"),
    );
}

/// `429 Too Many Requests`, with `Retry-After` and the quota.
fn rate_limited(refused: Refused) -> HttpResponse {
    let message = format!(
        "the rate limit is spent: retry in {} seconds, or ask for less (each field costs, connections multiply by their page size)",
        refused.retry_after
    );
    let mut response = HttpResponse::build(StatusCode::TOO_MANY_REQUESTS)
        .content_type(ResponseFormat::Json.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::RETRY_AFTER, refused.retry_after.to_string()))
        .json(one_error(
            &message,
            "RATE_LIMITED",
            Some(refused.retry_after),
        ));
    quota_headers(&mut response, refused.quota);
    response
}

/// A JSON error response with one error of `code`.
pub fn json_error(status: StatusCode, code: &'static str, message: &str) -> HttpResponse {
    Refusal::new(status, code, message).into_response()
}

/// The caller of `request`: anonymous without credentials, a 401 response with bad ones.
pub async fn identify_caller(
    request: &HttpRequest,
    state: &AppState,
) -> Result<Caller, HttpResponse> {
    caller_of(request, state)
        .await
        .map_err(Refusal::into_response)
}

fn unauthenticated() -> Refusal {
    Refusal::new(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        "the credentials are invalid, expired or revoked: sign in again",
    )
}

async fn caller_of(request: &HttpRequest, state: &AppState) -> Result<Caller, Refusal> {
    // A credentials header that is not text holds bad credentials, not none.
    let header_text = |name: &str| match request.headers().get(name) {
        None => Ok(None),
        Some(value) => value.to_str().map(Some).map_err(|_| unauthenticated()),
    };
    let credentials = Credentials {
        authorization: header_text(header::AUTHORIZATION.as_str())?,
        api_key: header_text("x-api-key")?,
    };
    identify(&state.db, &state.access, credentials)
        .await
        .map_err(|error| match error {
            ApiError::Unauthenticated => unauthenticated(),
            other => outside_execution(&other),
        })
}

/// A multipart body longer than its limit, told apart from other read errors by type.
#[derive(Debug, thiserror::Error)]
#[error("the request body is too large")]
struct TooLarge;

fn is_multipart(request: &HttpRequest) -> bool {
    request
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|mime| mime.essence_str() == "multipart/form-data")
}

/// A GraphQL multipart request (files): its parts read into a request whose uploads wait in
/// temporary files. It must carry its credentials in a header, which a browser never sends
/// cross-origin without a preflight: a multipart form is otherwise a "simple" request.
async fn multipart_params(
    request: &HttpRequest,
    mut payload: web::Payload,
    state: &AppState,
) -> Result<Params, Refusal> {
    if !request.headers().contains_key(header::AUTHORIZATION)
        && !request.headers().contains_key("x-api-key")
    {
        return Err(Refusal::bad_request(
            "a multipart request must carry its credentials in the Authorization or x-api-key header",
        ));
    }
    let max_file = usize::try_from(state.files.max_bytes).unwrap_or(usize::MAX);
    let limit = max_file.saturating_add(state.body_limit);
    // actix's payload stays on its thread; the parser reads a channel fed from there.
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<web::Bytes>>(8);
    actix_web::rt::spawn(async move {
        let mut total = 0_usize;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|error| std::io::Error::other(error.to_string()));
            if let Ok(bytes) = &chunk {
                total += bytes.len();
                if total > limit {
                    let _ = sender.send(Err(std::io::Error::other(TooLarge))).await;
                    return;
                }
            }
            if sender.send(chunk).await.is_err() {
                return;
            }
        }
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let reader = futures_util::TryStreamExt::into_async_read(Box::pin(body));
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let options = async_graphql::http::MultipartOptions::default()
        .max_file_size(max_file)
        .max_num_files(10);
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("a file must be at most {max_file} bytes"),
        )
    };
    let parsed = async_graphql::http::receive_body(content_type, reader, options)
        .await
        .map_err(|error| match error {
            async_graphql::ParseRequestError::PayloadTooLarge => too_large(),
            async_graphql::ParseRequestError::Io(error)
                if error.get_ref().is_some_and(|inner| inner.is::<TooLarge>()) =>
            {
                too_large()
            }
            other => Refusal::bad_request(format!("the multipart request is malformed: {other}")),
        })?;
    let variables = serde_json::to_value(&parsed.variables)
        .map_err(|_| Refusal::bad_request("the variables are malformed"))?;
    Ok(Params {
        query: Some(parsed.query),
        operation_name: parsed.operation_name,
        variables: Some(variables),
        persisted: None,
        uploads: parsed.uploads,
    })
}

/// `POST /graphql`.
pub async fn post(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    if is_multipart(&request) {
        let params = match response_format(&request) {
            Ok(format) => multipart_params(&request, payload, &state)
                .await
                .map(|params| (format, params)),
            Err(refusal) => Err(refusal),
        };
        return match params {
            Ok((format, params)) => execute(&request, &state, format, params, false).await,
            Err(refusal) => refusal.into_response(),
        };
    }
    let outcome = async {
        check_content_type(&request)?;
        let format = response_format(&request)?;
        let body = read_body(&request, payload, state.body_limit).await?;
        Ok::<_, Refusal>((format, params_from_json(&body)?))
    }
    .await;
    match outcome {
        Ok((format, params)) => execute(&request, &state, format, params, false).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /graphql`: a query in the query string, or the playground for a browser.
pub async fn get(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let params = match params_from_query_string(request.query_string()) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(params) = params else {
        if state.playground && negotiation::prefers_html(accept_header(&request)) {
            return playground::page();
        }
        return Refusal::bad_request("`query` is required").into_response();
    };
    match response_format(&request) {
        Ok(format) => execute(&request, &state, format, params, true).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed() -> HttpResponse {
    let mut response = Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "use POST, or GET for queries",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}
