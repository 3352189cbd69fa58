//! Every foreign key and every column the API filters or orders on leads an index, as
//! PostgreSQL's catalogue of a freshly migrated database shows. The migrations create the same
//! indexes on SQLite, so checking one backend checks both.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::spawn_app;

/// An index a query needs: its first columns are `equal`, in any order (the columns the query
/// compares with `=` or `IS NULL`), then `then`, in this order (a range, an `ORDER BY`, or a
/// keyset's sort column and id). An index whose equality columns come first serves the column
/// after them as well as an index of its own would: the query has already narrowed the scan
/// to one value of each, and within it the rows are sorted by that column.
struct Need {
    table: &'static str,
    equal: &'static [&'static str],
    then: &'static [&'static str],
    /// The query that needs it.
    query: &'static str,
}

const fn need(table: &'static str, then: &'static [&'static str], query: &'static str) -> Need {
    Need {
        table,
        equal: &[],
        then,
        query,
    }
}

const fn after(
    table: &'static str,
    equal: &'static [&'static str],
    then: &'static [&'static str],
    query: &'static str,
) -> Need {
    Need {
        table,
        equal,
        then,
        query,
    }
}

/// The filter and sort columns of the queries in `api/src/*/queries.rs`, `graphql.rs` and the
/// domain modules that still hold their queries. Keyset orderings need `(column, id)`; a
/// two-valued filter needs its list's order after it, or the planner would rarely use it. Left
/// out on purpose: the `search_text` columns (`LIKE '%word%'` cannot use a B-tree index),
/// `themes.label` (the few themes are read whole), `outbox.kind` (only filtered beside
/// `authority_id`, whose index narrows the scan to one authority's messages), and the
/// residual conditions read on rows an index has already found (`affiliations.until`,
/// `people.email`, `group_memberships.status <> 'REQUESTED'`).
#[rustfmt::skip] // One need a line reads as a table.
const NEEDS: &[Need] = &[
    // authorities/queries.rs `filtered` (AuthorityFilterInput), graphql.rs AuthorityOrder.
    need("authorities", &["country_code"], "authorities(filter: {countryCode})"),
    need("authorities", &["kind"], "authorities(filter: {kinds})"),
    need("authorities", &["parent_id"], "authorities(filter: {parentId})"),
    after("authorities", &["is_cuf_member"], &["sort_key", "id"], "CUF members, by name"),
    need("authorities", &["sort_key", "id"], "authorities(orderBy: NAME)"),
    need("authorities", &["created_at", "id"], "authorities(orderBy: CREATED_AT)"),
    // organisations/queries.rs `filtered` (OrganisationFilterInput), OrganisationOrder.
    need("organisations", &["country_code"], "organisations(filter: {countryCode})"),
    need("organisations", &["kind"], "organisations(filter: {kinds})"),
    need("organisations", &["sort_key", "id"], "organisations(orderBy: NAME)"),
    need("organisations", &["created_at", "id"], "organisations(orderBy: CREATED_AT)"),
    // people/queries.rs `filtered` (PersonFilterInput), PersonOrder, affiliations loader.
    need("affiliations", &["authority_id"], "people(filter: {authorityId})"),
    need("affiliations", &["organisation_id"], "people(filter: {organisationId})"),
    need("affiliations", &["person_id", "position"], "Person.affiliations"),
    need("people", &["sort_key", "id"], "people(orderBy: NAME)"),
    need("people", &["created_at", "id"], "people(orderBy: CREATED_AT)"),
    // access/queries.rs: users (UserFilterInput), sign-in, sessions, API keys.
    need("users", &["email"], "login"),
    need("users", &["role"], "users(filter: {roles})"),
    after("users", &["active"], &["created_at", "id"], "users(filter: {active})"),
    need("users", &["authority_id"], "users(filter: {authorityId})"),
    need("users", &["organisation_id"], "users(filter: {organisationId})"),
    need("users", &["created_at", "id"], "users, oldest first"),
    need("users", &["calendar_token_hash"], "events/calendar.rs feed token"),
    need("sessions", &["token_hash"], "refreshToken"),
    need("sessions", &["family_id"], "revoking a session family"),
    need("sessions", &["user_id"], "revoking a user's sessions"),
    need("api_keys", &["key_hash"], "x-api-key"),
    need("api_keys", &["organisation_id"], "apiKeys(organisationId)"),
    need("api_keys", &["created_at", "id"], "apiKeys, oldest first"),
    // audit/mod.rs `audit_log` (AuditFilterInput), newest first.
    need("audit_entries", &["at", "id"], "auditLog(filter: {since, until})"),
    after("audit_entries", &["user_id"], &["at"], "auditLog(filter: {userId})"),
    after("audit_entries", &["node_id"], &["at"], "auditLog(filter: {nodeId})"),
    // directory/queries.rs `filtered` (CooperationFilterInput, the caller's visibility),
    // CooperationOrder, statistics and pending validations.
    need("cooperations", &["country_code"], "cooperations(filter: {countryCode})"),
    need("cooperations", &["status"], "cooperations(filter: {statuses})"),
    need("cooperations", &["validation_state"], "validated fiches only, validationStates"),
    need("cooperations", &["start_year"], "cooperations(filter: {toYear})"),
    need("cooperations", &["end_year"], "cooperations(filter: {fromYear})"),
    need("cooperations", &["sort_key", "id"], "cooperations(orderBy: TITLE)"),
    need("cooperations", &["start_year_key", "id"], "cooperations(orderBy: START_YEAR)"),
    need("cooperations", &["updated_at", "id"], "cooperations(orderBy: UPDATED_AT)"),
    after("cooperations", &["validation_state"], &["awaiting_since"], "pendingValidations"),
    need("cooperation_themes", &["theme_id"], "cooperations(filter: {themeIds})"),
    need("cooperation_partners", &["authority_id"], "cooperations(filter: {authorityId})"),
    need("themes", &["code"], "directory/themes.rs theme by code"),
    // outbox/mod.rs: the delivery worker, the outbox list, the last reminder.
    need("outbox", &["sent_at", "next_attempt_at"], "messages due for delivery"),
    need("outbox", &["created_at", "id"], "outbox, newest first"),
    after("outbox", &["authority_id"], &["created_at"], "an authority's last reminder"),
    // groups/mod.rs `groups_page`, memberships.
    need("country_groups", &["country_code"], "countryGroups(countryCode)"),
    need("country_groups", &["sort_key", "id"], "countryGroups, by name"),
    after("group_memberships", &["group_id"], &["status"], "CountryGroup.members"),
    // events/queries.rs `filtered` (EventFilterInput, the caller's visibility), by date;
    // follow-ups across events; events/calendar.rs.
    need("events", &["group_id"], "events(filter: {countryGroupId})"),
    need("events", &["kind"], "events(filter: {kinds})"),
    need("events", &["date_start", "id"], "events(filter: {to}), by date"),
    need("events", &["date_end"], "events(filter: {from})"),
    after("events", &["tentative"], &["date_start", "id"], "events(filter: {tentative})"),
    after("events", &["visibility"], &["date_start", "id"], "events(filter: {visibility})"),
    after("events", &["group_id"], &["date_start"], "upcoming events, calendar feed"),
    need("follow_ups", &["due_end", "id"], "followUps, by due date"),
    after("follow_ups", &["status"], &["due_end"], "followUps(filter: {overdue})"),
    need("follow_ups", &["owner_authority_id"], "followUps(filter: {ownerAuthorityId})"),
    need("follow_ups", &["event_id"], "open follow-ups of a group's events"),
    // programmes/graphql.rs and mod.rs: by title, of a group, contributions, loaders.
    need("programmes", &["sort_key", "id"], "programmes, by title"),
    need("programmes", &["group_id"], "CountryGroup.programmes"),
    need("programme_actions", &["programme_id", "position"], "Programme.actions"),
    need("cost_shares", &["authority_id"], "Authority.contributions"),
    // opendata/queries.rs: the programmes of a year's aid summary; audit/mod.rs `latest`,
    // the last deletion an export's validator reads.
    need("programmes", &["starts_on", "ends_on", "created_at"], "aidSummary(input: {year})"),
    after("audit_entries", &["mutation"], &["at"], "export validators"),
    // documents/queries.rs: the list by title, its filters, a version's number.
    need("documents", &["sort_key", "id"], "documents, by title"),
    need("documents", &["kind", "sort_key", "id"], "documents(filter: {kinds})"),
    need("documents", &["status", "sort_key", "id"], "documents(filter: {statuses})"),
    need("documents", &["group_id"], "documents(filter: {countryGroupId})"),
    need("document_milestones", &["due_start"], "documents(filter: {milestonesDueBefore})"),
    need("document_versions", &["document_id", "number"], "Document.versions"),
    // access/queries.rs: a pinned key's operation by digest.
    need("api_key_operations", &["api_key_id", "sha256"], "pinned API keys"),
    // expertise/queries.rs `filtered` (ExpertiseFilterInput), ExpertiseOrder, the loaders of
    // Authority.expertise, Expertise.cooperations, Organisation.vetting and its themes, and
    // the offer export (an authority's entries, the fiches they cite).
    need("expertise", &["theme_id"], "expertise(filter: {themeIds})"),
    after("expertise", &["authority_id"], &["sort_key"], "Authority.expertise, offer export"),
    need("expertise", &["sort_key", "id"], "expertise(orderBy: TITLE)"),
    need("expertise", &["created_at", "id"], "expertise(orderBy: CREATED_AT)"),
    need("expertise", &["updated_at", "id"], "expertise(orderBy: UPDATED_AT)"),
    need("expertise_cooperations", &["expertise_id"], "Expertise.cooperations"),
    need("expertise_cooperations", &["cooperation_id"], "expertise(filter: {countryCode})"),
    after("consultant_recommendations", &["organisation_id"], &[], "Organisation.vetting"),
    need("consultant_recommendation_themes", &["recommendation_id"], "ConsultantRecommendation.themes"),
];

/// An index or foreign key: a table and its columns, in order.
struct Columns {
    table: String,
    columns: Vec<String>,
    /// The table a foreign key references; the index's name for an index.
    other: String,
}

/// The key columns of every non-partial index of the public schema, primary keys and unique
/// constraints included; an expression column reads as `(expression)`.
const INDEXES: &str = r#"
    SELECT t.relname AS "table", ix.relname AS other,
           (SELECT string_agg(coalesce(a.attname, '(expression)'), ',' ORDER BY k.ord)
              FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts) AS columns
      FROM pg_index i
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_class ix ON ix.oid = i.indexrelid
     WHERE t.relnamespace = 'public'::regnamespace AND i.indpred IS NULL"#;

/// Every foreign key of the public schema.
const FOREIGN_KEYS: &str = r#"
    SELECT t.relname AS "table", r.relname AS other,
           (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
              FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_class r ON r.oid = c.confrelid
     WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"#;

async fn catalogue(db: &DatabaseConnection, sql: &str) -> Vec<Columns> {
    let rows = db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| Columns {
            table: row.try_get("", "table").unwrap(),
            columns: row
                .try_get::<String>("", "columns")
                .unwrap()
                .split(',')
                .map(str::to_owned)
                .collect(),
            other: row.try_get("", "other").unwrap(),
        })
        .collect()
}

/// Whether some index of `table` starts with `equal` in any order, then `then` in order.
fn served<S: AsRef<str>>(indexes: &[Columns], table: &str, equal: &[S], then: &[&str]) -> bool {
    indexes
        .iter()
        .filter(|index| index.table == table)
        .any(|index| {
            let (head, tail) = index.columns.split_at(equal.len().min(index.columns.len()));
            head.len() == equal.len()
                && equal
                    .iter()
                    .all(|column| head.iter().any(|name| name == column.as_ref()))
                && tail.len() >= then.len()
                && tail.iter().zip(then).all(|(name, column)| name == column)
        })
}

#[tokio::test]
async fn every_foreign_key_and_filter_column_leads_an_index() {
    let url = std::env::var("CUF_TEST_DATABASE_URL").unwrap_or_default();
    if !url.starts_with("postgres") {
        eprintln!("the index check reads PostgreSQL's catalogue; skipped on SQLite");
        return;
    }
    let app = spawn_app().await;
    let indexes = catalogue(&app.db, INDEXES).await;
    let foreign_keys = catalogue(&app.db, FOREIGN_KEYS).await;
    assert!(
        !foreign_keys.is_empty(),
        "the catalogue lists no foreign key"
    );
    let mut missing: Vec<String> = foreign_keys
        .iter()
        .filter(|key| !served(&indexes, &key.table, &key.columns, &[]))
        .map(|key| format!("{}({}) -> {}", key.table, key.columns.join(", "), key.other))
        .collect();
    missing.extend(
        NEEDS
            .iter()
            .filter(|need| !served(&indexes, need.table, need.equal, need.then))
            .map(|need| {
                let columns = [need.equal, need.then].concat().join(", ");
                format!("{}({columns}) for {}", need.table, need.query)
            }),
    );
    assert!(
        missing.is_empty(),
        "these foreign keys and filter columns lead no index:\n{}",
        missing.join("\n")
    );
}

#[test]
fn an_index_serves_only_the_columns_it_starts_with() {
    let index = |columns: &[&str]| Columns {
        table: "decisions".into(),
        columns: columns.iter().map(|column| (*column).to_owned()).collect(),
        other: "ix".into(),
    };
    let indexes = [index(&["event_id", "position"]), index(&["id"])];
    assert!(served(&indexes, "decisions", &["event_id"], &[]));
    assert!(served(&indexes, "decisions", &[] as &[&str], &["event_id"]));
    assert!(served(&indexes, "decisions", &["event_id"], &["position"]));
    assert!(!served(&indexes, "decisions", &["position"], &[]));
    assert!(!served(
        &indexes,
        "decisions",
        &["event_id", "agenda_item_id"],
        &[]
    ));
    assert!(!served(&indexes, "agenda_items", &["event_id"], &[]));
}
