//! The directory: fiches, the validation workflow, visibility, filters, stats, themes.

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app, spawn_demo_app};

const CREATE: &str =
    "mutation($input: CreateCooperationInput!) { createCooperation(input: $input) {
    cooperation { id version validationState title } userErrors { field message code } } }";
const UPDATE: &str =
    "mutation($input: UpdateCooperationInput!) { updateCooperation(input: $input) {
    cooperation { id version validationState } userErrors { field message code } } }";
const TRANSITION: &str = "mutation($input: TransitionCooperationInput!) { transitionCooperation(input: $input) {
    cooperation { id version validationState validatedAt validatedOnBehalf } userErrors { field message code } } }";

struct World {
    bordeaux: Value,
    lyon: Value,
    jalisco: Value,
    oaxaca: Value,
    governance: Value,
}

async fn world(app: &TestApp) -> World {
    let authority = |name: &str, kind: &str, country: &str| json!({ "name": name, "kind": kind, "countryCode": country });
    let theme = app
        .data(
            "mutation { createTheme(input: {code: \"governance\", label: \"Gouvernance locale\"}) { theme { id code version } } }",
            json!({}),
        )
        .await["createTheme"]["theme"]
        .clone();
    World {
        bordeaux: app
            .create_authority(authority(
                "Communauté urbaine de Bordeaux",
                "INTERCOMMUNALITY",
                "FR",
            ))
            .await["id"]
            .clone(),
        lyon: app
            .create_authority(authority("Ville de Lyon", "MUNICIPALITY", "FR"))
            .await["id"]
            .clone(),
        jalisco: app
            .create_authority(authority("Estado de Jalisco", "STATE", "MX"))
            .await["id"]
            .clone(),
        oaxaca: app
            .create_authority(authority(
                "Municipio de Oaxaca de Juárez",
                "MUNICIPALITY",
                "MX",
            ))
            .await["id"]
            .clone(),
        governance: theme,
    }
}

fn fiche(title: &str, french: &Value, foreign: &Value) -> Value {
    json!({ "title": title, "countryCode": "MX", "frenchPartnerIds": [french], "foreignPartnerIds": [foreign], "status": "ONGOING" })
}

async fn titles(app: &TestApp, arguments: &str) -> Vec<String> {
    let query = format!("{{ cooperations({arguments}) {{ totalCount nodes {{ title }} }} }}");
    let data = app.data(&query, json!({})).await;
    data["cooperations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn create(app: &TestApp, auth: Auth<'_>, input: Value) -> Value {
    let body = app
        .graphql_as(auth, CREATE, json!({ "input": input }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let payload = &body["data"]["createCooperation"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["cooperation"].clone()
}

async fn transition(app: &TestApp, auth: Auth<'_>, fiche: &Value, to: &str) -> Value {
    let body = app
        .graphql_as(
            auth,
            TRANSITION,
            json!({ "input": { "id": fiche["id"], "version": fiche["version"], "to": to } }),
        )
        .await;
    body["data"]["transitionCooperation"].clone()
}

#[tokio::test]
async fn a_fiche_goes_from_draft_to_validated_by_its_authority() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let (_, member) = app
        .user_with_role("MEMBER", Some(&world.bordeaux), None)
        .await;
    let admin = Auth::Bearer(&app.admin_token);
    let draft = create(
        &app,
        admin,
        fiche(
            "Gouvernance métropolitaine",
            &world.bordeaux,
            &world.jalisco,
        ),
    )
    .await;
    assert_eq!(draft["validationState"], "DRAFT");
    let member_prefill = transition(&app, Auth::Bearer(&member), &draft, "PREFILLED").await;
    assert_eq!(member_prefill, json!(null), "members do not pre-fill");
    let skip = transition(&app, admin, &draft, "VALIDATED").await;
    assert_eq!(skip["userErrors"][0]["code"], "INVALID", "{skip}");
    let prefilled = transition(&app, admin, &draft, "PREFILLED").await["cooperation"].clone();
    let awaiting =
        transition(&app, admin, &prefilled, "AWAITING_VALIDATION").await["cooperation"].clone();
    assert_eq!(awaiting["validationState"], "AWAITING_VALIDATION");
    let validated =
        transition(&app, Auth::Bearer(&member), &awaiting, "VALIDATED").await["cooperation"]
            .clone();
    assert_eq!(validated["validationState"], "VALIDATED");
    assert_eq!(validated["validatedOnBehalf"], false);
    assert!(validated["validatedAt"].is_string());
    let again = transition(&app, Auth::Bearer(&member), &validated, "VALIDATED").await;
    assert_eq!(again["userErrors"][0]["code"], "INVALID");
    // An edit by the validating authority keeps the fiche validated...
    let edited = app
        .graphql_as(Auth::Bearer(&member), UPDATE, json!({ "input": { "id": validated["id"], "version": validated["version"], "summary": "Corrigé" } }))
        .await["data"]["updateCooperation"]["cooperation"]
        .clone();
    assert_eq!(edited["validationState"], "VALIDATED");
    // ...an edit by CUF sends it back for validation.
    let by_cuf = app
        .data(UPDATE, json!({ "input": { "id": edited["id"], "version": edited["version"], "status": "DORMANT" } }))
        .await["updateCooperation"]["cooperation"]
        .clone();
    assert_eq!(by_cuf["validationState"], "AWAITING_VALIDATION");
    let on_behalf = transition(&app, admin, &by_cuf, "VALIDATED").await["cooperation"].clone();
    assert_eq!(on_behalf["validatedOnBehalf"], true);
}

#[tokio::test]
async fn a_page_shows_each_fiches_partners_on_their_side_and_its_themes_by_label() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let theme = |code: &'static str, label: &'static str| {
        let app = &app;
        async move {
            app.data(
                "mutation($code: String!, $label: String!) { createTheme(input: {code: $code, label: $label}) { theme { id } } }",
                json!({ "code": code, "label": label }),
            )
            .await["createTheme"]["theme"]["id"]
                .clone()
        }
    };
    let urbanism = theme("urbanism", "Urbanisme").await;
    let culture = theme("culture", "Culture").await;
    let admin = Auth::Bearer(&app.admin_token);
    let mut both = fiche("Eau et assainissement", &world.bordeaux, &world.jalisco);
    both["frenchPartnerIds"] = json!([world.lyon, world.bordeaux]);
    both["foreignPartnerIds"] = json!([world.oaxaca, world.jalisco]);
    both["themeIds"] = json!([urbanism, world.governance["id"], culture]);
    create(&app, admin, both).await;
    let mut lyon = fiche("Patrimoine", &world.lyon, &world.oaxaca);
    lyon["themeIds"] = json!([culture]);
    create(&app, admin, lyon).await;
    create(
        &app,
        admin,
        fiche("Sans thème", &world.lyon, &world.jalisco),
    )
    .await;
    // One page, so one batch of each loader for the three fiches.
    let page = app
        .data(
            "{ cooperations(first: 10, orderBy: {field: TITLE, direction: ASC}) { nodes { title
                frenchPartners { name } foreignPartners { name } themes { label } } } }",
            json!({}),
        )
        .await;
    let names = |node: &Value, side: &str| -> Vec<String> {
        let mut names: Vec<String> = node[side]
            .as_array()
            .unwrap()
            .iter()
            .map(|partner| partner["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let nodes = page["cooperations"]["nodes"].as_array().unwrap().clone();
    let titles: Vec<&str> = nodes
        .iter()
        .map(|node| node["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Eau et assainissement", "Patrimoine", "Sans thème"]
    );
    assert_eq!(
        names(&nodes[0], "frenchPartners"),
        ["Communauté urbaine de Bordeaux", "Ville de Lyon"]
    );
    assert_eq!(
        names(&nodes[0], "foreignPartners"),
        ["Estado de Jalisco", "Municipio de Oaxaca de Juárez"]
    );
    assert_eq!(
        nodes[0]["themes"],
        json!([{ "label": "Culture" }, { "label": "Gouvernance locale" }, { "label": "Urbanisme" }])
    );
    assert_eq!(names(&nodes[1], "frenchPartners"), ["Ville de Lyon"]);
    assert_eq!(
        names(&nodes[1], "foreignPartners"),
        ["Municipio de Oaxaca de Juárez"]
    );
    assert_eq!(nodes[1]["themes"], json!([{ "label": "Culture" }]));
    assert_eq!(names(&nodes[2], "foreignPartners"), ["Estado de Jalisco"]);
    assert_eq!(nodes[2]["themes"], json!([]));
}

#[tokio::test]
async fn only_validated_fiches_are_public_and_members_see_their_own() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let admin = Auth::Bearer(&app.admin_token);
    let own_draft = create(
        &app,
        admin,
        fiche("Brouillon de Bordeaux", &world.bordeaux, &world.jalisco),
    )
    .await;
    let other_draft = create(
        &app,
        admin,
        fiche("Brouillon de Lyon", &world.lyon, &world.oaxaca),
    )
    .await;
    let mut public = create(
        &app,
        admin,
        fiche("Fiche publique", &world.lyon, &world.jalisco),
    )
    .await;
    for step in ["PREFILLED", "AWAITING_VALIDATION", "VALIDATED"] {
        public = transition(&app, admin, &public, step).await["cooperation"].clone();
    }
    let (_, member) = app
        .user_with_role("MEMBER", Some(&world.bordeaux), None)
        .await;
    let titles = |body: Value| -> Vec<String> {
        body["data"]["cooperations"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let query = "{ cooperations { totalCount nodes { title } } }";
    assert_eq!(
        titles(app.graphql_as(Auth::Anonymous, query, json!({})).await),
        ["Fiche publique"]
    );
    assert_eq!(
        titles(
            app.graphql_as(Auth::Bearer(&member), query, json!({}))
                .await
        ),
        ["Brouillon de Bordeaux", "Fiche publique"]
    );
    assert_eq!(titles(app.graphql(query, json!({})).await).len(), 3);
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let hidden = app
        .graphql_as(Auth::Anonymous, node, json!({ "id": other_draft["id"] }))
        .await;
    assert_eq!(hidden["data"]["node"], json!(null));
    let hidden = app
        .graphql_as(
            Auth::Bearer(&member),
            node,
            json!({ "id": other_draft["id"] }),
        )
        .await;
    assert_eq!(hidden["data"]["node"], json!(null));
    let visible = app
        .graphql_as(
            Auth::Bearer(&member),
            node,
            json!({ "id": own_draft["id"] }),
        )
        .await;
    assert_eq!(visible["data"]["node"]["id"], own_draft["id"]);
    let foreign_edit = app
        .graphql_as(Auth::Bearer(&member), UPDATE, json!({ "input": { "id": public["id"], "version": public["version"], "summary": "x" } }))
        .await;
    assert_eq!(error_code(&foreign_edit), "FORBIDDEN");
}

#[tokio::test]
async fn internal_notes_are_for_cuf_and_the_partner_authorities() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let admin = Auth::Bearer(&app.admin_token);
    let mut input = fiche("Fiche avec notes", &world.bordeaux, &world.jalisco);
    input["internalNotes"] = json!("Relancer en juin");
    let mut created = create(&app, admin, input).await;
    for step in ["PREFILLED", "AWAITING_VALIDATION", "VALIDATED"] {
        created = transition(&app, admin, &created, step).await["cooperation"].clone();
    }
    let (_, partner) = app
        .user_with_role("MEMBER", Some(&world.bordeaux), None)
        .await;
    let (_, outsider) = app.user_with_role("MEMBER", Some(&world.lyon), None).await;
    let query = "query($id: ID!) { node(id: $id) { ... on Cooperation { internalNotes } } }";
    let notes = |body: Value| body["data"]["node"]["internalNotes"].clone();
    let variables = json!({ "id": created["id"] });
    assert_eq!(
        notes(app.graphql(query, variables.clone()).await),
        "Relancer en juin"
    );
    assert_eq!(
        notes(
            app.graphql_as(Auth::Bearer(&partner), query, variables.clone())
                .await
        ),
        "Relancer en juin"
    );
    assert_eq!(
        notes(
            app.graphql_as(Auth::Bearer(&outsider), query, variables.clone())
                .await
        ),
        json!(null)
    );
    assert_eq!(
        notes(app.graphql_as(Auth::Anonymous, query, variables).await),
        json!(null)
    );
}

#[tokio::test]
async fn fiche_input_is_checked_and_writes_nothing() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let cases = [
        (json!({ "frenchPartnerIds": [] }), "frenchPartnerIds"),
        (
            json!({ "foreignPartnerIds": [world.lyon] }),
            "foreignPartnerIds",
        ),
        (
            json!({ "frenchPartnerIds": [world.jalisco], "foreignPartnerIds": [world.jalisco] }),
            "foreignPartnerIds",
        ),
        (json!({ "startYear": 2015, "endYear": 2010 }), "endYear"),
        (json!({ "startYear": 1500 }), "startYear"),
        (json!({ "countryCode": "XX" }), "countryCode"),
        (json!({ "title": "  " }), "title"),
        (json!({ "themeIds": ["VGhlbWU6OTk5"] }), "themeIds"),
    ];
    for (change, field) in cases {
        let mut input = fiche("Fiche", &world.bordeaux, &world.jalisco);
        for (key, value) in change.as_object().unwrap() {
            input[key] = value.clone();
        }
        let body = app.data(CREATE, json!({ "input": input })).await;
        let errors = &body["createCooperation"]["userErrors"];
        assert!(
            errors
                .as_array()
                .unwrap()
                .iter()
                .any(|error| error["field"][0] == field),
            "{field}: {errors}"
        );
    }
    let count = app.data("{ cooperations { totalCount } }", json!({})).await;
    assert_eq!(count["cooperations"]["totalCount"], 0);
}

#[tokio::test]
async fn the_directory_filters_searches_and_orders() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let admin = Auth::Bearer(&app.admin_token);
    let mut first = fiche("Eau et assainissement", &world.bordeaux, &world.oaxaca);
    first["startYear"] = json!(2011);
    first["endYear"] = json!(2016);
    first["themeIds"] = json!([world.governance["id"]]);
    create(&app, admin, first).await;
    let mut second = fiche("Tourisme au Jalisco", &world.lyon, &world.jalisco);
    second["startYear"] = json!(2005);
    second["status"] = json!("DORMANT");
    create(&app, admin, second).await;
    let mut third = fiche("Énergies renouvelables", &world.bordeaux, &world.jalisco);
    third["status"] = json!("UPCOMING");
    create(&app, admin, third).await;
    assert_eq!(
        titles(&app, "filter: {search: \"oaxaca juarez\"}").await,
        ["Eau et assainissement"],
        "partner names are searched"
    );
    assert_eq!(
        titles(&app, "filter: {search: \"energies\"}").await,
        ["Énergies renouvelables"]
    );
    assert_eq!(
        titles(&app, "filter: {statuses: [DORMANT, UPCOMING]}").await,
        ["Énergies renouvelables", "Tourisme au Jalisco"]
    );
    let by_theme = format!("filter: {{themeIds: [{}]}}", world.governance["id"]);
    assert_eq!(titles(&app, &by_theme).await, ["Eau et assainissement"]);
    let by_authority = format!("filter: {{authorityId: {}}}", world.jalisco);
    assert_eq!(
        titles(&app, &by_authority).await,
        ["Énergies renouvelables", "Tourisme au Jalisco"]
    );
    assert_eq!(
        titles(&app, "filter: {fromYear: 2017}").await,
        ["Énergies renouvelables", "Tourisme au Jalisco"],
        "open-ended and unknown years"
    );
    assert_eq!(
        titles(&app, "filter: {toYear: 2004}").await,
        ["Énergies renouvelables"]
    );
    assert_eq!(
        titles(&app, "filter: {validationStates: [VALIDATED]}").await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles(&app, "orderBy: {field: START_YEAR, direction: DESC}").await,
        [
            "Eau et assainissement",
            "Tourisme au Jalisco",
            "Énergies renouvelables"
        ]
    );
    let page = app.data("{ cooperations(first: 2, orderBy: {field: START_YEAR}) { pageInfo { endCursor hasNextPage } } }", json!({})).await;
    let cursor = &page["cooperations"]["pageInfo"]["endCursor"];
    assert_eq!(page["cooperations"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        titles(
            &app,
            &format!("after: {cursor}, orderBy: {{field: START_YEAR}}")
        )
        .await,
        ["Eau et assainissement"]
    );
    let of_authority = app
        .data("query($id: ID!) { node(id: $id) { ... on Authority { cooperations { totalCount } } } }", json!({ "id": world.bordeaux }))
        .await;
    assert_eq!(of_authority["node"]["cooperations"]["totalCount"], 2);
}

#[tokio::test]
async fn stats_and_pending_validations_describe_the_demo_directory() {
    let app = spawn_demo_app().await;
    let stats = app
        .data("{ cooperationStats(countryCode: \"mx\") { total validated byValidationState { state count } byStatus { status count } byTheme { theme { code } count } } }", json!({}))
        .await["cooperationStats"]
        .clone();
    assert_eq!(stats["total"], 12);
    assert_eq!(stats["validated"], 5);
    let states: Vec<&str> = stats["byValidationState"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["state"].as_str().unwrap())
        .collect();
    for state in ["DRAFT", "PREFILLED", "AWAITING_VALIDATION", "VALIDATED"] {
        assert!(states.contains(&state), "{stats}");
    }
    assert_eq!(stats["byStatus"].as_array().unwrap().len(), 4);
    assert_eq!(stats["byTheme"].as_array().unwrap().len(), 8);
    let public = app
        .graphql_as(
            Auth::Anonymous,
            "{ cooperationStats(countryCode: \"MX\") { total validated } }",
            json!({}),
        )
        .await;
    assert_eq!(
        public["data"]["cooperationStats"],
        json!({ "total": 5, "validated": 5 })
    );
    let pending = app
        .data("{ pendingValidations(countryCode: \"MX\") { authority { name } cooperations { title } awaitingSince reminderCount contacts { email } } }", json!({}))
        .await["pendingValidations"]
        .clone();
    let authorities: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["authority"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(authorities.len(), 3, "{pending}");
    assert!(authorities.contains(&"Conseil départemental de la Haute-Saône"));
    let haute_saone = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["authority"]["name"] == "Conseil départemental de la Haute-Saône")
        .unwrap();
    assert_eq!(
        haute_saone["contacts"],
        json!([{ "email": "nathalie.coiraton@example.org" }])
    );
    assert!(haute_saone["awaitingSince"].is_string());
}

#[tokio::test]
async fn themes_are_created_and_renamed_by_cuf_only() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let duplicate = app
        .data("mutation { createTheme(input: {code: \"governance\", label: \"Autre\"}) { theme { id } userErrors { field code } } }", json!({}))
        .await;
    assert_eq!(
        duplicate["createTheme"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let bad = app
        .data("mutation { createTheme(input: {code: \"Not A Code\", label: \"X\"}) { theme { id } userErrors { field code } } }", json!({}))
        .await;
    assert_eq!(
        bad["createTheme"]["userErrors"][0]["field"],
        json!(["code"])
    );
    let renamed = app
        .data(
            "mutation($id: ID!) { renameTheme(input: {id: $id, version: 1, label: \"Gouvernance\"}) { theme { code label version } } }",
            json!({ "id": world.governance["id"] }),
        )
        .await;
    assert_eq!(
        renamed["renameTheme"]["theme"],
        json!({ "code": "governance", "label": "Gouvernance", "version": 2 })
    );
    let themes = app
        .graphql_as(Auth::Anonymous, "{ themes { code label } }", json!({}))
        .await;
    assert_eq!(
        themes["data"]["themes"],
        json!([{ "code": "governance", "label": "Gouvernance" }])
    );
    let (_, member) = app
        .user_with_role("MEMBER", Some(&world.bordeaux), None)
        .await;
    let refused = app
        .graphql_as(Auth::Bearer(&member), "mutation { createTheme(input: {code: \"health\", label: \"Santé\"}) { theme { id } } }", json!({}))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
}

#[tokio::test]
async fn the_csv_export_follows_the_filters_and_the_callers_visibility() {
    let app = spawn_demo_app().await;
    let export = |query: &'static str, token: Option<String>| {
        let mut request = app
            .client
            .get(app.url(&format!("/export/cooperations.csv{query}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let public = export("", None).await.unwrap();
    assert_eq!(public.status(), reqwest::StatusCode::OK);
    assert_eq!(public.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        public.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let text = public.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert!(lines[0].starts_with("id,title,country_code,status,validation_state"));
    assert_eq!(lines.len(), 1 + 5, "validated fiches only: {text}");
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|line| line.contains(",VALIDATED,"))
    );
    assert!(
        text.contains("Conseil départemental de la Haute-Saône"),
        "partners by name"
    );
    let everything = export("", Some(app.admin_token.clone()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        everything
            .split("\r\n")
            .filter(|line| !line.is_empty())
            .count(),
        1 + 12
    );
    let ongoing = export(
        "?statuses=ONGOING&countryCode=MX",
        Some(app.admin_token.clone()),
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let rows: Vec<&str> = ongoing
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(rows.len(), 5, "{ongoing}");
    assert!(rows.iter().all(|row| row.contains(",ONGOING,")));
    let bad = export("?statuses=SOMETIMES", None).await.unwrap();
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
    let unauthenticated = export("", Some("garbage".into())).await.unwrap();
    assert_eq!(unauthenticated.status(), reqwest::StatusCode::UNAUTHORIZED);
}

const COMPARE: &str =
    "query($csv: String!) { compareWithExternalList(input: {countryCode: \"MX\", csv: $csv}) {
    matched { entry { line frenchAuthority } cooperation { title } }
    onlyInDirectory { title }
    onlyInList { line frenchAuthority foreignAuthority status title }
    possibleMatches { entry { line } cooperation { title } score }
    userErrors { field message } } }";

#[tokio::test]
async fn the_embassys_list_is_compared_with_the_directory_through_tricky_names() {
    let app = spawn_demo_app().await;
    let csv = include_str!("../../api/tests/fixtures/embassy-mexico.csv");
    let before = app.data("{ cooperations { totalCount } }", json!({})).await;
    let comparison =
        app.data(COMPARE, json!({ "csv": csv })).await["compareWithExternalList"].clone();
    assert_eq!(comparison["userErrors"], json!([]));
    let matched: Vec<(i64, String)> = comparison["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair["entry"]["line"].as_i64().unwrap(),
                pair["cooperation"]["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        matched,
        [
            (
                2,
                "Gouvernance métropolitaine Bordeaux–Guadalajara".to_owned()
            ),
            (
                3,
                "Tourisme et patrimoine des Pays de la Loire au Jalisco".to_owned()
            ),
            (4, "Santé maternelle et infantile en zone rurale".to_owned()),
            (5, "Formation des élus locaux".to_owned()),
            (8, "Échanges de jeunes et de lycéens".to_owned()),
        ]
    );
    assert_eq!(
        comparison["possibleMatches"],
        json!([{ "entry": { "line": 6 }, "cooperation": { "title": "Promotion économique des PME" }, "score": 0.5 }])
    );
    assert_eq!(
        comparison["onlyInList"],
        json!([{ "line": 7, "frenchAuthority": "Ville de Lyon", "foreignAuthority": "Puebla", "status": "UPCOMING",
                 "title": "Coopération \"culture\" à Puebla" }])
    );
    assert_eq!(comparison["onlyInDirectory"].as_array().unwrap().len(), 6);
    let after = app.data("{ cooperations { totalCount } }", json!({})).await;
    assert_eq!(before, after, "nothing is written");
    let malformed = app
        .data(
            COMPARE,
            json!({ "csv": "french_authority,foreign_authority\nA,B\nC,D,E\n" }),
        )
        .await["compareWithExternalList"]
        .clone();
    assert_eq!(malformed["userErrors"][0]["field"], json!(["csv"]));
    assert!(
        malformed["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 3:")
    );
    let anonymous = app
        .graphql_as(Auth::Anonymous, COMPARE, json!({ "csv": csv }))
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

const IMPORT: &str = "mutation($rows: [ExternalEntryInput!]!) { importExternalEntries(input: {countryCode: \"MX\", rows: $rows}) {
    cooperations { title status validationState sources frenchPartners { name kind } foreignPartners { name } }
    userErrors { field message } } }";

#[tokio::test]
async fn external_entries_are_imported_as_prefilled_fiches_all_or_nothing() {
    let app = spawn_demo_app().await;
    let count = || async {
        app.data(
            "{ cooperations { totalCount } authorities { totalCount } }",
            json!({}),
        )
        .await
    };
    let before = count().await;
    let refused = app
        .data(
            IMPORT,
            json!({ "rows": [
            { "frenchAuthority": "Ville de Lyon", "foreignAuthority": "Puebla" },
            { "frenchAuthority": "   ", "foreignAuthority": "Tlaxcala" }
        ] }),
        )
        .await["importExternalEntries"]
        .clone();
    assert!(
        !refused["userErrors"].as_array().unwrap().is_empty(),
        "{refused}"
    );
    assert_eq!(
        count().await,
        before,
        "a bad row writes nothing, not even the good ones"
    );
    let imported = app
        .data(IMPORT, json!({ "rows": [
            { "frenchAuthority": "Ville de Lyon", "foreignAuthority": "Puebla", "status": "UPCOMING" },
            { "frenchAuthority": "CU de Bordeaux", "foreignAuthority": "Estado de Jalisco" }
        ] }))
        .await["importExternalEntries"]
        .clone();
    assert_eq!(imported["userErrors"], json!([]));
    let fiches = imported["cooperations"].as_array().unwrap();
    assert_eq!(fiches[0]["title"], "Ville de Lyon – Puebla");
    assert_eq!(fiches[0]["validationState"], "PREFILLED");
    assert_eq!(fiches[0]["sources"], json!(["EMBASSY"]));
    assert_eq!(
        fiches[0]["frenchPartners"],
        json!([{ "name": "Ville de Lyon", "kind": "MUNICIPALITY" }])
    );
    assert_eq!(
        fiches[1]["frenchPartners"][0]["name"], "Communauté urbaine de Bordeaux",
        "an existing authority is found through the abbreviation"
    );
    assert_eq!(fiches[1]["foreignPartners"][0]["name"], "Estado de Jalisco");
    let after = count().await;
    assert_eq!(
        after["authorities"]["totalCount"].as_i64(),
        before["authorities"]["totalCount"].as_i64().map(|n| n + 2)
    );
}

/// Positions of `keys` in `text`, each searched after the one before; `None` where a key is
/// missing or comes out of order.
fn in_order(text: &str, keys: &[&str]) -> bool {
    let mut from = 0;
    keys.iter().all(|key| match text[from..].find(key) {
        Some(at) => {
            from += at + key.len();
            true
        }
        None => false,
    })
}

#[tokio::test]
async fn a_page_answers_the_fields_in_the_order_asked_however_they_are_selected() {
    let app = spawn_demo_app().await;
    let ask = |query: &'static str| {
        let app = &app;
        async move {
            let response = app.post(Auth::Anonymous, query, json!({})).await;
            assert!(response.status().is_success());
            response.text().await.expect("a body")
        }
    };
    // A plain selection: the fields of an edge and of its fiche come out in the order they
    // were asked, the nodes are the edges' own.
    let plain = ask(
        "{ cooperations(first: 3) { edges { node { themes { label id } startYear title id
            __typename } cursor } nodes { id title } pageInfo { endCursor } } }",
    )
    .await;
    let body: Value = serde_json::from_str(&plain).unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    let edges = body["data"]["cooperations"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 3);
    assert!(in_order(
        &plain,
        &[
            "\"edges\"",
            "\"node\"",
            "\"themes\"",
            "\"label\"",
            "\"id\"",
            "\"startYear\"",
            "\"title\"",
            "\"id\"",
            "\"__typename\":\"Cooperation\"",
            "\"cursor\""
        ]
    ));
    for (edge, node) in edges
        .iter()
        .zip(body["data"]["cooperations"]["nodes"].as_array().unwrap())
    {
        assert_eq!(edge["node"]["id"], node["id"]);
        assert_eq!(edge["node"]["title"], node["title"]);
    }
    // Fragments, aliases, a key asked twice and directives give the same fiches.
    let mixed = ask(
        "{ cooperations(first: 3) { edges { node { ... on Cooperation { id } name: title
            title @include(if: true) themes { label } themes { id } } } } }",
    )
    .await;
    let mixed: Value = serde_json::from_str(&mixed).unwrap();
    assert!(mixed.get("errors").is_none(), "{mixed:#}");
    for (edge, other) in edges
        .iter()
        .zip(mixed["data"]["cooperations"]["edges"].as_array().unwrap())
    {
        assert_eq!(edge["node"]["id"], other["node"]["id"]);
        assert_eq!(edge["node"]["title"], other["node"]["name"]);
        assert_eq!(edge["node"]["title"], other["node"]["title"]);
        assert_eq!(edge["node"]["themes"], other["node"]["themes"]);
    }
}

#[tokio::test]
async fn an_error_in_a_listed_object_keeps_its_path_and_the_other_fields() {
    let app = spawn_demo_app().await;
    // An authority's contributions are for signed-in callers only.
    let body = app
        .graphql_as(
            Auth::Anonymous,
            "{ cooperations(first: 1) { edges { node { title frenchPartners { name
                contributions { currency } } } } } }",
            json!({}),
        )
        .await;
    let partner = &body["data"]["cooperations"]["edges"][0]["node"]["frenchPartners"][0];
    assert!(partner["name"].is_string(), "{body:#}");
    let errors = body["errors"].as_array().expect("an error");
    assert_eq!(
        errors[0]["path"],
        json!([
            "cooperations",
            "edges",
            0,
            "node",
            "frenchPartners",
            0,
            "contributions"
        ])
    );
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_page_reads_each_fiches_partners_and_themes_as_the_fiche_alone_does() {
    // A page reads its fiches' partners and themes for all of them at once when its
    // selection asks for them; a fiche fetched alone reads them through the loaders. Both
    // must give the same partners, on the same sides, and the same themes in the same order.
    let app = spawn_demo_app().await;
    const RELATED: &str =
        "id frenchPartners { id name } foreignPartners { id } themes { id label }";
    let page = app
        .data(
            &format!(
                "{{ cooperations(first: 100) {{ edges {{ node {{ {RELATED} }} }} nodes {{ id themes {{ label }} }} }}
                   viaFragment: cooperations(first: 100) {{ edges {{ node {{ ...Related }} }} }} }}
                 fragment Related on Cooperation {{ {RELATED} }}"
            ),
            json!({}),
        )
        .await;
    let fiches: Vec<&Value> = page["cooperations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| &edge["node"])
        .collect();
    let full = |side: &str| {
        fiches
            .iter()
            .any(|fiche| !fiche[side].as_array().unwrap().is_empty())
    };
    assert!(
        full("frenchPartners") && full("foreignPartners") && full("themes"),
        "{page:#}"
    );
    let alone =
        format!("query($id: ID!) {{ node(id: $id) {{ ... on Cooperation {{ {RELATED} }} }} }}");
    let labels = |fiche: &Value| -> Vec<Value> {
        let themes = fiche["themes"].as_array().unwrap();
        themes.iter().map(|theme| theme["label"].clone()).collect()
    };
    for (index, fiche) in fiches.iter().enumerate() {
        let read = app.data(&alone, json!({ "id": fiche["id"] })).await;
        assert_eq!(&read["node"], *fiche, "fiche {index}");
        assert_eq!(page["viaFragment"]["edges"][index]["node"], **fiche);
        let node = &page["cooperations"]["nodes"][index];
        assert_eq!(node["id"], fiche["id"]);
        assert_eq!(labels(fiche), labels(node));
    }
}
