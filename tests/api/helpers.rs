//! `spawn_app()` and the client helpers every test uses.

use api::settings::{Environment, Protection, Settings};
use api::startup::Application;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// The administrator every test server starts with.
pub const ADMIN_EMAIL: &str = "admin@test.example.org";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
/// The password of the users tests create.
pub const USER_PASSWORD: &str = "a long enough password";

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    Anonymous,
    Bearer(&'a str),
    ApiKey(&'a str),
}

/// A running server on its own fresh database, with an administrator signed in.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: sea_orm::DatabaseConnection,
    /// The access token of the bootstrap administrator; `graphql` and `data` send it.
    pub admin_token: String,
    sqlite_file: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }
}

/// The settings of a test server: port 0, one worker, no demo data, quiet logs.
pub fn test_settings(database_url: String) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        database_url,
        environment: Environment::Development,
        cors_origins: vec!["https://spa.example.org".into()],
        log_filter: "warn".into(),
        workers: Some(1),
        body_limit: 100 * 1024,
        files_dir: std::env::temp_dir()
            .join(format!("cuf-files-{}", uuid::Uuid::new_v4().simple())),
        max_upload_bytes: 20 * 1024 * 1024,
        db_max_connections: 5,
        demo_data: Some(false),
        jwt_secret: Some("test-signing-secret-that-is-long-enough-0123456789".into()),
        jwt_key_id: "k1".into(),
        jwt_previous_secret: None,
        jwt_previous_key_id: "k0".into(),
        access_token_minutes: 15,
        session_days: 30,
        admin_email: Some(ADMIN_EMAIL.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        hash_concurrency: 2,
        smtp_url: None,
        mail_from: "CUF test <noreply@test.example.org>".into(),
        outbox_interval_seconds: 1,
        ws_init_timeout_seconds: 10,
        reminder_interval_days: 7,
        iati_reporting_org_ref: "FR-CUF".into(),
        protection: Protection::default(),
    }
}

/// A new, empty database: a temporary SQLite file, or a new PostgreSQL database named after
/// a UUID when `CUF_TEST_DATABASE_URL` points at a PostgreSQL server.
async fn fresh_database() -> (String, Option<std::path::PathBuf>) {
    let name = format!("cuf_test_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("CUF_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            let admin = Database::connect(&server)
                .await
                .expect("PostgreSQL is reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("the test database is created");
            admin.close().await.ok();
            let base = server
                .rsplit_once('/')
                .map_or(server.as_str(), |(base, _)| base);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let file = std::env::temp_dir().join(format!("{name}.sqlite"));
            (format!("sqlite://{}?mode=rwc", file.display()), Some(file))
        }
    }
}

/// Starts the server on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server on a fresh database, with settings adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, sqlite_file) = fresh_database().await;
    start(database_url, sqlite_file, adjust).await
}

/// Starts the server on the database at `database_url`, which the caller provides (and
/// removes), with settings adjusted by `adjust`.
pub async fn spawn_app_on(database_url: String, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    start(database_url, None, adjust).await
}

/// Starts the server on `database_url`; `sqlite_file` is removed when the app is dropped.
async fn start(
    database_url: String,
    sqlite_file: Option<std::path::PathBuf>,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = test_settings(database_url);
    adjust(&mut settings);
    api::telemetry::init(&settings);
    let application = Application::build(settings)
        .await
        .expect("the application builds");
    let address = format!("http://{}", application.address());
    let db = application.db().clone();
    tokio::spawn(application.run_until_stopped());
    let mut app = TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        admin_token: String::new(),
        sqlite_file,
    };
    app.admin_token = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app
}

/// Starts the server on a fresh database with the demo dataset loaded.
pub async fn spawn_demo_app() -> TestApp {
    spawn_demo_app_with(|_| {}).await
}

/// Starts the server on a fresh database with the demo dataset loaded, with settings
/// adjusted by `adjust`.
pub async fn spawn_demo_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|settings| {
        settings.demo_data = Some(true);
        adjust(settings);
    })
    .await
}

impl TestApp {
    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Posts a GraphQL document with `auth`; the response.
    pub async fn post(&self, auth: Auth<'_>, query: &str, variables: Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        request = match auth {
            Auth::Anonymous => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::ApiKey(key) => request.header("x-api-key", key),
        };
        request.send().await.expect("the server answers")
    }

    /// Posts a GraphQL document with `auth`; the parsed body of a successful response.
    pub async fn graphql_as(&self, auth: Auth<'_>, query: &str, variables: Value) -> Value {
        let response = self.post(auth, query, variables).await;
        assert!(
            response.status().is_success(),
            "status {}",
            response.status()
        );
        response.json().await.expect("a JSON body")
    }

    /// Posts a GraphQL document as the administrator; the parsed response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(Auth::Bearer(&self.admin_token), query, variables)
            .await
    }

    /// Posts a GraphQL document as the administrator and returns its `data`, failing on any
    /// error.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Signs in and returns the payload of `login`.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let body = self
            .graphql_as(
                Auth::Anonymous,
                "mutation($input: LoginInput!) { login(input: $input) {
                    accessToken refreshToken expiresAt user { id email role } userErrors { field message code } } }",
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        body["data"]["login"].clone()
    }

    /// Signs in and returns the access token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let payload = self.login(email, password).await;
        payload["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in failed: {payload}"))
            .to_owned()
    }

    /// Creates a user with `role` (attached to `authority_id` or `organisation_id`) and signs
    /// them in; their id and access token.
    pub async fn user_with_role(
        &self,
        role: &str,
        authority_id: Option<&Value>,
        organisation_id: Option<&Value>,
    ) -> (Value, String) {
        let email = format!(
            "{}-{}@test.example.org",
            role.to_lowercase(),
            uuid::Uuid::new_v4().simple()
        );
        let data = self
            .data(
                "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { field message } } }",
                json!({ "input": {
                    "email": email, "displayName": role, "role": role, "password": USER_PASSWORD,
                    "authorityId": authority_id, "organisationId": organisation_id
                } }),
            )
            .await;
        let id = data["createUser"]["user"]["id"].clone();
        assert!(!id.is_null(), "{data}");
        (id, self.sign_in(&email, USER_PASSWORD).await)
    }

    /// Creates an authority and returns it (id, name, version).
    pub async fn create_authority(&self, input: Value) -> Value {
        let data = self
            .data(
                "mutation($input: CreateAuthorityInput!) { createAuthority(input: $input) {
                    authority { id name version parent { id } } userErrors { field message code } } }",
                json!({ "input": input }),
            )
            .await;
        let payload = &data["createAuthority"];
        assert_eq!(payload["userErrors"], json!([]), "{payload:#}");
        payload["authority"].clone()
    }

    /// Creates an organisation and returns it (id, name, version).
    pub async fn create_organisation(&self, input: Value) -> Value {
        let data = self
            .data(
                "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) {
                    organisation { id name version } userErrors { field message code } } }",
                json!({ "input": input }),
            )
            .await;
        let payload = &data["createOrganisation"];
        assert_eq!(payload["userErrors"], json!([]), "{payload:#}");
        payload["organisation"].clone()
    }

    /// How many authorities exist.
    pub async fn authority_count(&self) -> i64 {
        let data = self.data("{ authorities { totalCount } }", json!({})).await;
        data["authorities"]["totalCount"].as_i64().expect("a count")
    }
}

/// The `extensions.code` of the first top-level error of `body`.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
}
