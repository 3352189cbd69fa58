//! The SQL statements each GraphQL request sends, counted by the server itself (a sea-orm
//! metric callback, attributed to the request through a task-local that DataLoader batches
//! inherit) and read back from `/metrics` per operation name. A page of 100 must send as many
//! statements as a page of 10: every relation goes through a DataLoader or a join.

use serde_json::json;

use crate::helpers::{Auth, TestApp, spawn_app_with};
use crate::limits::metric;

/// The statements `query`, sent as operation `name` by the administrator, cost; the request
/// must succeed.
async fn statements(app: &TestApp, name: &str, query: &str) -> f64 {
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "query": query, "operationName": name }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{name}: {body}");
    metric(
        app,
        &format!("cuf_graphql_statements_total{{operation=\"{name}\"}}"),
    )
    .await
}

/// A server on the synthetic dataset at 1/20 of scale 1: 2,500 cooperations, 5 groups of
/// 50 events each, 25 programmes.
async fn synthetic_app() -> TestApp {
    let app = spawn_app_with(|settings| {
        settings.protection.rate_limit_capacity = 0;
    })
    .await;
    let scale = api::seed::synthetic::Scale::parse("0.05").unwrap();
    api::seed::synthetic::load(&app.db, scale).await.unwrap();
    app
}

/// Runs `query` with `$N` replaced by 10 then by 100; both counts, which must be equal and at
/// most `bound`. The request's identification (the bearer token's user) is one of them.
async fn same_for_10_and_100(app: &TestApp, name: &str, query: &str, bound: f64) {
    let named = |size: &str| {
        let operation = format!("{name}{size}");
        let document = format!("query {operation} {}", query.replace("$N", size));
        (operation, document)
    };
    let (operation, document) = named("10");
    let ten = statements(app, &operation, &document).await;
    let (operation, document) = named("100");
    let hundred = statements(app, &operation, &document).await;
    assert_eq!(
        ten, hundred,
        "{name}: {ten} statements for 10, {hundred} for 100"
    );
    assert!(ten <= bound, "{name}: {ten} statements, more than {bound}");
}

#[tokio::test]
async fn a_directory_page_costs_the_same_statements_for_10_and_100_rows() {
    let app = synthetic_app().await;
    // The caller's token (1), the count (1) and the page (1); the partners' links then their
    // authorities (2, one loader for both sides); the themes' links then the themes (2).
    let query = "{ cooperations(first: $N) { totalCount edges { cursor node { id title countryCode status
        frenchPartners { id name } foreignPartners { id name } themes { id label } } } pageInfo { hasNextPage } } }";
    same_for_10_and_100(&app, "Directory", query, 3.0 + 2.0 + 2.0).await;
}

#[tokio::test]
async fn programmes_with_actions_and_shares_cost_the_same_for_10_and_100() {
    let app = synthetic_app().await;
    let query = "{ programmes(first: $N) { edges { node { id title lead { name } totals { totalCost { amount } fundingGap { amount } }
        actions { id title totals { totalCost { amount } fundingGap { amount } } shares { percentage amount { amount currency } commitment authority { name } } } } } } }";
    // The caller's token and the page (2); the leads (1); the actions with what their totals
    // need: cost items, shares, co-financing (4); the shares' authorities (1).
    same_for_10_and_100(&app, "Programmes", query, 2.0 + 1.0 + 4.0 + 1.0).await;
}

#[tokio::test]
async fn a_group_with_its_events_and_participants_costs_the_same_for_10_and_100() {
    let app = synthetic_app().await;
    let groups = app
        .graphql("{ countryGroups(first: 1) { nodes { id } } }", json!({}))
        .await;
    let id = groups["data"]["countryGroups"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let query = format!(
        "{{ node(id: \"{id}\") {{ ... on CountryGroup {{ name chair {{ name }} events(first: $N) {{ edges {{ node {{ id title date {{ start }}
            participants {{ person {{ lastName }} authority {{ name }} attendance }} }} }} }} }} }} }}"
    );
    // The caller's token and the group (2); its chair and its page of events (2); the
    // participants (1), then their people and authorities (2).
    same_for_10_and_100(&app, "Group", &query, 2.0 + 2.0 + 1.0 + 2.0).await;
}

#[tokio::test]
async fn anonymous_reads_send_no_identification_statement() {
    let app = synthetic_app().await;
    let response = app
        .post(Auth::Anonymous, "query Typename { __typename }", json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let count = metric(&app, "cuf_graphql_statements_total{operation=\"Typename\"}").await;
    assert_eq!(count, 0.0);
}

#[tokio::test]
async fn an_expertise_page_costs_the_same_statements_for_1_and_10_entries() {
    let app = crate::helpers::spawn_demo_app().await;
    let query = |size: u32| {
        format!(
            "query Expertise{size} {{ expertise(first: {size}) {{ totalCount nodes {{ title authority {{ name }}
                theme {{ label }} contact {{ lastName }} cooperations {{ title frenchPartners {{ name }} }} }} }} }}"
        )
    };
    let one = statements(&app, "Expertise1", &query(1)).await;
    let ten = statements(&app, "Expertise10", &query(10)).await;
    assert_eq!(one, ten, "{one} statements for 1 entry, {ten} for 10");
    // The caller's token, the count and the page (3); the authorities, themes, contacts and
    // cited fiches' links (4), then the fiches (1); their partners, then those authorities (2).
    assert!(ten <= 3.0 + 4.0 + 1.0 + 2.0, "{ten} statements");
}
