//! Calendar feeds: `GET /calendar/{countryGroupId}.ics` is an RFC 5545 calendar of a
//! group's events: public ones for everyone, members' ones too with a personal calendar token
//! (`?token=`), which its user can reset. Exact times are given in UTC, other dates as
//! all-day spans; tentative events say so; UIDs are stable and SEQUENCE and LAST-MODIFIED
//! follow each change, so calendar clients pick updates up.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{country_group, event, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{EventVisibility, may_see_members_events};
use crate::access::tokens;
use crate::access::{Caller, EDITORS, RoleGuard};
use crate::context;
use crate::error::ApiError;
use crate::http::{AppState, json_error};
use crate::ids::{self, NodeKind};
use crate::storage;

/// Escapes a TEXT value (RFC 5545 section 3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a character (section 3.1).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for character in line.chars() {
        let size = character.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(character);
        width += size;
    }
    out.push_str("\r\n");
    out
}

fn stamp(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One VEVENT.
fn vevent(row: &event::Model, now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!(
            "UID:{}@cuf-cooperation-api",
            ids::encode(NodeKind::Event, row.id).0
        ),
        format!("DTSTAMP:{}", stamp(now)),
        format!("SEQUENCE:{}", row.version - 1),
        format!("LAST-MODIFIED:{}", stamp(row.updated_at)),
        format!("SUMMARY:{}", escape(&row.title)),
    ];
    match (row.starts_at, row.ends_at) {
        (Some(starts), ends) => {
            lines.push(format!("DTSTART:{}", stamp(starts)));
            if let Some(ends) = ends {
                lines.push(format!("DTEND:{}", stamp(ends)));
            }
        }
        (None, _) => {
            lines.push(format!(
                "DTSTART;VALUE=DATE:{}",
                row.date_start.format("%Y%m%d")
            ));
            let after = row.date_end.succ_opt().unwrap_or(row.date_end);
            lines.push(format!("DTEND;VALUE=DATE:{}", after.format("%Y%m%d")));
        }
    }
    lines.push(format!(
        "STATUS:{}",
        if row.tentative {
            "TENTATIVE"
        } else {
            "CONFIRMED"
        }
    ));
    let place: Vec<&str> = [&row.venue, &row.street_address, &row.city]
        .into_iter()
        .filter_map(|part| part.as_deref())
        .collect();
    if !place.is_empty() {
        lines.push(format!("LOCATION:{}", escape(&place.join(", "))));
    }
    let mut description = format!("{} ({})", row.kind, row.date_precision);
    if let Some(zone) = &row.time_zone {
        description.push_str(&format!("\nTime zone: {zone}"));
    }
    if let Some(directions) = &row.directions {
        description.push_str(&format!("\n{directions}"));
    }
    lines.push(format!("DESCRIPTION:{}", escape(&description)));
    lines.push("END:VEVENT".to_owned());
    lines.iter().map(|line| fold(line)).collect()
}

/// The whole calendar of `group` with `events`.
pub fn render(group: &country_group::Model, events: &[event::Model], now: DateTime<Utc>) -> String {
    let mut calendar = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Cites Unies France//CUF Cooperation API//FR".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape(&group.name)),
    ] {
        calendar.push_str(&fold(&line));
    }
    for row in events {
        calendar.push_str(&vevent(row, now));
    }
    calendar.push_str("END:VCALENDAR\r\n");
    calendar
}

/// The user behind a calendar token, if it is a valid one.
async fn token_caller(state: &AppState, token: &str) -> Result<Option<Caller>, ApiError> {
    let found = user::Entity::find()
        .filter(user::Column::CalendarTokenHash.eq(tokens::digest(token)))
        .filter(user::Column::Active.eq(true))
        .one(&state.db)
        .await?;
    Ok(found.map(|user| {
        Caller::User(crate::access::UserCaller {
            id: user.id,
            role: crate::access::Role::from_stored(&user.role),
            email: user.email,
            authority_id: user.authority_id,
            organisation_id: user.organisation_id,
        })
    }))
}

#[derive(serde::Deserialize)]
struct FeedQuery {
    token: Option<String>,
}

/// `GET /calendar/{countryGroupId}.ics`.
pub async fn feed(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let not_found = || {
        json_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no country group has this id",
        )
    };
    let Some(id) = path
        .strip_suffix(".ics")
        .and_then(|id| ids::decode_as(id, NodeKind::CountryGroup).ok())
    else {
        return not_found();
    };
    let query =
        web::Query::<FeedQuery>::from_query(request.query_string()).map(web::Query::into_inner);
    let caller = match query.ok().and_then(|query| query.token) {
        None => Caller::Anonymous,
        Some(token) => match token_caller(&state, &token).await {
            Ok(Some(caller)) => caller,
            Ok(None) => {
                return json_error(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "the calendar token is not valid",
                );
            }
            Err(error) => {
                tracing::error!(?error, "calendar token lookup failed");
                return json_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "retry later",
                );
            }
        },
    };
    let group = match storage::find::<country_group::Entity>(&state.db, id).await {
        Ok(Some(group)) => group,
        Ok(None) => return not_found(),
        Err(error) => {
            tracing::error!(?error, "calendar group lookup failed");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "retry later",
            );
        }
    };
    let mut select = event::Entity::find().filter(event::Column::GroupId.eq(id));
    if !may_see_members_events(&caller) {
        select = select.filter(event::Column::Visibility.eq(EventVisibility::Public.as_str()));
    }
    let events = match select
        .order_by_asc(event::Column::DateStart)
        .order_by_asc(event::Column::Id)
        .limit(1000)
        .all(&state.db)
        .await
    {
        Ok(events) => events,
        Err(error) => {
            tracing::error!(?error, "calendar events lookup failed");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "retry later",
            );
        }
    };
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(render(&group, &events, Utc::now()))
}

/// A new personal calendar token.
#[derive(SimpleObject)]
pub struct ResetCalendarTokenPayload {
    /// The token, shown once: add `?token=` and it to a group's calendar URL to see members'
    /// events too. The previous token stops working.
    pub token: String,
}

/// The calendar mutation.
#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Makes a new personal calendar token for the signed-in user; the previous one stops
    /// working.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn reset_calendar_token(
        &self,
        ctx: &Context<'_>,
    ) -> Result<ResetCalendarTokenPayload, ApiError> {
        let Some(id) = context::caller(ctx).user_id() else {
            return Err(ApiError::Forbidden);
        };
        let token = tokens::random_secret();
        user::Entity::update_many()
            .col_expr(
                user::Column::CalendarTokenHash,
                Expr::value(Some(tokens::digest(&token))),
            )
            .filter(user::Column::Id.eq(id))
            .exec(context::db(ctx)?)
            .await?;
        Ok(ResetCalendarTokenPayload { token })
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, fold};

    #[test]
    fn text_is_escaped_and_long_lines_folded() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let folded = fold(&"é".repeat(60));
        let lines: Vec<&str> = folded.trim_end().split("\r\n").collect();
        assert!(lines.iter().all(|line| line.len() <= 75), "{lines:?}");
        assert!(lines[1].starts_with(' '));
    }
}
