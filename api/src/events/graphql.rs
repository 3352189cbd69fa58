//! The GraphQL face of events: `Event` and its parts, the `events` connection, `followUps`,
//! and the mutations.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{agenda_item, decision, event, event_participant, follow_up};

use super::fuzzy_date::{DatePrecision, FuzzyDate, FuzzyDateInput};
use super::queries::{self, EventFilter};
use super::{
    Attendance, EventContent, EventKind, EventVisibility, FollowUpStatus, Location, NewDecision,
    NewFollowUp, NewParticipant,
};
use crate::access::{EDITORS, RoleGuard, STAFF};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::error::ApiError;
use crate::flat::Flat;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, parse_deletion, payload, respond};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::people::graphql::Person;
use crate::people::loaders::PersonLoader;
use crate::storage::{Children, ChildrenLoader};
use crate::values::{CountryCode, Date, LongText, Name, ValueError};

/// Loads the participants of a batch of events.
pub type ParticipantsLoader = ChildrenLoader<event_participant::Entity>;
/// Loads the agenda items of a batch of events.
pub type AgendaLoader = ChildrenLoader<agenda_item::Entity>;
/// Loads the decisions of a batch of events.
pub type DecisionsLoader = ChildrenLoader<decision::Entity>;
/// Loads the follow-ups of a batch of events.
pub type FollowUpsLoader = ChildrenLoader<follow_up::Entity>;

async fn person(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Person>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(context::loader::<PersonLoader>(ctx)?
        .load_one(id)
        .await?
        .map(Person))
}

async fn authority(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Authority>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(context::loader::<AuthorityLoader>(ctx)?
        .load_one(id)
        .await?
        .map(Authority::from))
}

async fn organisation(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> Result<Option<Organisation>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(context::loader::<OrganisationLoader>(ctx)?
        .load_one(id)
        .await?
        .map(Organisation))
}

/// Where an event takes place.
#[derive(SimpleObject)]
pub struct EventLocation {
    /// The venue, e.g. "Cités Unies France".
    pub venue: Option<String>,
    /// The street address.
    pub street_address: Option<String>,
    /// The city.
    pub city: Option<String>,
    /// The country (ISO 3166-1 alpha-2).
    pub country_code: Option<String>,
    /// How to get there by public transport, as free text.
    pub directions: Option<String>,
}

/// A person at an event, for an authority or organisation.
#[derive(Clone)]
pub struct EventParticipant(event_participant::Model);

/// A person at an event, for an authority or organisation.
#[Object]
impl EventParticipant {
    /// The person.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>, ApiError> {
        person(ctx, Some(self.0.person_id)).await
    }

    /// The authority they represented.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        authority(ctx, self.0.authority_id).await
    }

    /// The organisation they represented.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        organisation(ctx, self.0.organisation_id).await
    }

    /// Their job title at the time.
    async fn job_title(&self) -> Option<&str> {
        self.0.job_title.as_deref()
    }

    /// Whether they came.
    async fn attendance(&self) -> Option<Attendance> {
        Attendance::from_stored(&self.0.attendance)
    }
}

/// An item of an event's agenda.
#[derive(SimpleObject)]
pub struct AgendaItem {
    /// Its rank, from 0.
    pub position: i32,
    /// Its title.
    pub title: String,
}

impl From<agenda_item::Model> for AgendaItem {
    fn from(row: agenda_item::Model) -> Self {
        Self {
            position: row.position,
            title: row.title,
        }
    }
}

/// A decision taken at an event.
#[derive(Clone)]
pub struct Decision(decision::Model, Option<i32>);

/// A decision taken at an event.
#[Object]
impl Decision {
    /// What was decided.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The rank of the agenda item it belongs to, if any.
    async fn agenda_item_position(&self) -> Option<i32> {
        self.1
    }
}

/// A dated action decided at an event.
#[derive(Clone)]
pub struct FollowUp(pub follow_up::Model);

/// A dated action decided at an event.
#[Object]
impl FollowUp {
    /// The id of this follow-up, for `setFollowUpStatus`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What is to be done.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The person who owns it.
    async fn owner_person(&self, ctx: &Context<'_>) -> Result<Option<Person>, ApiError> {
        person(ctx, self.0.owner_person_id).await
    }

    /// The authority that owns it.
    async fn owner_authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        authority(ctx, self.0.owner_authority_id).await
    }

    /// When it is due, as precisely as known.
    async fn due_on(&self) -> Option<Flat<FuzzyDate>> {
        Some(Flat(FuzzyDate {
            start: Date(self.0.due_start?),
            end: Date(self.0.due_end?),
            precision: DatePrecision::from_stored(self.0.due_precision.as_deref()?),
            tentative: self.0.due_tentative,
        }))
    }

    /// Where it stands.
    async fn status(&self) -> Option<FollowUpStatus> {
        FollowUpStatus::from_stored(&self.0.status)
    }

    /// The global id of the directory fiche it concerns, if any.
    async fn cooperation_id(&self) -> Option<ID> {
        self.0
            .cooperation_id
            .map(|id| ids::encode(NodeKind::Cooperation, id))
    }
}

/// An event: a group meeting, workshop, seminar, state visit, conference.
#[derive(Clone, Debug)]
pub struct Event(pub event::Model);

impl From<event::Model> for Event {
    fn from(model: event::Model) -> Self {
        Self(model)
    }
}

impl Event {
    /// This event's rows of `E`'s table.
    async fn children<E: Children>(&self, ctx: &Context<'_>) -> Result<Vec<E::Model>, ApiError> {
        Ok(context::loader::<ChildrenLoader<E>>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }
}

/// An event: a group meeting, workshop, seminar, state visit, conference.
#[Object]
impl Event {
    /// The global id of this event.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Event, self.0.id)
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What kind of event it is.
    async fn kind(&self) -> Option<EventKind> {
        EventKind::from_stored(&self.0.kind)
    }

    /// The country group it belongs to; null for national events.
    async fn country_group(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::groups::graphql::CountryGroup>, ApiError> {
        let Some(id) = self.0.group_id else {
            return Ok(None);
        };
        let loader = context::loader::<crate::groups::graphql::CountryGroupLoader>(ctx)?;
        Ok(loader
            .load_one(id)
            .await?
            .map(crate::groups::graphql::CountryGroup))
    }

    /// Who may see it.
    async fn visibility(&self) -> Option<EventVisibility> {
        EventVisibility::from_stored(&self.0.visibility)
    }

    /// The authority that organises it.
    async fn organiser_authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        authority(ctx, self.0.organiser_authority_id).await
    }

    /// The organisation that organises it.
    async fn organiser_organisation(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Organisation>, ApiError> {
        organisation(ctx, self.0.organiser_organisation_id).await
    }

    /// The person who facilitates it.
    async fn facilitator(&self, ctx: &Context<'_>) -> Result<Option<Person>, ApiError> {
        person(ctx, self.0.facilitator_person_id).await
    }

    /// When it takes place, as precisely as known.
    async fn date(&self) -> Flat<FuzzyDate> {
        Flat(FuzzyDate {
            start: Date(self.0.date_start),
            end: Date(self.0.date_end),
            precision: DatePrecision::from_stored(&self.0.date_precision),
            tentative: self.0.tentative,
        })
    }

    /// The exact start, when known.
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }

    /// The exact end, when known.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    /// The time zone of the place (IANA name, e.g. `Europe/Paris`), for showing times.
    async fn time_zone(&self) -> Option<&str> {
        self.0.time_zone.as_deref()
    }

    /// Where it takes place.
    async fn location(&self) -> Flat<EventLocation> {
        Flat(EventLocation {
            venue: self.0.venue.clone(),
            street_address: self.0.street_address.clone(),
            city: self.0.city.clone(),
            country_code: self.0.location_country_code.clone(),
            directions: self.0.directions.clone(),
        })
    }

    /// The minutes, in Markdown.
    async fn minutes(&self) -> Option<&str> {
        self.0.minutes.as_deref()
    }

    /// Who takes part.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<EventParticipant>, ApiError> {
        Ok(self
            .children::<event_participant::Entity>(ctx)
            .await?
            .into_iter()
            .map(EventParticipant)
            .collect())
    }

    /// The agenda, in order.
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Vec<AgendaItem>, ApiError> {
        Ok(self
            .children::<agenda_item::Entity>(ctx)
            .await?
            .into_iter()
            .map(AgendaItem::from)
            .collect())
    }

    /// The decisions, in order.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<Decision>, ApiError> {
        let (agenda, decisions) = futures_util::try_join!(
            self.children::<agenda_item::Entity>(ctx),
            self.children::<decision::Entity>(ctx),
        )?;
        let position = |id: Option<i64>| {
            agenda
                .iter()
                .find(|item| Some(item.id) == id)
                .map(|item| item.position)
        };
        Ok(decisions
            .iter()
            .map(|row| Decision(row.clone(), position(row.agenda_item_id)))
            .collect())
    }

    /// The dated actions decided.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<FollowUp>, ApiError> {
        Ok(self
            .children::<follow_up::Entity>(ctx)
            .await?
            .into_iter()
            .map(FollowUp)
            .collect())
    }

    /// The version of this record; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the event was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    EventConnection,
    EventEdge,
    Event,
    "A page of events, by date, as a Relay cursor connection.",
    "An event in a page, with its cursor."
);

/// Conditions on the events to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct EventFilterInput {
    /// Only the events of this country group.
    pub country_group_id: Option<ID>,
    /// Only events of these kinds.
    pub kinds: Option<Vec<EventKind>>,
    /// Only events whose date overlaps this day or later.
    pub from: Option<Date>,
    /// Only events whose date overlaps this day or earlier.
    pub to: Option<Date>,
    /// Only tentative (true) or confirmed (false) events.
    pub tentative: Option<bool>,
    /// Only events of this visibility.
    pub visibility: Option<EventVisibility>,
}

impl EventFilterInput {
    /// The filter, parsed.
    pub fn parse(self) -> Result<EventFilter, ApiError> {
        let group_id = self
            .country_group_id
            .map(|id| ids::decode_as(&id, NodeKind::CountryGroup))
            .transpose()
            .map_err(|error| ApiError::BadUserInput(format!("filter.countryGroupId: {error}")))?;
        Ok(EventFilter {
            group_id,
            kinds: self.kinds.unwrap_or_default(),
            from: self.from.map(|date| date.0),
            to: self.to.map(|date| date.0),
            tentative: self.tentative,
            visibility: self.visibility,
        })
    }
}

/// A page of events as the caller may see them.
pub async fn event_connection(
    ctx: &Context<'_>,
    filter: EventFilter,
    args: PageArgs,
) -> Result<EventConnection, ApiError> {
    let page = PageRequest::parse(args, &queries::by_date().tag())?;
    let sees = super::may_see_members_events(context::caller(ctx));
    let (rows, total) = queries::events_page(
        context::db(ctx)?,
        &filter,
        sees,
        &page,
        wants_total_count(ctx),
    )
    .await?;
    Ok(EventConnection::new(rows.map(Event), total))
}

/// Conditions on follow-ups across events.
#[derive(InputObject, Default)]
pub struct FollowUpFilterInput {
    /// Only open follow-ups whose due date is past.
    #[graphql(default)]
    pub overdue: bool,
    /// Only those owned by this authority.
    pub owner_authority_id: Option<ID>,
}

/// The event queries.
#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Events by date, a page at a time. Members-only events are shown to members and CUF.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many events (at most 100; 20 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Which events to list.")] filter: Option<EventFilterInput>,
    ) -> Result<EventConnection, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        event_connection(
            ctx,
            filter,
            PageArgs {
                first,
                after,
                last: None,
                before: None,
            },
        )
        .await
    }

    /// Follow-ups across events (at most 100), by due date. Members and CUF.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which follow-ups to list.")] filter: Option<FollowUpFilterInput>,
    ) -> Result<Vec<FollowUp>, ApiError> {
        let filter = filter.unwrap_or_default();
        let owner = filter
            .owner_authority_id
            .map(|id| ids::decode_as(&id, NodeKind::Authority))
            .transpose()
            .map_err(|error| ApiError::BadUserInput(format!("filter.ownerAuthorityId: {error}")))?;
        let today = filter.overdue.then(|| Utc::now().date_naive());
        let rows = queries::follow_ups(context::db(ctx)?, today, owner, 100).await?;
        Ok(rows.into_iter().map(FollowUp).collect())
    }
}

/// Where an event takes place.
#[derive(InputObject, Default)]
pub struct LocationInput {
    /// The venue.
    pub venue: Option<String>,
    /// The street address.
    pub street_address: Option<String>,
    /// The city.
    pub city: Option<String>,
    /// The country (ISO 3166-1 alpha-2).
    pub country_code: Option<String>,
    /// Public-transport directions, as free text.
    pub directions: Option<String>,
}

/// A participant: a person, the authority or organisation they represent, their job title.
#[derive(InputObject)]
pub struct ParticipantInput {
    /// The person.
    pub person_id: ID,
    /// The authority they represent.
    pub authority_id: Option<ID>,
    /// The organisation they represent.
    pub organisation_id: Option<ID>,
    /// Their job title at the time.
    pub job_title: Option<String>,
    /// Whether they came; INVITED by default.
    pub attendance: Option<Attendance>,
}

/// A decision.
#[derive(InputObject)]
pub struct DecisionInput {
    /// What was decided.
    pub text: String,
    /// The rank (from 0) of the agenda item it belongs to.
    pub agenda_item_position: Option<i32>,
}

/// A follow-up.
#[derive(InputObject)]
pub struct FollowUpInput {
    /// What is to be done.
    pub title: String,
    /// The person who owns it.
    pub owner_person_id: Option<ID>,
    /// The authority that owns it.
    pub owner_authority_id: Option<ID>,
    /// When it is due.
    pub due_on: Option<FuzzyDateInput>,
    /// Where it stands; OPEN by default.
    pub status: Option<FollowUpStatus>,
    /// The directory fiche it concerns.
    pub cooperation_id: Option<ID>,
}

/// An event and everything attached to it; on update, the lists replace the current ones.
#[derive(InputObject)]
pub struct EventInput {
    /// The title.
    pub title: String,
    /// What kind of event it is.
    pub kind: EventKind,
    /// The country group it belongs to.
    pub country_group_id: Option<ID>,
    /// Who may see it; PUBLIC by default.
    pub visibility: Option<EventVisibility>,
    /// The organising authority.
    pub organiser_authority_id: Option<ID>,
    /// The organising organisation.
    pub organiser_organisation_id: Option<ID>,
    /// The facilitator.
    pub facilitator_id: Option<ID>,
    /// When it takes place.
    pub date: FuzzyDateInput,
    /// The exact start, with its offset.
    pub starts_at: Option<DateTime<Utc>>,
    /// The exact end.
    pub ends_at: Option<DateTime<Utc>>,
    /// The IANA time zone of the place, e.g. `Europe/Paris`, `America/Mexico_City`.
    pub time_zone: Option<String>,
    /// Where it takes place.
    #[graphql(default)]
    pub location: LocationInput,
    /// The minutes, in Markdown.
    pub minutes: Option<String>,
    /// Who takes part.
    #[graphql(default)]
    pub participants: Vec<ParticipantInput>,
    /// The agenda items, in order.
    #[graphql(default)]
    pub agenda: Vec<String>,
    /// The decisions, in order.
    #[graphql(default)]
    pub decisions: Vec<DecisionInput>,
    /// The follow-ups.
    #[graphql(default)]
    pub follow_ups: Vec<FollowUpInput>,
}

fn optional_id(
    errors: &mut InputErrors,
    path: &[&str],
    id: Option<&ID>,
    kind: NodeKind,
) -> Option<Option<i64>> {
    match id {
        Some(id) => errors.id(path, id, kind).map(Some),
        None => Some(None),
    }
}

fn text(errors: &mut InputErrors, path: &[&str], value: Option<&str>) -> Option<Option<String>> {
    errors.check(
        path,
        value
            .map(LongText::parse)
            .transpose()
            .map(|text| text.flatten().map(LongText::into_inner)),
    )
}

fn time_zone(value: &str) -> Result<String, ValueError> {
    let valid = value.len() <= 64
        && value.contains('/')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ValueError(format!(
            "{value:?} is not an IANA time zone such as Europe/Paris"
        )))
    }
}

fn parse_participant(
    errors: &mut InputErrors,
    position: usize,
    input: ParticipantInput,
) -> Option<NewParticipant> {
    let position = position.to_string();
    let path = |field: &'static str| ["participants", position.as_str(), field];
    let person_id = errors.id(&path("personId"), &input.person_id, NodeKind::Person);
    let authority_id = optional_id(
        errors,
        &path("authorityId"),
        input.authority_id.as_ref(),
        NodeKind::Authority,
    );
    let organisation_id = optional_id(
        errors,
        &path("organisationId"),
        input.organisation_id.as_ref(),
        NodeKind::Organisation,
    );
    let job_title = errors.check(
        &path("jobTitle"),
        input.job_title.as_deref().map(Name::parse).transpose(),
    );
    Some(NewParticipant {
        person_id: person_id?,
        authority_id: authority_id?,
        organisation_id: organisation_id?,
        job_title: job_title?.map(|title| title.as_str().to_owned()),
        attendance: input.attendance.unwrap_or(Attendance::Invited),
    })
}

fn parse_follow_up(
    errors: &mut InputErrors,
    position: usize,
    input: FollowUpInput,
) -> Option<NewFollowUp> {
    let position = position.to_string();
    let path = |field: &'static str| ["followUps", position.as_str(), field];
    let title = errors.check(&path("title"), Name::parse(&input.title));
    let owner_person_id = optional_id(
        errors,
        &path("ownerPersonId"),
        input.owner_person_id.as_ref(),
        NodeKind::Person,
    );
    let owner_authority_id = optional_id(
        errors,
        &path("ownerAuthorityId"),
        input.owner_authority_id.as_ref(),
        NodeKind::Authority,
    );
    let cooperation_id = optional_id(
        errors,
        &path("cooperationId"),
        input.cooperation_id.as_ref(),
        NodeKind::Cooperation,
    );
    let due = errors.check(
        &path("dueOn"),
        input.due_on.map(FuzzyDateInput::parse).transpose(),
    );
    Some(NewFollowUp {
        title: title?.as_str().to_owned(),
        owner_person_id: owner_person_id?,
        owner_authority_id: owner_authority_id?,
        due: due?,
        status: input.status.unwrap_or(FollowUpStatus::Open),
        cooperation_id: cooperation_id?,
    })
}

impl EventInput {
    fn parse(self) -> Result<EventContent, Rejection> {
        let mut errors = InputErrors::default();
        let title = errors.check(&["title"], Name::parse(&self.title));
        let group_id = optional_id(
            &mut errors,
            &["countryGroupId"],
            self.country_group_id.as_ref(),
            NodeKind::CountryGroup,
        );
        let organiser_authority_id = optional_id(
            &mut errors,
            &["organiserAuthorityId"],
            self.organiser_authority_id.as_ref(),
            NodeKind::Authority,
        );
        let organiser_organisation_id = optional_id(
            &mut errors,
            &["organiserOrganisationId"],
            self.organiser_organisation_id.as_ref(),
            NodeKind::Organisation,
        );
        let facilitator_person_id = optional_id(
            &mut errors,
            &["facilitatorId"],
            self.facilitator_id.as_ref(),
            NodeKind::Person,
        );
        let date = errors.check(&["date"], self.date.parse());
        let zone = errors.check(
            &["timeZone"],
            self.time_zone.as_deref().map(time_zone).transpose(),
        );
        let location = &self.location;
        let venue = errors.check(
            &["location", "venue"],
            location.venue.as_deref().map(Name::parse).transpose(),
        );
        let street = errors.check(
            &["location", "streetAddress"],
            location
                .street_address
                .as_deref()
                .map(Name::parse)
                .transpose(),
        );
        let city = errors.check(
            &["location", "city"],
            location.city.as_deref().map(Name::parse).transpose(),
        );
        let country = errors.check(
            &["location", "countryCode"],
            location
                .country_code
                .as_deref()
                .map(CountryCode::parse)
                .transpose(),
        );
        let directions = text(
            &mut errors,
            &["location", "directions"],
            location.directions.as_deref(),
        );
        let minutes = text(&mut errors, &["minutes"], self.minutes.as_deref());
        let participants: Vec<Option<NewParticipant>> = self
            .participants
            .into_iter()
            .enumerate()
            .map(|(position, input)| parse_participant(&mut errors, position, input))
            .collect();
        let agenda: Vec<Option<String>> = self
            .agenda
            .iter()
            .enumerate()
            .map(|(position, title)| {
                errors
                    .check(&["agenda", &position.to_string()], Name::parse(title))
                    .map(|title| title.as_str().to_owned())
            })
            .collect();
        let decisions: Vec<Option<NewDecision>> = self
            .decisions
            .into_iter()
            .enumerate()
            .map(|(position, decision)| {
                let text = text(
                    &mut errors,
                    &["decisions", &position.to_string(), "text"],
                    Some(&decision.text),
                )?;
                Some(NewDecision {
                    text: text.unwrap_or_default(),
                    agenda_position: decision
                        .agenda_item_position
                        .and_then(|position| usize::try_from(position).ok()),
                })
            })
            .collect();
        let follow_ups: Vec<Option<NewFollowUp>> = self
            .follow_ups
            .into_iter()
            .enumerate()
            .map(|(position, input)| parse_follow_up(&mut errors, position, input))
            .collect();
        errors.finish(|| {
            Some(EventContent {
                title: title?.as_str().to_owned(),
                kind: self.kind,
                group_id: group_id?,
                visibility: self.visibility.unwrap_or(EventVisibility::Public),
                organiser_authority_id: organiser_authority_id?,
                organiser_organisation_id: organiser_organisation_id?,
                facilitator_person_id: facilitator_person_id?,
                date: date?,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                time_zone: zone?,
                location: Location {
                    venue: venue?.map(|name| name.as_str().to_owned()),
                    street_address: street?.map(|name| name.as_str().to_owned()),
                    city: city?.map(|name| name.as_str().to_owned()),
                    country_code: country?.map(|code| code.as_str().to_owned()),
                    directions: directions?,
                },
                minutes: minutes?,
                participants: participants.into_iter().collect::<Option<Vec<_>>>()?,
                agenda: agenda.into_iter().collect::<Option<Vec<_>>>()?,
                decisions: decisions.into_iter().collect::<Option<Vec<_>>>()?,
                follow_ups: follow_ups.into_iter().collect::<Option<Vec<_>>>()?,
            })
        })
    }
}

/// An event to replace.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// The event.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
    /// Its new content.
    pub event: EventInput,
}

/// An event to delete.
#[derive(InputObject)]
pub struct DeleteEventInput {
    /// The event.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
}

/// People to register at an event.
#[derive(InputObject)]
pub struct RegisterParticipantsInput {
    /// The event.
    pub event_id: ID,
    /// The people; a MEMBER registers people of its own authority only.
    pub participants: Vec<ParticipantInput>,
}

payload!(CreateEventPayload, event: Event, "The result of `createEvent`.", "The new event; null when there are user errors.");
payload!(UpdateEventPayload, event: Event, "The result of `updateEvent`.", "The event as changed; null when there are user errors.");
payload!(DeleteEventPayload, deleted_id: ID, "The result of `deleteEvent`.", "The id of the deleted event; null when there are user errors.");

/// The result of `registerParticipants`.
#[derive(SimpleObject, Default)]
pub struct RegisterParticipantsPayload {
    /// The new registrations.
    pub participants: Vec<EventParticipant>,
    /// What is wrong with the input; nothing was written.
    pub user_errors: Vec<crate::mutation::UserError>,
}

/// A follow-up's new status.
#[derive(InputObject)]
pub struct SetFollowUpStatusInput {
    /// The follow-up (its `id`).
    pub id: ID,
    /// Its new status.
    pub status: FollowUpStatus,
}

/// The result of `setFollowUpStatus`.
#[derive(SimpleObject, Default)]
pub struct SetFollowUpStatusPayload {
    /// The follow-up as changed; null when there are user errors.
    pub follow_up: Option<FollowUp>,
    /// What is wrong; empty on success.
    pub user_errors: Vec<crate::mutation::UserError>,
}

/// The event mutations.
#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Records an event with its participants, agenda, decisions and follow-ups. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: EventInput,
    ) -> Result<CreateEventPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |content| async move {
            super::create_event(db, &actor, content).await
        })
        .await
    }

    /// Replaces an event and its lists, provided nobody changed it since `version`. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event, its version and its new content.")] input: UpdateEventInput,
    ) -> Result<UpdateEventPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::Event);
        let parsed = errors
            .finish(|| id)
            .and_then(|id| Ok((id, input.version, input.event.parse()?)));
        respond(parsed, |(id, version, content)| async move {
            super::update_event(db, &actor, id, version, content).await
        })
        .await
    }

    /// Deletes an event with everything attached to it. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn delete_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and its version.")] input: DeleteEventInput,
    ) -> Result<DeleteEventPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(
            parse_deletion(&input.id, input.version, NodeKind::Event),
            |(id, version)| async move {
                super::delete_event(db, &actor, id, version).await?;
                Ok(ids::encode(NodeKind::Event, id))
            },
        )
        .await
    }

    /// Marks a follow-up done, cancelled or open again: CUF staff, or a MEMBER of the
    /// authority that owns it.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn set_follow_up_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The follow-up and its status.")] input: SetFollowUpStatusInput,
    ) -> Result<SetFollowUpStatusPayload, ApiError> {
        let result = match input.id.parse::<i64>() {
            Ok(id) => {
                super::set_follow_up_status(
                    context::db(ctx)?,
                    &context::actor(ctx),
                    id,
                    input.status,
                )
                .await
            }
            Err(_) => Err(Rejection::user(
                &["id"],
                crate::mutation::UserErrorCode::Invalid,
                "is not a follow-up id",
            )),
        };
        let (follow_up, user_errors) = crate::mutation::into_payload(result)?;
        Ok(SetFollowUpStatusPayload {
            follow_up: follow_up.map(FollowUp),
            user_errors,
        })
    }

    /// Registers people at an event: CUF staff anyone, a MEMBER the people of its own
    /// authority (several at once).
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn register_participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the people.")] input: RegisterParticipantsInput,
    ) -> Result<RegisterParticipantsPayload, ApiError> {
        let mut errors = InputErrors::default();
        let event_id = errors.id(&["eventId"], &input.event_id, NodeKind::Event);
        let participants: Vec<Option<NewParticipant>> = input
            .participants
            .into_iter()
            .enumerate()
            .map(|(position, input)| parse_participant(&mut errors, position, input))
            .collect();
        let parsed = errors.finish(|| {
            Some((
                event_id?,
                participants.into_iter().collect::<Option<Vec<_>>>()?,
            ))
        });
        let result = match parsed {
            Ok((event_id, participants)) => {
                super::register_participants(
                    context::db(ctx)?,
                    &context::actor(ctx),
                    event_id,
                    participants,
                )
                .await
            }
            Err(rejection) => Err(rejection),
        };
        let (created, user_errors) = crate::mutation::into_payload(result)?;
        Ok(RegisterParticipantsPayload {
            participants: created
                .unwrap_or_default()
                .into_iter()
                .map(EventParticipant)
                .collect(),
            user_errors,
        })
    }
}
