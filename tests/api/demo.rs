//! The demo dataset, built from the minutes of the Mexico country group.

use serde_json::json;

use crate::helpers::spawn_demo_app;

#[tokio::test]
async fn the_demo_dataset_holds_the_actors_of_the_minutes() {
    let app = spawn_demo_app().await;
    let data = app
        .data(
            r#"{
                haute: authorities(filter: {search: "haute saone"}) { nodes { name kind countryCode } }
                mexican: authorities(filter: {countryCode: "MX"}) { totalCount nodes { description } }
                cuf: organisations(filter: {search: "cuf"}) { nodes { name acronym kind } }
                people(first: 100) { totalCount nodes { email affiliations { jobTitle } } }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["haute"]["nodes"],
        json!([{ "name": "Conseil départemental de la Haute-Saône", "kind": "DEPARTMENT", "countryCode": "FR" }])
    );
    assert_eq!(data["mexican"]["totalCount"], 5);
    for authority in data["mexican"]["nodes"].as_array().unwrap() {
        assert!(
            authority["description"]
                .as_str()
                .unwrap()
                .contains("Example"),
            "{authority}"
        );
    }
    assert_eq!(data["cuf"]["nodes"][0]["acronym"], "CUF");
    assert_eq!(data["people"]["totalCount"], 10);
    for person in data["people"]["nodes"].as_array().unwrap() {
        assert!(
            person["email"].as_str().unwrap().ends_with("@example.org"),
            "{person}"
        );
    }
    let titles = data["people"]["nodes"].to_string();
    assert!(titles.contains("Responsable géographique Amérique latine - Turquie"));
    assert!(titles.contains("Chef de service"));
}

#[tokio::test]
async fn the_demo_dataset_is_never_loaded_over_existing_data() {
    let app = spawn_demo_app().await;
    let loaded_again = api::seed::load_demo_if_empty(&app.db).await.unwrap();
    assert!(!loaded_again);
    let data = app.data("{ people { totalCount } }", json!({})).await;
    assert_eq!(data["people"]["totalCount"], 10);
}
