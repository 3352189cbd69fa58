//! People and their affiliations.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const CREATE: &str = "mutation($input: CreatePersonInput!) { createPerson(input: $input) {
    person { id version firstName lastName email affiliations { jobTitle since until authority { name } organisation { name } } }
    userErrors { field message code } } }";
const UPDATE: &str = "mutation($input: UpdatePersonInput!) { updatePerson(input: $input) {
    person { version email affiliations { jobTitle authority { name } organisation { name } } }
    userErrors { field message code } } }";

async fn create_person(app: &TestApp, input: Value) -> Value {
    app.data(CREATE, json!({ "input": input })).await["createPerson"].clone()
}

#[tokio::test]
async fn a_person_is_created_with_affiliations_in_order() {
    let app = spawn_app().await;
    let bordeaux = app.create_authority(json!({ "name": "Communauté urbaine de Bordeaux", "kind": "INTERCOMMUNALITY", "countryCode": "FR" })).await;
    let cuf = app
        .create_organisation(
            json!({ "name": "Cités Unies France", "acronym": "CUF", "kind": "NETWORK" }),
        )
        .await;
    let payload = create_person(
        &app,
        json!({
            "firstName": "Anne", "lastName": "Raimat", "email": "Anne.Raimat@EXAMPLE.org",
            "affiliations": [
                { "authorityId": bordeaux["id"], "jobTitle": "Directrice des relations internationales", "since": "2010-01-01" },
                { "organisationId": cuf["id"], "jobTitle": "Membre du bureau", "since": "2012-06-01", "until": "2014-03-26" }
            ]
        }),
    )
    .await;
    assert_eq!(payload["userErrors"], json!([]));
    let person = &payload["person"];
    assert_eq!(person["email"], "Anne.Raimat@example.org");
    assert_eq!(
        person["affiliations"],
        json!([
            { "jobTitle": "Directrice des relations internationales", "since": "2010-01-01", "until": null,
              "authority": { "name": "Communauté urbaine de Bordeaux" }, "organisation": null },
            { "jobTitle": "Membre du bureau", "since": "2012-06-01", "until": "2014-03-26",
              "authority": null, "organisation": { "name": "Cités Unies France" } }
        ])
    );
    let by_authority = app
        .data("query($id: ID!) { people(filter: {authorityId: $id}) { totalCount nodes { lastName } } }", json!({ "id": bordeaux["id"] }))
        .await;
    assert_eq!(
        by_authority["people"]["nodes"],
        json!([{ "lastName": "Raimat" }])
    );
    let by_name = app
        .data(
            "{ people(filter: {search: \"RAIMAT anne\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(by_name["people"]["totalCount"], 1);
}

#[tokio::test]
async fn invalid_affiliations_are_user_errors_and_write_nothing() {
    let app = spawn_app().await;
    let bordeaux = app
        .create_authority(
            json!({ "name": "Bordeaux", "kind": "MUNICIPALITY", "countryCode": "FR" }),
        )
        .await;
    let payload = create_person(
        &app,
        json!({
            "firstName": "Santiago", "lastName": "Betancur", "email": "not-an-email", "phone": "call me",
            "affiliations": [
                { "authorityId": bordeaux["id"], "organisationId": "T3JnYW5pc2F0aW9uOjE" },
                {},
                { "authorityId": bordeaux["id"], "since": "2014-03-26", "until": "2014-01-01" },
                { "authorityId": "QXV0aG9yaXR5Ojk5OTk" }
            ]
        }),
    )
    .await;
    let fields: Vec<Value> = payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [
            json!(["email"]),
            json!(["phone"]),
            json!(["affiliations", "0"]),
            json!(["affiliations", "1"]),
            json!(["affiliations", "2", "until"])
        ]
    );
    let unknown = create_person(&app, json!({ "firstName": "A", "lastName": "B", "affiliations": [{ "authorityId": "QXV0aG9yaXR5Ojk5OTk" }] })).await;
    assert_eq!(
        unknown["userErrors"][0]["field"],
        json!(["affiliations", "0", "authorityId"])
    );
    assert_eq!(unknown["userErrors"][0]["code"], "NOT_FOUND");
    let count = app.data("{ people { totalCount } }", json!({})).await;
    assert_eq!(count["people"]["totalCount"], 0);
}

#[tokio::test]
async fn updating_affiliations_replaces_them_and_a_deleted_person_frees_their_employer() {
    let app = spawn_app().await;
    let region = app
        .create_authority(json!({ "name": "Région", "kind": "REGION", "countryCode": "FR" }))
        .await;
    let arf = app
        .create_organisation(json!({ "name": "ARF", "kind": "NETWORK" }))
        .await;
    let created = create_person(&app, json!({ "firstName": "Valérie", "lastName": "Nicolas", "affiliations": [{ "authorityId": region["id"] }] })).await;
    let id = created["person"]["id"].clone();
    let updated = app
        .data(UPDATE, json!({ "input": { "id": id, "version": 1, "email": "valerie.nicolas@example.org",
            "affiliations": [{ "organisationId": arf["id"], "jobTitle": "Déléguée aux relations internationales" }] } }))
        .await;
    assert_eq!(
        updated["updatePerson"]["person"]["affiliations"],
        json!([{ "jobTitle": "Déléguée aux relations internationales", "authority": null, "organisation": { "name": "ARF" } }])
    );
    let kept = app
        .data(
            UPDATE,
            json!({ "input": { "id": id, "version": 2, "lastName": "Nicolas-Dupont" } }),
        )
        .await;
    assert_eq!(
        kept["updatePerson"]["person"]["affiliations"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "omitted affiliations are kept"
    );
    let refused = app
        .data(
            "mutation($input: DeleteOrganisationInput!) { deleteOrganisation(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": arf["id"], "version": 1 } }),
        )
        .await;
    assert_eq!(
        refused["deleteOrganisation"]["userErrors"][0]["code"],
        "IN_USE"
    );
    let deleted = app
        .data(
            "mutation($input: DeletePersonInput!) { deletePerson(input: $input) { deletedId userErrors { code } } }",
            json!({ "input": { "id": id, "version": 3 } }),
        )
        .await;
    assert_eq!(deleted["deletePerson"]["deletedId"], id);
    let freed = app
        .data(
            "mutation($input: DeleteOrganisationInput!) { deleteOrganisation(input: $input) { deletedId userErrors { code } } }",
            json!({ "input": { "id": arf["id"], "version": 1 } }),
        )
        .await;
    assert_eq!(freed["deleteOrganisation"]["deletedId"], arf["id"]);
}
