//! Losing the database: `/readyz` and every request say so within seconds, and the server
//! recovers by itself when the database returns. The test brings its own PostgreSQL 15
//! (`initdb` and `pg_ctl` in a temporary folder, on a free port) so that it can crash and
//! restart it; it runs the same whatever `CUF_TEST_DATABASE_URL` says.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app_on};

/// The programs of the machine's PostgreSQL 15, unless `CUF_TEST_POSTGRES_BIN` names others.
const POSTGRES_BIN: &str = "/usr/lib/postgresql/15/bin";

/// The longest a request may take while the database is down: an answer, never a hang.
const REQUEST_BOUND: Duration = Duration::from_secs(10);

/// A PostgreSQL server of the test's own. Dropping it stops the server and removes its
/// folder, whether the test passed or failed.
struct PrivatePostgres {
    bin: PathBuf,
    folder: PathBuf,
    port: u16,
    /// initdb refuses to run as root, so as root every program runs as `postgres`.
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Creates a cluster in a temporary folder and starts it on a free port.
    async fn start() -> Self {
        let bin = std::env::var_os("CUF_TEST_POSTGRES_BIN")
            .map_or_else(|| PathBuf::from(POSTGRES_BIN), PathBuf::from);
        for program in ["initdb", "pg_ctl", "postgres"] {
            let path = bin.join(program);
            assert!(
                path.is_file(),
                "this test starts its own PostgreSQL 15 and needs {}: install postgresql-15, \
                 or set CUF_TEST_POSTGRES_BIN to the folder of initdb and pg_ctl",
                path.display()
            );
        }
        let folder = std::env::temp_dir().join(format!("cuf-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir(&folder).unwrap();
        let server = Self {
            bin,
            folder,
            port: free_port(),
            as_postgres: std::fs::metadata("/proc/self").is_ok_and(|proc| proc.uid() == 0),
        };
        if server.as_postgres {
            let owner = Command::new("chown")
                .arg("postgres:")
                .arg(&server.folder)
                .output()
                .unwrap();
            assert!(owner.status.success(), "chown: {owner:?}");
        }
        let data = server.data();
        server
            .run(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ],
            )
            .await;
        server.restart().await;
        server
    }

    fn data(&self) -> String {
        self.folder.join("data").display().to_string()
    }

    /// The URL of the cluster's `postgres` database.
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) on the same port and data, and waits until it accepts
    /// connections.
    async fn restart(&self) {
        let options = format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.folder.display(),
            self.port
        );
        let log = self.folder.join("server.log").display().to_string();
        let data = self.data();
        self.run(
            "pg_ctl",
            &[
                "start", "-w", "-t", "30", "-D", &data, "-l", &log, "-o", &options,
            ],
        )
        .await;
    }

    /// Kills the server as a crash would: no checkpoint, every connection cut.
    async fn crash(&self) {
        self.run("pg_ctl", &["stop", "-m", "immediate", "-D", &self.data()])
            .await;
    }

    /// The command running `program` of the PostgreSQL folder, as `postgres` when root.
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        };
        command.args(args).current_dir(&self.folder);
        command
    }

    /// Runs `program` off the runtime's threads and fails the test, with its output and the
    /// server's log, unless it succeeds.
    async fn run(&self, program: &str, args: &[&str]) {
        let mut command = self.command(program, args);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
        let log = std::fs::read_to_string(self.folder.join("server.log")).unwrap_or_default();
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}\n{}\nserver log:\n{log}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // Already stopped is fine: the command then fails, and only the folder is left.
        let _ = self
            .command("pg_ctl", &["stop", "-m", "immediate", "-D", &self.data()])
            .output();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The status of `/readyz`, failing the test if it takes longer than [`REQUEST_BOUND`].
async fn readyz(app: &TestApp) -> u16 {
    let response = app
        .client
        .get(app.url("/readyz"))
        .timeout(REQUEST_BOUND)
        .send()
        .await
        .expect("/readyz answers in time");
    response.status().as_u16()
}

/// Polls `/readyz` until it answers `status`; how long that took, or a failure after `limit`.
async fn readyz_becomes(app: &TestApp, status: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if readyz(app).await == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "/readyz did not answer {status} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Posts `query` and returns the body, failing if the answer takes [`REQUEST_BOUND`] or more.
async fn timed_post(app: &TestApp, auth: Auth<'_>, query: &str, variables: Value) -> Value {
    let started = Instant::now();
    let response = tokio::time::timeout(REQUEST_BOUND, app.post(auth, query, variables))
        .await
        .unwrap_or_else(|_| panic!("no answer within {REQUEST_BOUND:?}: {query}"));
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    eprintln!(
        "database down: {status} in {:?} for {query}",
        started.elapsed()
    );
    body
}

/// Gets `path` and returns the status and body, failing if the answer takes
/// [`REQUEST_BOUND`] or more.
async fn timed_get(app: &TestApp, path: &str) -> (u16, String) {
    let started = Instant::now();
    let response = app
        .client
        .get(app.url(path))
        .timeout(REQUEST_BOUND)
        .send()
        .await
        .unwrap_or_else(|error| panic!("no answer within {REQUEST_BOUND:?} for {path}: {error}"));
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .unwrap_or_else(|error| format!("<cut: {error}>"));
    eprintln!(
        "database down: {status} in {:?} for {path}",
        started.elapsed()
    );
    (status, body)
}

const AUTHORITY_NAMES: &str = "{ authorities { nodes { name } } }";

const CREATE_AUTHORITY: &str = "mutation($input: CreateAuthorityInput!) {
    createAuthority(input: $input) { authority { id } userErrors { message } } }";

const LOGIN: &str =
    "mutation { login(input: { email: \"nobody@test.example.org\", password: \"x\" }) {
    accessToken userErrors { message } } }";

/// Every kind of request while the database is down answers `SERVICE_UNAVAILABLE` in time:
/// queries and mutations, anonymous and with a token (identifying it reads the database),
/// and the plain HTTP routes that read it.
async fn assert_every_request_is_unavailable(app: &TestApp) {
    let admin = Auth::Bearer(&app.admin_token);
    let authority =
        json!({ "input": { "name": "Nantes", "kind": "MUNICIPALITY", "countryCode": "FR" } });
    let cases = [
        (Auth::Anonymous, AUTHORITY_NAMES, json!({})),
        (admin, AUTHORITY_NAMES, json!({})),
        (Auth::Anonymous, LOGIN, json!({})),
        (admin, CREATE_AUTHORITY, authority),
    ];
    let posts = cases.map(|(auth, query, variables)| async move {
        let body = timed_post(app, auth, query, variables).await;
        assert_eq!(
            error_code(&body),
            "SERVICE_UNAVAILABLE",
            "{query}: {body:#}"
        );
    });
    let gets = [
        "/export/cooperations.csv",
        "/export/iati/MX.xml",
        "/calendar/Q291bnRyeUdyb3VwOjk5OQ.ics",
    ]
    .map(|path| async move {
        let (status, body) = timed_get(app, path).await;
        assert_eq!(status, 503, "{path}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error_code(&body), "SERVICE_UNAVAILABLE", "{path}: {body:#}");
    });
    futures_util::future::join(
        futures_util::future::join_all(posts),
        futures_util::future::join_all(gets),
    )
    .await;
}

#[tokio::test]
async fn losing_the_database_is_reported_and_recovered_from_by_itself() {
    let postgres = PrivatePostgres::start().await;
    let app = spawn_app_on(postgres.url(), |_| {}).await;
    app.create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }))
        .await;
    let before = app.data(AUTHORITY_NAMES, json!({})).await;
    assert_eq!(before["authorities"]["nodes"][0]["name"], "Lyon");
    assert_eq!(readyz(&app).await, 200);

    postgres.crash().await;
    let detected = readyz_becomes(&app, 503, Duration::from_secs(5)).await;
    eprintln!("database down: /readyz answered 503 after {detected:?}");
    // Twice: first the pool still holds the connections the crash cut, then it has none
    // (each failed use discards one, and the first round uses more than the pool's five)
    // and every request waits for a connection that cannot be made.
    assert_every_request_is_unavailable(&app).await;
    assert_every_request_is_unavailable(&app).await;
    let started = Instant::now();
    assert_eq!(readyz(&app).await, 503);
    eprintln!(
        "database down: /readyz answered 503 in {:?}",
        started.elapsed()
    );

    postgres.restart().await;
    let recovered = readyz_becomes(&app, 200, Duration::from_secs(15)).await;
    eprintln!("database back: /readyz answered 200 after {recovered:?}");
    // More requests than the pool has connections: none of those the crash cut is handed out
    // again.
    for _ in 0..8 {
        assert_eq!(app.data(AUTHORITY_NAMES, json!({})).await, before);
        let body = app
            .graphql_as(Auth::Anonymous, AUTHORITY_NAMES, json!({}))
            .await;
        assert_eq!(body["data"], before, "after the restart: {body:#}");
    }
}
