//! The committed SDL is the schema served, and the schema documents itself completely.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[test]
fn schema_graphql_is_the_generated_sdl() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .unwrap_or_default();
    let generated = api::schema::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date: refresh it with `cargo run -p api -- export-schema > schema.graphql`"
    );
}

const INTROSPECTION: &str = "{ __schema { types { name kind description
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description } } } }";

const BUILT_IN: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

fn described(value: &Value) -> bool {
    value["description"]
        .as_str()
        .is_some_and(|text| !text.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let app = spawn_app().await;
    let data = app.data(INTROSPECTION, json!({})).await;
    let mut missing = Vec::new();
    for schema_type in data["__schema"]["types"].as_array().unwrap() {
        let name = schema_type["name"].as_str().unwrap();
        if name.starts_with("__") || BUILT_IN.contains(&name) {
            continue;
        }
        if !described(schema_type) {
            missing.push(name.to_owned());
        }
        let members = ["fields", "inputFields", "enumValues"];
        for member in members
            .iter()
            .filter_map(|member| schema_type[member].as_array())
            .flatten()
        {
            let member_name = member["name"].as_str().unwrap();
            if !described(member) {
                missing.push(format!("{name}.{member_name}"));
            }
            for argument in member["args"].as_array().into_iter().flatten() {
                if !described(argument) {
                    missing.push(format!("{name}.{member_name}({})", argument["name"]));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}
