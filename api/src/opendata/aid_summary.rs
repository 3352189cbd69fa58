//! `GET /export/aid-summary.csv?year=…[&authorityId=…]`: the aid summary (see `aidSummary`)
//! as CSV (UTF-8, RFC 4180), one line per authority, partner country and currency. Its lines
//! are sums, a few per authority: they are computed whole, then sent.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AidLine;
use crate::directory::export::field;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::exports::{Validator, failure};
use crate::ids::{self, NodeKind};
use crate::money::{Currency, decimal};

/// The header row.
const HEADER: &str = "authority_id,authority,country_code,year,currency,pledged,confirmed,paid\r\n";

/// The name of this export in logs and validators.
const EXPORT: &str = "aid-summary.csv";

/// The query string: the year (required) and an authority's global id.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AidSummaryParams {
    year: Option<i32>,
    authority_id: Option<String>,
}

/// The CSV lines of `lines`.
fn render(lines: &[AidLine]) -> String {
    let mut out = String::from(HEADER);
    for line in lines {
        let currency = Currency::parse(&line.currency).unwrap_or(Currency::EUR);
        let cells = [
            ids::encode(NodeKind::Authority, line.authority.id).0,
            line.authority.name.clone(),
            line.country_code.clone().unwrap_or_default(),
            line.year.to_string(),
            line.currency.clone(),
            decimal(line.totals.pledged, currency),
            decimal(line.totals.confirmed, currency),
            decimal(line.totals.paid, currency),
        ];
        let cells: Vec<String> = cells.iter().map(|cell| field(cell)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The year and authority asked for, parsed: `year` is required.
fn parse(query: &str) -> Result<(super::AidYear, Option<i64>), ApiError> {
    let params = web::Query::<AidSummaryParams>::from_query(query)
        .map_err(|error| ApiError::BadUserInput(error.to_string()))?
        .into_inner();
    let year = params
        .year
        .ok_or_else(|| ApiError::BadUserInput("`year` is required, e.g. ?year=2014".into()))?;
    super::aid_request(year, params.authority_id.as_deref())
}

/// `GET /export/aid-summary.csv`: for signed-in callers (401 without credentials, as for
/// programmes). Carries an `ETag` and a `Last-Modified`, and answers `304 Not Modified` to a
/// client whose copy is current.
pub async fn aid_summary_csv(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match crate::http::identify_caller(&request, &state).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if let Err(error) = caller.require(crate::programmes::graphql::READERS) {
        return failure(&error, EXPORT);
    }
    let (year, authority_id) = match parse(request.query_string()) {
        Ok(parsed) => parsed,
        Err(error) => return failure(&error, EXPORT),
    };
    let params = format!("year={};authority={authority_id:?}", year.get());
    let validator = match super::aid_summary_freshness(&state.db, authority_id).await {
        Ok(parts) => Validator::new(EXPORT, "readers", &params, &parts, None),
        Err(error) => return failure(&error, EXPORT),
    };
    if validator.is_fresh(&request) {
        return validator.not_modified();
    }
    let lines = match super::aid_summary(&state.db, year, authority_id).await {
        Ok(lines) => lines,
        Err(error) => return failure(&error, EXPORT),
    };
    let file = format!("attachment; filename=\"aid-summary-{}.csv\"", year.get());
    let mut response = HttpResponse::Ok();
    validator.apply(&mut response);
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, file))
        .body(render(&lines))
}
