//! Open data for ministries: the IATI file of a country (checked against the IATI 2.03
//! schemas with xmllint, skipped with a notice where it is not installed and required by
//! `.ci/run`), the aid summary, and the validators of
//! every export (`ETag`, `Last-Modified`, `304 Not Modified`).

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app, spawn_demo_app};

/// The IATI activity schema, in the repository (CI runs on a clean clone).
fn schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("iati/iati-activities-schema.xsd")
}

/// Whether the IATI checks can run: xmllint is installed. Without it they are skipped, with
/// a notice, so that the test command passes on a machine with only the Rust toolchain;
/// `.ci/run` installs xmllint and sets `CUF_REQUIRE_XMLLINT`, under which a missing xmllint
/// fails the test instead.
fn xmllint_ready() -> bool {
    let installed = Command::new("xmllint").arg("--version").output().is_ok();
    if !installed {
        assert!(
            std::env::var_os("CUF_REQUIRE_XMLLINT").is_none(),
            "xmllint is required to check IATI exports: apt-get install libxml2-utils"
        );
        eprintln!(
            "xmllint is not installed: the IATI checks are skipped (apt-get install libxml2-utils)"
        );
    }
    installed
}

/// Runs xmllint on `xml` with `arguments`; its standard output.
fn xmllint(xml: &str, arguments: &[&str]) -> (bool, String, String) {
    let file = std::env::temp_dir().join(format!("cuf-iati-{}.xml", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, xml).unwrap();
    let output = Command::new("xmllint").args(arguments).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let output =
        output.expect("xmllint is required to check IATI exports: apt-get install libxml2-utils");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Fails unless `xml` is valid against the IATI 2.03 activity schema.
fn assert_valid_iati(xml: &str) {
    let schema = schema();
    let (valid, _, errors) = xmllint(xml, &["--noout", "--schema", schema.to_str().unwrap()]);
    assert!(valid, "not valid IATI 2.03: {errors}\n{xml}");
}

/// The value of the XPath `expression` in `xml`.
fn xpath(xml: &str, expression: &str) -> String {
    let (found, value, errors) = xmllint(xml, &["--xpath", expression]);
    assert!(found || value.is_empty(), "{expression}: {errors}");
    value.trim().to_owned()
}

/// GETs `path` with `auth` and optional request `headers`.
pub(crate) async fn get(
    app: &TestApp,
    path: &str,
    auth: Auth<'_>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    request = match auth {
        Auth::Anonymous => request,
        Auth::Bearer(token) => request.bearer_auth(token),
        Auth::ApiKey(key) => request.header("x-api-key", key),
    };
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// GETs `path` and fails unless it answers 200; the body.
async fn body_of(app: &TestApp, path: &str, auth: Auth<'_>) -> String {
    let response = get(app, path, auth, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// A ministry's API key, as a nightly job would use.
async fn ministry_key(app: &TestApp) -> String {
    let organisation = app
        .data("{ organisations(first: 1) { nodes { id } } }", json!({}))
        .await;
    let created = app
        .data(
            "mutation($org: ID!) { createApiKey(input: {organisationId: $org, name: \"open data\"}) { secret } }",
            json!({ "org": organisation["organisations"]["nodes"][0]["id"] }),
        )
        .await;
    created["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned()
}

const PROGRAMME: &str = "{ programmes { nodes { id actions { id title shares { id authority { id name } commitment } } } } }";

/// The demo programme's actions, with their shares.
async fn demo_actions(app: &TestApp) -> Vec<Value> {
    let data = app.data(PROGRAMME, json!({})).await;
    data["programmes"]["nodes"][0]["actions"]
        .as_array()
        .unwrap()
        .clone()
}

async fn set_commitment(app: &TestApp, share_id: &Value, commitment: &str) {
    let data = app
        .data(
            "mutation($id: ID!, $to: CommitmentState!) { setCommitment(input: {shareId: $id, commitment: $to}) { userErrors { message } } }",
            json!({ "id": share_id, "to": commitment }),
        )
        .await;
    assert_eq!(data["setCommitment"]["userErrors"], json!([]), "{data}");
}

/// The demo's offer action: its second share (Pays de la Loire, PLEDGED) is confirmed, so
/// that the demo has a paid share and a confirmed one.
async fn confirm_the_pledged_share(app: &TestApp) -> Vec<Value> {
    let actions = demo_actions(app).await;
    let pledged = actions[0]["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|share| share["commitment"] == "PLEDGED")
        .unwrap()
        .clone();
    set_commitment(app, &pledged["id"], "CONFIRMED").await;
    actions
}

#[tokio::test]
async fn the_mexico_iati_file_has_the_programme_its_actions_and_the_validated_fiches() {
    if !xmllint_ready() {
        return;
    }
    let app = spawn_demo_app().await;
    confirm_the_pledged_share(&app).await;
    let key = ministry_key(&app).await;
    let response = get(&app, "/export/iati/mx.xml", Auth::ApiKey(&key), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let xml = response.text().await.unwrap();
    assert_valid_iati(&xml);
    let parent = "//iati-activity[@hierarchy='1' and starts-with(iati-identifier, 'FR-CUF-PAC-')]";
    assert_eq!(xpath(&xml, &format!("count({parent})")), "1");
    let parent_id = xpath(&xml, &format!("string({parent}/iati-identifier)"));
    assert_eq!(
        xpath(
            &xml,
            &format!("count({parent}/related-activity[@type='2'])")
        ),
        "3"
    );
    let children = "//iati-activity[@hierarchy='2']";
    assert_eq!(
        xpath(
            &xml,
            &format!("count({children}[related-activity[@type='1' and @ref='{parent_id}']])")
        ),
        "3"
    );
    for child in 1..=3 {
        let child_id = xpath(
            &xml,
            &format!("string(({children})[{child}]/iati-identifier)"),
        );
        assert!(child_id.starts_with(&format!("{parent_id}-")), "{child_id}");
        assert_eq!(
            xpath(
                &xml,
                &format!("count({parent}/related-activity[@ref='{child_id}'])")
            ),
            "1"
        );
    }
    // Roles: the lead is accountable, the authorities sharing the cost fund (not the one
    // that declined), the DAECT and the embassy fund, CUF carries it out.
    let role = |role: &str| {
        xpath(
            &xml,
            &format!("string({parent}/participating-org[@role='{role}'][1]/narrative)"),
        )
    };
    assert_eq!(role("2"), "Communauté urbaine de Bordeaux");
    assert_eq!(role("4"), "Cités Unies France");
    let funders = xpath(
        &xml,
        &format!("count({parent}/participating-org[@role='1'])"),
    );
    assert_eq!(
        funders, "6",
        "four authorities with active shares, the DAECT and the embassy"
    );
    let offer = format!("{children}[title/narrative='Offre territoriale commune']");
    assert_eq!(
        xpath(
            &xml,
            &format!(
                "count({offer}/participating-org[@role='1' and narrative='Conseil régional de Champagne-Ardenne'])"
            )
        ),
        "0",
        "Champagne-Ardenne declined its share of the offer"
    );
    // The programme is a DRAFT, its actions PLANNED: pipeline.
    assert_eq!(
        xpath(&xml, &format!("string({parent}/activity-status/@code)")),
        "1"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("count({children}[activity-status/@code='1'])")
        ),
        "3"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({parent}/activity-date[@type='1']/@iso-date)")
        ),
        "2014-10-01"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({parent}/activity-date[@type='3']/@iso-date)")
        ),
        "2015-12-31"
    );
    // Money: the offer's budget from its items, a commitment for the confirmed and the paid
    // shares, a disbursement for the paid one, provided by the authority.
    assert_eq!(
        xpath(&xml, &format!("string({offer}/budget/value)")),
        "2950.00"
    );
    assert_eq!(
        xpath(&xml, &format!("string({offer}/budget/value/@currency)")),
        "EUR"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("count({offer}/transaction[transaction-type/@code='2'])")
        ),
        "2"
    );
    let disbursement = format!("{offer}/transaction[transaction-type/@code='3']");
    assert_eq!(xpath(&xml, &format!("count({disbursement})")), "1");
    assert_eq!(
        xpath(&xml, &format!("string({disbursement}/value)")),
        "983.34"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({disbursement}/provider-org/narrative)")
        ),
        "Communauté urbaine de Bordeaux"
    );
    assert_eq!(
        xpath(
            &xml,
            "count(//transaction[transaction-type/@code!='2' and transaction-type/@code!='3'])"
        ),
        "0"
    );
    // Fiches: the five validated Mexican ones only, French partners funding, Mexican ones
    // implementing, statuses mapped, CUF's themes beside the DAC sector.
    let fiches = "//iati-activity[starts-with(iati-identifier, 'FR-CUF-COOP-')]";
    assert_eq!(xpath(&xml, &format!("count({fiches})")), "5");
    assert!(!xml.contains("Gestion de l&apos;eau") && !xml.contains("Gestion de l'eau"));
    assert!(
        !xml.contains("Promotion économique des PME"),
        "a draft fiche"
    );
    let tourism = format!("{fiches}[starts-with(title/narrative, 'Tourisme')]");
    assert_eq!(
        xpath(&xml, &format!("string({tourism}/activity-status/@code)")),
        "6"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({tourism}/participating-org[@role='1']/narrative)")
        ),
        "Conseil régional des Pays de la Loire"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({tourism}/participating-org[@role='4']/narrative)")
        ),
        "Estado de Jalisco"
    );
    assert_eq!(
        xpath(&xml, &format!("count({tourism}/sector[@vocabulary='98'])")),
        "2"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({tourism}/activity-date[@type='2']/@iso-date)")
        ),
        "2005-01-01"
    );
    let training = format!("{fiches}[title/narrative='Formation des élus locaux']");
    assert_eq!(
        xpath(&xml, &format!("string({training}/activity-status/@code)")),
        "4"
    );
    assert_eq!(
        xpath(
            &xml,
            &format!("string({training}/activity-date[@type='4']/@iso-date)")
        ),
        "2008-12-31"
    );
    assert_eq!(
        xpath(
            &xml,
            "count(//iati-activity[not(sector[@vocabulary='1' and @code='15112'])])"
        ),
        "0"
    );
    assert_eq!(
        xpath(
            &xml,
            "count(//iati-activity[recipient-country/@code!='MX'])"
        ),
        "0"
    );
}

#[tokio::test]
async fn the_public_iati_file_has_the_validated_fiches_but_no_programme() {
    if !xmllint_ready() {
        return;
    }
    let app = spawn_demo_app().await;
    let xml = body_of(&app, "/export/iati/MX.xml", Auth::Anonymous).await;
    assert_valid_iati(&xml);
    assert_eq!(xpath(&xml, "count(//iati-activity)"), "5");
    assert!(
        !xml.contains("-PAC-"),
        "programmes are for signed-in callers"
    );
}

#[tokio::test]
async fn a_bad_country_is_refused_and_an_empty_one_is_not_found() {
    let app = spawn_demo_app().await;
    for (path, status, code) in [
        (
            "/export/iati/XX1.xml",
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
        ),
        (
            "/export/iati/ZZ.xml",
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
        ),
        ("/export/iati/MX", StatusCode::NOT_FOUND, "NOT_FOUND"),
        ("/export/iati/BR.xml", StatusCode::NOT_FOUND, "NOT_FOUND"),
    ] {
        let response = get(&app, path, Auth::Bearer(&app.admin_token), &[]).await;
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), code, "{path}: {body}");
    }
    let bad_credentials = get(&app, "/export/iati/MX.xml", Auth::Bearer("garbage"), &[]).await;
    assert_eq!(bad_credentials.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn text_is_escaped_in_the_iati_file() {
    if !xmllint_ready() {
        return;
    }
    let app = spawn_app().await;
    let authority = |name: &str, country: &str| json!({ "name": name, "kind": "MUNICIPALITY", "countryCode": country });
    let french = app
        .create_authority(authority("Ville <d'Été> & \"Cie\"", "FR"))
        .await;
    let foreign = app
        .create_authority(authority("Municipio ]]> & <x/>", "MX"))
        .await;
    let title = "Eau & assainissement <phase 2> \"pilote\"";
    let created = app
        .data(
            "mutation($input: CreateCooperationInput!) { createCooperation(input: $input) { cooperation { id version } userErrors { message } } }",
            json!({ "input": { "title": title, "countryCode": "MX", "status": "ONGOING",
                "frenchPartnerIds": [french["id"]], "foreignPartnerIds": [foreign["id"]],
                "summary": "Ligne 1\nLigne 2 : 5 < 6 & 7 > 3" } }),
        )
        .await;
    let mut fiche = created["createCooperation"]["cooperation"].clone();
    for to in ["PREFILLED", "VALIDATED"] {
        let moved = app
            .data(
                "mutation($input: TransitionCooperationInput!) { transitionCooperation(input: $input) { cooperation { id version } userErrors { message } } }",
                json!({ "input": { "id": fiche["id"], "version": fiche["version"], "to": to } }),
            )
            .await;
        fiche = moved["transitionCooperation"]["cooperation"].clone();
        assert!(!fiche.is_null(), "{moved}");
    }
    let xml = body_of(&app, "/export/iati/MX.xml", Auth::Anonymous).await;
    assert_valid_iati(&xml);
    assert_eq!(
        xpath(&xml, "string(//iati-activity/title/narrative)"),
        title
    );
    assert_eq!(
        xpath(&xml, "string(//participating-org[@role='1']/narrative)"),
        "Ville <d'Été> & \"Cie\""
    );
    assert_eq!(
        xpath(&xml, "string(//participating-org[@role='4']/narrative)"),
        "Municipio ]]> & <x/>"
    );
    // No start year: the date the fiche was recorded, said so.
    assert_eq!(
        xpath(&xml, "count(//activity-date[@type='2']/narrative)"),
        "1"
    );
}

const AID: &str = "query($input: AidSummaryInput!) { aidSummary(input: $input) {
    authority { name } countryCode year currency pledged { amount currency } confirmed { amount } paid { amount } } }";

fn aid_lines(body: &Value) -> Vec<(String, String, String, String)> {
    body["data"]["aidSummary"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|line| {
            (
                line["authority"]["name"].as_str().unwrap().to_owned(),
                line["pledged"]["amount"].as_str().unwrap().to_owned(),
                line["confirmed"]["amount"].as_str().unwrap().to_owned(),
                line["paid"]["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_aid_summary_sums_what_each_authority_pledged_confirmed_and_paid_in_a_year() {
    let app = spawn_demo_app().await;
    let key = ministry_key(&app).await;
    let ministry = Auth::ApiKey(&key);
    let year_2014 = json!({ "input": { "year": 2014 } });
    let before = app.graphql_as(ministry, AID, year_2014.clone()).await;
    // The demo: Bordeaux paid its third of the offer, Pays de la Loire pledged its own,
    // Champagne-Ardenne declined; the other shares are only proposed.
    assert_eq!(
        aid_lines(&before),
        [
            (
                "Communauté urbaine de Bordeaux".into(),
                "983.34".into(),
                "983.34".into(),
                "983.34".into()
            ),
            (
                "Conseil régional des Pays de la Loire".into(),
                "983.33".into(),
                "0.00".into(),
                "0.00".into()
            ),
        ]
    );
    let line = &before["data"]["aidSummary"][0];
    assert_eq!(
        (
            line["countryCode"].as_str(),
            line["year"].as_i64(),
            line["currency"].as_str()
        ),
        (Some("MX"), Some(2014), Some("EUR"))
    );
    confirm_the_pledged_share(&app).await;
    let after = app.graphql_as(ministry, AID, year_2014).await;
    assert_eq!(
        aid_lines(&after)[1],
        (
            "Conseil régional des Pays de la Loire".into(),
            "983.33".into(),
            "983.33".into(),
            "0.00".into()
        )
    );
    let later = app
        .graphql_as(ministry, AID, json!({ "input": { "year": 2015 } }))
        .await;
    assert_eq!(
        later["data"]["aidSummary"],
        json!([]),
        "the programme counts in the year it starts"
    );
    let bordeaux = app
        .data(
            "{ authorities(filter: {search: \"bordeaux\"}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let bordeaux = bordeaux["authorities"]["nodes"][0]["id"].clone();
    let (_, member) = app.user_with_role("MEMBER", Some(&bordeaux), None).await;
    let one = app
        .graphql_as(
            Auth::Bearer(&member),
            AID,
            json!({ "input": { "year": 2014, "authorityId": bordeaux } }),
        )
        .await;
    assert_eq!(aid_lines(&one).len(), 1);
    assert_eq!(aid_lines(&one)[0].0, "Communauté urbaine de Bordeaux");
    for (auth, input, code) in [
        (Auth::Anonymous, json!({ "year": 2014 }), "UNAUTHENTICATED"),
        (ministry, json!({ "year": 1800 }), "BAD_USER_INPUT"),
        (
            ministry,
            json!({ "year": 2014, "authorityId": "nonsense" }),
            "BAD_USER_INPUT",
        ),
        (
            ministry,
            json!({ "year": 2014, "authorityId": "QXV0aG9yaXR5Ojk5OTk5" }),
            "NOT_FOUND",
        ),
    ] {
        let refused = app.graphql_as(auth, AID, json!({ "input": input })).await;
        assert_eq!(error_code(&refused), code, "{input}: {refused}");
    }
}

#[tokio::test]
async fn the_aid_summary_csv_is_for_signed_in_callers() {
    let app = spawn_demo_app().await;
    let key = ministry_key(&app).await;
    let response = get(
        &app,
        "/export/aid-summary.csv?year=2014",
        Auth::ApiKey(&key),
        &[],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(
        lines[0],
        "authority_id,authority,country_code,year,currency,pledged,confirmed,paid"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].ends_with(",Communauté urbaine de Bordeaux,MX,2014,EUR,983.34,983.34,983.34"),
        "{text}"
    );
    for (path, auth, status) in [
        (
            "/export/aid-summary.csv?year=2014",
            Auth::Anonymous,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/export/aid-summary.csv",
            Auth::ApiKey(&key),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/export/aid-summary.csv?year=twenty",
            Auth::ApiKey(&key),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/export/aid-summary.csv?year=2014&authorityId=x",
            Auth::ApiKey(&key),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        assert_eq!(get(&app, path, auth, &[]).await.status(), status, "{path}");
    }
}

/// The `ETag` and `Last-Modified` of a 200 answer to `path`.
pub(crate) async fn validators(app: &TestApp, path: &str, auth: Auth<'_>) -> (String, String) {
    let response = get(app, path, auth, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    (header("etag"), header("last-modified"))
}

/// The status of a conditional GET of `path` with `header`.
pub(crate) async fn conditional(
    app: &TestApp,
    path: &str,
    auth: Auth<'_>,
    header: (&str, &str),
) -> StatusCode {
    let response = get(app, path, auth, &[header]).await;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        assert!(response.headers().contains_key("etag"));
        assert!(response.bytes().await.unwrap().is_empty());
    }
    status
}

const UPDATE: &str = "mutation($input: UpdateCooperationInput!) { updateCooperation(input: $input) { cooperation { version } userErrors { message } } }";

/// The demo's validated fiche `title`: id and version.
async fn fiche(app: &TestApp, title: &str) -> Value {
    let data = app
        .data(
            "query($search: String!) { cooperations(filter: {search: $search}) { nodes { id version validationState } } }",
            json!({ "search": title }),
        )
        .await;
    data["cooperations"]["nodes"][0].clone()
}

#[tokio::test]
async fn the_directory_csv_is_revalidated_and_changes_with_every_edit_insert_and_delete() {
    let app = spawn_demo_app().await;
    let path = "/export/cooperations.csv?countryCode=MX";
    let admin = Auth::Bearer(&app.admin_token);
    let (tag, modified) = validators(&app, path, admin).await;
    assert!(tag.starts_with("W/\""), "{tag}");
    assert_eq!(
        conditional(&app, path, admin, ("if-none-match", &tag)).await,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        conditional(&app, path, admin, ("if-modified-since", &modified)).await,
        StatusCode::NOT_MODIFIED
    );
    let (public_tag, _) = validators(&app, path, Auth::Anonymous).await;
    assert_ne!(public_tag, tag, "each visibility has its own validator");
    assert_eq!(
        conditional(&app, path, Auth::Anonymous, ("if-none-match", &tag)).await,
        StatusCode::OK
    );
    let other = "/export/cooperations.csv?countryCode=MX&statuses=ONGOING";
    assert_ne!(
        validators(&app, other, admin).await.0,
        tag,
        "each filter has its own"
    );

    // An edit of a fiche the public does not see changes the staff's tag, not the public's.
    let draft = fiche(&app, "Promotion économique des PME").await;
    assert_eq!(draft["validationState"], "DRAFT");
    let edited = app
        .data(UPDATE, json!({ "input": { "id": draft["id"], "version": draft["version"], "title": "Promotion des PME" } }))
        .await;
    assert_eq!(edited["updateCooperation"]["userErrors"], json!([]));
    let (edited_tag, _) = validators(&app, path, admin).await;
    assert_ne!(edited_tag, tag, "an edit");
    assert_eq!(validators(&app, path, Auth::Anonymous).await.0, public_tag);

    let world = app.data("{ authorities(filter: {search: \"jalisco\"}) { nodes { id } } f: authorities(filter: {search: \"bordeaux\"}) { nodes { id } } }", json!({})).await;
    let inserted = app
        .data(
            "mutation($input: CreateCooperationInput!) { createCooperation(input: $input) { cooperation { id version } userErrors { message } } }",
            json!({ "input": { "title": "Nouvelle coopération", "countryCode": "MX", "status": "UPCOMING",
                "frenchPartnerIds": [world["f"]["nodes"][0]["id"]], "foreignPartnerIds": [world["authorities"]["nodes"][0]["id"]] } }),
        )
        .await;
    let (inserted_tag, inserted_modified) = validators(&app, path, admin).await;
    assert_ne!(inserted_tag, edited_tag, "an insert");

    // A deletion leaves no newer row behind: the tag changes all the same, and so does
    // Last-Modified (from the audit log), so If-Modified-Since alone sees it too.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let created = &inserted["createCooperation"]["cooperation"];
    let deleted = app
        .data(
            "mutation($input: DeleteCooperationInput!) { deleteCooperation(input: $input) { userErrors { message } } }",
            json!({ "input": { "id": created["id"], "version": created["version"] } }),
        )
        .await;
    assert_eq!(deleted["deleteCooperation"]["userErrors"], json!([]));
    let (deleted_tag, _) = validators(&app, path, admin).await;
    assert_ne!(deleted_tag, inserted_tag, "a delete");
    assert_eq!(
        conditional(&app, path, admin, ("if-modified-since", &inserted_modified)).await,
        StatusCode::OK
    );
    assert_eq!(
        conditional(&app, path, admin, ("if-none-match", &inserted_tag)).await,
        StatusCode::OK
    );
    assert_eq!(
        conditional(&app, path, admin, ("if-none-match", &deleted_tag)).await,
        StatusCode::NOT_MODIFIED
    );
}

#[tokio::test]
async fn the_iati_file_and_the_aid_summary_are_revalidated_and_follow_changes() {
    if !xmllint_ready() {
        return;
    }
    let app = spawn_demo_app().await;
    let key = ministry_key(&app).await;
    let ministry = Auth::ApiKey(&key);
    let iati = "/export/iati/MX.xml";
    let aid = "/export/aid-summary.csv?year=2014";
    let (iati_tag, _) = validators(&app, iati, ministry).await;
    let (aid_tag, aid_modified) = validators(&app, aid, ministry).await;
    assert_eq!(
        conditional(&app, iati, ministry, ("if-none-match", &iati_tag)).await,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        conditional(&app, aid, ministry, ("if-none-match", &aid_tag)).await,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        conditional(&app, aid, ministry, ("if-modified-since", &aid_modified)).await,
        StatusCode::NOT_MODIFIED
    );
    assert_ne!(
        validators(&app, iati, Auth::Anonymous).await.0,
        iati_tag,
        "the public sees no programme"
    );

    // An edit: a commitment.
    let actions = confirm_the_pledged_share(&app).await;
    let bordeaux = actions[0]["shares"][0]["authority"]["id"].clone();
    let (edited_iati, _) = validators(&app, iati, ministry).await;
    let (edited_aid, _) = validators(&app, aid, ministry).await;
    assert_ne!(edited_iati, iati_tag);
    assert_ne!(edited_aid, aid_tag);

    // An insert: a new action.
    let programme = app.data("{ programmes { nodes { id } } }", json!({})).await;
    let saved = app
        .data(
            "mutation($input: SaveProgrammeActionInput!) { saveProgrammeAction(input: $input) { userErrors { message } } }",
            json!({ "input": { "programmeId": programme["programmes"]["nodes"][0]["id"], "title": "Mission d'experts",
                "sharingMethod": "EQUAL", "costItems": [{ "label": "Voyages", "unitCost": "1200.00" }],
                "participants": [{ "authorityId": bordeaux }] } }),
        )
        .await;
    assert_eq!(
        saved["saveProgrammeAction"]["userErrors"],
        json!([]),
        "{saved}"
    );
    let (inserted_iati, _) = validators(&app, iati, ministry).await;
    assert_ne!(inserted_iati, edited_iati);
    let xml = body_of(&app, iati, ministry).await;
    assert_valid_iati(&xml);
    assert_eq!(xpath(&xml, "count(//iati-activity[@hierarchy='2'])"), "4");

    // A fiche reopened (no longer validated) leaves the file; a validated one deleted too.
    let training = fiche(&app, "Formation des élus locaux").await;
    let reopened = app
        .data(
            "mutation($input: TransitionCooperationInput!) { transitionCooperation(input: $input) { userErrors { message } } }",
            json!({ "input": { "id": training["id"], "version": training["version"], "to": "AWAITING_VALIDATION" } }),
        )
        .await;
    assert_eq!(reopened["transitionCooperation"]["userErrors"], json!([]));
    let (reopened_iati, _) = validators(&app, iati, ministry).await;
    assert_ne!(reopened_iati, inserted_iati, "a fiche reopened");
    let exchanges = fiche(&app, "Échanges de jeunes et de lycéens").await;
    assert_eq!(exchanges["validationState"], "VALIDATED");
    let deleted = app
        .data(
            "mutation($input: DeleteCooperationInput!) { deleteCooperation(input: $input) { userErrors { message } } }",
            json!({ "input": { "id": exchanges["id"], "version": exchanges["version"] } }),
        )
        .await;
    assert_eq!(deleted["deleteCooperation"]["userErrors"], json!([]));
    let (deleted_iati, _) = validators(&app, iati, ministry).await;
    assert_ne!(deleted_iati, reopened_iati, "a delete");
    let xml = body_of(&app, iati, Auth::Anonymous).await;
    assert_eq!(xpath(&xml, "count(//iati-activity)"), "3");
}
