//! GraphQL over HTTP: methods, media types, status codes, limits, request ids, probes.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

const CREATE: &str = r#"mutation { createAuthority(input: {name: "Ville de Test", kind: MUNICIPALITY, countryCode: "FR"}) { authority { id } } }"#;

#[tokio::test]
async fn a_json_post_runs_a_query_and_answers_json_with_a_request_id() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ authorities { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(request_id.len(), 32);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"], json!({ "authorities": { "totalCount": 0 } }));
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["extensions"]["cost"]["requested"].as_u64() > Some(0));
}

#[tokio::test]
async fn a_simple_cross_origin_post_is_refused_and_never_executes() {
    let app = spawn_app().await;
    // A multipart form is how files are uploaded, but only with credentials in a header,
    // which a browser never sends cross-origin without a preflight: without, it is refused.
    for (content_type, refusal) in [
        (Some("text/plain"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            Some("application/x-www-form-urlencoded"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Some("multipart/form-data; boundary=x"),
            StatusCode::BAD_REQUEST,
        ),
        (None, StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ] {
        let mut request = app
            .client
            .post(app.url("/graphql"))
            .body(json!({ "query": CREATE }).to_string());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), refusal, "{content_type:?}");
    }
    assert_eq!(app.authority_count().await, 0);
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_allow_post() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", CREATE)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[ALLOW], "POST");
    assert_eq!(app.authority_count().await, 0);
}

#[tokio::test]
async fn a_query_over_get_runs_with_variables_and_operation_name() {
    let app = spawn_app().await;
    let query = "query Count($kinds: [AuthorityKind!]) { authorities(filter: {kinds: $kinds}) { totalCount } } mutation M { __typename }";
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[
            ("query", query),
            ("operationName", "Count"),
            ("variables", r#"{"kinds":["REGION"]}"#),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["authorities"]["totalCount"], 0);
    let named_mutation = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query), ("operationName", "M")])
        .send()
        .await
        .unwrap();
    assert_eq!(named_mutation.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn other_methods_are_refused_with_405() {
    let app = spawn_app().await;
    let response = app.client.put(app.url("/graphql")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[ALLOW], "GET, POST");
}

#[tokio::test]
async fn the_accept_header_chooses_the_response_type_or_406() {
    let app = spawn_app().await;
    let post = |accept: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header(ACCEPT, accept)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
    };
    let response = post("application/graphql-response+json").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/graphql-response+json; charset=utf-8"
    );
    let response = post("application/graphql-response+json;q=0.2, application/json")
        .await
        .unwrap();
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let response = post("text/html").await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    let response = post("application/xml").await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn malformed_requests_get_400() {
    let app = spawn_app().await;
    let cases = [
        ("{not json", "the request body is not valid JSON"),
        (
            r#"[{"query":"{ __typename }"}]"#,
            "batched requests are not supported",
        ),
        (
            r#""{ __typename }""#,
            "the request body must be a JSON object",
        ),
        (r#"{"variables":{}}"#, "`query` is required"),
        (r#"{"query":42}"#, "`query` must be a string"),
        (
            r#"{"query":"{ __typename }","variables":[1]}"#,
            "`variables` must be an object",
        ),
        (
            r#"{"query":"{ __typename }","operationName":1}"#,
            "`operationName` must be a string",
        ),
    ];
    for (body, message) in cases {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["message"], message);
    }
}

#[tokio::test]
async fn an_unparseable_document_gets_400_for_both_response_types() {
    let app = spawn_app().await;
    for accept in ["application/json", "application/graphql-response+json"] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(ACCEPT, accept)
            .json(&json!({ "query": "{ authorities { " }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "GRAPHQL_PARSE_FAILED");
        assert!(body.get("data").is_none());
    }
}

#[tokio::test]
async fn a_document_that_does_not_validate_is_400_with_the_graphql_response_type() {
    let app = spawn_app().await;
    let query = json!({ "query": "{ noSuchField }" });
    let strict = app
        .client
        .post(app.url("/graphql"))
        .header(ACCEPT, "application/graphql-response+json")
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(strict.status(), StatusCode::BAD_REQUEST);
    let body: Value = strict.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let legacy = app
        .client
        .post(app.url("/graphql"))
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), StatusCode::OK);
    let body: Value = legacy.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let app = spawn_app().await;
    let padding = " ".repeat(101 * 1024);
    let response = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .body(format!(r#"{{"query":"{{ __typename }}{padding}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_413() {
    let app = spawn_app().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        std::iter::once(Ok(br#"{"query":"{ __typename }"#.to_vec()))
            .chain((0..120).map(|_| Ok(vec![b' '; 1024])))
            .chain(std::iter::once(Ok(br#""}"#.to_vec())))
            .collect();
    let response = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn health_readiness_and_schema_are_served() {
    let app = spawn_app().await;
    let healthz = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), StatusCode::OK);
    let readyz = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(readyz.status(), StatusCode::OK);
    let schema = app
        .client
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(schema.status(), StatusCode::OK);
    let sdl = schema.text().await.unwrap();
    assert!(sdl.contains("type Authority implements Node"), "{sdl}");
    let missing = app
        .client
        .get(app.url("/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();
    let readyz = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(readyz.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn configured_origins_get_cors_headers_and_others_do_not() {
    let app = spawn_app().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://spa.example.org").await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://spa.example.org"
    );
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_document_sent_again_is_executed_again_and_an_invalid_one_refused_every_time() {
    let app = spawn_app().await;
    // Declares no variables: after its first validation it is executed without one.
    let count = "{ authorities { totalCount } }";
    let before = app.data(count, json!({})).await["authorities"]["totalCount"]
        .as_i64()
        .unwrap();
    for _ in 0..3 {
        let again = app.data(count, json!({})).await;
        assert_eq!(again["authorities"]["totalCount"], before);
    }
    app.data(CREATE, json!({})).await;
    let after = app.data(count, json!({})).await;
    assert_eq!(after["authorities"]["totalCount"], before + 1);
    // A field's error, in a document that validated, comes again with its path.
    let partial = "{ authorities { totalCount } node(id: \"bm90IGFuIGlk\") { id } }";
    let first = app.graphql(partial, json!({})).await;
    assert_eq!(first["errors"][0]["path"], json!(["node"]), "{first}");
    for _ in 0..2 {
        let again = app.graphql(partial, json!({})).await;
        assert_eq!(
            (&again["data"], &again["errors"]),
            (&first["data"], &first["errors"])
        );
    }
    // A document that fails validation fails it every time it is sent.
    for _ in 0..3 {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(ACCEPT, "application/graphql-response+json")
            .json(&json!({ "query": "{ authorities { noSuchField } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    }
}
