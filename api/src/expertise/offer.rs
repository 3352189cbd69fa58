//! `GET /export/offer/{countryGroupId}.csv`: a country group's common offer ("offre
//! territoriale commune"), the expertise of its member authorities grouped by theme (themes by
//! label, then authorities by name, then entries by title), as CSV (UTF-8, RFC 4180) ready to
//! lay out. Streamed a theme at a time (an authority keeps at most
//! [`super::MAX_PER_AUTHORITY`] entries), with a validator for conditional requests. Fiches
//! show as the caller may see them; contact e-mails and telephones only for the callers who
//! read people's contact details.

use std::collections::{HashMap, VecDeque};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use entities::{authority, country_group, expertise, person, theme};
use sea_orm::DatabaseConnection;

use super::queries;
use crate::directory::Visibility;
use crate::directory::export::field;
use crate::error::ApiError;
use crate::groups::MembershipStatus;
use crate::http::AppState;
use crate::http::exports::{Pages, Validator, body, failure};
use crate::ids::{self, NodeKind};
use crate::storage;

/// The header row.
const HEADER: &str = "theme,authority,title,description,services,languages,contact_name,contact_email,contact_phone,cooperations\r\n";

/// The name of this export in logs and validators.
const EXPORT: &str = "offer.csv";

/// The mutations that can take a line out of an offer without leaving a later `updated_at`
/// among the rows it reads: a deleted entry or fiche, a fiche no longer validated, a
/// membership decided, a contact deleted.
const REMOVALS: &[&str] = &[
    "deleteExpertise",
    "deleteCooperation",
    "transitionCooperation",
    "decideGroupMembership",
    "deletePerson",
];

/// Who sees what of an offer.
#[derive(Debug, Clone, Copy)]
struct Audience {
    visibility: Visibility,
    /// Whether contact e-mails and telephones are shown.
    contacts: bool,
}

/// The authorities whose expertise makes the group's offer: its active members and its chair.
async fn member_authorities(
    db: &DatabaseConnection,
    group: &country_group::Model,
) -> Result<Vec<i64>, ApiError> {
    let memberships = crate::groups::memberships_of(db, &[group.id]).await?;
    let mut ids: Vec<i64> = memberships
        .iter()
        .filter(|row| row.status == MembershipStatus::Active.as_str())
        .map(|row| row.authority_id)
        .chain(group.chair_authority_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The validator of the offer of `group`: its entries, the fiches and contacts they cite, the
/// group, and the names and labels shown; and the last removal.
async fn validator(
    db: &DatabaseConnection,
    group: &country_group::Model,
    members: &[i64],
    audience: Audience,
) -> Result<Validator, ApiError> {
    let mut parts = queries::offer_freshness(db, members, audience.visibility)
        .await?
        .to_vec();
    parts.extend(crate::directory::queries::names_freshness(db).await?);
    parts.push(storage::Freshness {
        count: members.len() as i64,
        last: Some(group.updated_at),
    });
    let removed = crate::audit::latest(db, REMOVALS).await?;
    let class = format!("{}:{}", audience.visibility.class(), audience.contacts);
    let params = group.id.to_string();
    Ok(Validator::new(EXPORT, &class, &params, &parts, removed))
}

/// The offer, a theme at a time.
struct Offer {
    db: DatabaseConnection,
    audience: Audience,
    members: Vec<i64>,
    authorities: HashMap<i64, authority::Model>,
    themes: VecDeque<theme::Model>,
}

impl Offer {
    async fn start(
        db: &DatabaseConnection,
        members: Vec<i64>,
        audience: Audience,
    ) -> Result<Self, ApiError> {
        let authorities = storage::find_many::<authority::Entity>(db, &members)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let theme_ids = queries::offer_theme_ids(db, &members).await?;
        let mut themes = storage::find_many::<theme::Entity>(db, &theme_ids).await?;
        themes.sort_by(|left, right| left.label.cmp(&right.label).then(left.id.cmp(&right.id)));
        Ok(Self {
            db: db.clone(),
            audience,
            members,
            authorities,
            themes: themes.into(),
        })
    }

    /// The lines of one theme: its entries, by authority name, then title.
    async fn theme_lines(&self, theme: &theme::Model) -> Result<String, ApiError> {
        let mut entries = queries::offer_entries(&self.db, &self.members, theme.id).await?;
        let authority_key = |entry: &expertise::Model| {
            self.authorities
                .get(&entry.authority_id)
                .map(|authority| authority.sort_key.clone())
                .unwrap_or_default()
        };
        entries
            .sort_by_cached_key(|entry| (authority_key(entry), entry.sort_key.clone(), entry.id));
        let ids: Vec<i64> = entries.iter().map(|entry| entry.id).collect();
        let links = queries::cooperation_ids_of(&self.db, &ids).await?;
        let cited: Vec<i64> = links.iter().map(|link| link.cooperation_id).collect();
        let fiches: HashMap<i64, String> =
            queries::visible_cooperation_titles(&self.db, &cited, self.audience.visibility)
                .await?
                .into_iter()
                .collect();
        let contact_ids: Vec<i64> = entries.iter().filter_map(|e| e.contact_person_id).collect();
        let contacts: HashMap<i64, person::Model> =
            storage::find_many::<person::Entity>(&self.db, &contact_ids)
                .await?
                .into_iter()
                .map(|row| (row.id, row))
                .collect();
        let mut out = String::new();
        for entry in &entries {
            let titles: Vec<&str> = links
                .iter()
                .filter(|link| link.expertise_id == entry.id)
                .filter_map(|link| fiches.get(&link.cooperation_id).map(String::as_str))
                .collect();
            let contact = entry.contact_person_id.and_then(|id| contacts.get(&id));
            let detail = |value: Option<&String>| match value {
                Some(value) if self.audience.contacts => value.clone(),
                _ => String::new(),
            };
            let cells = [
                theme.label.clone(),
                self.authorities
                    .get(&entry.authority_id)
                    .map(|authority| authority.name.clone())
                    .unwrap_or_default(),
                entry.title.clone(),
                entry.description.clone(),
                super::services_of(entry).join("; "),
                super::languages_of(entry).join("; "),
                contact
                    .map(|person| format!("{} {}", person.first_name, person.last_name))
                    .unwrap_or_default(),
                detail(contact.and_then(|person| person.email.as_ref())),
                detail(contact.and_then(|person| person.phone.as_ref())),
                titles.join("; "),
            ];
            let line: Vec<String> = cells.iter().map(|cell| field(cell)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        Ok(out)
    }
}

impl Pages for Offer {
    async fn next_page(&mut self) -> Result<Option<Bytes>, ApiError> {
        let Some(theme) = self.themes.pop_front() else {
            return Ok(None);
        };
        Ok(Some(Bytes::from(self.theme_lines(&theme).await?)))
    }
}

/// The group named by `file` (`{countryGroupId}.csv`), or `NOT_FOUND`.
async fn group_of(db: &DatabaseConnection, file: &str) -> Result<country_group::Model, ApiError> {
    let not_found = || ApiError::NotFound("country group".into());
    let id = file
        .strip_suffix(".csv")
        .and_then(|id| ids::decode_as(id, NodeKind::CountryGroup).ok())
        .ok_or_else(not_found)?;
    storage::find::<country_group::Entity>(db, id)
        .await?
        .ok_or_else(not_found)
}

/// `GET /export/offer/{countryGroupId}.csv`, for every caller (public data, contact details
/// per caller). 404 for an unknown group. Carries an `ETag` and a `Last-Modified`, and
/// answers `304 Not Modified` to a client whose copy is current.
pub async fn offer_csv(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let caller = match crate::http::identify_caller(&request, &state).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let audience = Audience {
        visibility: Visibility::of(&caller),
        contacts: caller.sees_contact_details(),
    };
    let group = match group_of(&state.db, &path).await {
        Ok(group) => group,
        Err(error) => return failure(&error, EXPORT),
    };
    let members = match member_authorities(&state.db, &group).await {
        Ok(members) => members,
        Err(error) => return failure(&error, EXPORT),
    };
    // The validator is computed before any line is read: a change made while the export runs
    // is then at worst downloaded twice, never missed.
    let validator = match validator(&state.db, &group, &members, audience).await {
        Ok(validator) => validator,
        Err(error) => return failure(&error, EXPORT),
    };
    if validator.is_fresh(&request) {
        return validator.not_modified();
    }
    // The first theme is read before answering, so that a database that cannot be reached
    // is a 503 with its code rather than a 200 whose body stops short.
    let mut offer = match Offer::start(&state.db, members, audience).await {
        Ok(offer) => offer,
        Err(error) => return failure(&error, EXPORT),
    };
    let first = match offer.next_page().await {
        Ok(first) => first.unwrap_or_default(),
        Err(error) => return failure(&error, EXPORT),
    };
    let mut head = HEADER.as_bytes().to_vec();
    head.extend_from_slice(&first);
    let file = format!(
        "attachment; filename=\"offer-{}.csv\"",
        ids::encode(NodeKind::CountryGroup, group.id).0
    );
    let mut response = HttpResponse::Ok();
    validator.apply(&mut response);
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, file))
        .streaming(body(Bytes::from(head), offer, EXPORT))
}
