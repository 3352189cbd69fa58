//! Users, sign-in, tokens, sessions, API keys and the audit log.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Auth, TestApp, USER_PASSWORD, error_code, spawn_app,
};

const REFRESH: &str = "mutation($token: String) { refreshSession(input: {refreshToken: $token}) {
    accessToken refreshToken userErrors { field message code } } }";
const VIEWER: &str = "{ viewer { email role } }";

async fn status_with_token(app: &TestApp, token: &str) -> StatusCode {
    app.post(Auth::Bearer(token), VIEWER, json!({}))
        .await
        .status()
}

#[tokio::test]
async fn login_gives_tokens_and_viewer_is_the_caller() {
    let app = spawn_app().await;
    let payload = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["user"]["role"], "ADMIN");
    let token = payload["accessToken"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT");
    assert!(
        payload["refreshToken"].as_str().unwrap().len() >= 43,
        "256 bits"
    );
    let viewer = app.graphql_as(Auth::Bearer(token), VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"],
        json!({ "email": ADMIN_EMAIL, "role": "ADMIN" })
    );
    let anonymous = app.graphql_as(Auth::Anonymous, VIEWER, json!({})).await;
    assert_eq!(anonymous["data"]["viewer"], json!(null));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong_password = app.login(ADMIN_EMAIL, "not the password at all").await;
    let unknown_email = app
        .login("nobody@test.example.org", "not the password at all")
        .await;
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password["accessToken"], json!(null));
    assert_eq!(
        wrong_password["userErrors"][0]["message"],
        "wrong e-mail address or password"
    );
}

#[tokio::test]
async fn an_address_that_is_not_one_gets_the_wrong_credentials_answer() {
    // Found by the fuzzer on PostgreSQL: an e-mail address with a NUL reached the user
    // lookup, and PostgreSQL refused the text ("invalid byte sequence"): INTERNAL.
    let app = spawn_app().await;
    // Any text with a NUL is now refused before anything runs, whoever asks.
    let wrong_password = app.login(ADMIN_EMAIL, "not the password at all").await;
    let login = |email: &'static str| {
        let app = &app;
        async move {
            app.graphql_as(
                Auth::Anonymous,
                "mutation($input: LoginInput!) { login(input: $input) {
                    accessToken refreshToken expiresAt user { id email role } userErrors { field message code } } }",
                json!({ "input": { "email": email, "password": "not the password at all" } }),
            )
            .await
        }
    };
    for email in ["not an address", "", "admin@test.example.org\t"] {
        let body = login(email).await;
        assert!(body.get("errors").is_none(), "{email:?}: {body}");
        assert_eq!(body["data"]["login"], wrong_password, "{email:?}");
    }
    for email in ["admin\u{0}@test.example.org", "\u{0}"] {
        let body = login(email).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{email:?}: {body}");
        assert!(body.get("data").is_none(), "{email:?}: {body}");
    }
}

#[tokio::test]
async fn bad_credentials_are_401_unauthenticated_never_anonymous() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let tampered = format!("{}x", &token[..token.len() - 1]);
    for bad in ["garbage", "a.b.c", tampered.as_str()] {
        let response = app.post(Auth::Bearer(bad), VIEWER, json!({})).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    let basic = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    let bad_key = app
        .post(Auth::ApiKey("cufk_not-a-key"), VIEWER, json!({}))
        .await;
    assert_eq!(bad_key.status(), StatusCode::UNAUTHORIZED);
    // Found by the fuzzer's invalid credentials: a header that is not visible ASCII was
    // read as no header at all, and the request went through as anonymous.
    for (name, value) in [
        ("authorization", &b"Bearer \xff\xfe"[..]),
        ("x-api-key", &b"\x80\x81"[..]),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(
                name,
                reqwest::header::HeaderValue::from_bytes(value).unwrap(),
            )
            .json(&json!({ "query": VIEWER }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_session() {
    let app = spawn_app().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let first = login["refreshToken"].clone();
    let rotated = app
        .graphql_as(Auth::Anonymous, REFRESH, json!({ "token": first }))
        .await;
    let second = rotated["data"]["refreshSession"]["refreshToken"].clone();
    assert!(second.is_string() && second != first, "{rotated}");
    let new_access = rotated["data"]["refreshSession"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(status_with_token(&app, &new_access).await, StatusCode::OK);
    let replayed = app
        .graphql_as(Auth::Anonymous, REFRESH, json!({ "token": first }))
        .await;
    assert_eq!(
        replayed["data"]["refreshSession"]["accessToken"],
        json!(null)
    );
    assert_eq!(
        replayed["data"]["refreshSession"]["userErrors"][0]["field"],
        json!(["refreshToken"])
    );
    let after_theft = app
        .graphql_as(Auth::Anonymous, REFRESH, json!({ "token": second }))
        .await;
    assert_eq!(
        after_theft["data"]["refreshSession"]["accessToken"],
        json!(null),
        "the family is revoked"
    );
}

#[tokio::test]
async fn the_refresh_token_travels_in_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    let response = app
        .post(
            Auth::Anonymous,
            "mutation { login(input: {email: \"admin@test.example.org\", password: \"correct horse battery staple\"}) { refreshToken } }",
            json!({}),
        )
        .await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "cuf_refresh=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/graphql",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    let refreshed: Value = app
        .client
        .post(app.url("/graphql"))
        .header("cookie", pair)
        .json(&json!({ "query": "mutation { refreshSession { accessToken userErrors { message } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        refreshed["data"]["refreshSession"]["accessToken"].is_string(),
        "{refreshed}"
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_logout_everywhere_ends_every_token() {
    let app = spawn_app().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let refresh = login["refreshToken"].clone();
    app.graphql_as(
        Auth::Anonymous,
        "mutation($token: String) { logout(input: {refreshToken: $token}) { loggedOut } }",
        json!({ "token": refresh }),
    )
    .await;
    let after = app
        .graphql_as(Auth::Anonymous, REFRESH, json!({ "token": refresh }))
        .await;
    assert_eq!(after["data"]["refreshSession"]["accessToken"], json!(null));
    let token = login["accessToken"].as_str().unwrap().to_owned();
    let other = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let everywhere = app
        .graphql_as(
            Auth::Bearer(&token),
            "mutation { logoutEverywhere { loggedOut } }",
            json!({}),
        )
        .await;
    assert_eq!(everywhere["data"]["logoutEverywhere"]["loggedOut"], true);
    assert_eq!(
        status_with_token(&app, &token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_with_token(&app, &other).await,
        StatusCode::UNAUTHORIZED
    );
    let anonymous = app
        .graphql_as(
            Auth::Anonymous,
            "mutation { logoutEverywhere { loggedOut } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_deactivated_user_is_refused_at_once_whatever_token_they_hold() {
    let app = spawn_app().await;
    let (id, token) = app.user_with_role("CUF_STAFF", None, None).await;
    assert_eq!(status_with_token(&app, &token).await, StatusCode::OK);
    let deactivated = app
        .data("mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { active } userErrors { message } } }", json!({ "id": id }))
        .await;
    assert_eq!(deactivated["deactivateUser"]["user"]["active"], false);
    assert_eq!(
        status_with_token(&app, &token).await,
        StatusCode::UNAUTHORIZED
    );
    let email = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on User { email } } }",
            json!({ "id": id }),
        )
        .await;
    let login = app
        .login(email["node"]["email"].as_str().unwrap(), USER_PASSWORD)
        .await;
    assert_eq!(login["accessToken"], json!(null));
    app.data(
        "mutation($id: ID!) { reactivateUser(input: {id: $id}) { user { active } } }",
        json!({ "id": id }),
    )
    .await;
    assert!(
        app.login(email["node"]["email"].as_str().unwrap(), USER_PASSWORD)
            .await["accessToken"]
            .is_string()
    );
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let app = spawn_app().await;
    let viewer = app.data("{ viewer { id } }", json!({})).await;
    let id = &viewer["viewer"]["id"];
    let demoted = app
        .data("mutation($id: ID!) { setUserRole(input: {id: $id, role: CUF_STAFF}) { user { role } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(demoted["setUserRole"]["userErrors"][0]["code"], "CONFLICT");
    let deactivated = app
        .data("mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { active } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        deactivated["deactivateUser"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let (other, _) = app.user_with_role("ADMIN", None, None).await;
    let now_allowed = app
        .data("mutation($id: ID!) { setUserRole(input: {id: $id, role: CUF_STAFF}) { user { role } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(now_allowed["setUserRole"]["user"]["role"], "CUF_STAFF");
    assert!(other.is_string());
}

#[tokio::test]
async fn user_input_is_checked() {
    let app = spawn_app().await;
    let create = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { field code } } }";
    let cases = [
        (
            json!({ "email": "x@test.example.org", "displayName": "X", "role": "ADMIN", "password": "short" }),
            json!(["password"]),
        ),
        (
            json!({ "email": "not-an-email", "displayName": "X", "role": "ADMIN", "password": USER_PASSWORD }),
            json!(["email"]),
        ),
        (
            json!({ "email": "m@test.example.org", "displayName": "M", "role": "MEMBER", "password": USER_PASSWORD }),
            json!(["authorityId"]),
        ),
        (
            json!({ "email": "n@test.example.org", "displayName": "N", "role": "MINISTRY", "password": USER_PASSWORD }),
            json!(["organisationId"]),
        ),
        (
            json!({ "email": ADMIN_EMAIL, "displayName": "Again", "role": "ADMIN", "password": USER_PASSWORD }),
            json!(["email"]),
        ),
    ];
    for (input, field) in cases {
        let data = app.data(create, json!({ "input": input })).await;
        assert_eq!(
            data["createUser"]["userErrors"][0]["field"], field,
            "{input}"
        );
        assert_eq!(data["createUser"]["user"], json!(null));
    }
    let users = app
        .data("{ users { totalCount nodes { email } } }", json!({}))
        .await;
    assert_eq!(users["users"]["totalCount"], 1);
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_before_any_hashing() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let failed = app.login(ADMIN_EMAIL, "wrong wrong wrong").await;
        assert_eq!(failed["accessToken"], json!(null));
    }
    let body = app
        .graphql_as(
            Auth::Anonymous,
            "mutation { login(input: {email: \"admin@test.example.org\", password: \"correct horse battery staple\"}) { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn an_api_key_acts_read_only_for_its_ministry_until_revoked() {
    let app = spawn_app().await;
    let daect = app
        .create_organisation(json!({ "name": "DAECT", "kind": "MINISTRY" }))
        .await;
    let created = app
        .data(
            "mutation($org: ID!) { createApiKey(input: {organisationId: $org, name: \"nightly export\"}) {
                secret apiKey { id name prefix organisation { name } } userErrors { message } } }",
            json!({ "org": daect["id"] }),
        )
        .await;
    let secret = created["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_id = created["createApiKey"]["apiKey"]["id"].clone();
    assert!(
        secret.starts_with(
            created["createApiKey"]["apiKey"]["prefix"]
                .as_str()
                .unwrap()
        )
    );
    for auth in [Auth::ApiKey(&secret), Auth::Bearer(&secret)] {
        let read = app
            .graphql_as(
                auth,
                "{ authorities { totalCount } viewer { id } }",
                json!({}),
            )
            .await;
        assert_eq!(read["data"]["authorities"]["totalCount"], 0, "{read}");
        assert_eq!(read["data"]["viewer"], json!(null));
        let write = app
            .graphql_as(auth, "mutation { createAuthority(input: {name: \"X\", kind: REGION, countryCode: \"FR\"}) { authority { id } } }", json!({}))
            .await;
        assert_eq!(error_code(&write), "FORBIDDEN");
    }
    let listed = app
        .data(
            "{ apiKeys { totalCount nodes { name lastUsedAt revokedAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["apiKeys"]["totalCount"], 1);
    assert!(listed["apiKeys"]["nodes"][0]["lastUsedAt"].is_string());
    app.data(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
        json!({ "id": key_id }),
    )
    .await;
    let revoked = app
        .post(
            Auth::ApiKey(&secret),
            "{ authorities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_mutation_writes_an_audit_entry_without_secrets() {
    let app = spawn_app().await;
    let authority = app
        .create_authority(
            json!({ "name": "Ville de Nantes", "kind": "MUNICIPALITY", "countryCode": "FR" }),
        )
        .await;
    app.data(
        "mutation($id: ID!) { updateAuthority(input: {id: $id, version: 1, population: 320000}) { userErrors { code } } }",
        json!({ "id": authority["id"] }),
    )
    .await;
    let (_, _) = app.user_with_role("CUF_STAFF", None, None).await;
    let log = app
        .data(
            "query($node: ID) { byNode: auditLog(filter: {nodeId: $node}) { totalCount nodes { actor mutation nodeId changes requestId user { email } } }
                all: auditLog(first: 100) { nodes { mutation changes } } }",
            json!({ "node": authority["id"] }),
        )
        .await;
    let entries = log["byNode"]["nodes"].as_array().unwrap();
    assert_eq!(log["byNode"]["totalCount"], 2);
    assert_eq!(entries[0]["mutation"], "updateAuthority", "newest first");
    assert_eq!(entries[1]["mutation"], "createAuthority");
    assert_eq!(entries[0]["actor"], ADMIN_EMAIL);
    assert_eq!(entries[0]["user"]["email"], ADMIN_EMAIL);
    assert!(entries[0]["requestId"].as_str().unwrap().len() == 32);
    let changes: Value = serde_json::from_str(entries[0]["changes"].as_str().unwrap()).unwrap();
    assert_eq!(changes["before"]["population"], json!(null));
    assert_eq!(changes["after"]["population"], 320000);
    let everything = log["all"].to_string();
    assert!(everything.contains("createUser"));
    assert!(
        !everything.contains("argon2") && !everything.contains(USER_PASSWORD),
        "{everything}"
    );
}

#[tokio::test]
async fn audit_filter_times_outside_years_1_to_9999_are_bad_user_input() {
    // Found probing the fuzzer's extreme times on PostgreSQL: chrono reads times back to
    // the year -262143, and PostgreSQL refused to compare with one ("timestamp out of
    // range"): INTERNAL.
    let app = spawn_app().await;
    for (name, time) in [
        ("since", "-262143-01-01T00:00:00Z"),
        ("since", "-4714-11-23T00:00:00Z"),
        ("until", "+262142-12-31T23:59:59Z"),
    ] {
        let body = app
            .graphql(
                "query($since: DateTime, $until: DateTime) {
                    auditLog(filter: {since: $since, until: $until}) { totalCount } }",
                json!({ name: time }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{name} {time}: {body}");
    }
    let body = app
        .data(
            "{ auditLog(filter: {since: \"0001-01-01T00:00:00Z\", until: \"9999-12-31T23:59:59Z\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(body["auditLog"]["totalCount"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn an_audit_filter_on_a_node_id_that_is_not_one_is_bad_user_input() {
    // Found by the fuzzer on PostgreSQL: auditLog(filter: {nodeId: "\u0000"}) passed the NUL
    // on to SQL, and PostgreSQL refused it ("invalid byte sequence"): INTERNAL.
    let app = spawn_app().await;
    let query = "query($node: ID) { auditLog(filter: {nodeId: $node}) { totalCount } }";
    for node in ["\u{0}", "not an id", "QXV0aG9yaXR5OjE=", ""] {
        let body = app.graphql(query, json!({ "node": node })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{node:?}: {body}");
    }
    let literal = app
        .graphql(
            r#"{ auditLog(filter: {nodeId: "\u0000", since: "1918-04-13T08:15:00Z"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&literal), "BAD_USER_INPUT", "{literal}");
    let authority = app
        .create_authority(
            json!({ "name": "Ville de Lyon", "kind": "MUNICIPALITY", "countryCode": "FR" }),
        )
        .await;
    let found = app.data(query, json!({ "node": authority["id"] })).await;
    assert_eq!(found["auditLog"]["totalCount"], 1);
}

#[tokio::test]
async fn a_user_search_with_control_characters_is_bad_user_input() {
    // Found by the fuzzer on PostgreSQL: users(filter: {search: "\u0000"}) put the NUL in a
    // LIKE pattern, and PostgreSQL refused it ("invalid byte sequence"): INTERNAL.
    let app = spawn_app().await;
    for search in ["\u{0}", "admin\u{0}", "a\tb"] {
        let body = app
            .graphql(
                "query($search: String) { users(filter: {search: $search}) { totalCount } }",
                json!({ "search": search }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{search:?}: {body}");
    }
    let found = app
        .data(
            "{ users(filter: {search: \"admin\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(found["users"]["totalCount"], 1);
}

#[tokio::test]
async fn a_user_search_ignores_case_and_takes_wildcards_literally() {
    let app = spawn_app().await;
    let count = |search: &str| {
        let app = &app;
        let search = search.to_owned();
        async move {
            app.data(
                "query($search: String) { users(filter: {search: $search}) { totalCount } }",
                json!({ "search": search }),
            )
            .await["users"]["totalCount"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(
        count("ADMIN@TEST").await,
        1,
        "case is ignored on both databases"
    );
    assert_eq!(count("%").await, 0, "% is a character, not a wildcard");
    assert_eq!(count("adm_n").await, 0, "_ is a character, not a wildcard");
    assert_eq!(count("\\").await, 0);
}

#[tokio::test]
async fn production_refuses_to_start_without_a_strong_signing_secret() {
    for secret in [
        None,
        Some("short"),
        Some("development-secret-development-secret-0123"),
    ] {
        let mut settings = crate::helpers::test_settings("sqlite::memory:".into());
        settings.environment = api::settings::Environment::Production;
        settings.jwt_secret = secret.map(str::to_owned);
        let built = api::startup::Application::build(settings).await;
        assert!(built.is_err(), "{secret:?}");
    }
}

#[tokio::test]
async fn an_unknown_email_costs_as_much_time_as_a_wrong_password() {
    let app = spawn_app().await;
    let mut wrong_password = Vec::new();
    let mut unknown_email = Vec::new();
    for attempt in 0..3 {
        let started = std::time::Instant::now();
        app.login(ADMIN_EMAIL, "not the password at all").await;
        wrong_password.push(started.elapsed());
        let started = std::time::Instant::now();
        app.login(
            &format!("nobody{attempt}@test.example.org"),
            "not the password at all",
        )
        .await;
        unknown_email.push(started.elapsed());
    }
    wrong_password.sort();
    unknown_email.sort();
    let (known, unknown) = (
        wrong_password[1].as_secs_f64(),
        unknown_email[1].as_secs_f64(),
    );
    // Without the dummy hash an unknown e-mail answers many times faster.
    assert!(
        unknown > known / 3.0 && unknown < known * 3.0,
        "wrong password {known}s, unknown email {unknown}s"
    );
}

#[tokio::test]
async fn resetting_a_password_ends_the_old_sessions() {
    let app = spawn_app().await;
    let (id, token) = app.user_with_role("CUF_STAFF", None, None).await;
    let reset = app
        .data(
            "mutation($id: ID!) { resetUserPassword(input: {id: $id, password: \"another long password\"}) { user { email } userErrors { field } } }",
            json!({ "id": id }),
        )
        .await;
    let email = reset["resetUserPassword"]["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status_with_token(&app, &token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&email, USER_PASSWORD).await["accessToken"],
        json!(null)
    );
    assert!(app.login(&email, "another long password").await["accessToken"].is_string());
    let short = app
        .data("mutation($id: ID!) { resetUserPassword(input: {id: $id, password: \"short\"}) { userErrors { field } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        short["resetUserPassword"]["userErrors"][0]["field"],
        json!(["password"])
    );
}

#[tokio::test]
async fn users_and_keys_are_hidden_from_node_for_those_who_may_not_see_them() {
    let app = spawn_app().await;
    let (staff_id, staff_token) = app.user_with_role("CUF_STAFF", None, None).await;
    let admin = app.data("{ viewer { id } }", json!({})).await["viewer"]["id"].clone();
    let query = "query($id: ID!) { node(id: $id) { id } }";
    let own = app
        .graphql_as(Auth::Bearer(&staff_token), query, json!({ "id": staff_id }))
        .await;
    assert_eq!(own["data"]["node"]["id"], staff_id, "a user sees themself");
    let other = app
        .graphql_as(Auth::Bearer(&staff_token), query, json!({ "id": admin }))
        .await;
    assert_eq!(other["data"]["node"], json!(null), "and no other user");
    let anonymous = app
        .graphql_as(Auth::Anonymous, query, json!({ "id": admin }))
        .await;
    assert_eq!(anonymous["data"]["node"], json!(null));
}
