//! The `api` binary as a process: its subcommands, and SIGTERM draining in-flight requests.
//! These need the real executable and signals, which the in-process tests of `tests/`
//! cannot give; everything else is tested there.

#![allow(clippy::unwrap_used)] // A failing unwrap is a failing test, with its line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// Waits for the server's "listening" line and returns the address it names.
fn listening_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.split("at http://").nth(1) {
            return url.trim_end_matches("/graphql").to_owned();
        }
    }
    panic!("the server never said where it listens");
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
    let mut child = api(&database_url)
        .env("CUF_DEMO_DATA", "true")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let address = listening_address(&mut child);
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
        response.contains(r#"{"data":{"authorities":{"totalCount":9}}}"#),
        "{response}"
    );
    let exit = wait_for_exit(&mut child, Duration::from_secs(10));
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
