//! Events: group meetings, workshops, seminars, state visits, conferences, with their fuzzy
//! dates, place, participants, agenda, decisions and follow-ups. This module owns the rules;
//! `graphql` exposes them, `queries` holds their SQL.

pub mod calendar;
pub mod fuzzy_date;
pub mod graphql;
pub mod queries;

use async_graphql::Enum;
use chrono::{DateTime, SubsecRound, Utc};
use entities::{agenda_item, decision, event, event_participant, follow_up};
use sea_orm::TransactionTrait;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage;
use fuzzy_date::FuzzyDate;

macro_rules! stored {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            /// The value stored as `text`, if it is one.
            pub fn from_stored(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }
    };
}

/// What kind of event it is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A meeting of a country group.
    CountryGroupMeeting,
    /// A working session.
    Workshop,
    /// A seminar.
    Seminar,
    /// A state visit.
    StateVisit,
    /// A conference, such as the Assises of decentralised cooperation.
    Conference,
    /// A board meeting (bureau exécutif).
    BoardMeeting,
    /// A forum.
    Forum,
    /// Anything else.
    Other,
}
stored!(EventKind {
    CountryGroupMeeting = "COUNTRY_GROUP_MEETING",
    Workshop = "WORKSHOP",
    Seminar = "SEMINAR",
    StateVisit = "STATE_VISIT",
    Conference = "CONFERENCE",
    BoardMeeting = "BOARD_MEETING",
    Forum = "FORUM",
    Other = "OTHER",
});

/// Who may see an event.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EventVisibility {
    /// Everyone.
    Public,
    /// Members, CUF staff and administrators.
    Members,
}
stored!(EventVisibility { Public = "PUBLIC", Members = "MEMBERS" });

/// Whether a participant came.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Attendance {
    /// Invited; not known yet.
    Invited,
    /// Came.
    Present,
    /// Sent apologies.
    Excused,
    /// Did not come.
    Absent,
}
stored!(Attendance { Invited = "INVITED", Present = "PRESENT", Excused = "EXCUSED", Absent = "ABSENT" });

/// Where a follow-up stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FollowUpStatus {
    /// To do.
    Open,
    /// Done.
    Done,
    /// Given up.
    Cancelled,
}
stored!(FollowUpStatus { Open = "OPEN", Done = "DONE", Cancelled = "CANCELLED" });

/// A participant, parsed.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub person_id: i64,
    pub authority_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub job_title: Option<String>,
    pub attendance: Attendance,
}

/// A decision, parsed: its text and the position of its agenda item, if any.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub text: String,
    pub agenda_position: Option<usize>,
}

/// A follow-up, parsed.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub title: String,
    pub owner_person_id: Option<i64>,
    pub owner_authority_id: Option<i64>,
    pub due: Option<FuzzyDate>,
    pub status: FollowUpStatus,
    pub cooperation_id: Option<i64>,
}

/// Where an event takes place.
#[derive(Debug, Clone, Default)]
pub struct Location {
    pub venue: Option<String>,
    pub street_address: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub directions: Option<String>,
}

/// An event, parsed; lists replace the event's current ones.
#[derive(Debug, Clone)]
pub struct EventContent {
    pub title: String,
    pub kind: EventKind,
    pub group_id: Option<i64>,
    pub visibility: EventVisibility,
    pub organiser_authority_id: Option<i64>,
    pub organiser_organisation_id: Option<i64>,
    pub facilitator_person_id: Option<i64>,
    pub date: FuzzyDate,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub location: Location,
    pub minutes: Option<String>,
    pub participants: Vec<NewParticipant>,
    pub agenda: Vec<String>,
    pub decisions: Vec<NewDecision>,
    pub follow_ups: Vec<NewFollowUp>,
}

/// Which events a caller may see.
pub fn may_see_members_events(caller: &crate::access::Caller) -> bool {
    matches!(
        caller.role(),
        Some(
            crate::access::Role::Admin
                | crate::access::Role::CufStaff
                | crate::access::Role::Member
        )
    )
}

fn row(
    id: i64,
    content: &EventContent,
    version: i32,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> event::Model {
    event::Model {
        id,
        title: content.title.clone(),
        kind: content.kind.as_str().to_owned(),
        group_id: content.group_id,
        visibility: content.visibility.as_str().to_owned(),
        organiser_authority_id: content.organiser_authority_id,
        organiser_organisation_id: content.organiser_organisation_id,
        facilitator_person_id: content.facilitator_person_id,
        date_start: content.date.start.0,
        date_end: content.date.end.0,
        date_precision: content.date.precision.as_str().to_owned(),
        tentative: content.date.tentative,
        starts_at: content.starts_at,
        ends_at: content.ends_at,
        time_zone: content.time_zone.clone(),
        venue: content.location.venue.clone(),
        street_address: content.location.street_address.clone(),
        city: content.location.city.clone(),
        location_country_code: content.location.country_code.clone(),
        directions: content.location.directions.clone(),
        minutes: content.minutes.clone(),
        version,
        created_at,
        updated_at: now,
    }
}

fn check(content: &EventContent) -> Result<(), Rejection> {
    if let (Some(starts), Some(ends)) = (content.starts_at, content.ends_at)
        && ends < starts
    {
        return Err(Rejection::user(
            &["endsAt"],
            UserErrorCode::Invalid,
            "must not be before startsAt",
        ));
    }
    // A day of slack either way, for time zones.
    let slack = chrono::Duration::days(1);
    let earliest = content.date.start.0 - slack;
    let latest = content.date.end.0 + slack;
    for (field, time) in [("startsAt", content.starts_at), ("endsAt", content.ends_at)] {
        let Some(day) = time.map(|time| time.date_naive()) else {
            continue;
        };
        if day < earliest || day > latest {
            return Err(Rejection::user(
                &[field],
                UserErrorCode::Invalid,
                "must fall within the event's date",
            ));
        }
    }
    if content.decisions.iter().any(|decision| {
        decision
            .agenda_position
            .is_some_and(|position| position >= content.agenda.len())
    }) {
        return Err(Rejection::user(
            &["decisions"],
            UserErrorCode::Invalid,
            "a decision names an agenda item that does not exist",
        ));
    }
    Ok(())
}

async fn write_children(
    db: &impl sea_orm::ConnectionTrait,
    event_id: i64,
    content: &EventContent,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    queries::delete_children(db, event_id).await?;
    let participants = content
        .participants
        .iter()
        .map(|participant| event_participant::Model {
            id: 0,
            event_id,
            person_id: participant.person_id,
            authority_id: participant.authority_id,
            organisation_id: participant.organisation_id,
            job_title: participant.job_title.clone(),
            attendance: participant.attendance.as_str().to_owned(),
        });
    for participant in participants {
        storage::insert::<event_participant::Entity>(db, participant).await?;
    }
    let mut agenda_ids = Vec::with_capacity(content.agenda.len());
    for (position, title) in content.agenda.iter().enumerate() {
        let item = agenda_item::Model {
            id: 0,
            event_id,
            position: position as i32,
            title: title.clone(),
        };
        agenda_ids.push(storage::insert::<agenda_item::Entity>(db, item).await?.id);
    }
    for (position, decision) in content.decisions.iter().enumerate() {
        let row = decision::Model {
            id: 0,
            event_id,
            agenda_item_id: decision
                .agenda_position
                .and_then(|position| agenda_ids.get(position).copied()),
            position: position as i32,
            text: decision.text.clone(),
        };
        storage::insert::<decision::Entity>(db, row).await?;
    }
    for follow_up in &content.follow_ups {
        let row = follow_up::Model {
            id: 0,
            event_id,
            title: follow_up.title.clone(),
            owner_person_id: follow_up.owner_person_id,
            owner_authority_id: follow_up.owner_authority_id,
            due_start: follow_up.due.map(|due| due.start.0),
            due_end: follow_up.due.map(|due| due.end.0),
            due_precision: follow_up.due.map(|due| due.precision.as_str().to_owned()),
            due_tentative: follow_up.due.is_some_and(|due| due.tentative),
            status: follow_up.status.as_str().to_owned(),
            cooperation_id: follow_up.cooperation_id,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        storage::insert::<follow_up::Entity>(db, row).await?;
    }
    Ok(())
}

/// Records, for subscribers, that `event` went through `kind` (events of a group only).
async fn record_change(
    db: &impl sea_orm::ConnectionTrait,
    event: &event::Model,
    kind: crate::live::ChangeKind,
) -> Result<(), sea_orm::DbErr> {
    let Some(country_group_id) = event.group_id else {
        return Ok(());
    };
    let change = crate::live::Change::Event {
        country_group_id,
        id: event.id,
        kind,
        members_only: event.visibility == EventVisibility::Members.as_str(),
    };
    crate::live::record(db, change).await
}

/// Creates an event with its participants, agenda, decisions and follow-ups.
pub async fn create_event(
    db: &impl TransactionTrait,
    actor: &Actor,
    content: EventContent,
) -> Result<event::Model, Rejection> {
    check(&content)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let now = Utc::now().trunc_subsecs(6);
    let created =
        storage::insert::<event::Entity>(&transaction, row(0, &content, 1, now, now)).await?;
    write_children(&transaction, created.id, &content, now).await?;
    let node = ids::encode(NodeKind::Event, created.id);
    let after = json!({ "title": created.title, "kind": created.kind, "date": [created.date_start, created.date_end] });
    audit::record(
        &transaction,
        actor,
        "createEvent",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    record_change(&transaction, &created, crate::live::ChangeKind::Created).await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(created)
}

/// Replaces the event `id` (and its lists) if it is still at `version`.
pub async fn update_event(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    content: EventContent,
) -> Result<event::Model, Rejection> {
    check(&content)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<event::Entity>(&transaction, id, version).await?;
    let now = Utc::now().trunc_subsecs(6);
    let next = row(id, &content, version + 1, current.created_at, now);
    let Some(updated) =
        storage::update_at_version::<event::Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<event::Entity>(version, version + 1));
    };
    write_children(&transaction, id, &content, now).await?;
    let node = ids::encode(NodeKind::Event, id);
    let before = json!({ "title": current.title, "date": [current.date_start, current.date_end] });
    let after = json!({ "title": updated.title, "date": [updated.date_start, updated.date_end] });
    audit::record(
        &transaction,
        actor,
        "updateEvent",
        Some(&node),
        Some(before),
        Some(after),
    )
    .await?;
    record_change(&transaction, &updated, crate::live::ChangeKind::Updated).await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(updated)
}

/// Deletes the event `id` with everything attached to it.
pub async fn delete_event(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<event::Entity>(&transaction, id, version).await?;
    queries::delete_children(&transaction, id).await?;
    if !storage::delete_at_version::<event::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<event::Entity>(version, version + 1));
    }
    let node = ids::encode(NodeKind::Event, id);
    audit::record(
        &transaction,
        actor,
        "deleteEvent",
        Some(&node),
        Some(json!({ "title": current.title })),
        None,
    )
    .await?;
    record_change(&transaction, &current, crate::live::ChangeKind::Deleted).await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(())
}

/// Registers people of the caller's own authority (a MEMBER) or anyone (staff) at an event.
pub async fn register_participants(
    db: &impl TransactionTrait,
    actor: &Actor,
    event_id: i64,
    participants: Vec<NewParticipant>,
) -> Result<Vec<event_participant::Model>, Rejection> {
    if !actor.caller.is_staff() {
        let own = actor.caller.member_authority();
        if own.is_none()
            || participants
                .iter()
                .any(|participant| participant.authority_id != own)
        {
            actor.caller.require(crate::access::STAFF)?;
        }
    }
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(event) = storage::find::<event::Entity>(&transaction, event_id).await? else {
        return Err(Rejection::user(
            &["eventId"],
            UserErrorCode::NotFound,
            "no event has this id",
        ));
    };
    if event.visibility == EventVisibility::Members.as_str()
        && !may_see_members_events(&actor.caller)
    {
        return Err(Rejection::user(
            &["eventId"],
            UserErrorCode::NotFound,
            "no event has this id",
        ));
    }
    let mut created = Vec::with_capacity(participants.len());
    for participant in participants {
        let row = event_participant::Model {
            id: 0,
            event_id,
            person_id: participant.person_id,
            authority_id: participant.authority_id,
            organisation_id: participant.organisation_id,
            job_title: participant.job_title,
            attendance: participant.attendance.as_str().to_owned(),
        };
        created.push(storage::insert::<event_participant::Entity>(&transaction, row).await?);
    }
    let node = ids::encode(NodeKind::Event, event_id);
    let after = json!({ "registered": created.iter().map(|row| ids::encode(NodeKind::Person, row.person_id).0).collect::<Vec<_>>() });
    audit::record(
        &transaction,
        actor,
        "registerParticipants",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    record_change(&transaction, &event, crate::live::ChangeKind::Updated).await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(created)
}

/// Sets the status of the follow-up `id`: CUF staff, or a MEMBER of its owner authority.
pub async fn set_follow_up_status(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    status: FollowUpStatus,
) -> Result<follow_up::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<follow_up::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::NotFound,
            "no follow-up has this id",
        ));
    };
    if !actor.caller.is_staff() {
        match current.owner_authority_id {
            Some(owner) => actor.caller.require_own_authority(owner)?,
            None => actor.caller.require(crate::access::STAFF)?,
        }
    }
    let mut next = current.clone();
    next.status = status.as_str().to_owned();
    next.version = current.version + 1;
    next.updated_at = Utc::now().trunc_subsecs(6);
    storage::save::<follow_up::Entity>(&transaction, next.clone()).await?;
    let node = ids::encode(NodeKind::Event, current.event_id);
    audit::record(
        &transaction,
        actor,
        "setFollowUpStatus",
        Some(&node),
        Some(json!({ "followUp": id, "status": current.status })),
        Some(json!({ "followUp": id, "status": next.status })),
    )
    .await?;
    if let Some(event) = storage::find::<event::Entity>(&transaction, current.event_id).await? {
        record_change(&transaction, &event, crate::live::ChangeKind::Updated).await?;
    }
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(next)
}
