//! `GET /export/cooperations.csv`: the directory as CSV (UTF-8, RFC 4180, one row per fiche),
//! with the filters of the `cooperations` query and the caller's visibility, streamed a page
//! at a time so that no whole file is held in memory.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use entities::{authority, cooperation, theme};
use futures_util::{StreamExt, stream};
use sea_orm::DatabaseConnection;

use super::graphql::{CooperationFilterInput, CooperationOrder};
use super::{
    CooperationFilter, CooperationStatus, PartnerSide, ValidationState, Visibility, queries,
};
use crate::error::ApiError;
use crate::http::{AppState, json_error};
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

async fn rows(db: &DatabaseConnection, fiches: &[cooperation::Model]) -> Result<String, ApiError> {
    let ids: Vec<i64> = fiches.iter().map(|fiche| fiche.id).collect();
    let partners = queries::partners_of(db, &ids).await?;
    let authority_ids: Vec<i64> = partners.iter().map(|row| row.authority_id).collect();
    let authorities: HashMap<i64, authority::Model> =
        storage::find_many::<authority::Entity>(db, &authority_ids)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let links = queries::theme_ids_of(db, &ids).await?;
    let theme_ids: Vec<i64> = links.iter().map(|link| link.theme_id).collect();
    let themes: HashMap<i64, theme::Model> = storage::find_many::<theme::Entity>(db, &theme_ids)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
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
        let theme_labels: Vec<String> = links
            .iter()
            .filter(|link| link.cooperation_id == fiche.id)
            .filter_map(|link| themes.get(&link.theme_id).map(|theme| theme.label.clone()))
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

/// The stream's next chunk; a failure once the response has started can only cut it short.
async fn next_chunk(mut cursor: Cursor) -> Option<(Result<Bytes, actix_web::Error>, Cursor)> {
    match fetch_chunk(&mut cursor).await {
        Ok(Some(chunk)) => Some((Ok(chunk), cursor)),
        Ok(None) => None,
        Err(error) => {
            tracing::error!(?error, "cooperation export failed");
            cursor.done = true;
            let error = actix_web::error::ErrorInternalServerError("export failed");
            Some((Err(error), cursor))
        }
    }
}

/// The answer when the export cannot start: 503 while the database cannot be reached, 504
/// when a statement ran too long, 500 (its cause logged) for anything else.
fn failure(error: &ApiError) -> HttpResponse {
    let status = match error {
        ApiError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Timeout => StatusCode::GATEWAY_TIMEOUT,
        ApiError::BadUserInput(_) => StatusCode::BAD_REQUEST,
        _ => {
            tracing::error!(?error, "cooperation export failed");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    json_error(status, error.code(), &error.to_string())
}

/// `GET /export/cooperations.csv`.
pub async fn cooperations_csv(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match crate::http::identify_caller(&request, &state).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let params = match web::Query::<ExportParams>::from_query(request.query_string()) {
        Ok(params) => params.into_inner(),
        Err(error) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &error.to_string(),
            );
        }
    };
    let filter = match params.filter() {
        Ok(filter) => filter,
        Err(error) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &error.to_string(),
            );
        }
    };
    let mut cursor = Cursor {
        db: state.db.clone(),
        visibility: Visibility::of(&caller),
        filter,
        after: None,
        done: false,
    };
    // The first page is read before answering, so that a database that cannot be reached is
    // a 503 with its code rather than a 200 whose body stops short.
    let first = match fetch_chunk(&mut cursor).await {
        Ok(first) => first.unwrap_or_default(),
        Err(error) => return failure(&error),
    };
    let head = Bytes::from_static(HEADER.as_bytes());
    let body = stream::iter([Ok::<_, actix_web::Error>(head), Ok(first)])
        .chain(stream::unfold(cursor, next_chunk));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"cooperations.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use sea_orm::DbErr;

    use super::{failure, field};
    use crate::error::ApiError;

    #[test]
    fn an_export_that_cannot_start_answers_with_the_status_of_its_cause() {
        let unavailable = ApiError::ServiceUnavailable(DbErr::Custom("gone".into()));
        assert_eq!(
            failure(&unavailable).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            failure(&ApiError::Timeout).status(),
            StatusCode::GATEWAY_TIMEOUT
        );
        assert_eq!(
            failure(&ApiError::internal("a bug")).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

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
