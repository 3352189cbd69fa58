//! Concerted action programmes: exact cost sharing, commitments, totals, the workflow.

use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, error_code, spawn_app};

const SAVE: &str = "mutation($input: SaveProgrammeActionInput!) { saveProgrammeAction(input: $input) {
    programme { id version status totals { totalCost { amount currency } totalPledged { amount } totalConfirmed { amount } totalPaid { amount } fundingGap { amount } excess { amount } }
        actions { id title sharingMethod costItems { label quantity amount { amount } }
            shares { id authority { name } percentage amount { amount } commitment }
            totals { totalCost { amount } fundingGap { amount } excess { amount } } } }
    userErrors { field message code } } }";

struct Setup {
    programme: Value,
    loire: Value,
    champagne: Value,
    saone: Value,
}

async fn setup(app: &TestApp, currency: Option<&str>) -> Setup {
    let authority = |name: &str, population: Option<i64>| json!({ "name": name, "kind": "REGION", "countryCode": "FR", "population": population });
    let loire = app
        .create_authority(authority("Pays de la Loire", Some(3_660_000)))
        .await["id"]
        .clone();
    let champagne = app
        .create_authority(authority("Champagne-Ardenne", Some(1_340_000)))
        .await["id"]
        .clone();
    let saone = app.create_authority(authority("Haute-Saône", None)).await["id"].clone();
    let created = app
        .data(
            "mutation($lead: ID!, $currency: String) { createProgramme(input: {title: \"Programme d'actions concertées Mexique\", leadId: $lead, currency: $currency}) {
                programme { id version status currency } userErrors { field message } } }",
            json!({ "lead": loire, "currency": currency }),
        )
        .await;
    Setup {
        programme: created["createProgramme"]["programme"].clone(),
        loire,
        champagne,
        saone,
    }
}

async fn save(app: &TestApp, input: Value) -> Value {
    app.data(SAVE, json!({ "input": input })).await["saveProgrammeAction"].clone()
}

/// The action saved last.
fn last(saved: &Value) -> Value {
    saved["programme"]["actions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

fn amounts(action: &Value) -> Vec<String> {
    action["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|share| share["amount"]["amount"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_offer_document_is_shared_equally_to_the_cent() {
    let app = spawn_app().await;
    let setup = setup(&app, None).await;
    let saved = save(
        &app,
        json!({ "programmeId": setup.programme["id"], "title": "Offre territoriale commune", "sharingMethod": "EQUAL",
            "costItems": [{ "label": "Maquettage et impression, 500 exemplaires", "unitCost": "2500.00" }],
            "participants": [{ "authorityId": setup.loire }, { "authorityId": setup.champagne }, { "authorityId": setup.saone }] }),
    )
    .await;
    assert_eq!(saved["userErrors"], json!([]), "{saved}");
    let action = &saved["programme"]["actions"][0];
    assert_eq!(amounts(action), ["833.34", "833.33", "833.33"]);
    assert_eq!(
        saved["programme"]["totals"]["totalCost"],
        json!({ "amount": "2500.00", "currency": "EUR" })
    );
    assert_eq!(saved["programme"]["totals"]["fundingGap"]["amount"], "0.00");
}

#[tokio::test]
async fn every_method_shares_exactly_or_says_why_not() {
    let app = spawn_app().await;
    let setup = setup(&app, None).await;
    let base = |method: &str, participants: Value| {
        json!({ "programmeId": setup.programme["id"], "title": "Atelier de haut niveau", "sharingMethod": method,
            "costItems": [{ "label": "Salle et interprétariat", "quantity": 2, "unitCost": "1500.50" }], "participants": participants })
    };
    let two = json!([{ "authorityId": setup.loire }, { "authorityId": setup.champagne }]);
    let population = save(&app, base("POPULATION", two.clone())).await;
    let action = &population["programme"]["actions"][0];
    assert_eq!(action["costItems"][0]["amount"]["amount"], "3001.00");
    let shares: Vec<f64> = amounts(action)
        .iter()
        .map(|amount| amount.parse::<f64>().unwrap())
        .collect();
    assert!(shares[0] > shares[1], "the larger region pays more");
    assert_eq!(
        amounts(action)
            .iter()
            .map(|amount| amount.replace('.', "").parse::<i64>().unwrap())
            .sum::<i64>(),
        300_100
    );
    let missing = save(
        &app,
        base(
            "POPULATION",
            json!([{ "authorityId": setup.loire }, { "authorityId": setup.saone }]),
        ),
    )
    .await;
    assert_eq!(
        missing["userErrors"][0]["field"],
        json!(["participants"]),
        "an authority without a population"
    );
    let not_100 = save(&app, base("PERCENTAGE", json!([{ "authorityId": setup.loire, "percentage": "60" }, { "authorityId": setup.champagne, "percentage": "30" }]))).await;
    assert!(
        not_100["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not exactly 100")
    );
    let percentages = save(&app, base("PERCENTAGE", json!([{ "authorityId": setup.loire, "percentage": "66.67" }, { "authorityId": setup.champagne, "percentage": "33.33" }]))).await;
    let action = &last(&percentages);
    assert_eq!(amounts(action), ["2000.77", "1000.23"]);
    assert_eq!(action["shares"][0]["percentage"], "66.67");
    let fixed = save(&app, base("FIXED", json!([{ "authorityId": setup.loire, "amount": "1000" }, { "authorityId": setup.champagne, "amount": "1500" }]))).await;
    let action = &last(&fixed);
    assert_eq!(
        action["totals"]["fundingGap"]["amount"], "501.00",
        "never silently adjusted"
    );
    let over = save(&app, base("FIXED", json!([{ "authorityId": setup.loire, "amount": "3000" }, { "authorityId": setup.champagne, "amount": "500" }]))).await;
    assert_eq!(last(&over)["totals"]["excess"]["amount"], "499.00");
    let bad_money = save(&app, json!({ "programmeId": setup.programme["id"], "title": "X", "sharingMethod": "EQUAL",
        "costItems": [{ "label": "Y", "unitCost": "12.345" }, { "label": "Z", "unitCost": "-5" }], "participants": [] })).await;
    let fields: Vec<Value> = bad_money["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [
            json!(["costItems", "0", "unitCost"]),
            json!(["costItems", "1", "unitCost"])
        ]
    );
    let programmes = app
        .data("{ programmes { nodes { actions { title } } } }", json!({}))
        .await;
    assert_eq!(
        programmes["programmes"]["nodes"][0]["actions"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "refused actions wrote nothing"
    );
    let unknown = app
        .data("mutation { createProgramme(input: {title: \"P\", currency: \"ZZZ\"}) { programme { id } userErrors { field } } }", json!({}))
        .await;
    assert_eq!(
        unknown["createProgramme"]["userErrors"][0]["field"],
        json!(["currency"])
    );
}

#[tokio::test]
async fn authorities_commit_their_own_shares_and_cuf_records_payments() {
    let app = spawn_app().await;
    let setup = setup(&app, None).await;
    let saved = save(
        &app,
        json!({ "programmeId": setup.programme["id"], "title": "Répertoire", "sharingMethod": "EQUAL",
            "costItems": [{ "label": "Mise à jour", "unitCost": "1000.00" }],
            "participants": [{ "authorityId": setup.loire }, { "authorityId": setup.champagne }] }),
    )
    .await;
    let action = saved["programme"]["actions"][0].clone();
    let (loire_share, champagne_share) = (
        action["shares"][0]["id"].clone(),
        action["shares"][1]["id"].clone(),
    );
    let (_, member) = app.user_with_role("MEMBER", Some(&setup.loire), None).await;
    let set = "mutation($id: ID!, $to: CommitmentState!) { setCommitment(input: {shareId: $id, commitment: $to}) {
        programme { totals { totalPledged { amount } totalConfirmed { amount } totalPaid { amount } fundingGap { amount } } } userErrors { field code } } }";
    let pledged = app
        .graphql_as(
            Auth::Bearer(&member),
            set,
            json!({ "id": loire_share, "to": "PLEDGED" }),
        )
        .await;
    assert_eq!(
        pledged["data"]["setCommitment"]["programme"]["totals"]["totalPledged"]["amount"], "500.00",
        "{pledged}"
    );
    let others = app
        .graphql_as(
            Auth::Bearer(&member),
            set,
            json!({ "id": champagne_share, "to": "PLEDGED" }),
        )
        .await;
    assert_eq!(error_code(&others), "FORBIDDEN");
    let paid_by_member = app
        .graphql_as(
            Auth::Bearer(&member),
            set,
            json!({ "id": loire_share, "to": "PAID" }),
        )
        .await;
    assert_eq!(error_code(&paid_by_member), "FORBIDDEN");
    let skipped = app
        .data(set, json!({ "id": loire_share, "to": "PAID" }))
        .await;
    assert_eq!(
        skipped["setCommitment"]["userErrors"][0]["field"],
        json!(["commitment"]),
        "PLEDGED cannot jump to PAID"
    );
    app.graphql_as(
        Auth::Bearer(&member),
        set,
        json!({ "id": loire_share, "to": "CONFIRMED" }),
    )
    .await;
    let paid = app
        .data(set, json!({ "id": loire_share, "to": "PAID" }))
        .await;
    assert_eq!(
        paid["setCommitment"]["programme"]["totals"]["totalPaid"]["amount"],
        "500.00"
    );
    let declined = app
        .data(set, json!({ "id": champagne_share, "to": "DECLINED" }))
        .await;
    assert_eq!(
        declined["setCommitment"]["programme"]["totals"]["fundingGap"]["amount"], "500.00",
        "a declined share reopens a gap"
    );
    // A new cost is shared again; the authority that stays keeps its commitment.
    let resaved = save(
        &app,
        json!({ "programmeId": setup.programme["id"], "actionId": action["id"], "title": "Répertoire", "sharingMethod": "EQUAL",
            "costItems": [{ "label": "Mise à jour", "unitCost": "1200.00" }],
            "participants": [{ "authorityId": setup.loire }, { "authorityId": setup.champagne }] }),
    )
    .await;
    let shares = &resaved["programme"]["actions"][0]["shares"];
    assert_eq!(shares[0]["amount"]["amount"], "600.00");
    assert_eq!(shares[0]["commitment"], "PAID");
    assert_eq!(shares[1]["commitment"], "DECLINED");
}

#[tokio::test]
async fn a_programme_is_validated_only_with_a_lead_actions_and_costs_covered() {
    let app = spawn_app().await;
    let setup = setup(&app, None).await;
    let transition = "mutation($id: ID!, $version: Int!, $to: ProgrammeStatus!) { transitionProgramme(input: {id: $id, version: $version, to: $to}) {
        programme { status version } userErrors { field message } } }";
    let id = setup.programme["id"].clone();
    let skip = app
        .data(
            transition,
            json!({ "id": id, "version": 1, "to": "VALIDATED" }),
        )
        .await;
    assert!(
        skip["transitionProgramme"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot go from DRAFT")
    );
    let proposed = app
        .data(
            transition,
            json!({ "id": id, "version": 1, "to": "PROPOSED" }),
        )
        .await;
    assert_eq!(
        proposed["transitionProgramme"]["programme"]["status"],
        "PROPOSED"
    );
    let empty = app
        .data(
            transition,
            json!({ "id": id, "version": 2, "to": "VALIDATED" }),
        )
        .await;
    assert!(
        empty["transitionProgramme"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least one action")
    );
    save(
        &app,
        json!({ "programmeId": id, "title": "Atelier", "sharingMethod": "FIXED",
        "costItems": [{ "label": "Salle", "unitCost": "1000" }],
        "participants": [{ "authorityId": setup.loire, "amount": "600" }] }),
    )
    .await;
    let gap = app
        .data(
            transition,
            json!({ "id": id, "version": 2, "to": "VALIDATED" }),
        )
        .await;
    assert!(
        gap["transitionProgramme"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("do not cover")
    );
    let actions = app
        .data("{ programmes { nodes { actions { id } } } }", json!({}))
        .await;
    let action_id = actions["programmes"]["nodes"][0]["actions"][0]["id"].clone();
    save(&app, json!({ "programmeId": id, "actionId": action_id, "title": "Atelier", "sharingMethod": "FIXED",
        "costItems": [{ "label": "Salle", "unitCost": "1000" }],
        "participants": [{ "authorityId": setup.loire, "amount": "600" }, { "authorityId": setup.champagne, "amount": "400" }] })).await;
    let validated = app
        .data(
            transition,
            json!({ "id": id, "version": 2, "to": "VALIDATED" }),
        )
        .await;
    assert_eq!(
        validated["transitionProgramme"]["programme"]["status"], "VALIDATED",
        "{validated}"
    );
    let anonymous = app
        .graphql_as(Auth::Anonymous, "{ programmes { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    let (_, ministry_user) = {
        let daect = app
            .create_organisation(json!({ "name": "DAECT", "kind": "MINISTRY" }))
            .await;
        app.user_with_role("MINISTRY", None, Some(&daect["id"]))
            .await
    };
    let read = app
        .graphql_as(
            Auth::Bearer(&ministry_user),
            "{ programmes { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(read["data"]["programmes"]["totalCount"], 1);
}

#[tokio::test]
async fn an_actions_status_is_a_short_line_of_text() {
    // Found reading the columns the fuzzer writes to: the status went unparsed into a
    // VARCHAR(16), and PostgreSQL refused a longer one, or a NUL, as INTERNAL.
    let app = spawn_app().await;
    let setup = setup(&app, None).await;
    let action = |status: &str| {
        json!({ "programmeId": setup.programme["id"], "title": "Atelier", "sharingMethod": "EQUAL", "status": status,
            "costItems": [{ "label": "Salle", "unitCost": "100" }], "participants": [{ "authorityId": setup.loire }] })
    };
    let nul = app
        .graphql(SAVE, json!({ "input": action("a\u{0}") }))
        .await;
    assert_eq!(
        error_code(&nul),
        "BAD_USER_INPUT",
        "refused before anything runs: {nul}"
    );
    for status in ["EN COURS DEPUIS MARS 2014", "a\u{7}", "  "] {
        let body = app.graphql(SAVE, json!({ "input": action(status) })).await;
        assert!(body.get("errors").is_none(), "{status:?}: {body}");
        let user_errors = &body["data"]["saveProgrammeAction"]["userErrors"];
        assert_eq!(user_errors[0]["field"], json!(["status"]), "{status:?}");
    }
    let saved = save(&app, action(" EN COURS ")).await;
    assert_eq!(saved["userErrors"], json!([]));
    let status = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Programme { actions { status } } } }",
            json!({ "id": setup.programme["id"] }),
        )
        .await;
    assert_eq!(status["node"]["actions"][0]["status"], "EN COURS");
}

#[tokio::test]
async fn totals_past_the_largest_amount_stay_exact_and_co_financing_past_it_is_refused() {
    // Found probing the fuzzer's extreme amounts: each action's cost fits an i64 of cents,
    // but a programme's totals (and an authority's contributions) added them in i64, which
    // panicked (attempt to add with overflow) and dropped the connection; two co-financing
    // lines of the largest amount did the same in saveProgrammeAction.
    let app = spawn_app().await;
    let setup = setup(&app, None).await;
    let largest = "92233720368547758.07";
    let action = json!({ "programmeId": setup.programme["id"], "title": "Très cher", "sharingMethod": "EQUAL",
        "costItems": [{ "label": "Tout", "unitCost": largest }], "participants": [{ "authorityId": setup.loire }] });
    let first = save(&app, action.clone()).await;
    assert_eq!(first["userErrors"], json!([]), "{first}");
    let second = save(&app, action.clone()).await;
    assert_eq!(second["userErrors"], json!([]), "{second}");
    let totals = &second["programme"]["totals"];
    assert_eq!(totals["totalCost"]["amount"], "184467440737095516.14");
    assert_eq!(totals["fundingGap"]["amount"], "0.00");
    let set = "mutation($id: ID!) { setCommitment(input: {shareId: $id, commitment: PLEDGED}) { userErrors { code } } }";
    for saved in [&first, &second] {
        let share = &last(saved)["shares"][0]["id"];
        let pledged = app.data(set, json!({ "id": share })).await;
        assert_eq!(pledged["setCommitment"]["userErrors"], json!([]));
    }
    let contributions = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Authority { contributions { currency pledged { amount } } } } }",
            json!({ "id": setup.loire }),
        )
        .await;
    assert_eq!(
        contributions["node"]["contributions"],
        json!([{ "currency": "EUR", "pledged": { "amount": "184467440737095516.14" } }])
    );
    let ministry = app
        .create_organisation(
            json!({ "name": "Ministère", "kind": "MINISTRY", "countryCode": "FR" }),
        )
        .await;
    let mut funded = action;
    funded["fundings"] = json!([
        { "organisationId": ministry["id"], "amount": largest },
        { "organisationId": ministry["id"], "amount": largest },
    ]);
    let body = app.graphql(SAVE, json!({ "input": funded })).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["saveProgrammeAction"]["userErrors"][0]["field"],
        json!(["fundings"])
    );
}

#[tokio::test]
async fn the_demo_programme_shows_every_total_and_a_declined_share_can_be_redistributed() {
    let app = crate::helpers::spawn_demo_app().await;
    let query = "{ countryGroups { nodes { programmes { title lead { name } totals { totalCost { amount } totalPledged { amount } totalPaid { amount } fundingGap { amount } }
        actions { id title sharingMethod totals { totalCost { amount } fundingGap { amount } } shares { authority { name } amount { amount } commitment } } } } } }";
    let data = app.data(query, json!({})).await;
    let programme = &data["countryGroups"]["nodes"][0]["programmes"][0];
    assert_eq!(programme["lead"]["name"], "Communauté urbaine de Bordeaux");
    let offer = &programme["actions"][0];
    assert_eq!(
        offer["totals"]["totalCost"]["amount"], "2950.00",
        "2,500.00 EUR of printing and three committee meetings"
    );
    let commitments: Vec<&str> = offer["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|share| share["commitment"].as_str().unwrap())
        .collect();
    assert_eq!(commitments, ["PAID", "PLEDGED", "DECLINED"]);
    assert_eq!(offer["totals"]["fundingGap"]["amount"], "983.33");
    assert_eq!(programme["actions"][1]["sharingMethod"], "POPULATION");
    let workshop = app
        .data(
            "{ programmes { nodes { partners { organisation { acronym } role } milestones { title dueOn { precision tentative } done }
                actions { fundings { organisation { acronym } amount { amount } commitment } shares { amount { amount } }
                    totals { totalCoFunding { amount } fundingGap { amount } } } } } }",
            json!({}),
        )
        .await["programmes"]["nodes"][0]
        .clone();
    assert_eq!(
        workshop["partners"],
        json!([{ "organisation": { "acronym": "DAECT" }, "role": "INSTITUTIONAL_PARTNER" },
               { "organisation": { "acronym": "Ambassade" }, "role": "INSTITUTIONAL_PARTNER" }])
    );
    assert_eq!(
        workshop["milestones"][1]["dueOn"],
        json!({ "precision": "SEASON", "tentative": true })
    );
    let action = &workshop["actions"][1];
    assert_eq!(
        action["fundings"],
        json!([{ "organisation": { "acronym": "DAECT" }, "amount": { "amount": "1000.00" }, "commitment": "PROPOSED" }])
    );
    assert_eq!(action["totals"]["totalCoFunding"]["amount"], "1000.00");
    assert_eq!(
        action["totals"]["fundingGap"]["amount"], "0.00",
        "the authorities share what the co-financing leaves"
    );
    let shared: i64 = action["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|share| {
            share["amount"]["amount"]
                .as_str()
                .unwrap()
                .replace('.', "")
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(shared, 300_000);
    assert_eq!(
        programme["actions"][2]["totals"]["fundingGap"]["amount"], "400.00",
        "FIXED amounts below the cost"
    );
    assert_eq!(programme["totals"]["totalCost"]["amount"], "8150.00");
    assert_eq!(programme["totals"]["totalPaid"]["amount"], "983.34");
    let redistributed = app
        .data(
            "mutation($id: ID!) { redistributeDeclinedShare(input: {actionId: $id}) { programme { actions { shares { amount { amount } commitment } totals { fundingGap { amount } } } } userErrors { message } } }",
            json!({ "id": offer["id"] }),
        )
        .await;
    let action = &redistributed["redistributeDeclinedShare"]["programme"]["actions"][0];
    assert_eq!(
        action["totals"]["fundingGap"]["amount"], "0.00",
        "{redistributed}"
    );
    let amounts: Vec<&str> = action["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|share| share["amount"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["1475.00", "1475.00", "0.00"]);
    assert_eq!(
        action["shares"][0]["commitment"], "PAID",
        "commitments are kept"
    );
    let again = app
        .graphql("mutation($id: ID!) { redistributeDeclinedShare(input: {actionId: $id}) { userErrors { message } } }", json!({ "id": offer["id"] }))
        .await;
    assert!(
        again["data"]["redistributeDeclinedShare"]["userErrors"][0]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{again}"))
            .contains("no declined share"),
        "{again}"
    );
    let contributions = app
        .data("{ authorities(filter: {search: \"bordeaux\"}) { nodes { contributions { currency pledged { amount } paid { amount } } } } }", json!({}))
        .await;
    assert_eq!(
        contributions["authorities"]["nodes"][0]["contributions"],
        json!([{ "currency": "EUR", "pledged": { "amount": "1475.00" }, "paid": { "amount": "1475.00" } }])
    );
    let anonymous = app
        .graphql_as(
            Auth::Anonymous,
            "{ countryGroups { nodes { programmes { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

#[tokio::test]
async fn cuf_records_a_partners_co_financing_commitment() {
    let app = crate::helpers::spawn_demo_app().await;
    let funding = app
        .data(
            "{ programmes { nodes { actions { fundings { id commitment } } } } }",
            json!({}),
        )
        .await["programmes"]["nodes"][0]["actions"][1]["fundings"][0]["id"]
        .clone();
    let set = "mutation($id: ID!, $to: CommitmentState!) { setFundingCommitment(input: {fundingId: $id, commitment: $to}) {
        programme { actions { fundings { commitment } totals { totalCoFunding { amount } fundingGap { amount } } } } userErrors { field } } }";
    let pledged = app
        .data(set, json!({ "id": funding, "to": "PLEDGED" }))
        .await;
    assert_eq!(
        pledged["setFundingCommitment"]["programme"]["actions"][1]["fundings"][0]["commitment"],
        "PLEDGED"
    );
    let declined = app
        .data(set, json!({ "id": funding, "to": "DECLINED" }))
        .await;
    let totals = &declined["setFundingCommitment"]["programme"]["actions"][1]["totals"];
    assert_eq!(totals["totalCoFunding"]["amount"], "0.00");
    assert_eq!(
        totals["fundingGap"]["amount"], "1000.00",
        "a declined co-financing reopens a gap"
    );
    let illegal = app.data(set, json!({ "id": funding, "to": "PAID" })).await;
    assert_eq!(
        illegal["setFundingCommitment"]["userErrors"][0]["field"],
        json!(["commitment"])
    );
    let bordeaux = app
        .data(
            "{ authorities(filter: {search: \"bordeaux\"}) { nodes { id } } }",
            json!({}),
        )
        .await["authorities"]["nodes"][0]["id"]
        .clone();
    let (_, member) = app.user_with_role("MEMBER", Some(&bordeaux), None).await;
    let refused = app
        .graphql_as(
            Auth::Bearer(&member),
            set,
            json!({ "id": funding, "to": "PLEDGED" }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
}
