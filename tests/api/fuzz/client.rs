//! How the fuzzer talks to the server: its callers (one of each role, an API key,
//! anonymous, invalid credentials), the requests it sends and what comes back.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use super::generate::Document;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD};

/// How a fuzzed request authenticates.
pub enum Credential {
    Anonymous,
    /// A signed-in user, signed in again when a fuzzed mutation (`logoutEverywhere`) has
    /// revoked their token.
    User {
        email: String,
        password: String,
        token: Mutex<String>,
    },
    ApiKey(String),
    /// Credentials that identify no one (a `401`), one of [`INVALID`] per request.
    Invalid,
}

/// Headers with credentials that identify no one: malformed, forged, unsigned, too long.
pub const INVALID: &[(&str, &[u8])] = &[
    ("authorization", b"Bearer not.a.token"),
    ("authorization", b"Bearer "),
    ("authorization", b"Bearer"),
    ("authorization", b"Basic YWRtaW46YWRtaW4="),
    ("authorization", b"bearer  a  b"),
    // A JWT with `alg: none` for user 1.
    (
        "authorization",
        b"Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.",
    ),
    ("authorization", b"Bearer cuf_\xc3\xa9t\xe9"),
    ("authorization", b"Bearer \xff\xfe"),
    ("x-api-key", b"cuf_not_a_key"),
    ("x-api-key", b""),
    ("x-api-key", b"\x80\x81"),
];

/// One caller of the run.
pub struct Caller {
    pub label: &'static str,
    pub credential: Credential,
    /// Out of a hundred: how often the caller is picked.
    pub weight: usize,
}

/// What a fuzzed request sends.
pub enum Payload {
    Graphql(Document),
    Get(Document),
    Raw(Vec<u8>),
}

/// One fuzzed request.
pub struct Request {
    pub caller: usize,
    /// Which of [`INVALID`] an invalid caller sends.
    pub invalid: usize,
    pub accept: Option<&'static str>,
    pub content_type: &'static str,
    pub payload: Payload,
}

/// What the server answered.
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
    pub text: String,
}

/// The callers of a run, and the ids fuzzed mutations must leave alone (the callers' own
/// users and key): a run that deactivated its administrator would test little after that.
pub async fn callers(app: &TestApp) -> (Vec<Caller>, Vec<String>) {
    let data = app
        .data(
            "{ viewer { id }
               authorities(first: 1, filter: {countryCode: \"FR\"}) { nodes { id } }
               organisations(first: 1, filter: {kinds: [MINISTRY]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let authority = &data["authorities"]["nodes"][0]["id"];
    let ministry = &data["organisations"]["nodes"][0]["id"];
    let mut protected = vec![data["viewer"]["id"].as_str().unwrap().to_owned()];
    let mut users = Vec::new();
    for (role, authority, organisation) in [
        ("CUF_STAFF", &Value::Null, &Value::Null),
        ("MEMBER", authority, &Value::Null),
        ("MINISTRY", &Value::Null, ministry),
    ] {
        let email = format!("fuzz-{}@test.example.org", role.to_lowercase());
        let created = app
            .data(
                "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }",
                json!({ "input": { "email": email, "displayName": role, "role": role,
                    "password": USER_PASSWORD, "authorityId": authority, "organisationId": organisation } }),
            )
            .await;
        protected.push(
            created["createUser"]["user"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let token = app.sign_in(&email, USER_PASSWORD).await;
        users.push((email, token));
    }
    let key = app
        .data(
            "mutation($org: ID!) { createApiKey(input: {organisationId: $org, name: \"fuzz\"}) { apiKey { id } secret } }",
            json!({ "org": ministry }),
        )
        .await;
    protected.push(
        key["createApiKey"]["apiKey"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let user = |(email, token): (String, String)| Credential::User {
        email,
        password: USER_PASSWORD.to_owned(),
        token: Mutex::new(token),
    };
    let mut users = users.into_iter();
    let callers = vec![
        Caller {
            label: "admin",
            credential: Credential::User {
                email: ADMIN_EMAIL.to_owned(),
                password: ADMIN_PASSWORD.to_owned(),
                token: Mutex::new(app.admin_token.clone()),
            },
            weight: 35,
        },
        Caller {
            label: "staff",
            credential: user(users.next().unwrap()),
            weight: 15,
        },
        Caller {
            label: "member",
            credential: user(users.next().unwrap()),
            weight: 15,
        },
        Caller {
            label: "ministry",
            credential: user(users.next().unwrap()),
            weight: 8,
        },
        Caller {
            label: "api key",
            credential: Credential::ApiKey(
                key["createApiKey"]["secret"].as_str().unwrap().to_owned(),
            ),
            weight: 7,
        },
        Caller {
            label: "anonymous",
            credential: Credential::Anonymous,
            weight: 16,
        },
        Caller {
            label: "invalid",
            credential: Credential::Invalid,
            weight: 4,
        },
    ];
    (callers, protected)
}

/// Sends requests to one server as the run's callers.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub callers: &'a [Caller],
    /// A client from another loopback address, to sign callers in again: fuzzed sign-ins
    /// may have throttled the usual one.
    pub relogin: reqwest::Client,
}

impl Client<'_> {
    /// Sends `request` as its caller; what the server answered, or why nothing came back.
    pub async fn send(&self, request: &Request) -> Result<Answer, reqwest::Error> {
        let app = self.app;
        let mut builder = match &request.payload {
            Payload::Graphql(document) => {
                let mut body = json!({ "query": document.query, "variables": document.variables });
                if let Some(name) = &document.operation_name {
                    body["operationName"] = json!(name);
                }
                app.client.post(app.url("/graphql")).body(body.to_string())
            }
            Payload::Raw(bytes) => app.client.post(app.url("/graphql")).body(bytes.clone()),
            Payload::Get(document) => {
                let variables = Value::Object(document.variables.clone()).to_string();
                let mut query = vec![
                    ("query", document.query.as_str()),
                    ("variables", &variables),
                ];
                if let Some(name) = &document.operation_name {
                    query.push(("operationName", name));
                }
                app.client.get(app.url("/graphql")).query(&query)
            }
        };
        if !matches!(request.payload, Payload::Get(_)) {
            builder = builder.header("content-type", request.content_type);
        }
        if let Some(accept) = request.accept {
            builder = builder.header("accept", accept);
        }
        builder = match &self.callers[request.caller].credential {
            Credential::Anonymous => builder,
            Credential::User { token, .. } => builder.bearer_auth(token.lock().unwrap().clone()),
            Credential::ApiKey(key) => builder.header("x-api-key", key),
            Credential::Invalid => {
                let (name, value) = INVALID[request.invalid % INVALID.len()];
                match reqwest::header::HeaderValue::from_bytes(value) {
                    Ok(value) => builder.header(name, value),
                    Err(_) => builder,
                }
            }
        };
        let response = builder.timeout(Duration::from_secs(60)).send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        Ok(Answer {
            status,
            body: serde_json::from_slice(&bytes).ok(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    /// Signs `caller` in again if a fuzzed mutation revoked their sessions.
    pub async fn sign_in_again(&self, caller: &Caller) {
        let Credential::User {
            email,
            password,
            token,
        } = &caller.credential
        else {
            return;
        };
        let response = self
            .relogin
            .post(self.app.url("/graphql"))
            .json(&json!({
                "query": "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
                "variables": { "input": { "email": email, "password": password } }
            }))
            .send()
            .await;
        let body: Option<Value> = match response {
            Ok(response) => response.json().await.ok(),
            Err(_) => None,
        };
        if let Some(fresh) = body
            .as_ref()
            .and_then(|body| body["data"]["login"]["accessToken"].as_str())
        {
            *token.lock().unwrap() = fresh.to_owned();
        }
    }
}
