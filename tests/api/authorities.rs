//! Authorities: create, read, update, delete; pagination, ordering, filters and search.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const UPDATE: &str = "mutation($input: UpdateAuthorityInput!) { updateAuthority(input: $input) {
    authority { id name population website version parent { name } } userErrors { field message code } } }";
const DELETE: &str = "mutation($input: DeleteAuthorityInput!) { deleteAuthority(input: $input) {
    deletedId userErrors { field message code } } }";
const CREATE: &str = "mutation($input: CreateAuthorityInput!) { createAuthority(input: $input) {
    authority { id } userErrors { field message code } } }";

async fn names(app: &TestApp, arguments: &str) -> (Vec<String>, Value) {
    let arguments = if arguments.is_empty() {
        String::new()
    } else {
        format!("({arguments})")
    };
    let data = app
        .data(
            &format!(
                "{{ authorities{arguments} {{ edges {{ cursor node {{ name }} }} nodes {{ name }}
                pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} totalCount }} }}"
            ),
            json!({}),
        )
        .await;
    let connection = data["authorities"].clone();
    let names = connection["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["name"].as_str().unwrap().to_owned())
        .collect();
    (names, connection)
}

async fn create_named(app: &TestApp, names: &[&str]) {
    for name in names {
        app.create_authority(json!({ "name": name, "kind": "MUNICIPALITY", "countryCode": "FR" }))
            .await;
    }
}

#[tokio::test]
async fn an_authority_is_created_read_updated_and_deleted() {
    let app = spawn_app().await;
    let created = app
        .create_authority(json!({
            "name": "  Conseil régional des Pays de la Loire ", "kind": "REGION", "countryCode": "fr",
            "population": 3660000, "isCufMember": true, "website": "https://www.paysdelaloire.fr"
        }))
        .await;
    assert_eq!(created["name"], "Conseil régional des Pays de la Loire");
    assert_eq!(created["version"], 1);
    let read = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Authority { name kind countryCode population isCufMember website createdAt updatedAt } } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(read["node"]["countryCode"], "FR");
    assert_eq!(read["node"]["isCufMember"], true);
    let updated = app
        .data(UPDATE, json!({ "input": { "id": created["id"], "version": 1, "population": null, "name": "Région Pays de la Loire" } }))
        .await;
    let authority = &updated["updateAuthority"]["authority"];
    assert_eq!(authority["name"], "Région Pays de la Loire");
    assert_eq!(authority["population"], json!(null));
    assert_eq!(
        authority["website"], "https://www.paysdelaloire.fr",
        "omitted fields stay as they are"
    );
    assert_eq!(authority["version"], 2);
    let deleted = app
        .data(
            DELETE,
            json!({ "input": { "id": created["id"], "version": 2 } }),
        )
        .await;
    assert_eq!(deleted["deleteAuthority"]["deletedId"], created["id"]);
    let gone = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(gone["node"], json!(null));
}

#[tokio::test]
async fn pages_forward_and_backward_cover_the_list_exactly_once() {
    let app = spawn_app().await;
    let all = [
        "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf",
    ];
    create_named(&app, &all).await;
    let mut forward = Vec::new();
    let mut after = String::new();
    loop {
        let (page, connection) = names(&app, &format!("first: 3 {after}")).await;
        assert_eq!(connection["totalCount"], 7);
        assert_eq!(connection["edges"][0]["node"]["name"], page[0].as_str());
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], !after.is_empty());
        forward.extend(page);
        if connection["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = format!("after: {}", connection["pageInfo"]["endCursor"]);
    }
    assert_eq!(forward, all);
    let mut backward = Vec::new();
    let mut before = String::new();
    loop {
        let (mut page, connection) = names(&app, &format!("last: 3 {before}")).await;
        assert_eq!(connection["pageInfo"]["hasNextPage"], !before.is_empty());
        page.extend(backward);
        backward = page;
        if connection["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = format!("before: {}", connection["pageInfo"]["startCursor"]);
    }
    assert_eq!(backward, all);
}

#[tokio::test]
async fn the_default_page_is_20_and_an_empty_page_has_no_cursors() {
    let app = spawn_app().await;
    let many: Vec<String> = (0..25)
        .map(|number| format!("Commune {number:02}"))
        .collect();
    create_named(&app, &many.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let (page, connection) = names(&app, "").await;
    assert_eq!(page.len(), 20);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    let (empty, connection) = names(&app, "first: 0").await;
    assert!(empty.is_empty());
    assert_eq!(connection["pageInfo"]["startCursor"], json!(null));
}

#[tokio::test]
async fn names_order_ignoring_case_and_accents_and_creation_order_both_ways() {
    let app = spawn_app().await;
    create_named(&app, &["Zèbre", "éclair", "Abbeville", "Ébène"]).await;
    let (by_name, _) = names(&app, "").await;
    assert_eq!(by_name, ["Abbeville", "Ébène", "éclair", "Zèbre"]);
    let (by_name_desc, _) = names(&app, "orderBy: {field: NAME, direction: DESC}").await;
    assert_eq!(by_name_desc, ["Zèbre", "éclair", "Ébène", "Abbeville"]);
    let (newest, connection) = names(
        &app,
        "first: 2, orderBy: {field: CREATED_AT, direction: DESC}",
    )
    .await;
    assert_eq!(newest, ["Ébène", "Abbeville"]);
    let cursor = &connection["pageInfo"]["endCursor"];
    let (older, _) = names(
        &app,
        &format!("after: {cursor}, orderBy: {{field: CREATED_AT, direction: DESC}}"),
    )
    .await;
    assert_eq!(older, ["éclair", "Zèbre"]);
    let mismatched = app
        .graphql(
            &format!("{{ authorities(after: {cursor}) {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&mismatched), "BAD_USER_INPUT");
}

#[tokio::test]
async fn search_ignores_case_accents_punctuation_and_word_order() {
    let app = spawn_app().await;
    create_named(
        &app,
        &[
            "Conseil départemental de la Haute-Saône",
            "Conseil départemental de Saône-et-Loire",
            "Ville de Lyon",
        ],
    )
    .await;
    for search in [
        "haute saone",
        "HAUTE-SAÔNE",
        "saone haute",
        "  Haute   Saône ",
    ] {
        let (found, connection) = names(&app, &format!("filter: {{search: \"{search}\"}}")).await;
        assert_eq!(
            found,
            ["Conseil départemental de la Haute-Saône"],
            "{search}"
        );
        assert_eq!(connection["totalCount"], 1);
    }
    let (both, _) = names(&app, "filter: {search: \"saône départemental\"}").await;
    assert_eq!(both.len(), 2);
    let (none, _) = names(&app, "filter: {search: \"marseille\"}").await;
    assert!(none.is_empty());
    let (wildcards, _) = names(&app, "filter: {search: \"%\"}").await;
    assert_eq!(
        wildcards.len(),
        3,
        "punctuation alone matches everything, never acts as a wildcard"
    );
}

#[tokio::test]
async fn filters_combine_country_kind_membership_and_parent() {
    let app = spawn_app().await;
    let jalisco = app
        .create_authority(
            json!({ "name": "Estado de Jalisco", "kind": "STATE", "countryCode": "MX" }),
        )
        .await;
    app.create_authority(json!({ "name": "Guadalajara", "kind": "MUNICIPALITY", "countryCode": "MX", "parentId": jalisco["id"] })).await;
    app.create_authority(json!({ "name": "Bordeaux Métropole", "kind": "INTERCOMMUNALITY", "countryCode": "FR", "isCufMember": true })).await;
    app.create_authority(
        json!({ "name": "Ville de Paris", "kind": "MUNICIPALITY", "countryCode": "FR" }),
    )
    .await;
    let cases = [
        (
            "filter: {countryCode: \"mx\"}",
            vec!["Estado de Jalisco", "Guadalajara"],
        ),
        (
            "filter: {kinds: [MUNICIPALITY]}",
            vec!["Guadalajara", "Ville de Paris"],
        ),
        (
            "filter: {kinds: [STATE, INTERCOMMUNALITY]}",
            vec!["Bordeaux Métropole", "Estado de Jalisco"],
        ),
        ("filter: {isCufMember: true}", vec!["Bordeaux Métropole"]),
        (
            "filter: {countryCode: \"FR\", kinds: [MUNICIPALITY]}",
            vec!["Ville de Paris"],
        ),
    ];
    for (arguments, expected) in cases {
        let (found, connection) = names(&app, arguments).await;
        assert_eq!(found, expected, "{arguments}");
        assert_eq!(connection["totalCount"], expected.len(), "{arguments}");
    }
    let (children, _) = names(&app, &format!("filter: {{parentId: {}}}", jalisco["id"])).await;
    assert_eq!(children, ["Guadalajara"]);
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let created = app
        .create_authority(
            json!({ "name": "Ville de Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }),
        )
        .await;
    let first = app
        .data(
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 1, "population": 500000 } }),
        )
        .await;
    assert_eq!(first["updateAuthority"]["authority"]["version"], 2);
    let stale = app
        .data(
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 1, "population": 1 } }),
        )
        .await;
    let payload = &stale["updateAuthority"];
    assert_eq!(payload["authority"], json!(null));
    assert_eq!(payload["userErrors"][0]["code"], "CONFLICT");
    assert_eq!(payload["userErrors"][0]["field"], json!(["version"]));
    let stale_delete = app
        .data(
            DELETE,
            json!({ "input": { "id": created["id"], "version": 1 } }),
        )
        .await;
    assert_eq!(
        stale_delete["deleteAuthority"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let read = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Authority { population version } } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(read["node"], json!({ "population": 500000, "version": 2 }));
}

#[tokio::test]
async fn bad_input_gets_every_user_error_and_writes_nothing() {
    let app = spawn_app().await;
    let data = app
        .data(
            CREATE,
            json!({ "input": {
                "name": "   ", "kind": "REGION", "countryCode": "XX", "population": -5,
                "website": "javascript:alert(1)", "parentId": "bm90LWFuLWlk", "description": "x".repeat(10_001)
            } }),
        )
        .await;
    let payload = &data["createAuthority"];
    assert_eq!(payload["authority"], json!(null));
    let mut fields: Vec<String> = payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            assert_eq!(error["code"], "INVALID");
            assert!(!error["message"].as_str().unwrap().is_empty());
            error["field"][0].as_str().unwrap().to_owned()
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "countryCode",
            "description",
            "name",
            "parentId",
            "population",
            "website"
        ]
    );
    assert_eq!(app.authority_count().await, 0);
}

#[tokio::test]
async fn free_text_with_a_nul_or_other_control_characters_is_a_user_error() {
    // Found by the fuzzer on PostgreSQL: a description of "\u0000" passed LongText and
    // PostgreSQL refused it ("invalid byte sequence for encoding UTF8: 0x00"): INTERNAL.
    // A NUL is now refused for every field before anything runs (tests/api/limits.rs).
    let app = spawn_app().await;
    for description in ["a\u{0}b", "\u{0}\t"] {
        let body = app
            .graphql(
                CREATE,
                json!({ "input": { "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR", "description": description } }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
    for description in ["bell\u{7}", "esc\u{1b}[31m"] {
        let body = app
            .graphql(
                CREATE,
                json!({ "input": { "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR", "description": description } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{description:?}: {body}");
        let payload = &body["data"]["createAuthority"];
        assert_eq!(payload["userErrors"][0]["field"], json!(["description"]));
        assert_eq!(payload["userErrors"][0]["code"], "INVALID");
    }
    assert_eq!(app.authority_count().await, 0);
    app.create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR", "description": "Ligne 1\r\n\tLigne 2" }))
        .await;
}

#[tokio::test]
async fn a_parent_must_exist_and_cannot_make_a_cycle() {
    let app = spawn_app().await;
    let missing_parent = app
        .data(CREATE, json!({ "input": { "name": "Orphan", "kind": "MUNICIPALITY", "countryCode": "FR", "parentId": "QXV0aG9yaXR5Ojk5OTk" } }))
        .await;
    assert_eq!(
        missing_parent["createAuthority"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    assert_eq!(app.authority_count().await, 0);
    let state = app
        .create_authority(json!({ "name": "Estado", "kind": "STATE", "countryCode": "MX" }))
        .await;
    let city = app.create_authority(json!({ "name": "Ciudad", "kind": "MUNICIPALITY", "countryCode": "MX", "parentId": state["id"] })).await;
    let cycle = app
        .data(
            UPDATE,
            json!({ "input": { "id": state["id"], "version": 1, "parentId": city["id"] } }),
        )
        .await;
    assert_eq!(
        cycle["updateAuthority"]["userErrors"][0]["field"],
        json!(["parentId"])
    );
    let own = app
        .data(
            UPDATE,
            json!({ "input": { "id": state["id"], "version": 1, "parentId": state["id"] } }),
        )
        .await;
    assert_eq!(own["updateAuthority"]["userErrors"][0]["code"], "INVALID");
    let cleared = app
        .data(
            UPDATE,
            json!({ "input": { "id": city["id"], "version": 1, "parentId": null } }),
        )
        .await;
    assert_eq!(
        cleared["updateAuthority"]["authority"]["parent"],
        json!(null)
    );
}

#[tokio::test]
async fn deleting_a_referenced_authority_is_refused() {
    let app = spawn_app().await;
    let state = app
        .create_authority(json!({ "name": "Estado", "kind": "STATE", "countryCode": "MX" }))
        .await;
    app.create_authority(json!({ "name": "Ciudad", "kind": "MUNICIPALITY", "countryCode": "MX", "parentId": state["id"] })).await;
    let refused = app
        .data(
            DELETE,
            json!({ "input": { "id": state["id"], "version": 1 } }),
        )
        .await;
    let payload = &refused["deleteAuthority"];
    assert_eq!(payload["deletedId"], json!(null));
    assert_eq!(payload["userErrors"][0]["code"], "IN_USE");
    assert!(
        payload["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 child authorities")
    );
    assert_eq!(app.authority_count().await, 2);
    let unknown = app
        .data(
            DELETE,
            json!({ "input": { "id": "QXV0aG9yaXR5Ojk5OTk", "version": 1 } }),
        )
        .await;
    assert_eq!(
        unknown["deleteAuthority"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let wrong_kind = app
        .data(
            DELETE,
            json!({ "input": { "id": "UGVyc29uOjE", "version": 1 } }),
        )
        .await;
    assert_eq!(
        wrong_kind["deleteAuthority"]["userErrors"][0]["code"],
        "INVALID"
    );
}

#[tokio::test]
async fn deleting_an_authority_a_user_belongs_to_is_refused_as_in_use() {
    // Found by the fuzzer: the domain checks child authorities and affiliations, and the
    // database's RESTRICT on users (and cooperations, groups, events…) answered INTERNAL.
    let app = spawn_app().await;
    let lyon = app
        .create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }))
        .await;
    app.user_with_role("MEMBER", Some(&lyon["id"]), None).await;
    let body = app
        .graphql(
            DELETE,
            json!({ "input": { "id": lyon["id"], "version": 1 } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let payload = &body["data"]["deleteAuthority"];
    assert_eq!(payload["deletedId"], json!(null));
    assert_eq!(payload["userErrors"][0]["code"], "IN_USE");
    assert_eq!(payload["userErrors"][0]["field"], json!(["id"]));
    assert_eq!(app.authority_count().await, 1);
}

#[tokio::test]
async fn a_cursor_with_a_value_no_row_could_hold_is_bad_user_input() {
    // Found by the fuzzer: a cursor keeps its ordering's name and a row's sort value, and
    // one made up with a number, a date, a time or a NUL for a name reached PostgreSQL
    // ("operator does not exist: character varying > bigint"), an INTERNAL error.
    let app = spawn_app().await;
    create_named(&app, &["Lyon", "Nantes"]).await;
    for forged in [
        "eyJvIjoiTkFNRV9BU0MiLCJ2Ijp7Ik51bWJlciI6Mn0sImkiOjF9",
        "eyJvIjoiTkFNRV9BU0MiLCJ2Ijp7IkRhdGUiOiIyMDE0LTAzLTI2In0sImkiOjF9",
        "eyJvIjoiTkFNRV9BU0MiLCJ2Ijp7IlRpbWUiOiIyMDE0LTAzLTI2VDEwOjAwOjAwWiJ9LCJpIjoxfQ",
        "eyJvIjoiTkFNRV9BU0MiLCJ2Ijp7IlRleHQiOiJhXHUwMDAwYiJ9LCJpIjoxfQ",
    ] {
        let body = app
            .graphql(
                "query($after: String) { authorities(after: $after) { totalCount } }",
                json!({ "after": forged }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
}

#[tokio::test]
async fn concurrent_updates_of_one_version_let_exactly_one_win() {
    let app = crate::helpers::spawn_app_with(|settings| settings.workers = Some(2)).await;
    let created = app
        .create_authority(
            json!({ "name": "Ville de Lille", "kind": "MUNICIPALITY", "countryCode": "FR" }),
        )
        .await;
    let updates = (0..16).map(|population| {
        let app = &app;
        let id = created["id"].clone();
        async move {
            app.graphql(
                UPDATE,
                json!({ "input": { "id": id, "version": 1, "population": population } }),
            )
            .await
        }
    });
    let bodies = futures_util::future::join_all(updates).await;
    let mut winners = 0;
    for body in &bodies {
        assert!(body.get("errors").is_none(), "no request may fail: {body}");
        let payload = &body["data"]["updateAuthority"];
        if payload["authority"].is_null() {
            assert_eq!(payload["userErrors"][0]["code"], "CONFLICT", "{payload}");
        } else {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    let read = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Authority { version } } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(read["node"]["version"], 2);
}
