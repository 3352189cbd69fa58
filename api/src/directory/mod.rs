//! The directory of cooperations (répertoire): one fiche per cooperation between French and
//! foreign authorities, its themes, and the validation workflow by which CUF pre-fills a
//! fiche and the French partner authority validates it. This module owns the rules; `graphql`
//! exposes them, `queries` holds their SQL.

pub mod export;
pub mod external;
pub mod graphql;
pub mod loaders;
pub mod matching;
pub mod queries;
pub mod reminders;
pub mod themes;

use async_graphql::Enum;
use chrono::{DateTime, SubsecRound, Utc};
use entities::{authority, cooperation, cooperation_partner};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};

use crate::access::Caller;
use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::pagination::{Ordering, Page, PageRequest};
use crate::storage;
use crate::text;
use crate::values::{CountryCode, LongText, Name};

macro_rules! stored_enum {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored name of this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The value stored as `text`, if it is one.
            pub fn from_stored(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }
    };
}

/// Where a cooperation stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CooperationStatus {
    /// Agreed or planned, not started.
    Upcoming,
    /// Under way.
    Ongoing,
    /// Not ended, but nothing happens (en sommeil).
    Dormant,
    /// Over.
    Ended,
}
stored_enum!(CooperationStatus { Upcoming = "UPCOMING", Ongoing = "ONGOING", Dormant = "DORMANT", Ended = "ENDED" });

/// Where a fiche stands in the validation workflow.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValidationState {
    /// Being written.
    Draft,
    /// Filled in by CUF, not yet sent to the authority.
    Prefilled,
    /// Sent to the French partner authority, which must validate it.
    AwaitingValidation,
    /// Validated by the authority (or by CUF on its behalf): public.
    Validated,
}
stored_enum!(ValidationState {
    Draft = "DRAFT",
    Prefilled = "PREFILLED",
    AwaitingValidation = "AWAITING_VALIDATION",
    Validated = "VALIDATED",
});

/// Where the information of a fiche comes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CooperationSource {
    /// CUF's own survey of its members.
    CufSurvey,
    /// The embassy's list of cooperations.
    Embassy,
    /// The authority itself.
    Authority,
}
stored_enum!(CooperationSource { CufSurvey = "CUF_SURVEY", Embassy = "EMBASSY", Authority = "AUTHORITY" });

/// The side of a partner authority.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PartnerSide {
    /// A French authority.
    French,
    /// An authority of the partner country.
    Foreign,
}
stored_enum!(PartnerSide { French = "FRENCH", Foreign = "FOREIGN" });

/// The earliest and latest years a fiche may name.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A new fiche, parsed.
#[derive(Debug, Clone)]
pub struct NewCooperation {
    pub title: Name,
    pub country_code: CountryCode,
    pub french_partners: Vec<i64>,
    pub foreign_partners: Vec<i64>,
    pub status: CooperationStatus,
    pub themes: Vec<i64>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub summary: Option<LongText>,
    pub sources: Vec<CooperationSource>,
    pub internal_notes: Option<LongText>,
}

/// Changes to a fiche, parsed: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CooperationChanges {
    pub title: Option<Name>,
    pub french_partners: Option<Vec<i64>>,
    pub foreign_partners: Option<Vec<i64>>,
    pub status: Option<CooperationStatus>,
    pub themes: Option<Vec<i64>>,
    pub start_year: Option<Option<i32>>,
    pub end_year: Option<Option<i32>>,
    pub summary: Option<Option<LongText>>,
    pub sources: Option<Vec<CooperationSource>>,
    pub internal_notes: Option<Option<LongText>>,
}

/// Which fiches a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct CooperationFilter {
    pub country_code: Option<String>,
    pub statuses: Vec<CooperationStatus>,
    pub themes: Vec<i64>,
    /// Fiches with this authority as a partner, on either side.
    pub authority_id: Option<i64>,
    pub validation_states: Vec<ValidationState>,
    /// Fiches active at some point in this range of years.
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    /// Folded words that must all appear in the title, summary or partner names.
    pub search: Vec<String>,
}

/// Which fiches a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// CUF: every fiche.
    All,
    /// Validated fiches, and, for a MEMBER, those of its own authority.
    ValidatedAnd(Option<i64>),
}

impl Visibility {
    /// What `caller` may see.
    pub fn of(caller: &Caller) -> Self {
        if caller.is_staff() {
            Self::All
        } else {
            Self::ValidatedAnd(caller.member_authority())
        }
    }

    /// A name for what this visibility shows, which callers who see the same share: part
    /// of an export's validator, so that one caller's copy is never current for another.
    pub fn class(self) -> String {
        match self {
            Self::All => "all".into(),
            Self::ValidatedAnd(None) => "validated".into(),
            Self::ValidatedAnd(Some(authority_id)) => format!("member:{authority_id}"),
        }
    }
}

/// The mutations that can take a fiche out of a list without leaving a later `updated_at`
/// among the fiches still in it: a deletion, and a step back from VALIDATED.
pub const REMOVALS: &[&str] = &["deleteCooperation", "transitionCooperation"];

/// What the validator of an export of the fiches `visibility` shows that match `filter` is
/// made of: those fiches, the authorities and themes they name, and when a fiche last left
/// such a list. Four aggregate statements; no fiche is read.
pub async fn export_freshness(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &CooperationFilter,
) -> Result<(Vec<storage::Freshness>, Option<DateTime<Utc>>), ApiError> {
    let mut parts = vec![queries::cooperations_freshness(db, visibility, filter).await?];
    parts.extend(queries::names_freshness(db).await?);
    let removed = audit::latest(db, REMOVALS).await?;
    Ok((parts, removed))
}

/// The orderings of a list of fiches.
pub type CooperationOrdering = Ordering<cooperation::Entity>;

/// A page of the fiches `visibility` allows that match `filter`, and how many in all.
pub async fn list_cooperations(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &CooperationFilter,
    ordering: &CooperationOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<cooperation::Model>, u64), ApiError> {
    Ok(queries::cooperations_page(db, visibility, filter, ordering, page, with_total).await?)
}

/// The fields of a fiche the audit log records.
fn snapshot(
    model: &cooperation::Model,
    partners: &[cooperation_partner::Model],
    themes: &[i64],
) -> Value {
    let partner = |side: PartnerSide| -> Vec<String> {
        partners
            .iter()
            .filter(|row| row.side == side.as_str())
            .map(|row| ids::encode(NodeKind::Authority, row.authority_id).0)
            .collect()
    };
    json!({
        "title": model.title,
        "countryCode": model.country_code,
        "status": model.status,
        "frenchPartners": partner(PartnerSide::French),
        "foreignPartners": partner(PartnerSide::Foreign),
        "themes": themes.iter().map(|id| ids::encode(NodeKind::Theme, *id).0).collect::<Vec<_>>(),
        "startYear": model.start_year,
        "endYear": model.end_year,
        "summary": model.summary,
        "sources": model.sources,
        "internalNotes": model.internal_notes,
        "validationState": model.validation_state,
    })
}

/// Checks partners, years and themes; the partner rows to store.
async fn check_content(
    db: &impl ConnectionTrait,
    country_code: &str,
    french: &[i64],
    foreign: &[i64],
    years: (Option<i32>, Option<i32>),
    themes: &[i64],
) -> Result<Vec<authority::Model>, Rejection> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, code, message: String| {
        errors.push(crate::mutation::UserError::new(&[field], code, message));
    };
    if french.is_empty() {
        fail(
            "frenchPartnerIds",
            UserErrorCode::Required,
            "name at least one French partner authority".into(),
        );
    }
    if foreign.is_empty() {
        fail(
            "foreignPartnerIds",
            UserErrorCode::Required,
            "name at least one foreign partner authority".into(),
        );
    }
    if french.iter().any(|id| foreign.contains(id)) {
        fail(
            "foreignPartnerIds",
            UserErrorCode::Invalid,
            "an authority cannot be on both sides".into(),
        );
    }
    for (field, year) in [("startYear", years.0), ("endYear", years.1)] {
        if year.is_some_and(|year| !YEARS.contains(&year)) {
            fail(
                field,
                UserErrorCode::Invalid,
                format!("must be between {} and {}", YEARS.start(), YEARS.end()),
            );
        }
    }
    if let (Some(start), Some(end)) = years
        && end < start
    {
        fail(
            "endYear",
            UserErrorCode::Invalid,
            "must not be before startYear".into(),
        );
    }
    let all: Vec<i64> = french.iter().chain(foreign).copied().collect();
    let authorities = storage::find_many::<authority::Entity>(db, &all).await?;
    let country_of = |id: &i64| {
        authorities
            .iter()
            .find(|row| row.id == *id)
            .map(|row| row.country_code.as_str())
    };
    for (field, ids, expected) in [
        ("frenchPartnerIds", french, "FR"),
        ("foreignPartnerIds", foreign, country_code),
    ] {
        for id in ids {
            match country_of(id) {
                None => fail(
                    field,
                    UserErrorCode::NotFound,
                    format!(
                        "no authority has the id {}",
                        ids::encode(NodeKind::Authority, *id).0
                    ),
                ),
                Some(country) if country != expected => fail(
                    field,
                    UserErrorCode::Invalid,
                    format!(
                        "{} is an authority of {country}, not {expected}",
                        ids::encode(NodeKind::Authority, *id).0
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    let found_themes = storage::find_many::<entities::theme::Entity>(db, themes).await?;
    if found_themes.len() != themes.len() {
        fail(
            "themeIds",
            UserErrorCode::NotFound,
            "a theme id names no theme".into(),
        );
    }
    if errors.is_empty() {
        Ok(authorities)
    } else {
        Err(Rejection::User(errors))
    }
}

fn partner_rows(
    cooperation_id: i64,
    french: &[i64],
    foreign: &[i64],
) -> Vec<cooperation_partner::Model> {
    let side = |ids: &[i64], side: PartnerSide| -> Vec<cooperation_partner::Model> {
        ids.iter()
            .map(|id| cooperation_partner::Model {
                cooperation_id,
                authority_id: *id,
                side: side.as_str().to_owned(),
            })
            .collect()
    };
    let mut rows = side(french, PartnerSide::French);
    rows.extend(side(foreign, PartnerSide::Foreign));
    rows
}

/// Recomputes the sort and search keys of `model` from its fields and partners' names.
pub(crate) fn index(model: &mut cooperation::Model, partners: &[authority::Model]) {
    model.sort_key = text::fold(&model.title);
    model.start_year_key = model.start_year.unwrap_or(0);
    let mut parts = vec![
        model.title.as_str(),
        model.summary.as_deref().unwrap_or_default(),
    ];
    parts.extend(partners.iter().map(|partner| partner.name.as_str()));
    model.search_text = text::fold_all(parts);
}

pub(crate) fn sources_text(sources: &[CooperationSource]) -> String {
    let mut names: Vec<&str> = sources.iter().map(|source| source.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// A MEMBER may only touch fiches with its own authority among the French partners.
fn check_member_partner(caller: &Caller, french: &[i64]) -> Result<(), ApiError> {
    if caller.is_staff() {
        return Ok(());
    }
    match caller.member_authority() {
        Some(own) if french.contains(&own) => Ok(()),
        _ => {
            caller.require(crate::access::STAFF)?;
            Err(ApiError::Forbidden)
        }
    }
}

/// Creates a fiche, as a DRAFT. A MEMBER creates fiches of its own authority only.
pub async fn create_cooperation(
    db: &impl TransactionTrait,
    actor: &Actor,
    new: NewCooperation,
) -> Result<cooperation::Model, Rejection> {
    check_member_partner(&actor.caller, &new.french_partners)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let partners = check_content(
        &transaction,
        new.country_code.as_str(),
        &new.french_partners,
        &new.foreign_partners,
        (new.start_year, new.end_year),
        &new.themes,
    )
    .await?;
    let now = Utc::now().trunc_subsecs(6);
    let mut model = cooperation::Model {
        id: 0,
        title: new.title.as_str().to_owned(),
        sort_key: String::new(),
        search_text: String::new(),
        country_code: new.country_code.as_str().to_owned(),
        status: new.status.as_str().to_owned(),
        start_year: new.start_year,
        end_year: new.end_year,
        start_year_key: 0,
        summary: new.summary.map(LongText::into_inner),
        sources: sources_text(&new.sources),
        internal_notes: new.internal_notes.map(LongText::into_inner),
        validation_state: ValidationState::Draft.as_str().to_owned(),
        awaiting_since: None,
        validated_at: None,
        validated_by: None,
        validated_on_behalf: false,
        last_reminded_at: None,
        reminder_count: 0,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    index(&mut model, &partners);
    let created = storage::insert::<cooperation::Entity>(&transaction, model).await?;
    let rows = partner_rows(created.id, &new.french_partners, &new.foreign_partners);
    queries::replace_partners(&transaction, created.id, rows.clone()).await?;
    queries::replace_themes(&transaction, created.id, &new.themes).await?;
    let node = ids::encode(NodeKind::Cooperation, created.id);
    audit::record(
        &transaction,
        actor,
        "createCooperation",
        Some(&node),
        None,
        Some(snapshot(&created, &rows, &new.themes)),
    )
    .await?;
    crate::live::record(
        &transaction,
        crate::live::Change::Cooperation {
            id: created.id,
            kind: crate::live::ChangeKind::Created,
            deleted: None,
        },
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(created)
}

fn french_of(partners: &[cooperation_partner::Model]) -> Vec<i64> {
    partners
        .iter()
        .filter(|row| row.side == PartnerSide::French.as_str())
        .map(|row| row.authority_id)
        .collect()
}

fn foreign_of(partners: &[cooperation_partner::Model]) -> Vec<i64> {
    partners
        .iter()
        .filter(|row| row.side == PartnerSide::Foreign.as_str())
        .map(|row| row.authority_id)
        .collect()
}

/// Applies `changes` to the fiche `id` if it is still at `version`. An edit by CUF to a
/// validated fiche sends it back for validation; an edit by its own authority keeps it
/// validated.
pub async fn update_cooperation(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    changes: CooperationChanges,
) -> Result<cooperation::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<cooperation::Entity>(&transaction, id, version).await?;
    let current_partners = queries::partners_of(&transaction, &[id]).await?;
    check_member_partner(&actor.caller, &french_of(&current_partners))?;
    let current_themes: Vec<i64> = queries::theme_ids_of(&transaction, &[id])
        .await?
        .into_iter()
        .map(|row| row.theme_id)
        .collect();
    let before = snapshot(&current, &current_partners, &current_themes);
    let french = changes
        .french_partners
        .clone()
        .unwrap_or_else(|| french_of(&current_partners));
    let foreign = changes
        .foreign_partners
        .clone()
        .unwrap_or_else(|| foreign_of(&current_partners));
    check_member_partner(&actor.caller, &french)?;
    let themes = changes.themes.clone().unwrap_or(current_themes);
    let mut model = current.clone();
    apply_changes(&mut model, changes);
    let partners = check_content(
        &transaction,
        &model.country_code,
        &french,
        &foreign,
        (model.start_year, model.end_year),
        &themes,
    )
    .await?;
    let now = Utc::now().trunc_subsecs(6);
    if model.validation_state == ValidationState::Validated.as_str() && actor.caller.is_staff() {
        model.validation_state = ValidationState::AwaitingValidation.as_str().to_owned();
        model.awaiting_since = Some(now);
    }
    index(&mut model, &partners);
    model.version = version + 1;
    model.updated_at = now;
    let Some(updated) =
        storage::update_at_version::<cooperation::Entity>(&transaction, id, version, model).await?
    else {
        return Err(storage::stale::<cooperation::Entity>(version, version + 1));
    };
    let rows = partner_rows(id, &french, &foreign);
    queries::replace_partners(&transaction, id, rows.clone()).await?;
    queries::replace_themes(&transaction, id, &themes).await?;
    let node = ids::encode(NodeKind::Cooperation, id);
    audit::record(
        &transaction,
        actor,
        "updateCooperation",
        Some(&node),
        Some(before),
        Some(snapshot(&updated, &rows, &themes)),
    )
    .await?;
    crate::live::record(
        &transaction,
        crate::live::Change::Cooperation {
            id,
            kind: crate::live::ChangeKind::Updated,
            deleted: None,
        },
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(updated)
}

fn apply_changes(model: &mut cooperation::Model, changes: CooperationChanges) {
    if let Some(title) = changes.title {
        model.title = title.as_str().to_owned();
    }
    if let Some(status) = changes.status {
        model.status = status.as_str().to_owned();
    }
    if let Some(start_year) = changes.start_year {
        model.start_year = start_year;
    }
    if let Some(end_year) = changes.end_year {
        model.end_year = end_year;
    }
    if let Some(summary) = changes.summary {
        model.summary = summary.map(LongText::into_inner);
    }
    if let Some(sources) = changes.sources {
        model.sources = sources_text(&sources);
    }
    if let Some(internal_notes) = changes.internal_notes {
        model.internal_notes = internal_notes.map(LongText::into_inner);
    }
}

/// Who may move a fiche from one validation state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mover {
    Staff,
    /// Staff, or a MEMBER of a French partner authority.
    PartnerOrStaff,
}

/// The legal transitions of the validation workflow.
fn transition_rule(from: ValidationState, to: ValidationState) -> Option<Mover> {
    use ValidationState::{AwaitingValidation, Draft, Prefilled, Validated};
    match (from, to) {
        (Draft, Prefilled) | (Prefilled, AwaitingValidation) | (Draft, AwaitingValidation) => {
            Some(Mover::Staff)
        }
        (Prefilled | AwaitingValidation, Validated) => Some(Mover::PartnerOrStaff),
        (Validated, AwaitingValidation) | (Prefilled, Draft) => Some(Mover::Staff),
        _ => None,
    }
}

/// Moves the fiche `id` to `to`, if the workflow allows it and the caller may.
pub async fn transition_cooperation(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    to: ValidationState,
) -> Result<cooperation::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<cooperation::Entity>(&transaction, id, version).await?;
    let partners = queries::partners_of(&transaction, &[id]).await?;
    let from =
        ValidationState::from_stored(&current.validation_state).unwrap_or(ValidationState::Draft);
    let Some(mover) = transition_rule(from, to) else {
        return Err(Rejection::user(
            &["to"],
            UserErrorCode::Invalid,
            format!(
                "a fiche cannot go from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    };
    match mover {
        Mover::Staff => actor.caller.require(crate::access::STAFF)?,
        Mover::PartnerOrStaff => check_member_partner(&actor.caller, &french_of(&partners))?,
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut model = current.clone();
    model.validation_state = to.as_str().to_owned();
    match to {
        ValidationState::AwaitingValidation => model.awaiting_since = Some(now),
        ValidationState::Validated => {
            model.validated_at = Some(now);
            model.validated_by = actor.caller.user_id();
            model.validated_on_behalf = actor.caller.is_staff();
            model.awaiting_since = None;
        }
        _ => model.awaiting_since = None,
    }
    model.version = version + 1;
    model.updated_at = now;
    let Some(updated) =
        storage::update_at_version::<cooperation::Entity>(&transaction, id, version, model).await?
    else {
        return Err(storage::stale::<cooperation::Entity>(version, version + 1));
    };
    let node = ids::encode(NodeKind::Cooperation, id);
    audit::record(
        &transaction,
        actor,
        "transitionCooperation",
        Some(&node),
        Some(json!({ "validationState": current.validation_state })),
        Some(json!({ "validationState": updated.validation_state, "onBehalf": updated.validated_on_behalf })),
    )
    .await?;
    crate::live::record(
        &transaction,
        crate::live::Change::Cooperation {
            id,
            kind: crate::live::ChangeKind::Updated,
            deleted: None,
        },
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(updated)
}

/// Deletes the fiche `id` if it is still at `version`.
pub async fn delete_cooperation(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<cooperation::Entity>(&transaction, id, version).await?;
    let partners = queries::partners_of(&transaction, &[id]).await?;
    let themes: Vec<i64> = queries::theme_ids_of(&transaction, &[id])
        .await?
        .into_iter()
        .map(|row| row.theme_id)
        .collect();
    if !storage::delete_at_version::<cooperation::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<cooperation::Entity>(version, version + 1));
    }
    let node = ids::encode(NodeKind::Cooperation, id);
    audit::record(
        &transaction,
        actor,
        "deleteCooperation",
        Some(&node),
        Some(snapshot(&current, &partners, &themes)),
        None,
    )
    .await?;
    crate::live::record(
        &transaction,
        crate::live::Change::Cooperation {
            id,
            kind: crate::live::ChangeKind::Deleted,
            deleted: Some(crate::live::FicheFacts {
                country_code: current.country_code.clone(),
                validated: current.validation_state == ValidationState::Validated.as_str(),
                french_partners: french_of(&partners),
                foreign_partners: foreign_of(&partners),
            }),
        },
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_workflow_transitions_are_legal() {
        use ValidationState::{AwaitingValidation, Draft, Prefilled, Validated};
        let legal = [
            (Draft, Prefilled),
            (Draft, AwaitingValidation),
            (Prefilled, AwaitingValidation),
            (Prefilled, Validated),
            (AwaitingValidation, Validated),
            (Validated, AwaitingValidation),
            (Prefilled, Draft),
        ];
        for from in ValidationState::ALL {
            for to in ValidationState::ALL {
                assert_eq!(
                    transition_rule(*from, *to).is_some(),
                    legal.contains(&(*from, *to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(
            transition_rule(AwaitingValidation, Validated),
            Some(Mover::PartnerOrStaff)
        );
        assert_eq!(transition_rule(Draft, Prefilled), Some(Mover::Staff));
    }
}
