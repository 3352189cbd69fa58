//! Subscriptions over WebSocket (`/graphql/ws`, graphql-transport-ws): authentication in
//! `connection_init`, the `Origin` check, the init timeout, limits, and delivery of each
//! change only to those who may see it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{TestApp, error_code, spawn_app_with, spawn_demo_app};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a message that must come.
const PATIENCE: Duration = Duration::from_secs(10);

/// A client socket of the graphql-transport-ws protocol.
pub struct Socket(Stream);

/// Opens a socket to the server at `address` (`http://host:port`) offering the protocol,
/// with `origin` if any.
pub async fn open(address: &str, origin: Option<&str>) -> Result<Socket, String> {
    let host = address.trim_start_matches("http://");
    let mut request = format!("ws://{host}/graphql/ws")
        .into_client_request()
        .map_err(|error| error.to_string())?;
    let headers = request.headers_mut();
    headers.insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    if let Some(origin) = origin {
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((stream, response)) => {
            assert_eq!(
                response.headers()["sec-websocket-protocol"],
                "graphql-transport-ws"
            );
            Ok(Socket(stream))
        }
        Err(error) => Err(error.to_string()),
    }
}

impl Socket {
    /// Opens a socket and initialises it with `payload`; panics unless acknowledged.
    pub async fn connect(address: &str, payload: Value) -> Socket {
        let mut socket = open(address, None).await.expect("the handshake succeeds");
        socket
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = socket.next().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        socket
    }

    pub async fn send(&mut self, message: Value) {
        self.0
            .send(Message::text(message.to_string()))
            .await
            .expect("the socket takes the message");
    }

    /// Starts the subscription `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next protocol message (pings answered), or a panic after `PATIENCE`.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.0.next())
                .await
                .expect("a message arrives in time")
                .expect("the socket is open")
                .expect("the message is readable");
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return value;
                }
                Message::Close(frame) => panic!("the socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Whether nothing arrives within `wait`.
    pub async fn silent_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.0.next()).await.is_err()
    }

    /// The close code the server ends with, within `PATIENCE`.
    pub async fn close_code(&mut self) -> Option<CloseCode> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.0.next())
                .await
                .expect("the server closes in time");
            match message {
                Some(Ok(Message::Close(frame))) => return frame.map(|frame| frame.code),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }
}

const COOPERATIONS: &str = "subscription($filter: CooperationFilterInput) {
    cooperationChanged(filter: $filter) { kind cooperationId cooperation { title validationState } } }";

async fn authority(app: &TestApp, name: &str, country: &str) -> Value {
    app.create_authority(json!({ "name": name, "kind": "MUNICIPALITY", "countryCode": country }))
        .await["id"]
        .clone()
}

async fn transition(app: &TestApp, fiche: &Value, to: &str) -> Value {
    let data = app
        .data(
            "mutation($input: TransitionCooperationInput!) { transitionCooperation(input: $input) { cooperation { id version } userErrors { message } } }",
            json!({ "input": { "id": fiche["id"], "version": fiche["version"], "to": to } }),
        )
        .await;
    data["transitionCooperation"]["cooperation"].clone()
}

#[tokio::test]
async fn fiche_changes_reach_only_those_who_may_see_them() {
    let app = spawn_app_with(|_| {}).await;
    let lyon = authority(&app, "Ville de Lyon", "FR").await;
    let oaxaca = authority(&app, "Municipio de Oaxaca", "MX").await;
    let mut anonymous = Socket::connect(&app.address, json!({})).await;
    anonymous
        .subscribe(
            "a",
            COOPERATIONS,
            json!({ "filter": { "countryCode": "MX" } }),
        )
        .await;
    let bearer = format!("Bearer {}", app.admin_token);
    let mut staff = Socket::connect(&app.address, json!({ "authorization": bearer })).await;
    staff.subscribe("s", COOPERATIONS, json!({})).await;
    let mut elsewhere = Socket::connect(&app.address, json!({ "authorization": bearer })).await;
    elsewhere
        .subscribe(
            "e",
            COOPERATIONS,
            json!({ "filter": { "countryCode": "SN" } }),
        )
        .await;
    // Give the subscriptions a moment to be registered before the change.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let created = app
        .data(
            "mutation($input: CreateCooperationInput!) { createCooperation(input: $input) { cooperation { id version } } }",
            json!({ "input": { "title": "Eau potable", "countryCode": "MX", "status": "ONGOING",
                "frenchPartnerIds": [lyon], "foreignPartnerIds": [oaxaca] } }),
        )
        .await["createCooperation"]["cooperation"]
        .clone();
    let seen = staff.next().await;
    assert_eq!(seen["type"], "next", "{seen}");
    assert_eq!(seen["id"], "s");
    let change = &seen["payload"]["data"]["cooperationChanged"];
    assert_eq!(change["kind"], "CREATED");
    assert_eq!(change["cooperationId"], created["id"]);
    assert_eq!(change["cooperation"]["validationState"], "DRAFT");

    // The draft is not the public's: the anonymous socket hears of the fiche only once it is
    // validated.
    let mut fiche = created;
    for to in ["PREFILLED", "AWAITING_VALIDATION", "VALIDATED"] {
        fiche = transition(&app, &fiche, to).await;
    }
    let public = anonymous.next().await;
    let change = &public["payload"]["data"]["cooperationChanged"];
    assert_eq!(change["kind"], "UPDATED", "{public}");
    assert_eq!(change["cooperation"]["validationState"], "VALIDATED");
    assert_eq!(change["cooperation"]["title"], "Eau potable");
    // The notice of an earlier step can be delivered after the fiche was validated (each is
    // re-read when delivered): it then shows the validated fiche, never the draft.
    while let Ok(late) = tokio::time::timeout(Duration::from_millis(300), anonymous.next()).await {
        let change = &late["payload"]["data"]["cooperationChanged"];
        assert_eq!(change["kind"], "UPDATED", "{late}");
        assert_eq!(
            change["cooperation"]["validationState"], "VALIDATED",
            "{late}"
        );
    }
    assert!(elsewhere.silent_for(Duration::from_millis(300)).await);

    let deleted = app
        .data(
            "mutation($input: DeleteCooperationInput!) { deleteCooperation(input: $input) { userErrors { message } } }",
            json!({ "input": { "id": fiche["id"], "version": fiche["version"] } }),
        )
        .await;
    assert_eq!(
        deleted["deleteCooperation"]["userErrors"],
        json!([]),
        "{deleted}"
    );
    let gone = anonymous.next().await;
    let change = &gone["payload"]["data"]["cooperationChanged"];
    assert_eq!(change["kind"], "DELETED", "{gone}");
    assert_eq!(change["cooperationId"], fiche["id"]);
    assert_eq!(change["cooperation"], Value::Null);
}

#[tokio::test]
async fn bad_credentials_close_the_socket_with_4403() {
    let app = spawn_app_with(|_| {}).await;
    let mut socket = open(&app.address, None).await.unwrap();
    socket
        .send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged" } }))
        .await;
    assert_eq!(socket.close_code().await, Some(CloseCode::from(4403)));
}

#[tokio::test]
async fn a_socket_that_never_initialises_is_closed_with_4408() {
    let app = spawn_app_with(|settings| settings.ws_init_timeout_seconds = 1).await;
    let mut socket = open(&app.address, None).await.unwrap();
    let started = std::time::Instant::now();
    assert_eq!(socket.close_code().await, Some(CloseCode::from(4408)));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn only_listed_origins_and_the_api_itself_may_open_a_socket() {
    let app = spawn_app_with(|settings| {
        settings.cors_origins = vec!["https://app.example.org".into()];
    })
    .await;
    let refused = open(&app.address, Some("https://evil.example")).await;
    assert!(
        refused.as_ref().is_err_and(|error| error.contains("403")),
        "{:?}",
        refused.err()
    );
    assert!(
        open(&app.address, Some("https://app.example.org"))
            .await
            .is_ok()
    );
    assert!(open(&app.address, Some(&app.address)).await.is_ok());
    let plain = app.client.get(app.url("/graphql/ws")).send().await.unwrap();
    assert_eq!(plain.status(), 400, "not a WebSocket handshake");
}

#[tokio::test]
async fn the_socket_runs_only_subscriptions_within_the_limits() {
    let app = spawn_app_with(|_| {}).await;
    let mut socket = Socket::connect(&app.address, json!(null)).await;
    socket
        .subscribe("q", "{ viewer { email } }", json!({}))
        .await;
    let refused = socket.next().await;
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );
    assert_eq!(socket.next().await["type"], "complete");
    let deep = format!(
        "subscription {{ cooperationChanged {{ cooperation {{ {}title{} }} }} }}",
        "frenchPartners { cooperations { nodes { ".repeat(6),
        " } } }".repeat(6)
    );
    socket.subscribe("d", &deep, json!({})).await;
    let too_deep = socket.next().await;
    assert_eq!(
        too_deep["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP",
        "{too_deep}"
    );
    // Over HTTP a subscription is refused with a pointer to the socket.
    let body = app
        .graphql("subscription { cooperationChanged { kind } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST", "{body}");
}

#[tokio::test]
async fn commitments_and_events_reach_their_subscribers() {
    let app = spawn_demo_app().await;
    let data = app
        .data(
            "{ programmes(first: 1) { nodes { id actions { shares { id commitment } } } }
               countryGroups(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let programme = data["programmes"]["nodes"][0].clone();
    let share = programme["actions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|action| action["shares"].as_array().unwrap().clone())
        .find(|share| share["commitment"] == "PROPOSED")
        .expect("the demo programme has a proposed share");
    let group = data["countryGroups"]["nodes"][0]["id"].clone();

    let commitments = "subscription($id: ID!) { commitmentChanged(programmeId: $id) {
        kind programmeId shareId share { commitment } } }";
    let mut anonymous = Socket::connect(&app.address, json!({})).await;
    anonymous
        .subscribe("c", commitments, json!({ "id": programme["id"] }))
        .await;
    let refused = anonymous.next().await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "programmes are not public: {refused}"
    );
    assert_eq!(anonymous.next().await["type"], "complete");
    let events = "subscription($id: ID!) { eventChanged(countryGroupId: $id) { kind event { title visibility } } }";
    anonymous
        .subscribe("e", events, json!({ "id": group }))
        .await;

    let bearer = format!("Bearer {}", app.admin_token);
    let mut staff = Socket::connect(&app.address, json!({ "authorization": bearer })).await;
    staff
        .subscribe("c", commitments, json!({ "id": programme["id"] }))
        .await;
    staff.subscribe("e", events, json!({ "id": group })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let pledged = app
        .data(
            "mutation($id: ID!) { setCommitment(input: {shareId: $id, commitment: PLEDGED}) { userErrors { message } } }",
            json!({ "id": share["id"] }),
        )
        .await;
    assert_eq!(
        pledged["setCommitment"]["userErrors"],
        json!([]),
        "{pledged}"
    );
    let change = staff.next().await;
    let change = &change["payload"]["data"]["commitmentChanged"];
    assert_eq!(change["kind"], "UPDATED", "{change}");
    assert_eq!(change["shareId"], share["id"]);
    assert_eq!(change["programmeId"], programme["id"]);
    assert_eq!(change["share"]["commitment"], "PLEDGED");

    let create = "mutation($input: EventInput!) { createEvent(input: $input) { event { id } userErrors { message } } }";
    for (title, visibility) in [("Réunion interne", "MEMBERS"), ("Atelier ouvert", "PUBLIC")] {
        let created = app
            .data(
                create,
                json!({ "input": { "title": title, "kind": "WORKSHOP", "visibility": visibility,
                    "countryGroupId": group, "date": { "start": "2015-03-01", "precision": "MONTH" } } }),
            )
            .await;
        assert_eq!(created["createEvent"]["userErrors"], json!([]), "{created}");
    }
    let first = staff.next().await;
    assert_eq!(
        first["payload"]["data"]["eventChanged"]["event"]["title"],
        "Réunion interne"
    );
    assert_eq!(
        staff.next().await["payload"]["data"]["eventChanged"]["event"]["title"],
        "Atelier ouvert"
    );
    let public = anonymous.next().await;
    assert_eq!(
        public["payload"]["data"]["eventChanged"]["event"]["title"], "Atelier ouvert",
        "members' events are not the public's: {public}"
    );
    assert_eq!(public["payload"]["data"]["eventChanged"]["kind"], "CREATED");
}

#[tokio::test]
async fn a_socket_runs_a_bounded_number_of_subscriptions() {
    let app = spawn_app_with(|_| {}).await;
    let mut socket = Socket::connect(&app.address, json!({})).await;
    for n in 0..25 {
        socket
            .subscribe(
                &n.to_string(),
                "subscription { cooperationChanged { kind } }",
                json!({}),
            )
            .await;
    }
    // Completing one makes room for another.
    socket.send(json!({ "id": "0", "type": "complete" })).await;
    assert_eq!(
        socket.next().await,
        json!({ "id": "0", "type": "complete" })
    );
    socket
        .subscribe(
            "25",
            "subscription { cooperationChanged { kind } }",
            json!({}),
        )
        .await;
    assert!(
        socket.silent_for(Duration::from_millis(300)).await,
        "still open"
    );
    socket
        .subscribe(
            "26",
            "subscription { cooperationChanged { kind } }",
            json!({}),
        )
        .await;
    assert_eq!(socket.close_code().await, Some(CloseCode::from(4400)));
}
