//! Documents of the resource centre: multipart uploads, versions, downloads with their
//! visibility, the content allow-list and the size limit, the `documents` connection.

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app, spawn_demo_app, spawn_demo_app_with};

const CREATE: &str = "mutation($input: DocumentInput!) { createDocument(input: $input) {
    document { id version title visibility } userErrors { field code message } } }";

const UPLOAD: &str =
    "mutation($input: UploadDocumentVersionInput!) { uploadDocumentVersion(input: $input) {
    version { id number filename mediaType size sha256 downloadPath }
    document { versions { number } } userErrors { field code message } } }";

/// A GraphQL multipart request body (the spec's `operations`, `map`, one file), and its
/// content type.
fn multipart(query: &str, variables: Value, filename: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "cufboundary7MA4YWxkTrZu0gW";
    let operations = json!({ "query": query, "variables": variables }).to_string();
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.input.file\"]}}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads `content` as a new version of `document` with `token` (none: no credentials);
/// the status and body.
async fn upload(
    app: &TestApp,
    token: Option<&str>,
    document: &Value,
    filename: &str,
    content: &[u8],
) -> (u16, Value) {
    let (content_type, body) = multipart(
        UPLOAD,
        json!({ "input": { "documentId": document["id"], "file": null } }),
        filename,
        content,
    );
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn group_id(app: &TestApp) -> Value {
    app.data("{ countryGroups(first: 1) { nodes { id } } }", json!({}))
        .await["countryGroups"]["nodes"][0]["id"]
        .clone()
}

async fn create(app: &TestApp, input: Value) -> Value {
    let data = app.data(CREATE, json!({ "input": input })).await;
    assert_eq!(data["createDocument"]["userErrors"], json!([]), "{data}");
    data["createDocument"]["document"].clone()
}

async fn download(app: &TestApp, auth: Auth<'_>, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    match auth {
        Auth::Bearer(token) => request = request.bearer_auth(token),
        Auth::ApiKey(key) => request = request.header("x-api-key", key),
        Auth::Anonymous => {}
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn files_upload_as_versions_and_download_with_the_documents_visibility() {
    let app = spawn_demo_app().await;
    let group = group_id(&app).await;
    let dossier = create(
        &app,
        json!({ "title": "Dossier pays Mexique", "kind": "COUNTRY_DOSSIER", "visibility": "MEMBERS",
            "belongsTo": group,
            "milestones": [{ "title": "Premier jet", "due": { "start": "2014-05-05", "precision": "DAY" } }] }),
    )
    .await;

    let first = b"%PDF-1.4\nversion one\n%%EOF\n";
    let (status, body) = upload(&app, Some(&app.admin_token), &dossier, "dossier.pdf", first).await;
    assert_eq!(status, 200, "{body}");
    let payload = &body["data"]["uploadDocumentVersion"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    let version = payload["version"].clone();
    assert_eq!(version["number"], 1);
    assert_eq!(version["mediaType"], "application/pdf");
    assert_eq!(version["size"], first.len());

    let second = b"%PDF-1.4\nversion two\n%%EOF\n";
    let (_, body) = upload(
        &app,
        Some(&app.admin_token),
        &dossier,
        "../../dossier v2.pdf",
        second,
    )
    .await;
    let payload = &body["data"]["uploadDocumentVersion"];
    assert_eq!(payload["version"]["number"], 2, "{body}");
    assert_eq!(payload["version"]["filename"], "dossier v2.pdf");
    assert_eq!(
        payload["document"]["versions"],
        json!([{ "number": 2 }, { "number": 1 }])
    );

    // The first version is still there, byte for byte.
    let path = version["downloadPath"].as_str().unwrap();
    let response = download(&app, Auth::Bearer(&app.admin_token), path).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), first);

    // A members' document does not exist for anonymous callers or ministries.
    assert_eq!(download(&app, Auth::Anonymous, path).await.status(), 404);
    let ministry = app
        .create_organisation(json!({ "name": "MAEDI", "kind": "MINISTRY" }))
        .await;
    let (_, ministry_user) = app
        .user_with_role("MINISTRY", None, Some(&ministry["id"]))
        .await;
    assert_eq!(
        download(&app, Auth::Bearer(&ministry_user), path)
            .await
            .status(),
        404
    );
    let hidden = app
        .graphql_as(
            Auth::Anonymous,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": dossier["id"] }),
        )
        .await;
    assert_eq!(hidden["data"]["node"], Value::Null);
    assert_eq!(
        download(&app, Auth::Anonymous, "/files/999999")
            .await
            .status(),
        404
    );
    assert_eq!(
        download(&app, Auth::Anonymous, "/files/not-a-number")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn uploads_are_checked_on_their_content_size_and_caller() {
    let app = spawn_demo_app_with(|settings| settings.max_upload_bytes = 1024).await;
    let group = group_id(&app).await;
    let document = create(
        &app,
        json!({ "title": "Compte rendu", "kind": "MINUTES", "visibility": "PUBLIC", "belongsTo": group }),
    )
    .await;
    let token = app.admin_token.clone();

    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    let (_, body) = upload(&app, Some(&token), &document, "minutes.pdf", html).await;
    let errors = &body["data"]["uploadDocumentVersion"]["userErrors"];
    assert_eq!(
        errors[0]["field"],
        json!(["file"]),
        "HTML named .pdf is refused: {body}"
    );
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let (_, body) = upload(&app, Some(&token), &document, "logo.png", svg).await;
    assert_eq!(
        body["data"]["uploadDocumentVersion"]["userErrors"][0]["field"],
        json!(["file"])
    );
    let binary = b"\x7fELF\x02\x01\x01\0\0\0\0\0";
    let (_, body) = upload(&app, Some(&token), &document, "notes.txt", binary).await;
    assert_eq!(
        body["data"]["uploadDocumentVersion"]["userErrors"][0]["field"],
        json!(["file"])
    );

    let mut large = b"%PDF-1.4\n".to_vec();
    large.resize(4096, b'x');
    let (status, body) = upload(&app, Some(&token), &document, "large.pdf", &large).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");

    let (status, body) = upload(&app, None, &document, "minutes.pdf", b"%PDF-1.4 x").await;
    assert_eq!(
        status, 400,
        "multipart needs credentials in a header: {body}"
    );
    let own = app
        .data("{ authorities(first: 1) { nodes { id } } }", json!({}))
        .await["authorities"]["nodes"][0]["id"]
        .clone();
    let (_, member) = app.user_with_role("MEMBER", Some(&own), None).await;
    let (_, body) = upload(&app, Some(&member), &document, "minutes.pdf", b"%PDF-1.4 x").await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let versions = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Document { versions { number } } } }",
            json!({ "id": document["id"] }),
        )
        .await;
    assert_eq!(
        versions["node"]["versions"],
        json!([]),
        "no refused upload left a version"
    );

    // Plain text is accepted, and a PUBLIC document's file is everyone's.
    let (_, body) = upload(
        &app,
        Some(&token),
        &document,
        "notes.csv",
        "titre;année\nA;2014\n".as_bytes(),
    )
    .await;
    let path = body["data"]["uploadDocumentVersion"]["version"]["downloadPath"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let response = download(&app, Auth::Anonymous, &path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
}

#[tokio::test]
async fn the_documents_list_filters_and_follows_each_roles_visibility() {
    let app = spawn_app().await;
    let group = app
        .data(
            "mutation { createCountryGroup(input: {name: \"Groupe-pays Sénégal\", countryCode: \"SN\"}) { countryGroup { id } } }",
            json!({}),
        )
        .await["createCountryGroup"]["countryGroup"]["id"]
        .clone();
    let own = app
        .create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }))
        .await["id"]
        .clone();
    for (title, kind, visibility, due) in [
        (
            "Offre territoriale commune",
            "ADVOCACY",
            "PUBLIC",
            "2014-09-01",
        ),
        ("Dossier pays", "COUNTRY_DOSSIER", "MEMBERS", "2014-05-05"),
        ("Notes internes", "OTHER", "CUF", "2015-01-01"),
    ] {
        create(
            &app,
            json!({ "title": title, "kind": kind, "visibility": visibility, "belongsTo": group,
                "milestones": [{ "title": "Étape", "due": { "start": due, "precision": "DAY" } }] }),
        )
        .await;
    }
    let titles = |body: &Value| -> Vec<String> {
        body["data"]["documents"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|node| node["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = "query($filter: DocumentFilterInput) { documents(filter: $filter) { totalCount nodes { title } } }";
    let anonymous = app.graphql_as(Auth::Anonymous, list, json!({})).await;
    assert_eq!(titles(&anonymous), ["Offre territoriale commune"]);
    let (_, member) = app.user_with_role("MEMBER", Some(&own), None).await;
    let members = app.graphql_as(Auth::Bearer(&member), list, json!({})).await;
    assert_eq!(
        titles(&members),
        ["Dossier pays", "Offre territoriale commune"]
    );
    let staff = app.graphql(list, json!({})).await;
    assert_eq!(staff["data"]["documents"]["totalCount"], 3);
    let dossiers = app
        .graphql(
            list,
            json!({ "filter": { "kinds": ["COUNTRY_DOSSIER"], "countryGroupId": group } }),
        )
        .await;
    assert_eq!(titles(&dossiers), ["Dossier pays"]);
    let due = app
        .graphql(
            list,
            json!({ "filter": { "milestonesDueBefore": "2014-10-01" } }),
        )
        .await;
    assert_eq!(titles(&due), ["Dossier pays", "Offre territoriale commune"]);

    let notes = app
        .data(
            "{ documents(filter: {kinds: [OTHER]}) { nodes { id } } }",
            json!({}),
        )
        .await["documents"]["nodes"][0]["id"]
        .clone();
    let stale = app
        .data(
            "mutation($input: UpdateDocumentInput!) { updateDocument(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": notes, "version": 7,
                "content": { "title": "X", "kind": "OTHER", "belongsTo": group } } }),
        )
        .await;
    assert_eq!(
        stale["updateDocument"]["userErrors"][0]["code"], "CONFLICT",
        "{stale}"
    );
    let bad = app
        .data(
            CREATE,
            json!({ "input": { "title": " ", "kind": "REPORT", "belongsTo": own, "language": "french" } }),
        )
        .await;
    let fields: Vec<&Value> = bad["createDocument"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| &error["field"])
        .collect();
    assert_eq!(
        fields,
        [
            &json!(["title"]),
            &json!(["language"]),
            &json!(["belongsTo"])
        ],
        "{bad}"
    );
}

#[tokio::test]
async fn the_demo_has_the_documents_of_the_minutes() {
    let app = spawn_demo_app().await;
    let data = app
        .data(
            "{ documents { nodes { title kind status visibility belongsTo authors { lastName }
                milestones { title due { start precision tentative } done } } } }",
            json!({}),
        )
        .await;
    let documents = data["documents"]["nodes"].as_array().unwrap();
    let find = |kind: &str| {
        documents
            .iter()
            .find(|document| document["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {data}"))
    };
    let dossier = find("COUNTRY_DOSSIER");
    assert_eq!(dossier["status"], "PLANNED");
    assert_eq!(dossier["authors"], json!([{ "lastName": "Nouali" }]));
    assert_eq!(dossier["milestones"][0]["due"]["start"], "2014-05-05");
    assert_eq!(dossier["milestones"][1]["due"]["precision"], "SEASON");
    assert_eq!(dossier["milestones"][1]["due"]["tentative"], true);
    let minutes = find("MINUTES");
    let meeting = app
        .data(
            "{ events(filter: {kinds: [COUNTRY_GROUP_MEETING]}) { nodes { id date { start } } } }",
            json!({}),
        )
        .await;
    let meeting_id = meeting["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["date"]["start"] == "2014-03-26")
        .map(|event| event["id"].clone())
        .expect("the meeting of 26 March 2014");
    assert_eq!(minutes["belongsTo"], meeting_id);
    let offer = find("ADVOCACY");
    assert_eq!(offer["visibility"], "PUBLIC");
    assert_eq!(
        offer["authors"].as_array().unwrap().len(),
        3,
        "its committee"
    );
}
