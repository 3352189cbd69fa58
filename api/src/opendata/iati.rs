//! `GET /export/iati/{countryCode}.xml`: the IATI Activity Standard 2.03 file of a partner
//! country. Its concerted action programmes (signed-in callers only, as programmes are) are
//! parent activities with their actions as children; its validated fiches are activities of
//! their own, reported by CUF on the authorities' behalf. Streamed a page at a time.

use std::collections::BTreeSet;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, SecondsFormat, Utc};
use entities::cooperation;
use sea_orm::DatabaseConnection;

use super::activity::{Activity, LOCAL_GOVERNMENT, Participant, add, dates};
use super::programme_activities::ProgrammePage;
use super::xml::Writer;
use super::{ActivityStatus, OrganisationRole, queries};
use crate::access::Caller;
use crate::directory::export::FicheDetails;
use crate::directory::graphql::CooperationOrder;
use crate::directory::{
    self, CooperationFilter, CooperationStatus, PartnerSide, ValidationState, Visibility,
};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::exports::{Pages, Validator, body, failure};
use crate::pagination::{PageArgs, PageRequest};
use crate::values::CountryCode;

/// Programmes per page of the file (each with its actions).
const PROGRAMME_PAGE: u64 = 20;
/// Fiches per page of the file.
const FICHE_PAGE: i32 = 100;
/// The name of this export in logs and validators.
const EXPORT: &str = "iati";

/// The activities of a page of validated fiches: their French partners fund, their foreign
/// partners carry them out; CUF reports them as a secondary reporter.
async fn fiche_activities(
    db: &DatabaseConnection,
    fiches: &[cooperation::Model],
    reporting_ref: &str,
) -> Result<Vec<Activity>, ApiError> {
    let details = FicheDetails::load(db, fiches).await?;
    Ok(fiches
        .iter()
        .map(|fiche| {
            let status = ActivityStatus::of_cooperation(
                CooperationStatus::from_stored(&fiche.status).unwrap_or(CooperationStatus::Ongoing),
            );
            let mut participants = Vec::new();
            for row in details
                .partners
                .iter()
                .filter(|row| row.cooperation_id == fiche.id)
            {
                let role = if row.side == PartnerSide::French.as_str() {
                    OrganisationRole::Funding
                } else {
                    OrganisationRole::Implementing
                };
                if let Some(authority) = details.authorities.get(&row.authority_id) {
                    add(
                        &mut participants,
                        Participant {
                            role,
                            name: authority.name.clone(),
                            kind: LOCAL_GOVERNMENT,
                        },
                    );
                }
            }
            participants.sort_by_key(|participant| participant.role);
            let year = |year: Option<i32>, month, day| {
                year.and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
            };
            Activity {
                identifier: format!("{reporting_ref}-COOP-{}", fiche.id),
                last_updated: fiche.updated_at,
                hierarchy: 1,
                secondary_reporter: true,
                currency: None,
                title: fiche.title.clone(),
                description: fiche.summary.clone().unwrap_or_else(|| fiche.title.clone()),
                participants,
                status,
                dates: dates(
                    status,
                    year(fiche.start_year, 1, 1),
                    year(fiche.end_year, 12, 31),
                    true,
                    fiche.created_at.date_naive(),
                ),
                country_code: fiche.country_code.clone(),
                themes: details
                    .themes_of(fiche.id)
                    .map(|theme| (theme.code.clone(), theme.label.clone()))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                budgets: Vec::new(),
                transactions: Vec::new(),
                related: Vec::new(),
            }
        })
        .collect())
}

/// Where the file stands: programmes after an id, then fiches after a cursor.
enum Phase {
    Programmes(Option<i64>),
    Fiches(Option<String>),
    Closing,
    Done,
}

/// The activities of a country's file, a page at a time.
struct Activities {
    db: DatabaseConnection,
    reporting_ref: String,
    country: CountryCode,
    phase: Phase,
}

impl Activities {
    /// The fiches of the file: validated ones of the country, whoever asks.
    fn fiche_filter(&self) -> CooperationFilter {
        CooperationFilter {
            country_code: Some(self.country.as_str().to_owned()),
            validation_states: vec![ValidationState::Validated],
            ..CooperationFilter::default()
        }
    }

    /// The XML of the next non-empty page of activities, `None` after the last.
    async fn next_activities(&mut self) -> Result<Option<String>, ApiError> {
        loop {
            let activities = match &self.phase {
                Phase::Programmes(after) => {
                    let page = queries::programmes_page(
                        &self.db,
                        self.country.as_str(),
                        *after,
                        PROGRAMME_PAGE,
                    )
                    .await?;
                    self.phase = match page.last() {
                        Some(last) if page.len() as u64 == PROGRAMME_PAGE => {
                            Phase::Programmes(Some(last.id))
                        }
                        _ => Phase::Fiches(None),
                    };
                    if page.is_empty() {
                        continue;
                    }
                    ProgrammePage::load(&self.db, page)
                        .await?
                        .activities(&self.reporting_ref, self.country.as_str())
                }
                Phase::Fiches(after) => {
                    let ordering = CooperationOrder::default().ordering();
                    let args = PageArgs {
                        first: Some(FICHE_PAGE),
                        after: after.clone(),
                        last: None,
                        before: None,
                    };
                    let page = PageRequest::parse(args, &ordering.tag())?;
                    let filter = self.fiche_filter();
                    let visibility = Visibility::ValidatedAnd(None);
                    let (page, _) = directory::list_cooperations(
                        &self.db, visibility, &filter, &ordering, &page, false,
                    )
                    .await?;
                    self.phase = match page.items.last() {
                        Some((cursor, _)) if page.has_next_page => {
                            Phase::Fiches(Some(cursor.clone()))
                        }
                        _ => Phase::Closing,
                    };
                    let fiches: Vec<cooperation::Model> =
                        page.items.into_iter().map(|(_, fiche)| fiche).collect();
                    fiche_activities(&self.db, &fiches, &self.reporting_ref).await?
                }
                Phase::Closing | Phase::Done => return Ok(None),
            };
            if !activities.is_empty() {
                let mut writer = Writer::at_depth(1);
                for activity in &activities {
                    activity.write(&mut writer, &self.reporting_ref);
                }
                return Ok(Some(writer.finish()));
            }
        }
    }
}

impl Pages for Activities {
    async fn next_page(&mut self) -> Result<Option<Bytes>, ApiError> {
        if let Some(text) = self.next_activities().await? {
            return Ok(Some(Bytes::from(text)));
        }
        if matches!(self.phase, Phase::Done) {
            return Ok(None);
        }
        self.phase = Phase::Done;
        Ok(Some(Bytes::from_static(b"</iati-activities>\n")))
    }
}

/// The country of `file` (`MX.xml`): 404 without the `.xml`, 400 for a code that is not an
/// ISO 3166-1 alpha-2 one.
fn country_of(file: &str) -> Result<CountryCode, ApiError> {
    let Some(code) = file.strip_suffix(".xml") else {
        return Err(ApiError::NotFound(
            "IATI file: ask for /export/iati/{countryCode}.xml".into(),
        ));
    };
    CountryCode::parse(code).map_err(|error| ApiError::BadUserInput(error.to_string()))
}

/// The validator of a country's file for callers who see programmes (`with_programmes`) or
/// not.
async fn validator(
    db: &DatabaseConnection,
    country: &CountryCode,
    filter: &CooperationFilter,
    with_programmes: bool,
) -> Result<Validator, ApiError> {
    let visibility = Visibility::ValidatedAnd(None);
    let (mut parts, removed) = directory::export_freshness(db, visibility, filter).await?;
    if with_programmes {
        parts.extend(queries::country_programmes_freshness(db, country.as_str()).await?);
    }
    let class = if with_programmes { "readers" } else { "public" };
    Ok(Validator::new(
        EXPORT,
        class,
        country.as_str(),
        &parts,
        removed,
    ))
}

/// Whether `caller` sees programmes, and so the programmes of the file.
fn sees_programmes(caller: &Caller) -> bool {
    caller.require(crate::programmes::graphql::READERS).is_ok()
}

/// `GET /export/iati/{countryCode}.xml`. 404 when the country has nothing to publish (an
/// IATI file holds at least one activity). Carries an `ETag` and a `Last-Modified`, and
/// answers `304 Not Modified` to a client whose copy is current.
pub async fn activities_xml(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let caller = match crate::http::identify_caller(&request, &state).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let country = match country_of(&path) {
        Ok(country) => country,
        Err(error) => return failure(&error, EXPORT),
    };
    let with_programmes = sees_programmes(&caller);
    let mut activities = Activities {
        db: state.db.clone(),
        reporting_ref: state.iati_reporting_org_ref.clone(),
        phase: if with_programmes {
            Phase::Programmes(None)
        } else {
            Phase::Fiches(None)
        },
        country,
    };
    let filter = activities.fiche_filter();
    // Computed before any row is read: a change made meanwhile is at worst downloaded twice.
    let validator = match validator(&state.db, &activities.country, &filter, with_programmes).await
    {
        Ok(validator) => validator,
        Err(error) => return failure(&error, EXPORT),
    };
    if validator.is_fresh(&request) {
        return validator.not_modified();
    }
    // The first page is read before answering: a database that cannot be reached is a 503,
    // a country with nothing to publish a 404, never a 200 whose body stops short.
    let first = match activities.next_activities().await {
        Ok(Some(first)) => first,
        Ok(None) => {
            let nothing =
                ApiError::NotFound(format!("IATI activity of {}", activities.country.as_str()));
            return failure(&nothing, EXPORT);
        }
        Err(error) => return failure(&error, EXPORT),
    };
    let generated = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <iati-activities version=\"2.03\" generated-datetime=\"{generated}\">\n{first}"
    );
    let file = format!(
        "attachment; filename=\"iati-{}.xml\"",
        activities.country.as_str()
    );
    let mut response = HttpResponse::Ok();
    validator.apply(&mut response);
    response
        .content_type("application/xml; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, file))
        .streaming(body(Bytes::from(head), activities, EXPORT))
}
