//! What a client sees of failures: codes, and nothing internal.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn a_database_failure_shows_only_internal_and_the_request_id() {
    let app = spawn_app().await;
    // The table disappears from under the server, as after a botched deployment.
    app.db
        .execute_unprepared("ALTER TABLE people RENAME TO people_gone")
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ people { nodes { firstName } } }" }))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "INTERNAL");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert_eq!(message, format!("internal error (request id {request_id})"));
    let text = format!(
        "{} {}",
        body["errors"][0]["message"], body["errors"][0]["extensions"]
    )
    .to_lowercase();
    for leak in [
        "people", "table", "sql", "relation", "select", "sqlite", "postgres",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
}

#[tokio::test]
async fn invalid_arguments_are_bad_user_input() {
    let app = spawn_app().await;
    let cases = [
        "{ authorities(first: 1, last: 1) { totalCount } }",
        "{ authorities(after: \"garbage\") { totalCount } }",
        "{ authorities(filter: {countryCode: \"XX\"}) { totalCount } }",
        "{ authorities(filter: {parentId: \"garbage\"}) { totalCount } }",
        "{ people(filter: {search: \"a b c d e f g h i\"}) { totalCount } }",
    ];
    for query in cases {
        let body = app.graphql(query, json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}: {body}");
    }
}
