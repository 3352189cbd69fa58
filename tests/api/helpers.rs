//! `spawn_app()` and the client helpers every test uses.

use api::settings::{Environment, Settings};
use api::startup::Application;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// A running server on its own fresh database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: sea_orm::DatabaseConnection,
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
        db_max_connections: 5,
        demo_data: Some(false),
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
    let mut settings = test_settings(database_url.clone());
    adjust(&mut settings);
    api::telemetry::init(&settings);
    let application = Application::build(settings)
        .await
        .expect("the application builds");
    let address = format!("http://{}", application.address());
    let db = application.db().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        sqlite_file,
    }
}

/// Starts the server on a fresh database with the demo dataset loaded.
pub async fn spawn_demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo_data = Some(true)).await
}

impl TestApp {
    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Posts a GraphQL document with variables; the parsed response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server answers");
        assert!(
            response.status().is_success(),
            "status {}",
            response.status()
        );
        response.json().await.expect("a JSON body")
    }

    /// Posts a GraphQL document and returns its `data`, failing on any error.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
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
