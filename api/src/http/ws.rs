//! GraphQL subscriptions over WebSocket at `/graphql/ws`, with the `graphql-transport-ws`
//! protocol. Before the upgrade the `Origin` is checked; the socket then has
//! `CUF_WS_INIT_TIMEOUT_SECONDS` to send `connection_init`, whose payload carries the
//! credentials (`{"authorization": "Bearer …"}` or `{"apiKey": "…"}`; none for anonymous).
//! Bad credentials close it with 4403. Every document is checked against the same limits as
//! over HTTP, and only subscriptions run here: queries and mutations go to `POST /graphql`.
//! One socket runs at most 25 subscriptions at once (more close it with 4400).

use std::any::TypeId;
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use async_graphql::http::{WebSocket, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, ErrorExtensionValues, Executor, Request, Response, ServerError};
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use tokio::sync::mpsc;

use super::graphql::{json_error, operation_type};
use super::{AppState, RequestId};
use crate::access::Caller;
use crate::access::identify::{Credentials, identify};
use crate::error::ApiError;
use crate::limits;

const PROTOCOL: &str = "graphql-transport-ws";

/// Close codes of the protocol, and what an init failure's message starts with.
const FORBIDDEN: u16 = 4403;
const INIT_TIMEOUT: u16 = 4408;
const BAD_MESSAGE: u16 = 4400;
/// The most subscriptions one socket keeps running at once.
const MAX_SUBSCRIPTIONS: usize = 25;
const FORBIDDEN_PREFIX: &str = "Forbidden: ";
const UNAVAILABLE_PREFIX: &str = "Unavailable: ";

/// Whether a browser at `origin` may open a socket: one of `allowed` (`*` for any), or the
/// API's own origin (the playground).
fn origin_allowed(origin: &str, host: Option<&str>, allowed: &[String]) -> bool {
    let origin = origin.trim_end_matches('/');
    let listed = allowed
        .iter()
        .map(|entry| entry.trim().trim_end_matches('/'))
        .any(|entry| entry == "*" || entry.eq_ignore_ascii_case(origin));
    let own = host.is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    });
    listed || own
}

fn offers_protocol(request: &HttpRequest) -> bool {
    request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|protocol| protocol.trim() == PROTOCOL)
}

/// `GET /graphql/ws`: upgrades to a WebSocket that serves subscriptions.
pub async fn subscribe(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|host| host.to_str().ok());
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| origin_allowed(origin, host, &state.origins));
        if !allowed {
            return json_error(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "this origin may not open a WebSocket: it is not among the API's allowed origins",
            );
        }
    }
    if !offers_protocol(&request) {
        return json_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "open the WebSocket with the graphql-transport-ws subprotocol",
        );
    }
    let Ok((response, session, messages)) =
        actix_ws::handle_with_protocols(&request, payload, &[PROTOCOL])
    else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "/graphql/ws takes a WebSocket handshake (graphql-transport-ws)",
        );
    };
    let messages = messages
        .max_frame_size(state.body_limit)
        .aggregate_continuations()
        .max_continuation_size(state.body_limit);
    let request_id = request.extensions().get::<RequestId>().cloned();
    actix_web::rt::spawn(serve(state.into_inner(), session, messages, request_id));
    response
}

fn close_reason(code: u16, description: &str) -> CloseReason {
    // A close frame holds at most 123 bytes of text.
    let mut end = description.len().min(120);
    while !description.is_char_boundary(end) {
        end -= 1;
    }
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(description[..end].to_owned()),
    }
}

/// The close frame for what the protocol handler ended with: init failures get the
/// protocol's codes rather than a generic 1002.
fn closing(code: u16, reason: &str) -> CloseReason {
    if let Some(reason) = reason.strip_prefix(FORBIDDEN_PREFIX) {
        return close_reason(FORBIDDEN, &format!("Forbidden: {reason}"));
    }
    if let Some(reason) = reason.strip_prefix(UNAVAILABLE_PREFIX) {
        return CloseReason {
            code: CloseCode::Again,
            description: Some(reason.chars().take(120).collect()),
        };
    }
    close_reason(code, reason)
}

/// The `type` of a client's protocol message, if it has one.
fn message_type(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Typed {
        #[serde(rename = "type")]
        kind: String,
    }
    serde_json::from_str::<Typed>(text)
        .ok()
        .map(|typed| typed.kind)
}

fn is_acknowledgement(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|message| message["type"] == "connection_ack")
}

async fn serve(
    state: Arc<AppState>,
    mut session: Session,
    mut messages: AggregatedMessageStream,
    request_id: Option<RequestId>,
) {
    let (to_protocol, from_client) = mpsc::unbounded_channel::<Vec<u8>>();
    let incoming = stream::unfold(from_client, |mut receiver| async move {
        receiver.recv().await.map(|message| (message, receiver))
    });
    let auth_state = Arc::clone(&state);
    let protocol = WebSocket::new(
        LiveExecutor(Arc::clone(&state)),
        incoming,
        async_graphql::http::WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(move |payload| authenticate(auth_state, payload, request_id));
    let mut protocol = Box::pin(protocol);
    let deadline = tokio::time::sleep(state.ws_init_timeout);
    tokio::pin!(deadline);
    let mut acknowledged = false;
    let mut running = 0_usize;
    let close = loop {
        tokio::select! {
            message = messages.recv() => match message {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    // A client's `complete` is answered by the server's, counted below.
                    if message_type(&text).as_deref() == Some("subscribe") {
                        running += 1;
                    }
                    if running > MAX_SUBSCRIPTIONS {
                        let reason = format!("at most {MAX_SUBSCRIPTIONS} subscriptions per socket");
                        break Some(close_reason(BAD_MESSAGE, &reason));
                    }
                    if to_protocol.send(text.as_bytes().to_vec()).is_err() {
                        break None;
                    }
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Pong(_))) => {}
                Some(Ok(AggregatedMessage::Binary(_))) => {
                    break Some(close_reason(BAD_MESSAGE, "messages are JSON text"));
                }
                Some(Ok(AggregatedMessage::Close(_))) | None => break None,
                Some(Err(_)) => {
                    break Some(close_reason(BAD_MESSAGE, "the message is too large or malformed"));
                }
            },
            output = protocol.next() => match output {
                Some(WsMessage::Text(text)) => {
                    if !acknowledged && is_acknowledgement(&text) {
                        acknowledged = true;
                    }
                    // A subscription ended: refused, done, or completed by the client.
                    if text.starts_with(r#"{"type":"complete""#) {
                        running = running.saturating_sub(1);
                    }
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => break Some(closing(code, &reason)),
                None => break None,
            },
            () = &mut deadline, if !acknowledged => {
                break Some(close_reason(INIT_TIMEOUT, "Connection initialisation timeout"));
            }
        }
    };
    let _ = session.close(close).await;
}

fn text_field<'a>(payload: &'a serde_json::Value, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|name| payload.get(name))
        .and_then(serde_json::Value::as_str)
}

/// The caller that `connection_init`'s payload names.
async fn authenticate(
    state: Arc<AppState>,
    payload: serde_json::Value,
    request_id: Option<RequestId>,
) -> async_graphql::Result<Data> {
    if !(payload.is_null() || payload.is_object()) {
        return Err(
            format!("{FORBIDDEN_PREFIX}connection_init's payload must be an object").into(),
        );
    }
    let authorization = text_field(&payload, &["authorization", "Authorization"]);
    let api_key = text_field(&payload, &["apiKey", "x-api-key"]);
    let caller = if authorization.is_none() && api_key.is_none() {
        Caller::Anonymous
    } else {
        let credentials = Credentials {
            authorization,
            api_key,
        };
        identify(&state.db, &state.access, credentials)
            .await
            .map_err(|error| match error {
                ApiError::Unauthenticated => {
                    format!("{FORBIDDEN_PREFIX}the credentials are invalid, expired or revoked")
                }
                ApiError::ServiceUnavailable(_) => {
                    format!("{UNAVAILABLE_PREFIX}the service is temporarily unavailable")
                }
                other => {
                    tracing::error!(error = ?other, "cannot identify a WebSocket's caller");
                    format!("{UNAVAILABLE_PREFIX}internal error")
                }
            })?
    };
    let mut data = Data::default();
    data.insert(caller);
    if let Some(id) = request_id {
        data.insert(id);
    }
    Ok(data)
}

fn refusal(code: &str, message: &str) -> Response {
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    let mut error = ServerError::new(message, None);
    error.extensions = Some(extensions);
    Response::from_errors(vec![error])
}

/// Checks a document sent on the socket: it parses, keeps within the limits, and subscribes.
fn admit(state: &AppState, request: &mut Request) -> Result<(), Box<Response>> {
    let variables = request.variables.clone();
    let operation_name = request.operation_name.clone();
    let (document, _) = state.documents.parse(request).map_err(|error| {
        let mut response = Response::from_errors(vec![error]);
        if let Some(error) = response.errors.first_mut() {
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", "GRAPHQL_PARSE_FAILED");
            error.extensions = Some(extensions);
        }
        Box::new(response)
    })?;
    if operation_type(document, operation_name.as_deref()) != Some(OperationType::Subscription) {
        return Err(Box::new(refusal(
            "BAD_REQUEST",
            "only subscriptions run over the WebSocket: send queries and mutations to POST /graphql",
        )));
    }
    limits::analyse(
        &state.shape,
        &state.limits,
        document,
        operation_name.as_deref(),
        &variables,
    )
    .map(|_| ())
    .map_err(|violation| Box::new(refusal(violation.code, &violation.message)))
}

/// The schema behind the document checks of [`admit`].
#[derive(Clone)]
struct LiveExecutor(Arc<AppState>);

impl Executor for LiveExecutor {
    fn execute(&self, mut request: Request) -> impl Future<Output = Response> + Send {
        // graphql-transport-ws runs every operation as a stream; this is for completeness.
        let refused = admit(&self.0, &mut request).err();
        async move {
            refused.map_or_else(
                || refusal("BAD_REQUEST", "subscriptions only deliver a stream"),
                |refused| *refused,
            )
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match admit(&self.0, &mut request) {
            Err(refused) => stream::once(async move { *refused }).boxed(),
            Ok(()) => {
                let session_data = session_data.unwrap_or_default();
                let request_id = session_data
                    .get(&TypeId::of::<RequestId>())
                    .and_then(|data| data.downcast_ref::<RequestId>())
                    .map(|id| id.as_str().to_owned());
                self.0
                    .schema
                    .execute_stream_with_session_data(request, session_data)
                    .map(move |mut response| {
                        crate::error::present_response(&mut response, request_id.as_deref());
                        response
                    })
                    .boxed()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_the_listed_ones_or_the_api_itself() {
        let allowed = vec!["https://app.example.org".to_owned()];
        assert!(origin_allowed("https://app.example.org", None, &allowed));
        assert!(origin_allowed("https://APP.example.org/", None, &allowed));
        assert!(!origin_allowed("https://evil.example", None, &allowed));
        assert!(!origin_allowed(
            "https://app.example.org.evil",
            None,
            &allowed
        ));
        assert!(origin_allowed(
            "http://localhost:8080",
            Some("localhost:8080"),
            &allowed
        ));
        assert!(!origin_allowed(
            "http://localhost:8081",
            Some("localhost:8080"),
            &allowed
        ));
        assert!(origin_allowed(
            "https://any.example",
            None,
            &["*".to_owned()]
        ));
    }

    #[test]
    fn close_reasons_fit_a_frame() {
        let long = "é".repeat(200);
        let reason = close_reason(4400, &long);
        assert!(reason.description.is_some_and(|text| text.len() <= 123));
        let forbidden = closing(1002, "Forbidden: the credentials are invalid");
        assert_eq!(forbidden.code, CloseCode::Other(FORBIDDEN));
    }
}
