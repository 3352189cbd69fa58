//! The role matrix of DESIGN.md section 2, walked for every capability that exists so far:
//! each role gets exactly the answer the matrix gives it.

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app};

/// What a caller gets for one capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Hidden,
    Forbidden,
    Unauthenticated,
}
use Outcome::{Allowed, Forbidden, Hidden, Unauthenticated};

/// One capability: its name, the document, its variables, the root field, the probe, and the
/// outcome for anonymous, ministry key, ministry user, member, CUF staff and admin.
type Row<'a> = (&'a str, &'a str, Value, &'a str, Vec<&'a str>, [Outcome; 6]);

struct Callers {
    ministry_key: String,
    ministry_user: String,
    member: String,
    staff: String,
    admin: String,
}

impl Callers {
    /// Every caller, in the matrix's order.
    fn all(&self) -> [Auth<'_>; 6] {
        [
            Auth::Anonymous,
            Auth::ApiKey(&self.ministry_key),
            Auth::Bearer(&self.ministry_user),
            Auth::Bearer(&self.member),
            Auth::Bearer(&self.staff),
            Auth::Bearer(&self.admin),
        ]
    }
}

async fn callers(app: &TestApp, own_authority: &Value, ministry: &Value) -> Callers {
    let secret = app
        .data(
            "mutation($org: ID!) { createApiKey(input: {organisationId: $org, name: \"matrix\"}) { secret } }",
            json!({ "org": ministry }),
        )
        .await["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    Callers {
        ministry_key: secret,
        ministry_user: app.user_with_role("MINISTRY", None, Some(ministry)).await.1,
        member: app
            .user_with_role("MEMBER", Some(own_authority), None)
            .await
            .1,
        staff: app.user_with_role("CUF_STAFF", None, None).await.1,
        admin: app.admin_token.clone(),
    }
}

/// Runs `query` as `auth` and classifies the answer: a top-level `FORBIDDEN` or
/// `UNAUTHENTICATED`, or else allowed, unless `probe` (a path in the root `field`) is null,
/// which means hidden. Mutations probe nothing: a user error such as a stale version still
/// means the caller was let through.
async fn outcome(
    app: &TestApp,
    auth: Auth<'_>,
    query: &str,
    variables: Value,
    field: &str,
    probe: &[&str],
) -> Outcome {
    let body = app.graphql_as(auth, query, variables).await;
    match error_code(&body) {
        "FORBIDDEN" => return Forbidden,
        "UNAUTHENTICATED" => return Unauthenticated,
        "<no code>" => {}
        other => panic!("unexpected {other}: {body}"),
    }
    let mut value = &body["data"][field];
    for step in probe {
        value = match step.parse::<usize>() {
            Ok(position) => &value[position],
            Err(_) => &value[*step],
        };
    }
    if value.is_null() { Hidden } else { Allowed }
}

/// A document of `visibility` belonging to the fiche `owner`; its id.
async fn document(app: &TestApp, owner: &Value, visibility: &str) -> Value {
    let input = json!({ "title": format!("Document {visibility}"), "kind": "REPORT",
        "visibility": visibility, "belongsTo": owner });
    app.data(
        "mutation($input: DocumentInput!) { createDocument(input: $input) { document { id } } }",
        json!({ "input": input }),
    )
    .await["createDocument"]["document"]["id"]
        .clone()
}

#[tokio::test]
async fn every_role_gets_what_the_matrix_says() {
    let app = spawn_app().await;
    let own = app
        .create_authority(
            json!({ "name": "Bordeaux", "kind": "INTERCOMMUNALITY", "countryCode": "FR" }),
        )
        .await;
    let other = app
        .create_authority(json!({ "name": "Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }))
        .await;
    let ministry = app
        .create_organisation(json!({ "name": "DAECT", "kind": "MINISTRY" }))
        .await;
    let mexican = app
        .create_authority(json!({ "name": "Jalisco", "kind": "STATE", "countryCode": "MX" }))
        .await;
    let private_event = app
        .data(
            "mutation { createEvent(input: {title: \"Bureau\", kind: BOARD_MEETING, visibility: MEMBERS,
                date: {start: \"2014-05-01\", precision: MONTH}}) { event { id } } }",
            json!({}),
        )
        .await["createEvent"]["event"]
        .clone();
    let draft = app
        .data(
            "mutation($f: ID!, $m: ID!) { createCooperation(input: {title: \"Brouillon\", countryCode: \"MX\",
                frenchPartnerIds: [$f], foreignPartnerIds: [$m], status: ONGOING}) { cooperation { id } } }",
            json!({ "f": other["id"], "m": mexican["id"] }),
        )
        .await["createCooperation"]["cooperation"]
        .clone();
    let contact = app.data(
        "mutation($a: ID!) { createPerson(input: {firstName: \"Anne\", lastName: \"Raimat\", email: \"anne@example.org\",
            affiliations: [{authorityId: $a}]}) { person { id } } }",
        json!({ "a": own["id"] }),
    )
    .await["createPerson"]["person"]["id"]
        .clone();
    let offer = offer_of(&app, &own, &contact).await;
    let consultant = app
        .create_organisation(json!({ "name": "Consultora", "kind": "CONSULTANT" }))
        .await;
    let members_document = document(&app, &draft["id"], "MEMBERS").await;
    let cuf_document = document(&app, &draft["id"], "CUF").await;
    let callers = callers(&app, &own["id"], &ministry["id"]).await;
    let rows: Vec<Row> = vec![
        (
            "read authorities",
            "{ authorities { totalCount } }",
            json!({}),
            "authorities",
            vec!["totalCount"],
            [Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "read a members' document",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": members_document }),
            "node",
            vec!["id"],
            [Hidden, Hidden, Hidden, Allowed, Allowed, Allowed],
        ),
        (
            "read a CUF document",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": cuf_document }),
            "node",
            vec!["id"],
            [Hidden, Hidden, Hidden, Hidden, Allowed, Allowed],
        ),
        (
            "create a document",
            "mutation($c: ID!) { createDocument(input: {title: \"Note\", kind: OTHER, belongsTo: $c}) { document { id } } }",
            json!({ "c": draft["id"] }),
            "createDocument",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "read contact details",
            "{ people { nodes { email } } }",
            json!({}),
            "people",
            vec!["nodes", "0", "email"],
            [Hidden, Hidden, Hidden, Allowed, Allowed, Allowed],
        ),
        (
            "create an authority",
            "mutation { createAuthority(input: {name: \"New\", kind: REGION, countryCode: \"FR\"}) { authority { id } } }",
            json!({}),
            "createAuthority",
            vec!["authority"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
                Allowed,
            ],
        ),
        (
            "edit own authority",
            "mutation($id: ID!) { updateAuthority(input: {id: $id, version: 1, description: \"x\"}) { authority { id } } }",
            json!({ "id": own["id"] }),
            "updateAuthority",
            vec![],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Allowed,
                Allowed,
                Allowed,
            ],
        ),
        (
            "edit another authority",
            "mutation($id: ID!) { updateAuthority(input: {id: $id, version: 1, description: \"y\"}) { authority { id } } }",
            json!({ "id": other["id"] }),
            "updateAuthority",
            vec![],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
                Allowed,
            ],
        ),
        (
            "manage organisations",
            "mutation { createOrganisation(input: {name: \"Org\", kind: OTHER}) { organisation { id } } }",
            json!({}),
            "createOrganisation",
            vec!["organisation"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
                Allowed,
            ],
        ),
        (
            "record a person of own authority",
            "mutation($a: ID!) { createPerson(input: {firstName: \"A\", lastName: \"B\", affiliations: [{authorityId: $a}]}) { person { id } } }",
            json!({ "a": own["id"] }),
            "createPerson",
            vec!["person"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Allowed,
                Allowed,
                Allowed,
            ],
        ),
        (
            "record a person of another authority",
            "mutation($a: ID!) { createPerson(input: {firstName: \"C\", lastName: \"D\", affiliations: [{authorityId: $a}]}) { person { id } } }",
            json!({ "a": other["id"] }),
            "createPerson",
            vec!["person"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
                Allowed,
            ],
        ),
        (
            "create a fiche of own authority",
            "mutation($f: ID!, $m: ID!) { createCooperation(input: {title: \"Fiche\", countryCode: \"MX\",
                frenchPartnerIds: [$f], foreignPartnerIds: [$m], status: ONGOING}) { cooperation { id } } }",
            json!({ "f": own["id"], "m": mexican["id"] }),
            "createCooperation",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Allowed, Allowed, Allowed],
        ),
        (
            "create a fiche of another authority",
            "mutation($f: ID!, $m: ID!) { createCooperation(input: {title: \"Fiche\", countryCode: \"MX\",
                frenchPartnerIds: [$f], foreignPartnerIds: [$m], status: ONGOING}) { cooperation { id } } }",
            json!({ "f": other["id"], "m": mexican["id"] }),
            "createCooperation",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "read another authority's draft fiche",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": draft["id"] }),
            "node",
            vec!["id"],
            [Hidden, Hidden, Hidden, Hidden, Allowed, Allowed],
        ),
        (
            "read pending validations (to send reminders)",
            "{ pendingValidations(countryCode: \"MX\") { reminderCount } }",
            json!({}),
            "pendingValidations",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "manage the theme taxonomy",
            "mutation { createTheme(input: {code: \"theme\", label: \"Theme\"}) { theme { id } } }",
            json!({}),
            "createTheme",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "compare the directory with the embassy's list",
            "{ compareWithExternalList(input: {countryCode: \"MX\", csv: \"french_authority,foreign_authority\"}) { userErrors { field } } }",
            json!({}),
            "compareWithExternalList",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "send validation reminders",
            "mutation { sendValidationReminders(input: {countryCode: \"MX\"}) { userErrors { field } } }",
            json!({}),
            "sendValidationReminders",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "manage groups",
            "mutation { createCountryGroup(input: {name: \"Groupe\", countryCode: \"MX\"}) { countryGroup { id } } }",
            json!({}),
            "createCountryGroup",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "manage events",
            "mutation { createEvent(input: {title: \"Réunion\", kind: WORKSHOP, date: {start: \"2014-10-01\", precision: MONTH}}) { event { id } } }",
            json!({}),
            "createEvent",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "read a members-only event",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": private_event["id"] }),
            "node",
            vec!["id"],
            [Hidden, Hidden, Hidden, Allowed, Allowed, Allowed],
        ),
        (
            "read programmes, actions, budgets and cost shares",
            "{ programmes { totalCount } }",
            json!({}),
            "programmes",
            vec!["totalCount"],
            [Unauthenticated, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "manage programmes",
            "mutation { createProgramme(input: {title: \"Programme\"}) { programme { id } } }",
            json!({}),
            "createProgramme",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "read expertise",
            "{ expertise { totalCount } }",
            json!({}),
            "expertise",
            vec!["totalCount"],
            [Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "maintain own authority's expertise",
            "mutation($a: ID!, $t: ID!) { createExpertise(input: {authorityId: $a, themeId: $t, title: \"Eau\", description: \"Eau potable\"}) { expertise { id } } }",
            json!({ "a": own["id"], "t": offer.theme }),
            "createExpertise",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Allowed, Allowed, Allowed],
        ),
        (
            "maintain another authority's expertise",
            "mutation($a: ID!, $t: ID!) { createExpertise(input: {authorityId: $a, themeId: $t, title: \"Eau\", description: \"Eau potable\"}) { expertise { id } } }",
            json!({ "a": other["id"], "t": offer.theme }),
            "createExpertise",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "read consultants' vetting",
            "{ organisations(filter: {kinds: [CONSULTANT]}) { nodes { vetting { id } } } }",
            json!({}),
            "organisations",
            vec!["nodes", "0", "vetting"],
            [Hidden, Hidden, Hidden, Allowed, Allowed, Allowed],
        ),
        (
            "recommend a consultant for own authority",
            "mutation($o: ID!, $a: ID!) { recommendConsultant(input: {organisationId: $o, authorityId: $a, recommended: true}) { userErrors { code } } }",
            json!({ "o": consultant["id"], "a": own["id"] }),
            "recommendConsultant",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Allowed, Allowed, Allowed],
        ),
        (
            "recommend a consultant for CUF",
            "mutation($o: ID!) { recommendConsultant(input: {organisationId: $o, recommended: true}) { userErrors { code } } }",
            json!({ "o": consultant["id"] }),
            "recommendConsultant",
            vec![],
            [Unauthenticated, Forbidden, Forbidden, Forbidden, Allowed, Allowed],
        ),
        (
            "manage users",
            "{ users { totalCount } }",
            json!({}),
            "users",
            vec!["totalCount"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
            ],
        ),
        (
            "manage service credentials",
            "{ apiKeys { totalCount } }",
            json!({}),
            "apiKeys",
            vec!["totalCount"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
            ],
        ),
        (
            "read the audit log",
            "{ auditLog { totalCount } }",
            json!({}),
            "auditLog",
            vec!["totalCount"],
            [
                Unauthenticated,
                Forbidden,
                Forbidden,
                Forbidden,
                Forbidden,
                Allowed,
            ],
        ),
    ];
    let names = [
        "anonymous",
        "ministry key",
        "ministry user",
        "member",
        "CUF staff",
        "admin",
    ];
    let mut mismatches = Vec::new();
    for (capability, query, variables, field, probe, expected) in rows {
        for ((auth, expected), name) in callers.all().into_iter().zip(expected).zip(names) {
            let got = outcome(&app, auth, query, variables.clone(), field, &probe).await;
            if got != expected {
                mismatches.push(format!(
                    "{capability} as {name}: expected {expected:?}, got {got:?}"
                ));
            }
        }
    }
    let expected = [Hidden, Hidden, Hidden, Allowed, Allowed, Allowed];
    for ((auth, expected), name) in callers.all().into_iter().zip(expected).zip(names) {
        let got = offer_outcome(&app, auth, &offer.path).await;
        if got != expected {
            mismatches.push(format!(
                "the offer export's contact details as {name}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// A group's offer: the theme of its one entry and the export's path.
struct Offer {
    theme: Value,
    path: String,
}

/// A group with `own` as its member, and an entry of `own` with `contact`.
async fn offer_of(app: &TestApp, own: &Value, contact: &Value) -> Offer {
    let theme = app
        .data(
            "mutation { createTheme(input: {code: \"water\", label: \"Eau\"}) { theme { id } } }",
            json!({}),
        )
        .await["createTheme"]["theme"]["id"]
        .clone();
    let group = app
        .data(
            "mutation($a: ID!) { createCountryGroup(input: {name: \"Mexique\", countryCode: \"MX\", memberships: [{authorityId: $a}]}) { countryGroup { id } } }",
            json!({ "a": own["id"] }),
        )
        .await["createCountryGroup"]["countryGroup"]["id"]
        .clone();
    app.data(
        "mutation($a: ID!, $t: ID!, $c: ID!) { createExpertise(input: {authorityId: $a, themeId: $t, title: \"Eau\", description: \"Eau potable\", contactPersonId: $c}) { expertise { id } } }",
        json!({ "a": own["id"], "t": theme, "c": contact }),
    )
    .await;
    Offer {
        theme,
        path: format!("/export/offer/{}.csv", group.as_str().unwrap()),
    }
}

/// The offer export answers every caller; the contact's e-mail is hidden from some.
async fn offer_outcome(app: &TestApp, auth: Auth<'_>, path: &str) -> Outcome {
    let response = crate::opendata::get(app, path, auth, &[]).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
    let body = response.text().await.unwrap();
    if body.contains("anne@example.org") {
        Allowed
    } else {
        Hidden
    }
}
