//! Abuse resistance: document limits with their codes before any SQL runs, the cost in
//! `extensions.cost`, rate limiting with `429` and `X-RateLimit-*`, and what production
//! hides (introspection, suggestions, the playground, the SDL).

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, spawn_app, spawn_app_with};

/// Posts `query` as `operation` (its name, so that `/metrics` tells its statements apart).
async fn post_named(app: &TestApp, auth: Auth<'_>, query: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query }));
    if let Auth::Bearer(token) = auth {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// The value of one series in `/metrics`, 0 when absent.
pub async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
        .unwrap_or(0.0)
}

async fn refused_with(app: &TestApp, name: &str, query: &str) -> String {
    let response = post_named(app, Auth::Bearer(&app.admin_token), query).await;
    assert_eq!(response.status(), 400, "{name}");
    let body: Value = response.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
    let statements = format!("cuf_graphql_statements_total{{operation=\"{name}\"}}");
    let requests =
        format!("cuf_graphql_requests_total{{operation=\"{name}\",outcome=\"refused\"}}");
    assert_eq!(metric(app, &requests).await, 1.0, "{name} was counted");
    assert_eq!(metric(app, &statements).await, 0.0, "{name} sent no SQL");
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn each_limit_has_its_code_and_refuses_before_any_sql() {
    let app = spawn_app().await;
    let deep = format!(
        "query Deep {{ node(id: \"x\") {{ ... on Authority {{ {}id{} }} }} }}",
        "parent { ".repeat(12),
        " }".repeat(12)
    );
    assert_eq!(refused_with(&app, "Deep", &deep).await, "QUERY_TOO_DEEP");
    let complex = "query Complex { cooperations(first: 100) { edges { node { title themes { id label } frenchPartners { id name cooperations(first: 100) { edges { node { id title } } } } } } } }";
    assert_eq!(
        refused_with(&app, "Complex", complex).await,
        "QUERY_TOO_COMPLEX"
    );
    let aliases: String = (0..51).map(|i| format!("a{i}: __typename ")).collect();
    assert_eq!(
        refused_with(&app, "Aliases", &format!("query Aliases {{ {aliases} }}")).await,
        "TOO_MANY_ALIASES"
    );
    let fields = "__typename ".repeat(201);
    assert_eq!(
        refused_with(&app, "Fields", &format!("query Fields {{ {fields} }}")).await,
        "TOO_MANY_FIELDS"
    );
    let directives = "query Directives { __typename @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) }";
    assert_eq!(
        refused_with(&app, "Directives", directives).await,
        "TOO_MANY_DIRECTIVES"
    );
    let mut fragments = String::from("query Fragments { ...F0 }");
    for level in 0..10 {
        fragments.push_str(&format!(
            " fragment F{level} on Query {{ ...F{} }}",
            level + 1
        ));
    }
    fragments.push_str(" fragment F10 on Query { __typename }");
    assert_eq!(
        refused_with(&app, "Fragments", &fragments).await,
        "FRAGMENTS_TOO_DEEP"
    );
    let page = "query Page { authorities(first: 101) { edges { node { id } } } }";
    assert_eq!(refused_with(&app, "Page", page).await, "PAGE_TOO_LARGE");
}

#[tokio::test]
async fn a_nul_in_any_text_is_refused_before_any_sql() {
    // The fuzzer found fields one by one that passed a NUL on to PostgreSQL, which refuses
    // it in text (INTERNAL), where SQLite took it. It is now refused for every field at once.
    let app = spawn_app().await;
    let count = "{ authorities { totalCount } }";
    let before = app.data(count, json!({})).await;
    let create = r#"mutation Create { createAuthority(input: {name: "Ville de Nantes", kind: MUNICIPALITY, countryCode: "FR", description: "a\u0000b"}) { authority { id } } }"#;
    assert_eq!(refused_with(&app, "Create", create).await, "BAD_USER_INPUT");
    let search = r#"query Search { q: cooperations(filter: {search: "x"}) { totalCount } f: cooperations(filter: {search: "\u0000"}) { totalCount } }"#;
    assert_eq!(refused_with(&app, "Search", search).await, "BAD_USER_INPUT");
    let body = app
        .graphql(
            "mutation($input: CreateAuthorityInput!) { createAuthority(input: $input) { authority { id } } }",
            json!({ "input": { "name": "Ville\u{0}", "kind": "MUNICIPALITY", "countryCode": "FR" } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("`$input`") && message.contains("NUL"),
        "{message}"
    );
    assert_eq!(
        app.data(count, json!({})).await,
        before,
        "nothing was created"
    );
}

#[tokio::test]
async fn the_cost_of_a_request_is_in_its_extensions_and_grows_with_the_page() {
    let app = spawn_app().await;
    let cost = |first: u32| {
        let app = &app;
        async move {
            let query =
                format!("{{ authorities(first: {first}) {{ edges {{ node {{ id name }} }} }} }}");
            let body = app.graphql(&query, json!({})).await;
            assert!(body.get("errors").is_none(), "{body}");
            body["extensions"]["cost"]["requested"].as_u64().unwrap()
        }
    };
    let ten = cost(10).await;
    let hundred = cost(100).await;
    assert!(hundred > 9 * ten, "{ten} then {hundred}");
}

#[tokio::test]
async fn a_spent_bucket_answers_429_with_retry_after_for_that_caller_only() {
    let app = spawn_app_with(|settings| {
        settings.protection.rate_limit_capacity = 100;
        settings.protection.rate_limit_refill = 1;
    })
    .await;
    let query = "{ authorities(first: 15) { edges { node { id name } } } }";
    let admin = Auth::Bearer(&app.admin_token);
    let first = post_named(&app, admin, query).await;
    assert_eq!(first.status(), 200);
    let header = |response: &reqwest::Response, name: &str| -> u64 {
        response.headers()[name].to_str().unwrap().parse().unwrap()
    };
    assert_eq!(header(&first, "x-ratelimit-limit"), 100);
    let remaining = header(&first, "x-ratelimit-remaining");
    let body: Value = first.json().await.unwrap();
    let cost = body["extensions"]["cost"]["requested"].as_u64().unwrap();
    assert!(cost > 50, "{cost}");
    assert_eq!(remaining, 100 - cost);
    assert_eq!(
        body["extensions"]["cost"]["remaining"].as_u64(),
        Some(remaining)
    );
    let second = post_named(&app, admin, query).await;
    assert_eq!(second.status(), 429);
    let retry_after = header(&second, "retry-after");
    assert!(retry_after >= 1 && retry_after <= cost, "{retry_after}");
    assert_eq!(header(&second, "x-ratelimit-remaining"), remaining);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry_after);
    assert_eq!(metric(&app, "cuf_rate_limited_total").await, 1.0);
    // Another caller has a bucket of its own.
    let anonymous = post_named(&app, Auth::Anonymous, "{ __typename }").await;
    assert_eq!(anonymous.status(), 200);
}

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

#[tokio::test]
async fn production_hides_introspection_suggestions_the_playground_and_the_sdl() {
    let app = spawn_app_with(|settings| {
        settings.environment = api::settings::Environment::Production;
    })
    .await;
    let body = app.graphql(INTROSPECTION, json!({})).await;
    assert!(body["errors"].is_array(), "{body}");
    let body = app.graphql("{ authoritie { id } }", json!({})).await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let page = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200);
    assert!(!page.text().await.unwrap().contains("<html"));
    let sdl = app
        .client
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(sdl.status(), 404);
}

#[tokio::test]
async fn production_can_turn_the_playground_and_introspection_back_on() {
    let app = spawn_app_with(|settings| {
        settings.environment = api::settings::Environment::Production;
        settings.protection.playground = Some(true);
        settings.protection.introspection = Some(true);
    })
    .await;
    let body = app.graphql(INTROSPECTION, json!({})).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    let page = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn development_suggests_field_names() {
    let app = spawn_app().await;
    let body = app.graphql("{ authoritie { id } }", json!({})).await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Did you mean"), "{message}");
}

#[tokio::test]
async fn metrics_expose_requests_latency_statements_pool_and_slow_statements() {
    let app = spawn_app_with(|settings| settings.protection.slow_query_ms = 0).await;
    let response = post_named(
        &app,
        Auth::Anonymous,
        "query Seen { authorities(first: 5) { nodes { id } } }",
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        "cuf_graphql_requests_total{operation=\"Seen\",outcome=\"ok\"} 1",
        "cuf_graphql_request_duration_seconds_count{operation=\"Seen\"} 1",
        "cuf_graphql_request_duration_seconds_bucket{operation=\"Seen\",le=\"+Inf\"} 1",
        "cuf_graphql_statements_total{operation=\"Seen\"} 1",
        "# TYPE cuf_db_pool_connections gauge",
        "cuf_db_pool_max_connections 5",
        "cuf_rate_limited_total 0",
    ] {
        assert!(text.contains(series), "{series} missing from\n{text}");
    }
    // With a threshold of 0 ms every statement is slow, and logged as such.
    assert!(metric(&app, "cuf_db_slow_statements_total").await >= 1.0);
}

#[tokio::test]
async fn a_request_past_its_time_limit_is_cancelled_with_timeout() {
    // One password hash at a time and a one-second limit: a hundred sign-ins at once queue on
    // the hashing pool, and the last ones cannot finish in time.
    let app = spawn_app_with(|settings| {
        settings.hash_concurrency = 1;
        settings.protection.request_timeout_seconds = 1;
        settings.protection.rate_limit_capacity = 0;
    })
    .await;
    let login = json!({
        "query": "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
        "variables": { "input": { "email": crate::helpers::ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD } },
    });
    let requests = (0..100).map(|_| {
        app.client
            .post(app.url("/graphql"))
            .header("accept", "application/graphql-response+json")
            .json(&login)
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut timed_out = 0;
    for response in responses {
        let response = response.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        if status == 504 {
            assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
            timed_out += 1;
        } else {
            assert_eq!(status, 200, "{body}");
        }
    }
    assert!(timed_out > 0, "no sign-in outran the limit");
    let after = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(after["data"]["__typename"], "Query");
}

/// Another session of `db` holding the `authorities` table (PostgreSQL): reads of it wait
/// until the returned transaction ends.
pub async fn lock_authorities(db: &sea_orm::DatabaseConnection) -> sea_orm::DatabaseTransaction {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let blocker = db.begin().await.unwrap();
    blocker
        .execute_unprepared("LOCK TABLE authorities IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    blocker
}

#[tokio::test]
async fn a_statement_past_the_database_timeout_is_cancelled_with_timeout() {
    use sea_orm::DbBackend;
    let app = spawn_app_with(|settings| settings.protection.statement_timeout_ms = 300).await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        // `statement_timeout` is PostgreSQL's; SQLite has no server to cancel a statement.
        return;
    }
    // Another session holds the table: the API's read waits on the lock until PostgreSQL
    // cancels it (SQLSTATE 57014).
    let blocker = lock_authorities(&app.db).await;
    let started = std::time::Instant::now();
    let body = app
        .graphql("{ authorities { totalCount } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "cancelled by the database, not by the request timeout"
    );
    blocker.rollback().await.unwrap();
    let after = app.data("{ authorities { totalCount } }", json!({})).await;
    assert_eq!(after["authorities"]["totalCount"], 0);
}

#[tokio::test]
async fn a_query_waits_for_a_place_while_mutations_keep_their_own() {
    use sea_orm::DbBackend;
    use std::time::Duration;
    let app = spawn_app_with(|settings| settings.protection.max_concurrent_operations = 1).await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        // Holding a query in flight needs another session's lock, which only PostgreSQL
        // makes a read wait on; the bound itself is unit-tested in `http::admission`.
        return;
    }
    let blocker = lock_authorities(&app.db).await;
    // The one query place is taken by a read waiting on the lock.
    let held = {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.address);
        tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&json!({ "query": "{ authorities { totalCount } }" }))
                .send()
                .await
                .unwrap();
            response.json::<Value>().await.unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let waiting = tokio::time::timeout(
        Duration::from_millis(600),
        app.graphql("{ __typename }", json!({})),
    )
    .await;
    assert!(waiting.is_err(), "a second query ran past the bound of one");
    // A mutation has its own place: it runs while the query place is taken.
    let mutation = tokio::time::timeout(
        Duration::from_secs(5),
        app.graphql(
            r#"mutation { login(input: {email: "nobody@example.org", password: "not the password"}) { accessToken } }"#,
            json!({}),
        ),
    )
    .await
    .expect("a mutation waited behind a query");
    // It ran to its end: unknown credentials get no token.
    assert!(mutation["data"]["login"].is_object(), "{mutation}");
    assert!(
        mutation["data"]["login"]["accessToken"].is_null(),
        "{mutation}"
    );
    // Once the lock goes, the held read finishes and the place is free again.
    blocker.rollback().await.unwrap();
    let body = held.await.unwrap();
    assert_eq!(body["data"]["authorities"]["totalCount"], 0, "{body}");
    let after = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(after["data"]["__typename"], "Query");
}
