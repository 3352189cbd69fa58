//! `GET /export/cooperations.csv`: the directory as CSV (UTF-8, RFC 4180, one row per fiche),
//! with the filters of the `cooperations` query and the caller's visibility, streamed a page
//! at a time so that no whole file is held in memory, with a validator for conditional
//! requests.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use entities::{authority, cooperation, cooperation_partner, cooperation_theme, theme};
use sea_orm::DatabaseConnection;

use super::graphql::{CooperationFilterInput, CooperationOrder};
use super::{
    CooperationFilter, CooperationStatus, PartnerSide, ValidationState, Visibility, queries,
};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::exports::{Pages, Validator, body, failure};
use crate::ids::{self, NodeKind};
use crate::pagination::{PageArgs, PageRequest};
use crate::storage;

/// The header row.
const HEADER: &str = "id,title,country_code,status,validation_state,french_partners,foreign_partners,themes,start_year,end_year,sources,summary,updated_at\r\n";

/// Rows fetched per page of the export.
const CHUNK: i32 = 100;

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-`
/// or `@` is escaped with `'` so that a spreadsheet never runs it as a formula.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The query string of an export: the `cooperations` filter, lists comma-separated.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportParams {
    country_code: Option<String>,
    statuses: Option<String>,
    theme_ids: Option<String>,
    authority_id: Option<String>,
    validation_states: Option<String>,
    from_year: Option<i32>,
    to_year: Option<i32>,
    search: Option<String>,
}

fn list<T>(
    text: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    name: &str,
) -> Result<Option<Vec<T>>, ApiError> {
    let Some(text) = text.as_deref().filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    text.split(',')
        .map(|item| {
            parse(item.trim())
                .ok_or_else(|| ApiError::BadUserInput(format!("`{name}`: {item:?} is not valid")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl ExportParams {
    fn filter(&self) -> Result<CooperationFilter, ApiError> {
        CooperationFilterInput {
            country_code: self.country_code.clone(),
            statuses: list(&self.statuses, CooperationStatus::from_stored, "statuses")?,
            theme_ids: list(
                &self.theme_ids,
                |id| Some(async_graphql::ID(id.to_owned())),
                "themeIds",
            )?,
            authority_id: self.authority_id.clone().map(async_graphql::ID),
            validation_states: list(
                &self.validation_states,
                ValidationState::from_stored,
                "validationStates",
            )?,
            from_year: self.from_year,
            to_year: self.to_year,
            search: self.search.clone(),
        }
        .parse()
    }
}

struct Cursor {
    db: DatabaseConnection,
    visibility: Visibility,
    filter: CooperationFilter,
    after: Option<String>,
    done: bool,
}

/// What an export shows of a page of fiches besides their own fields: their partners and
/// themes, with the authorities' names and the themes' labels.
pub struct FicheDetails {
    pub partners: Vec<cooperation_partner::Model>,
    pub authorities: HashMap<i64, authority::Model>,
    pub links: Vec<cooperation_theme::Model>,
    pub themes: HashMap<i64, theme::Model>,
}

impl FicheDetails {
    /// Loads the details of `fiches`: four statements for the page.
    pub async fn load(
        db: &DatabaseConnection,
        fiches: &[cooperation::Model],
    ) -> Result<Self, ApiError> {
        let ids: Vec<i64> = fiches.iter().map(|fiche| fiche.id).collect();
        let partners = queries::partners_of(db, &ids).await?;
        let authority_ids: Vec<i64> = partners.iter().map(|row| row.authority_id).collect();
        let authorities = storage::find_many::<authority::Entity>(db, &authority_ids)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let links = queries::theme_ids_of(db, &ids).await?;
        let theme_ids: Vec<i64> = links.iter().map(|link| link.theme_id).collect();
        let themes = storage::find_many::<theme::Entity>(db, &theme_ids)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        Ok(Self {
            partners,
            authorities,
            links,
            themes,
        })
    }

    /// The themes of the fiche `id`.
    pub fn themes_of(&self, id: i64) -> impl Iterator<Item = &theme::Model> {
        self.links
            .iter()
            .filter(move |link| link.cooperation_id == id)
            .filter_map(|link| self.themes.get(&link.theme_id))
    }
}

async fn rows(db: &DatabaseConnection, fiches: &[cooperation::Model]) -> Result<String, ApiError> {
    let details = FicheDetails::load(db, fiches).await?;
    let (partners, authorities) = (&details.partners, &details.authorities);
    let mut out = String::new();
    for fiche in fiches {
        let names = |side: PartnerSide| -> String {
            partners
                .iter()
                .filter(|row| row.cooperation_id == fiche.id && row.side == side.as_str())
                .filter_map(|row| {
                    authorities
                        .get(&row.authority_id)
                        .map(|authority| authority.name.clone())
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let theme_labels: Vec<String> = details
            .themes_of(fiche.id)
            .map(|theme| theme.label.clone())
            .collect();
        let cells = [
            ids::encode(NodeKind::Cooperation, fiche.id).0,
            fiche.title.clone(),
            fiche.country_code.clone(),
            fiche.status.clone(),
            fiche.validation_state.clone(),
            names(PartnerSide::French),
            names(PartnerSide::Foreign),
            theme_labels.join("; "),
            fiche
                .start_year
                .map(|year| year.to_string())
                .unwrap_or_default(),
            fiche
                .end_year
                .map(|year| year.to_string())
                .unwrap_or_default(),
            fiche.sources.replace(',', "; "),
            fiche.summary.clone().unwrap_or_default(),
            fiche.updated_at.to_rfc3339(),
        ];
        let line: Vec<String> = cells.iter().map(|cell| field(cell)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// The rows of the next page, `None` after the last.
async fn fetch_chunk(cursor: &mut Cursor) -> Result<Option<Bytes>, ApiError> {
    if cursor.done {
        return Ok(None);
    }
    let ordering = CooperationOrder::default().ordering();
    let args = PageArgs {
        first: Some(CHUNK),
        after: cursor.after.take(),
        last: None,
        before: None,
    };
    let page = PageRequest::parse(args, &ordering.tag())?;
    let (page, _) = super::list_cooperations(
        &cursor.db,
        cursor.visibility,
        &cursor.filter,
        &ordering,
        &page,
        false,
    )
    .await?;
    cursor.done = !page.has_next_page;
    cursor.after = page.items.last().map(|(cursor, _)| cursor.clone());
    let fiches: Vec<cooperation::Model> = page.items.into_iter().map(|(_, fiche)| fiche).collect();
    Ok(Some(Bytes::from(rows(&cursor.db, &fiches).await?)))
}

impl Pages for Cursor {
    async fn next_page(&mut self) -> Result<Option<Bytes>, ApiError> {
        fetch_chunk(self).await
    }
}

/// The name of this export in logs and validators.
const EXPORT: &str = "cooperations.csv";

/// `GET /export/cooperations.csv`. Carries an `ETag` and a `Last-Modified`, and answers
/// `304 Not Modified` to a client whose copy is current.
pub async fn cooperations_csv(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match crate::http::identify_caller(&request, &state).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let filter = match web::Query::<ExportParams>::from_query(request.query_string()) {
        Ok(params) => params.into_inner().filter(),
        Err(error) => Err(ApiError::BadUserInput(error.to_string())),
    };
    let filter = match filter {
        Ok(filter) => filter,
        Err(error) => return failure(&error, EXPORT),
    };
    let visibility = Visibility::of(&caller);
    // The validator is computed before any row is read: a change made while the export runs
    // is then at worst downloaded twice, never missed.
    let validator = match super::export_freshness(&state.db, visibility, &filter).await {
        Ok((parts, removed)) => Validator::new(
            EXPORT,
            &visibility.class(),
            request.query_string(),
            &parts,
            removed,
        ),
        Err(error) => return failure(&error, EXPORT),
    };
    if validator.is_fresh(&request) {
        return validator.not_modified();
    }
    let mut cursor = Cursor {
        db: state.db.clone(),
        visibility,
        filter,
        after: None,
        done: false,
    };
    // The first page is read before answering, so that a database that cannot be reached is
    // a 503 with its code rather than a 200 whose body stops short.
    let first = match fetch_chunk(&mut cursor).await {
        Ok(first) => first.unwrap_or_default(),
        Err(error) => return failure(&error, EXPORT),
    };
    let mut head = HEADER.as_bytes().to_vec();
    head.extend_from_slice(&first);
    let mut response = HttpResponse::Ok();
    validator.apply(&mut response);
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"cooperations.csv\"",
        ))
        .streaming(body(Bytes::from(head), cursor, EXPORT))
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-2"), "'-2");
    }
}
