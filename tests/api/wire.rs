//! What crosses the wire to PostgreSQL. A statement costs one round trip: sqlx 0.9's pool
//! pinged every connection given back to it, a second round trip for each statement, which
//! the patched `sqlx-core` in `vendor/` replaces with a flush (see `vendor/README.md`). A
//! connection given back in the middle of a statement must still be drained before its next
//! use. Both tests need a PostgreSQL server; on SQLite they are skipped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Auth, spawn_app_with};
use crate::limits::metric;

/// A PostgreSQL URL cut around its server: `postgres://user@`, `host[:port]`, `/database…`.
fn around_server(url: &str) -> Option<(&str, &str, &str)> {
    let start = url.find("://")? + 3;
    let end = url[start..].find('/').map_or(url.len(), |end| start + end);
    let start = url[start..end]
        .rfind('@')
        .map_or(start, |at| start + at + 1);
    Some((&url[..start], &url[start..end], &url[end..]))
}

/// The PostgreSQL server the tests run on, as `host:port`, if they run on PostgreSQL.
fn postgres_server() -> Option<String> {
    let url = std::env::var("CUF_TEST_DATABASE_URL").ok()?;
    if !url.starts_with("postgres") {
        return None;
    }
    let (_, server, _) = around_server(&url)?;
    Some(if server.contains(':') {
        server.to_owned()
    } else {
        format!("{server}:5432")
    })
}

/// `url` with its server replaced by `proxy`, without TLS so that the proxy reads the
/// messages.
fn through(url: &str, proxy: SocketAddr) -> String {
    let (before, _, after) = around_server(url).unwrap();
    let separator = if after.contains('?') { '&' } else { '?' };
    format!("{before}{proxy}{after}{separator}sslmode=disable")
}

/// A TCP proxy in front of PostgreSQL that counts the round trips clients ask for: the
/// `Sync` messages of the extended protocol, each answered by one `ReadyForQuery`.
struct Proxy {
    address: SocketAddr,
    syncs: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(server: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let syncs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&syncs);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(&server).await else {
                    continue;
                };
                let (client_read, mut client_write) = client.into_split();
                let (mut upstream_read, upstream_write) = upstream.into_split();
                tokio::spawn(frontend(client_read, upstream_write, Arc::clone(&counted)));
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
                });
            }
        });
        Self { address, syncs }
    }

    /// The round trips asked for so far, by every connection.
    fn round_trips(&self) -> usize {
        self.syncs.load(Ordering::SeqCst)
    }
}

/// Forwards what a client sends to the server, counting its `Sync` messages. The first
/// message (start-up) has no type byte; every later one is a type byte and a length that
/// counts itself.
async fn frontend(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    syncs: Arc<AtomicUsize>,
) {
    let mut pending = Vec::new();
    let mut started = false;
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
        pending.extend_from_slice(&buffer[..read]);
        loop {
            let at = usize::from(started);
            let Some(length) = pending.get(at..at + 4) else {
                break;
            };
            let end = at + u32::from_be_bytes(length.try_into().unwrap()) as usize;
            if pending.len() < end {
                break;
            }
            if started && pending[0] == b'S' {
                syncs.fetch_add(1, Ordering::SeqCst);
            }
            pending.drain(..end);
            started = true;
        }
    }
}

#[tokio::test]
async fn a_read_statement_costs_one_round_trip() {
    let Some(server) = postgres_server() else {
        eprintln!("round trips are counted on PostgreSQL's protocol; skipped on SQLite");
        return;
    };
    let proxy = Proxy::start(server).await;
    let app = spawn_app_with(|settings| {
        settings.database_url = through(&settings.database_url, proxy.address);
        settings.protection.rate_limit_capacity = 0;
    })
    .await;
    let read = "{ authorities(first: 5) { nodes { id name } } countryGroups(first: 5) { nodes { name } } }";
    let reads = || async {
        for _ in 0..20 {
            app.data(read, json!({})).await;
        }
        // A connection goes back to the pool in a task of its own, after the response.
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    // The first use of each statement on a connection also prepares it, a round trip more.
    reads().await;
    let (trips, statements) = (
        proxy.round_trips(),
        metric(&app, "cuf_db_statements_total").await,
    );
    reads().await;
    let trips = (proxy.round_trips() - trips) as f64;
    let statements = metric(&app, "cuf_db_statements_total").await - statements;
    assert!(statements >= 40.0, "{statements} statements for 20 reads");
    // Slack for a background statement counted on one side of a reading and not the other.
    assert!(
        trips <= statements + 3.0,
        "{trips} round trips for {statements} statements"
    );
}

#[tokio::test]
async fn a_connection_given_back_mid_statement_is_drained_before_its_next_use() {
    use sea_orm::DbBackend;
    let mut url = String::new();
    // One connection, and a request limit far shorter than the statement limit: the
    // request is cancelled while its statement still waits on the database.
    let app = spawn_app_with(|settings| {
        url = settings.database_url.clone();
        settings.db_max_connections = 1;
        settings.protection.request_timeout_seconds = 1;
        settings.protection.statement_timeout_ms = 60_000;
    })
    .await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        eprintln!("only PostgreSQL makes a read wait on another session's lock; skipped");
        return;
    }
    app.create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }))
        .await;
    let other = sea_orm::Database::connect(&url).await.unwrap();
    let blocker = crate::limits::lock_authorities(&other).await;
    let response = app
        .post(Auth::Anonymous, "{ authorities { totalCount } }", json!({}))
        .await;
    assert_eq!(response.status(), 504);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    // The cancelled statement's answer arrives once the lock is gone; the next statements
    // on the one connection must get their own.
    blocker.rollback().await.unwrap();
    for _ in 0..3 {
        let data = app
            .data(
                "{ authorities { totalCount nodes { name } } countryGroups { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(data["authorities"]["totalCount"], 1, "{data}");
        assert_eq!(data["authorities"]["nodes"][0]["name"], "Lyon", "{data}");
        assert_eq!(data["countryGroups"]["totalCount"], 0, "{data}");
    }
    other.close().await.unwrap();
}
