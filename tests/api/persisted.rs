//! Automatic persisted queries, and API keys pinned to their registered operations.

use api::access::tokens::digest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, spawn_app};

/// Posts `body` with an `x-api-key` if any; the status and the JSON body.
async fn send(app: &TestApp, api_key: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = app.client.post(app.url("/graphql")).json(&body);
    if let Some(key) = api_key {
        request = request.header("x-api-key", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn a_document_sent_once_runs_again_by_its_digest() {
    let app = spawn_app().await;
    let query = "{ cooperations(first: 1) { totalCount } }";
    let hash = digest(query);

    let (_, unknown) = send(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(
        error_code(&unknown),
        "PERSISTED_QUERY_NOT_FOUND",
        "{unknown}"
    );
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");

    let (status, first) = send(
        &app,
        None,
        json!({ "query": query, "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["data"]["cooperations"]["totalCount"], 0);

    let (status, again) = send(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["data"], first["data"]);

    let get = app
        .client
        .get(app.url("/graphql"))
        .query(&[("extensions", persisted(&hash).to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    let body: Value = get.json().await.unwrap();
    assert_eq!(body["data"], first["data"], "a GET names it by digest too");

    let (_, mismatch) = send(
        &app,
        None,
        json!({ "query": "{ __typename }", "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(error_code(&mismatch), "PERSISTED_QUERY_HASH_MISMATCH");
    let (status, version) = send(
        &app,
        None,
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&version), "PERSISTED_QUERY_NOT_SUPPORTED");
    let (status, malformed) = send(&app, None, json!({ "extensions": persisted("abc") })).await;
    assert_eq!(status, 400, "{malformed}");

    // A document that does not parse is not remembered under its digest.
    let broken = "{ cooperations(";
    let (_, refused) = send(
        &app,
        None,
        json!({ "query": broken, "extensions": persisted(&digest(broken)) }),
    )
    .await;
    assert_eq!(error_code(&refused), "GRAPHQL_PARSE_FAILED");
    let (_, still_unknown) = send(
        &app,
        None,
        json!({ "extensions": persisted(&digest(broken)) }),
    )
    .await;
    assert_eq!(error_code(&still_unknown), "PERSISTED_QUERY_NOT_FOUND");
}

const SET_OPERATIONS: &str = "mutation($input: SetApiKeyOperationsInput!) {
    setApiKeyOperations(input: $input) {
        apiKey { operationsPinned operations { name sha256 } }
        userErrors { field code message } } }";

#[tokio::test]
async fn a_pinned_api_key_runs_only_its_registered_operations() {
    let app = spawn_app().await;
    let daect = app
        .create_organisation(json!({ "name": "DAECT", "kind": "MINISTRY" }))
        .await;
    let created = app
        .data(
            "mutation($org: ID!) { createApiKey(input: {organisationId: $org, name: \"nightly\"}) { secret apiKey { id } } }",
            json!({ "org": daect["id"] }),
        )
        .await;
    let key = created["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_id = created["createApiKey"]["apiKey"]["id"].clone();
    let tested = "query Directory { cooperations(first: 5) { totalCount nodes { title } } }";
    let other = "{ authorities(first: 1) { totalCount } }";
    let (status, before) = send(&app, Some(&key), json!({ "query": other })).await;
    assert_eq!(
        status, 200,
        "an unpinned key runs anything it may read: {before}"
    );

    let bad = app
        .data(
            SET_OPERATIONS,
            json!({ "input": { "apiKeyId": key_id, "pinned": true, "operations": [
                { "name": "Directory", "document": tested },
                { "name": "Directory", "document": other },
                { "name": "Write", "document": "mutation { logout { userErrors { message } } }" },
                { "name": "Broken", "document": "{ cooperations(" },
            ] } }),
        )
        .await;
    let errors = &bad["setApiKeyOperations"]["userErrors"];
    let fields: Vec<&Value> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert_eq!(
        fields,
        [
            &json!(["operations", "1", "name"]),
            &json!(["operations", "2"]),
            &json!(["operations", "3"])
        ],
        "{errors}"
    );
    let (status, _) = send(&app, Some(&key), json!({ "query": other })).await;
    assert_eq!(status, 200, "a refused registration changed nothing");

    let set = app
        .data(
            SET_OPERATIONS,
            json!({ "input": { "apiKeyId": key_id, "pinned": true, "operations": [
                { "name": "Directory", "document": tested } ] } }),
        )
        .await;
    let key_now = &set["setApiKeyOperations"]["apiKey"];
    assert_eq!(key_now["operationsPinned"], true, "{set}");
    assert_eq!(key_now["operations"][0]["sha256"], digest(tested));

    let (status, allowed) = send(&app, Some(&key), json!({ "query": tested })).await;
    assert_eq!(status, 200, "{allowed}");
    assert_eq!(allowed["data"]["cooperations"]["totalCount"], 0);
    let (status, refused) = send(&app, Some(&key), json!({ "query": other })).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(error_code(&refused), "OPERATION_NOT_ALLOWED");
    let (status, _) = send(&app, Some(&key), json!({ "query": format!("{tested} ") })).await;
    assert_eq!(status, 403, "the digest is of the exact text");
    let (status, by_digest) = send(
        &app,
        Some(&key),
        json!({ "extensions": persisted(&digest(tested)) }),
    )
    .await;
    assert_eq!(
        status, 200,
        "a registered operation runs by its digest: {by_digest}"
    );
    assert_eq!(by_digest["data"], allowed["data"]);
    let (_, anonymous) = send(&app, None, json!({ "query": other })).await;
    assert!(
        anonymous.get("errors").is_none(),
        "other callers are not pinned"
    );

    let (_, staff) = app.user_with_role("CUF_STAFF", None, None).await;
    let forbidden = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&staff)
        .json(&json!({ "query": SET_OPERATIONS, "variables": { "input": { "apiKeyId": key_id, "pinned": false, "operations": [] } } }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(error_code(&forbidden), "FORBIDDEN");

    app.data(
        SET_OPERATIONS,
        json!({ "input": { "apiKeyId": key_id, "pinned": false, "operations": [] } }),
    )
    .await;
    let (status, _) = send(&app, Some(&key), json!({ "query": other })).await;
    assert_eq!(status, 200, "unpinned again");
}
