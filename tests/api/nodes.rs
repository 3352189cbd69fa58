//! `node` and `nodes` fetch any object by its global id.

use serde_json::json;

use crate::helpers::{error_code, spawn_app};

#[tokio::test]
async fn node_fetches_each_kind_by_global_id() {
    let app = spawn_app().await;
    let authority = app
        .create_authority(
            json!({ "name": "Estado de Jalisco", "kind": "STATE", "countryCode": "MX" }),
        )
        .await;
    let organisation = app
        .create_organisation(json!({ "name": "Cités Unies France", "kind": "NETWORK" }))
        .await;
    let query = "query($id: ID!) { node(id: $id) { __typename id ... on Authority { name } ... on Organisation { name } } }";
    for object in [&authority, &organisation] {
        let data = app.data(query, json!({ "id": object["id"] })).await;
        assert_eq!(data["node"]["id"], object["id"]);
        assert_eq!(data["node"]["name"], object["name"]);
    }
}

#[tokio::test]
async fn nodes_keeps_the_order_asked_with_null_where_missing() {
    let app = spawn_app().await;
    let first = app
        .create_authority(json!({ "name": "A", "kind": "REGION", "countryCode": "FR" }))
        .await;
    let second = app
        .create_authority(json!({ "name": "B", "kind": "REGION", "countryCode": "FR" }))
        .await;
    // A well-formed id of a row that does not exist.
    let missing = "QXV0aG9yaXR5Ojk5OTk5";
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [second["id"], missing, first["id"]] }),
        )
        .await;
    assert_eq!(
        data["nodes"],
        json!([{ "id": second["id"] }, null, { "id": first["id"] }])
    );
}

#[tokio::test]
async fn nodes_refuses_more_than_100_ids_and_malformed_ids() {
    let app = spawn_app().await;
    let ids: Vec<String> = (1..=101).map(|_| "QXV0aG9yaXR5OjE".to_owned()).collect();
    let body = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app
        .graphql("{ node(id: \"not-an-id\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["data"]["node"], json!(null));
}
