//! Organisations: create, update, delete, search by acronym.

use serde_json::json;

use crate::helpers::spawn_app;

const UPDATE: &str =
    "mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) {
    organisation { name acronym countryCode version } userErrors { field code } } }";

#[tokio::test]
async fn an_organisation_is_created_updated_searched_and_deleted() {
    let app = spawn_app().await;
    let created = app
        .create_organisation(json!({ "name": "Association des Régions de France", "acronym": "ARF", "kind": "NETWORK", "countryCode": "FR" }))
        .await;
    let found = app
        .data("{ organisations(filter: {search: \"arf\", kinds: [NETWORK], countryCode: \"FR\"}) { totalCount nodes { name kind } } }", json!({}))
        .await;
    assert_eq!(found["organisations"]["totalCount"], 1);
    assert_eq!(found["organisations"]["nodes"][0]["kind"], "NETWORK");
    let updated = app
        .data(UPDATE, json!({ "input": { "id": created["id"], "version": 1, "name": "Régions de France", "countryCode": null } }))
        .await;
    assert_eq!(
        updated["updateOrganisation"]["organisation"],
        json!({ "name": "Régions de France", "acronym": "ARF", "countryCode": null, "version": 2 })
    );
    let stale = app
        .data(
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 1, "acronym": "X" } }),
        )
        .await;
    assert_eq!(
        stale["updateOrganisation"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let deleted = app
        .data(
            "mutation($input: DeleteOrganisationInput!) { deleteOrganisation(input: $input) { deletedId userErrors { code } } }",
            json!({ "input": { "id": created["id"], "version": 2 } }),
        )
        .await;
    assert_eq!(deleted["deleteOrganisation"]["deletedId"], created["id"]);
}

#[tokio::test]
async fn deleting_an_organisation_with_an_api_key_is_refused_as_in_use() {
    // Found by the fuzzer: an API key's organisation is a RESTRICT foreign key the domain did
    // not check, and its violation answered INTERNAL.
    let app = spawn_app().await;
    let ministry = app
        .create_organisation(
            json!({ "name": "Ministère", "kind": "MINISTRY", "countryCode": "FR" }),
        )
        .await;
    app.data(
        "mutation($org: ID!) { createApiKey(input: {organisationId: $org, name: \"sync\"}) { secret } }",
        json!({ "org": ministry["id"] }),
    )
    .await;
    let body = app
        .graphql(
            "mutation($input: DeleteOrganisationInput!) { deleteOrganisation(input: $input) { deletedId userErrors { field code } } }",
            json!({ "input": { "id": ministry["id"], "version": 1 } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let payload = &body["data"]["deleteOrganisation"];
    assert_eq!(payload["deletedId"], json!(null));
    assert_eq!(
        payload["userErrors"],
        json!([{ "field": ["id"], "code": "IN_USE" }])
    );
}

#[tokio::test]
async fn invalid_organisation_input_writes_nothing() {
    let app = spawn_app().await;
    let data = app
        .data(
            "mutation { createOrganisation(input: {name: \"\", kind: EMBASSY, countryCode: \"Mexico\", website: \"ftp://x\"}) {
                organisation { id } userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["createOrganisation"]["userErrors"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let count = app
        .data("{ organisations { totalCount } }", json!({}))
        .await;
    assert_eq!(count["organisations"]["totalCount"], 0);
}
