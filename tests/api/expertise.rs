//! The expertise offer: entries maintained by their authority or CUF, the `expertise` search
//! and its filters and pages, a country group's offer as CSV, and the vetting of consultants,
//! seen by members and CUF only.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app, spawn_demo_app};
use crate::opendata::{conditional, get, validators};

const CREATE: &str = "mutation($input: CreateExpertiseInput!) { createExpertise(input: $input) {
    expertise { id version title services languages authority { name } theme { code }
                contact { lastName } cooperations { title } }
    userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: UpdateExpertiseInput!) { updateExpertise(input: $input) {
    expertise { id version title cooperations { title } } userErrors { field code message } } }";
const DELETE: &str = "mutation($input: DeleteExpertiseInput!) { deleteExpertise(input: $input) {
    deletedId userErrors { field code message } } }";
const LIST: &str = "query($filter: ExpertiseFilterInput, $first: Int, $after: String, $last: Int, $before: String) {
    expertise(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
        edges { cursor } nodes { title cooperations { title } } } }";
const RECOMMEND: &str = "mutation($input: RecommendConsultantInput!) { recommendConsultant(input: $input) {
    recommendation { id version byCuf recommended recordedBy note authority { name } themes { code } }
    userErrors { field code message } } }";
const WITHDRAW: &str =
    "mutation($input: WithdrawRecommendationInput!) { withdrawRecommendation(input: $input) {
    withdrawnId userErrors { field code } } }";

/// Two French authorities, a Mexican and a Brazilian one, two themes, a contact, and fiches:
/// `own_mx` (own with Mexico, draft), `own_br` (own with Brazil, validated), `other_mx`
/// (the other authority's).
struct World {
    own: Value,
    other: Value,
    water: Value,
    health: Value,
    contact: Value,
    own_mx: Value,
    own_br: Value,
    other_mx: Value,
}

async fn fiche(app: &TestApp, title: &str, french: &Value, foreign: &Value, code: &str) -> Value {
    let data = app
        .data(
            "mutation($f: ID!, $m: ID!, $t: String!, $c: String!) { createCooperation(input: {title: $t, countryCode: $c,
                frenchPartnerIds: [$f], foreignPartnerIds: [$m], status: ONGOING}) { cooperation { id version } } }",
            json!({ "f": french["id"], "m": foreign["id"], "t": title, "c": code }),
        )
        .await;
    data["createCooperation"]["cooperation"].clone()
}

async fn validate(app: &TestApp, fiche: &Value) {
    let mut version = fiche["version"].as_i64().unwrap();
    for to in ["PREFILLED", "AWAITING_VALIDATION", "VALIDATED"] {
        let data = app
            .data(
                "mutation($id: ID!, $v: Int!, $to: ValidationState!) { transitionCooperation(input: {id: $id, version: $v, to: $to}) {
                    cooperation { version } userErrors { message } } }",
                json!({ "id": fiche["id"], "v": version, "to": to }),
            )
            .await;
        version = data["transitionCooperation"]["cooperation"]["version"]
            .as_i64()
            .unwrap();
    }
}

async fn theme(app: &TestApp, code: &str, label: &str) -> Value {
    let data = app
        .data(
            "mutation($c: String!, $l: String!) { createTheme(input: {code: $c, label: $l}) { theme { id } } }",
            json!({ "c": code, "l": label }),
        )
        .await;
    data["createTheme"]["theme"].clone()
}

async fn world(app: &TestApp) -> World {
    let own = app
        .create_authority(
            json!({ "name": "Communauté urbaine de Bordeaux", "kind": "INTERCOMMUNALITY", "countryCode": "FR" }),
        )
        .await;
    let other = app
        .create_authority(
            json!({ "name": "Conseil départemental de la Haute-Saône", "kind": "DEPARTMENT", "countryCode": "FR" }),
        )
        .await;
    let mexican = app
        .create_authority(json!({ "name": "Jalisco", "kind": "STATE", "countryCode": "MX" }))
        .await;
    let brazilian = app
        .create_authority(json!({ "name": "Recife", "kind": "MUNICIPALITY", "countryCode": "BR" }))
        .await;
    let contact = app
        .data(
            "mutation($a: ID!) { createPerson(input: {firstName: \"Anne\", lastName: \"Raimat\", email: \"anne@example.org\",
                phone: \"+33 5 56 00 00 00\", affiliations: [{authorityId: $a}]}) { person { id } } }",
            json!({ "a": own["id"] }),
        )
        .await["createPerson"]["person"]
        .clone();
    let own_br = fiche(app, "Assainissement à Recife", &own, &brazilian, "BR").await;
    validate(app, &own_br).await;
    World {
        water: theme(app, "water", "Eau").await,
        health: theme(app, "health", "Santé").await,
        own_mx: fiche(app, "Eau potable au Jalisco", &own, &mexican, "MX").await,
        other_mx: fiche(app, "Santé rurale", &other, &mexican, "MX").await,
        own_br,
        own,
        other,
        contact,
    }
}

fn entry(world: &World, authority: &Value, title: &str, cooperations: &[&Value]) -> Value {
    json!({
        "authorityId": authority["id"], "themeId": world.water["id"], "title": title,
        "description": "Gestion publique de l'eau et de l'assainissement.",
        "services": ["Direction de l'eau"], "languages": ["FR", "es"],
        "contactPersonId": world.contact["id"],
        "cooperationIds": cooperations.iter().map(|fiche| fiche["id"].clone()).collect::<Vec<_>>(),
    })
}

/// A ministry user's access token.
async fn ministry_user(app: &TestApp) -> String {
    let ministry = app
        .create_organisation(json!({ "name": "DAECT", "kind": "MINISTRY" }))
        .await;
    app.user_with_role("MINISTRY", None, Some(&ministry["id"]))
        .await
        .1
}

async fn create_as(app: &TestApp, auth: Auth<'_>, input: Value) -> Value {
    app.graphql_as(auth, CREATE, json!({ "input": input }))
        .await
}

async fn expertise_count(app: &TestApp) -> i64 {
    app.data("{ expertise { totalCount } }", json!({})).await["expertise"]["totalCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_member_maintains_its_own_authoritys_expertise_and_staff_any() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let (_, member) = app
        .user_with_role("MEMBER", Some(&world.own["id"]), None)
        .await;
    let (_, staff) = app.user_with_role("CUF_STAFF", None, None).await;
    let member = Auth::Bearer(&member);

    let input = entry(
        &world,
        &world.own,
        "Eau et assainissement",
        &[&world.own_mx, &world.own_br],
    );
    let created = create_as(&app, member, input).await;
    let entry_value = created["data"]["createExpertise"]["expertise"].clone();
    assert_eq!(
        entry_value["authority"]["name"],
        "Communauté urbaine de Bordeaux"
    );
    assert_eq!(entry_value["theme"]["code"], "water");
    assert_eq!(entry_value["languages"], json!(["es", "fr"]));
    assert_eq!(entry_value["services"], json!(["Direction de l'eau"]));
    assert_eq!(entry_value["contact"]["lastName"], "Raimat");
    assert_eq!(entry_value["cooperations"].as_array().unwrap().len(), 2);

    let others = entry(&world, &world.other, "Santé rurale", &[]);
    let refused = create_as(&app, member, others.clone()).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let by_staff = create_as(&app, Auth::Bearer(&staff), others.clone()).await;
    let others_entry = by_staff["data"]["createExpertise"]["expertise"].clone();
    assert!(others_entry["id"].is_string(), "{by_staff}");

    let citing_another = entry(&world, &world.own, "Santé", &[&world.other_mx]);
    let refused = create_as(&app, member, citing_another).await;
    let errors = &refused["data"]["createExpertise"]["userErrors"];
    assert_eq!(
        errors[0]["field"],
        json!(["cooperationIds", "0"]),
        "{refused}"
    );
    assert_eq!(errors[0]["code"], "INVALID");

    let change = json!({ "input": { "id": others_entry["id"], "version": 1, "title": "x" } });
    let refused = app.graphql_as(member, UPDATE, change).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let delete = json!({ "input": { "id": others_entry["id"], "version": 1 } });
    let refused = app.graphql_as(member, DELETE, delete).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");

    let ministry = ministry_user(&app).await;
    let refused = create_as(&app, Auth::Bearer(&ministry), others.clone()).await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let refused = create_as(&app, Auth::Anonymous, others).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
    assert_eq!(expertise_count(&app).await, 2);

    let own_delete = json!({ "input": { "id": entry_value["id"], "version": 1 } });
    let deleted = app.graphql_as(member, DELETE, own_delete).await;
    assert_eq!(
        deleted["data"]["deleteExpertise"]["deletedId"],
        entry_value["id"]
    );
    assert_eq!(expertise_count(&app).await, 1);
    let log = app
        .data(
            "query($node: ID!) { auditLog(filter: {nodeId: $node}) { nodes { mutation } } }",
            json!({ "node": entry_value["id"] }),
        )
        .await;
    let mutations: Vec<&str> = log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["mutation"].as_str().unwrap())
        .collect();
    assert!(mutations.contains(&"createExpertise"), "{mutations:?}");
    assert!(mutations.contains(&"deleteExpertise"), "{mutations:?}");
}

#[tokio::test]
async fn stale_versions_conflict_and_invalid_input_changes_nothing() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let created = app
        .data(
            CREATE,
            json!({ "input": entry(&world, &world.own, "Eau", &[&world.own_mx]) }),
        )
        .await;
    let id = created["createExpertise"]["expertise"]["id"].clone();
    let change = |version: i64, title: &str| json!({ "input": { "id": id, "version": version, "title": title, "cooperationIds": [] } });
    let first = app.data(UPDATE, change(1, "Eau potable")).await;
    assert_eq!(first["updateExpertise"]["expertise"]["version"], 2);
    assert_eq!(
        first["updateExpertise"]["expertise"]["cooperations"],
        json!([])
    );
    let stale = app.data(UPDATE, change(1, "Autre titre")).await;
    assert_eq!(stale["updateExpertise"]["expertise"], Value::Null);
    assert_eq!(
        stale["updateExpertise"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let stale_delete = app
        .data(DELETE, json!({ "input": { "id": id, "version": 1 } }))
        .await;
    assert_eq!(
        stale_delete["deleteExpertise"]["userErrors"][0]["code"],
        "CONFLICT"
    );

    let mut invalid = entry(&world, &world.own, "  ", &[]);
    invalid["languages"] = json!(["fr", "xx"]);
    invalid["services"] = json!(vec!["Service"; 11]);
    invalid["description"] = json!("   ");
    let refused = app.data(CREATE, json!({ "input": invalid })).await;
    let fields: Vec<String> = refused["createExpertise"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].to_string())
        .collect();
    assert_eq!(
        fields,
        [
            r#"["title"]"#,
            r#"["description"]"#,
            r#"["services"]"#,
            r#"["languages","1"]"#
        ],
        "{refused}"
    );
    let foreign = app
        .create_authority(json!({ "name": "Oaxaca", "kind": "STATE", "countryCode": "MX" }))
        .await;
    let refused = app
        .data(
            CREATE,
            json!({ "input": entry(&world, &foreign, "Eau", &[]) }),
        )
        .await;
    assert_eq!(
        refused["createExpertise"]["userErrors"][0]["field"],
        json!(["authorityId"])
    );
    let bad_update =
        json!({ "input": { "id": id, "version": 2, "languages": ["zz"], "title": "Nouveau" } });
    let refused = app.data(UPDATE, bad_update).await;
    assert_eq!(
        refused["updateExpertise"]["userErrors"][0]["field"],
        json!(["languages", "0"])
    );
    let after = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Expertise { title version languages } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        after["node"],
        json!({ "title": "Eau potable", "version": 2, "languages": ["es", "fr"] })
    );
    assert_eq!(expertise_count(&app).await, 1);
}

#[tokio::test]
async fn search_ignores_accents_and_filters_follow_themes_countries_and_visibility() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let water = entry(
        &world,
        &world.own,
        "Eau et assainissement",
        &[&world.own_br],
    );
    app.data(CREATE, json!({ "input": water })).await;
    let mut health = entry(&world, &world.own, "Santé maternelle", &[&world.own_mx]);
    health["themeId"] = world.health["id"].clone();
    health["description"] = json!("Santé des mères et des enfants en milieu rural.");
    app.data(CREATE, json!({ "input": health })).await;
    let titles = |data: &Value| -> Vec<String> {
        data["expertise"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |filter: Value| {
        let app = &app;
        async move { app.data(LIST, json!({ "filter": filter })).await }
    };
    assert_eq!(
        titles(&list(json!({ "search": "SANTE" })).await),
        ["Santé maternelle"]
    );
    assert_eq!(
        titles(&list(json!({ "search": "assainissement EAU" })).await),
        ["Eau et assainissement"]
    );
    assert_eq!(
        titles(&list(json!({ "search": "bordeaux sante" })).await),
        ["Santé maternelle"]
    );
    // `_` and `%` never reach `LIKE`: folding makes them word separators.
    assert_eq!(titles(&list(json!({ "search": "%_" })).await).len(), 2);
    assert!(titles(&list(json!({ "search": "sante_%zz" })).await).is_empty());
    let by_theme = list(json!({ "themeIds": [world.health["id"]] })).await;
    assert_eq!(titles(&by_theme), ["Santé maternelle"]);
    assert_eq!(
        titles(&list(json!({ "countryCode": "BR" })).await),
        ["Eau et assainissement"]
    );
    assert_eq!(
        titles(&list(json!({ "countryCode": "MX" })).await),
        ["Santé maternelle"]
    );
    assert!(titles(&list(json!({ "authorityId": world.other["id"] })).await).is_empty());
    // The Mexican fiche is a draft: the public neither sees it nor finds the entry by it.
    let public = app
        .graphql_as(
            Auth::Anonymous,
            LIST,
            json!({ "filter": { "countryCode": "MX" } }),
        )
        .await;
    assert_eq!(public["data"]["expertise"]["totalCount"], 0, "{public}");
    let public = app
        .graphql_as(
            Auth::Anonymous,
            LIST,
            json!({ "filter": { "search": "sante" } }),
        )
        .await;
    assert_eq!(
        public["data"]["expertise"]["nodes"][0]["cooperations"],
        json!([])
    );
    let bad = app
        .graphql(LIST, json!({ "filter": { "countryCode": "XX" } }))
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    let of_authority = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Authority { expertise { title } } } }",
            json!({ "id": world.own["id"] }),
        )
        .await;
    assert_eq!(
        of_authority["node"]["expertise"],
        json!([{ "title": "Eau et assainissement" }, { "title": "Santé maternelle" }])
    );
}

#[tokio::test]
async fn expertise_pages_by_keyset_both_ways() {
    let app = spawn_app().await;
    let world = world(&app).await;
    for title in ["Alpha", "Bêta", "Gamma", "Delta", "Epsilon"] {
        app.data(
            CREATE,
            json!({ "input": entry(&world, &world.own, title, &[]) }),
        )
        .await;
    }
    let page = |variables: Value| {
        let app = &app;
        async move { app.data(LIST, variables).await["expertise"].clone() }
    };
    let names = |page: &Value| -> Vec<String> {
        page["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = page(json!({ "first": 2 })).await;
    assert_eq!(names(&first), ["Alpha", "Bêta"]);
    assert_eq!(first["totalCount"], 5);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = page(json!({ "first": 2, "after": first["pageInfo"]["endCursor"] })).await;
    assert_eq!(names(&second), ["Delta", "Epsilon"]);
    let third = page(json!({ "first": 2, "after": second["pageInfo"]["endCursor"] })).await;
    assert_eq!(names(&third), ["Gamma"]);
    assert_eq!(third["pageInfo"]["hasNextPage"], false);
    let back = page(json!({ "last": 2, "before": third["pageInfo"]["startCursor"] })).await;
    assert_eq!(names(&back), ["Delta", "Epsilon"]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    let mixed = app
        .graphql(
            LIST,
            json!({ "first": 1, "before": first["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(error_code(&mixed), "BAD_USER_INPUT");
}

/// The demo group's id.
async fn demo_group(app: &TestApp) -> String {
    let data = app
        .data("{ countryGroups { nodes { id } } }", json!({}))
        .await;
    data["countryGroups"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn csv(app: &TestApp, path: &str, auth: Auth<'_>) -> Vec<Vec<String>> {
    let response = get(app, path, auth, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let mut reader = csv_reader(&text);
    assert!(text.ends_with("\r\n"));
    reader.retain(|row| !row.is_empty());
    reader
}

/// The rows of an RFC 4180 text: quoted fields may hold commas, quotes and line breaks.
fn csv_reader(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![Vec::new()];
    let (mut cell, mut quoted, mut chars) = (String::new(), false, text.chars().peekable());
    while let Some(character) = chars.next() {
        match (quoted, character) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, _) => cell.push(character),
            (false, '"') => quoted = true,
            (false, ',') => rows.last_mut().unwrap().push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                rows.last_mut().unwrap().push(std::mem::take(&mut cell));
                rows.push(Vec::new());
            }
            (false, _) => cell.push(character),
        }
    }
    rows
}

#[tokio::test]
async fn the_offer_csv_groups_the_members_expertise_by_theme_per_caller() {
    let app = spawn_demo_app().await;
    let path = format!("/export/offer/{}.csv", demo_group(&app).await);
    let staff = csv(&app, &path, Auth::Bearer(&app.admin_token)).await;
    assert_eq!(
        staff[0],
        [
            "theme",
            "authority",
            "title",
            "description",
            "services",
            "languages",
            "contact_name",
            "contact_email",
            "contact_phone",
            "cooperations"
        ]
    );
    let rows = &staff[1..];
    assert_eq!(rows.len(), 10, "every demo entry of the four members");
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "by theme label, then authority");
    let water = rows
        .iter()
        .find(|row| row[2] == "Eau et assainissement")
        .unwrap();
    assert_eq!(water[0], "Développement durable");
    assert_eq!(water[1], "Communauté urbaine de Bordeaux");
    assert_eq!(water[4], "Direction de l'eau");
    assert_eq!(water[5], "es; fr");
    assert_eq!(water[6], "Anne Raimat");
    assert_eq!(water[7], "anne.raimat@example.org");
    assert_eq!(water[9], "Gestion de l'eau et assainissement");

    let public = csv(&app, &path, Auth::Anonymous).await;
    assert_eq!(public.len(), staff.len());
    let water = public
        .iter()
        .find(|row| row[2] == "Eau et assainissement")
        .unwrap();
    assert_eq!(water[6], "Anne Raimat", "names are public");
    assert_eq!(water[7], "", "e-mails are not");
    assert_eq!(water[9], "", "the fiche awaits validation: not public");
    let mobility = public
        .iter()
        .find(|row| row[2] == "Mobilité urbaine durable et tramway")
        .unwrap();
    assert_eq!(
        mobility[9],
        "Gouvernance métropolitaine Bordeaux–Guadalajara; Mobilité urbaine durable"
    );

    let unknown = get(
        &app,
        "/export/offer/Q291bnRyeUdyb3VwOjk5.csv",
        Auth::Anonymous,
        &[],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let garbage = get(&app, "/export/offer/nothing.csv", Auth::Anonymous, &[]).await;
    assert_eq!(garbage.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_offer_csv_is_revalidated_and_changes_with_the_expertise() {
    let app = spawn_demo_app().await;
    let path = format!("/export/offer/{}.csv", demo_group(&app).await);
    let admin = Auth::Bearer(&app.admin_token);
    let (tag, modified) = validators(&app, &path, admin).await;
    assert_eq!(
        conditional(&app, &path, admin, ("if-none-match", &tag)).await,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        conditional(&app, &path, admin, ("if-modified-since", &modified)).await,
        StatusCode::NOT_MODIFIED
    );
    let (public_tag, _) = validators(&app, &path, Auth::Anonymous).await;
    assert_ne!(public_tag, tag, "contact details make another copy");
    let data = app
        .data(
            "{ expertise(first: 1) { nodes { id version } } }",
            json!({}),
        )
        .await;
    let node = &data["expertise"]["nodes"][0];
    app.data(
        UPDATE,
        json!({ "input": { "id": node["id"], "version": node["version"], "title": "Nouveau titre" } }),
    )
    .await;
    assert_eq!(
        conditional(&app, &path, admin, ("if-none-match", &tag)).await,
        StatusCode::OK
    );
    let (changed, _) = validators(&app, &path, admin).await;
    app.data(
        DELETE,
        json!({ "input": { "id": node["id"], "version": node["version"].as_i64().unwrap() + 1 } }),
    )
    .await;
    assert_eq!(
        conditional(&app, &path, admin, ("if-none-match", &changed)).await,
        StatusCode::OK
    );
}

/// The demo consultants, with their vetting as `auth` sees it.
async fn consultants(app: &TestApp, auth: Auth<'_>) -> Value {
    let body = app
        .graphql_as(
            auth,
            "{ organisations(filter: {kinds: [CONSULTANT]}) { nodes { id name vetting {
                id byCuf recommended note recordedBy authority { name } themes { code } } } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["organisations"]["nodes"].clone()
}

#[tokio::test]
async fn vetting_is_for_members_and_cuf_and_hidden_from_the_public_and_ministries() {
    let app = spawn_demo_app().await;
    let public = consultants(&app, Auth::Anonymous).await;
    assert_eq!(public.as_array().unwrap().len(), 2);
    for consultant in public.as_array().unwrap() {
        assert!(consultant["name"].as_str().unwrap().contains("(exemple)"));
        assert_eq!(consultant["vetting"], Value::Null, "{consultant}");
    }
    let ministry = ministry_user(&app).await;
    for consultant in consultants(&app, Auth::Bearer(&ministry))
        .await
        .as_array()
        .unwrap()
    {
        assert_eq!(consultant["vetting"], Value::Null);
    }
    let data = app
        .data(
            "{ authorities(filter: {search: \"haute saone\"}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let saone = data["authorities"]["nodes"][0]["id"].clone();
    let (_, member) = app.user_with_role("MEMBER", Some(&saone), None).await;
    let seen = consultants(&app, Auth::Bearer(&member)).await;
    let vetting: Vec<&Value> = seen
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|consultant| consultant["vetting"].as_array().unwrap())
        .collect();
    assert_eq!(vetting.len(), 4);
    assert!(vetting.iter().all(|opinion| opinion["note"].is_string()));
    assert!(vetting.iter().any(|opinion| opinion["byCuf"] == true));
    assert!(
        vetting
            .iter()
            .any(|opinion| opinion["recommended"] == false)
    );
    assert!(
        vetting
            .iter()
            .all(|opinion| opinion["recordedBy"].is_string())
    );
    let id = vetting[0]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let hidden = app
        .graphql_as(Auth::Anonymous, node, json!({ "id": id }))
        .await;
    assert_eq!(hidden["data"]["node"], Value::Null);
    let shown = app
        .graphql_as(Auth::Bearer(&member), node, json!({ "id": id }))
        .await;
    assert_eq!(shown["data"]["node"]["id"], id);
}

#[tokio::test]
async fn recommendations_are_given_for_own_authority_or_by_cuf_and_replaced_at_their_version() {
    let app = spawn_app().await;
    let own = app
        .create_authority(
            json!({ "name": "Bordeaux", "kind": "INTERCOMMUNALITY", "countryCode": "FR" }),
        )
        .await;
    let other = app
        .create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }))
        .await;
    let consultant = app
        .create_organisation(
            json!({ "name": "Consultora", "kind": "CONSULTANT", "countryCode": "MX" }),
        )
        .await;
    let network = app
        .create_organisation(json!({ "name": "Réseau", "kind": "NETWORK" }))
        .await;
    let (_, member) = app.user_with_role("MEMBER", Some(&own["id"]), None).await;
    let (_, staff) = app.user_with_role("CUF_STAFF", None, None).await;
    let (member, staff) = (Auth::Bearer(&member), Auth::Bearer(&staff));
    let opinion = |authority: Option<&Value>, version: Option<i64>| {
        json!({ "input": {
            "organisationId": consultant["id"], "authorityId": authority.map(|a| a["id"].clone()),
            "recommended": true, "note": "Fiable.", "version": version,
        } })
    };
    let given = app
        .graphql_as(member, RECOMMEND, opinion(Some(&own), None))
        .await;
    let recommendation = given["data"]["recommendConsultant"]["recommendation"].clone();
    assert_eq!(recommendation["authority"]["name"], "Bordeaux", "{given}");
    assert_eq!(
        recommendation["recordedBy"], "MEMBER",
        "the user's display name"
    );
    assert_eq!(recommendation["byCuf"], false);
    for refused in [opinion(Some(&other), None), opinion(None, None)] {
        let body = app.graphql_as(member, RECOMMEND, refused).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let by_cuf = app.graphql_as(staff, RECOMMEND, opinion(None, None)).await;
    assert_eq!(
        by_cuf["data"]["recommendConsultant"]["recommendation"]["byCuf"],
        true
    );

    let again = app
        .graphql_as(member, RECOMMEND, opinion(Some(&own), None))
        .await;
    assert_eq!(
        again["data"]["recommendConsultant"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let replaced = app
        .graphql_as(member, RECOMMEND, opinion(Some(&own), Some(1)))
        .await;
    let replaced = &replaced["data"]["recommendConsultant"]["recommendation"];
    assert_eq!(replaced["version"], 2);
    assert_eq!(replaced["id"], recommendation["id"]);
    let stale = app
        .graphql_as(member, RECOMMEND, opinion(Some(&own), Some(1)))
        .await;
    assert_eq!(
        stale["data"]["recommendConsultant"]["userErrors"][0]["code"],
        "CONFLICT"
    );

    let mut not_a_consultant = opinion(Some(&own), None);
    not_a_consultant["input"]["organisationId"] = network["id"].clone();
    let body = app.graphql_as(member, RECOMMEND, not_a_consultant).await;
    let errors = &body["data"]["recommendConsultant"]["userErrors"];
    assert_eq!(errors[0]["field"], json!(["organisationId"]), "{body}");

    let cuf_id = by_cuf["data"]["recommendConsultant"]["recommendation"]["id"].clone();
    let withdraw = |id: &Value, version: i64| json!({ "input": { "id": id, "version": version } });
    let body = app.graphql_as(member, WITHDRAW, withdraw(&cuf_id, 1)).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .graphql_as(member, WITHDRAW, withdraw(&recommendation["id"], 1))
        .await;
    assert_eq!(
        body["data"]["withdrawRecommendation"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let body = app
        .graphql_as(member, WITHDRAW, withdraw(&recommendation["id"], 2))
        .await;
    assert_eq!(
        body["data"]["withdrawRecommendation"]["withdrawnId"],
        recommendation["id"]
    );
    let ministry = ministry_user(&app).await;
    let body = app
        .graphql_as(Auth::Bearer(&ministry), WITHDRAW, withdraw(&cuf_id, 1))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let left = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Organisation { vetting { byCuf } } } }",
            json!({ "id": consultant["id"] }),
        )
        .await;
    assert_eq!(left["node"]["vetting"], json!([{ "byCuf": true }]));
}
