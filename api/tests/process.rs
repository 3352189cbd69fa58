//! The `api` binary as a process: its subcommands, and SIGTERM draining in-flight requests.
//! These need the real executable and signals, which the in-process tests of `tests/`
//! cannot give; everything else is tested there.

#![allow(clippy::unwrap_used)] // A failing unwrap is a failing test, with its line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when the test ends, passed or not: an orphan would keep the test
/// runner waiting on its output pipes.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp_database() -> (String, std::path::PathBuf) {
    let file = std::env::temp_dir().join(format!("cuf-process-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    (format!("sqlite://{}?mode=rwc", file.display()), file)
}

fn api(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .env("DATABASE_URL", database_url)
        .env("CUF_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .env_remove("CUF_ENV")
        .stdin(Stdio::null());
    command
}

/// Waits for the server's "listening" line; the address it names and the lines before it.
fn listening(child: &mut Child) -> (String, Vec<String>) {
    let stdout = child.stdout.take().unwrap();
    let mut before = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.split("at http://").nth(1) {
            return (url.trim_end_matches("/graphql").to_owned(), before);
        }
        before.push(line);
    }
    panic!("the server never said where it listens");
}

fn listening_address(child: &mut Child) -> String {
    listening(child).0
}

/// Posts a GraphQL document over a plain TCP connection; the raw HTTP response.
fn post(address: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn login_body(email: &str, password: &str) -> String {
    format!(
        r#"{{"query":"mutation {{ login(input: {{email: \"{email}\", password: \"{password}\"}}) {{ user {{ role }} userErrors {{ message }} }} }}"}}"#
    )
}

#[test]
fn development_start_prints_a_random_admin_and_demo_users_who_can_sign_in() {
    let file = std::env::temp_dir().join(format!("cuf-dev-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let mut server = Running(
        api(&format!("sqlite://{}?mode=rwc", file.display()))
            .env("CUF_DEMO_DATA", "true")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (address, lines) = listening(&mut server.0);
    let credentials = |prefix: &str| -> (String, String) {
        let line = lines
            .iter()
            .find(|line| line.contains(prefix))
            .unwrap_or_else(|| panic!("{lines:?}"));
        let (email, password) = line.rsplit_once(" / ").unwrap();
        (
            email.split_whitespace().last().unwrap().to_owned(),
            password.split_whitespace().next().unwrap().to_owned(),
        )
    };
    let (admin, admin_password) = credentials("Administrator created:");
    assert_eq!(admin, "admin@cuf.localhost");
    let (member, member_password) = credentials("member@demo.example.org");
    let response = post(&address, &login_body(&admin, &admin_password));
    assert!(response.contains(r#""role":"ADMIN""#), "{response}");
    let response = post(&address, &login_body(&member, &member_password));
    assert!(response.contains(r#""role":"MEMBER""#), "{response}");
    drop(server);
    let _ = std::fs::remove_file(file);
}

#[test]
fn user_create_reads_the_password_from_standard_input() {
    let file = std::env::temp_dir().join(format!("cuf-user-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let database_url = format!("sqlite://{}?mode=rwc", file.display());
    let create = |password: &str| {
        let mut child = api(&database_url)
            .args([
                "user",
                "create",
                "--email",
                "first.admin@example.org",
                "--role",
                "ADMIN",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = create("short");
    assert!(!short.status.success());
    let created = create("a sufficiently long password");
    assert!(created.status.success(), "{created:?}");
    let again = create("a sufficiently long password");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already"),
        "{again:?}"
    );
    let mut server = Running(api(&database_url).stdout(Stdio::piped()).spawn().unwrap());
    let address = listening_address(&mut server.0);
    let response = post(
        &address,
        &login_body("first.admin@example.org", "a sufficiently long password"),
    );
    assert!(response.contains(r#""role":"ADMIN""#), "{response}");
    drop(server);
    let _ = std::fs::remove_file(file);
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn sigterm_lets_an_in_flight_request_finish_then_exits_cleanly() {
    let (database_url, file) = temp_database();
    let mut server = Running(
        api(&database_url)
            .env("CUF_DEMO_DATA", "true")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut server.0;
    let address = listening_address(child);
    let body = r#"{"query":"{ authorities { totalCount } }"}"#;
    let (head, tail) = body.split_at(10);
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server exited with a request in flight"
    );
    stream.write_all(tail.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"data":{"authorities":{"totalCount":9}},"#),
        "{response}"
    );
    let exit = wait_for_exit(child, Duration::from_secs(10));
    assert!(
        exit.is_some_and(|status| status.success()),
        "exit: {exit:?}"
    );
    let _ = std::fs::remove_file(file);
}

#[test]
fn export_schema_prints_the_committed_sdl() {
    let output = Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("export-schema")
        .output()
        .unwrap();
    assert!(output.status.success());
    let committed = include_str!("../../schema.graphql");
    assert!(
        String::from_utf8_lossy(&output.stdout) == committed,
        "schema.graphql is out of date: run `cargo run -p api -- export-schema > schema.graphql`"
    );
}

#[test]
fn seed_demo_loads_an_empty_database_and_refuses_a_loaded_one() {
    let file = std::env::temp_dir().join(format!("cuf-seed-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let database_url = format!("sqlite://{}?mode=rwc", file.display());
    let migrate = api(&database_url).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let first = api(&database_url).args(["seed", "demo"]).output().unwrap();
    assert!(first.status.success(), "{first:?}");
    let second = api(&database_url).args(["seed", "demo"]).output().unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("not empty"),
        "{second:?}"
    );
    let _ = std::fs::remove_file(file);
}

/// Rows per table of the SQLite database at `database_url`, and how many fiches are
/// validated and events public (what an anonymous caller sees).
fn synthetic_rows(database_url: &str) -> (Vec<u64>, u64, u64) {
    use entities::*;
    use sea_orm::{ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
    actix_web::rt::System::new().block_on(async {
        let db = Database::connect(database_url).await.unwrap();
        let rows = vec![
            authority::Entity::find().count(&db).await.unwrap(),
            organisation::Entity::find().count(&db).await.unwrap(),
            person::Entity::find().count(&db).await.unwrap(),
            country_group::Entity::find().count(&db).await.unwrap(),
            cooperation::Entity::find().count(&db).await.unwrap(),
            event::Entity::find().count(&db).await.unwrap(),
            event_participant::Entity::find().count(&db).await.unwrap(),
            programme::Entity::find().count(&db).await.unwrap(),
            programme_action::Entity::find().count(&db).await.unwrap(),
            cost_share::Entity::find().count(&db).await.unwrap(),
        ];
        let validated = cooperation::Entity::find()
            .filter(cooperation::Column::ValidationState.eq("VALIDATED"))
            .count(&db)
            .await
            .unwrap();
        let public = event::Entity::find()
            .filter(event::Column::Visibility.eq("PUBLIC"))
            .count(&db)
            .await
            .unwrap();
        (rows, validated, public)
    })
}

#[test]
fn seed_synthetic_loads_its_scale_of_every_count_which_the_api_serves() {
    let file = std::env::temp_dir().join(format!("cuf-synthetic-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let database_url = format!("sqlite://{}?mode=rwc", file.display());
    let seed = || {
        api(&database_url)
            .args(["seed", "synthetic", "--scale", "0.01"])
            .output()
            .unwrap()
    };
    let first = seed();
    assert!(first.status.success(), "{first:?}");
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("synthetic dataset at scale 0.01"),
        "{first:?}"
    );
    // One hundredth of 2,000 authorities, 200 organisations, 6,000 people, 100 groups,
    // 50,000 fiches, 5,000 events, 40,000 participants, 500 programmes, 3,000 actions and
    // 12,000 shares.
    let (rows, validated, public) = synthetic_rows(&database_url);
    assert_eq!(rows, [20, 2, 60, 1, 500, 50, 400, 5, 30, 120]);
    assert!(validated > 350, "{validated} of 500 fiches validated");
    let second = seed();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("not empty"),
        "{second:?}"
    );
    let mut server = Running(
        api(&database_url)
            .env("CUF_DEMO_DATA", "false")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let address = listening_address(&mut server.0);
    let response = post(
        &address,
        r#"{"query":"{ cooperations(first: 50) { totalCount edges { node { id frenchPartners { id } foreignPartners { id } themes { code } } } } countryGroups { totalCount nodes { memberships { role } } } events { totalCount } }"}"#,
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    assert!(!body.contains("\"errors\""), "{body}");
    assert!(
        body.contains(&format!(r#""cooperations":{{"totalCount":{validated},"#)),
        "{body}"
    );
    assert!(body.contains(r#""role":"CHAIR""#), "{body}");
    assert!(
        body.contains(&format!(r#""events":{{"totalCount":{public}}}"#)),
        "{body}"
    );
    drop(server);
    let _ = std::fs::remove_file(file);
}

/// Posts `body` (a JSON value) to `/graphql` with a bearer `token` (none if empty); the
/// response's JSON body.
fn post_json(address: &str, token: &str, body: &serde_json::Value) -> serde_json::Value {
    let body = body.to_string();
    let authorization = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (_, json) = response.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(json).unwrap_or_else(|_| panic!("{response}"))
}

/// A fresh PostgreSQL database next to `base` (dropped by the returned guard).
struct Database {
    base: String,
    name: String,
    url: String,
}

impl Database {
    fn create(runtime: &tokio::runtime::Runtime, base: &str) -> Self {
        use sea_orm::ConnectionTrait;
        let name = format!("cuf_test_replicas_{}", std::process::id());
        let prefix = base.split('?').next().unwrap().rsplit_once('/').unwrap().0;
        runtime.block_on(async {
            let admin = sea_orm::Database::connect(base).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
        });
        Self {
            base: base.to_owned(),
            url: format!("{prefix}/{name}"),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        use sea_orm::ConnectionTrait;
        let (base, name) = (self.base.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                if let Ok(admin) = sea_orm::Database::connect(&base).await {
                    let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin.execute_unprepared(&statement).await;
                }
            });
        })
        .join();
    }
}

/// The next text message of `socket`, as JSON; a panic after 10 s.
async fn next_json<S>(socket: &mut S) -> serde_json::Value
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    use futures_util::StreamExt;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Two replicas on one PostgreSQL database: a change made through one reaches a
/// subscription held by the other (LISTEN/NOTIFY). Runs where `CUF_TEST_DATABASE_URL` names
/// a PostgreSQL server, as in `.ci/run`; SQLite has one process by design.
#[test]
fn a_change_made_on_one_replica_reaches_a_subscriber_of_the_other() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let Ok(base) = std::env::var("CUF_TEST_DATABASE_URL") else {
        eprintln!("CUF_TEST_DATABASE_URL is not set: the two-replica test needs PostgreSQL");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = Database::create(&runtime, &base);
    let replica = |url: &str| {
        let mut command = api(url);
        command
            .env("CUF_ADMIN_EMAIL", "admin@replicas.example.org")
            .env("CUF_ADMIN_PASSWORD", "a shared administrator password")
            .env(
                "CUF_JWT_SECRET",
                "one secret shared by both replicas, long enough",
            )
            .env("CUF_DEMO_DATA", "false")
            .stdout(Stdio::piped());
        Running(command.spawn().unwrap())
    };
    let mut first = replica(&database.url);
    let first_address = listening_address(&mut first.0);
    let mut second = replica(&database.url);
    let second_address = listening_address(&mut second.0);
    assert_ne!(first_address, second_address);

    let login = post_json(
        &first_address,
        "",
        &serde_json::json!({ "query": "mutation { login(input: {email: \"admin@replicas.example.org\", password: \"a shared administrator password\"}) { accessToken } }" }),
    );
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();

    runtime.block_on(async {
        let mut request = format!("ws://{second_address}/graphql/ws")
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let send = |value: serde_json::Value| Message::text(value.to_string());
        socket
            .send(send(serde_json::json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })))
            .await
            .unwrap();
        assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
        socket
            .send(send(serde_json::json!({ "id": "1", "type": "subscribe", "payload": {
                "query": "subscription { cooperationChanged { kind cooperationId cooperation { title } } }" } })))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;

        let authority = |name: &str, country: &str| {
            let created = post_json(
                &first_address,
                &token,
                &serde_json::json!({
                    "query": "mutation($input: CreateAuthorityInput!) { createAuthority(input: $input) { authority { id } } }",
                    "variables": { "input": { "name": name, "kind": "MUNICIPALITY", "countryCode": country } } }),
            );
            created["data"]["createAuthority"]["authority"]["id"].clone()
        };
        let (lyon, oaxaca) = (authority("Ville de Lyon", "FR"), authority("Oaxaca", "MX"));
        let created = post_json(
            &first_address,
            &token,
            &serde_json::json!({
                "query": "mutation($input: CreateCooperationInput!) { createCooperation(input: $input) { cooperation { id } } }",
                "variables": { "input": { "title": "Eau potable", "countryCode": "MX", "status": "ONGOING",
                    "frenchPartnerIds": [lyon], "foreignPartnerIds": [oaxaca] } } }),
        );
        let id = created["data"]["createCooperation"]["cooperation"]["id"].clone();
        assert!(id.is_string(), "{created}");
        let message = next_json(&mut socket).await;
        let change = &message["payload"]["data"]["cooperationChanged"];
        assert_eq!(change["kind"], "CREATED", "{message}");
        assert_eq!(change["cooperationId"], id);
        assert_eq!(change["cooperation"]["title"], "Eau potable");
    });
    drop((first, second));
}

/// The environment of the running process `pid`, as `NAME=value` entries.
fn environment_of(pid: u32) -> Vec<String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    raw.split(|byte| *byte == 0)
        .map(|entry| String::from_utf8_lossy(entry).into_owned())
        .collect()
}

#[test]
fn the_server_runs_with_the_allocators_options_and_keeps_those_it_is_given() {
    let file = std::env::temp_dir().join(format!("cuf-allocator-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let database_url = format!("sqlite://{}?mode=rwc", file.display());
    let mut server = Running(
        api(&database_url)
            .env_remove("MIMALLOC_PURGE_DELAY")
            .env_remove("CUF_ALLOCATOR_TUNED")
            .env("MIMALLOC_ARENA_EAGER_COMMIT", "2")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut server.0;
    // The process re-executed itself (same pid) before serving.
    let address = listening_address(child);
    let environment = environment_of(child.id());
    assert!(
        environment
            .iter()
            .any(|entry| entry == "MIMALLOC_PURGE_DELAY=25"),
        "{environment:?}"
    );
    // An option set by whoever started the server wins over the server's own.
    assert!(
        environment
            .iter()
            .any(|entry| entry == "MIMALLOC_ARENA_EAGER_COMMIT=2"),
        "{environment:?}"
    );
    let response = post(&address, r#"{"query":"{ __typename }"}"#);
    assert!(response.contains(r#""__typename":"Query""#), "{response}");
    let _ = std::fs::remove_file(file);
}
