//! The GraphQL face of country groups: `CountryGroup`, `countryGroups` and the mutations.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{country_group, group_membership};

use super::{GroupContent, MembershipRole, MembershipStatus, MembershipsLoader, NewMembership};
use crate::access::{EDITORS, RoleGuard, STAFF};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::directory::graphql::{
    CooperationConnection, CooperationFilterInput, CooperationOrder, cooperation_connection,
};
use crate::error::ApiError;
use crate::events::graphql::{EventConnection, EventFilterInput, event_connection};
use crate::flat::Flat;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, payload, respond};
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::people::graphql::Person;
use crate::people::loaders::PersonLoader;
use crate::storage::ByIdLoader;
use crate::values::{CountryCode, Date, LongText, Name};

/// Loads groups by id.
pub type CountryGroupLoader = ByIdLoader<country_group::Entity>;

/// An authority's membership of a group, or its request to join.
#[derive(Clone)]
pub struct GroupMembership(pub group_membership::Model);

/// An authority's membership of a group, or its request to join.
#[Object]
impl GroupMembership {
    /// The id of this membership, for `decideGroupMembership`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The authority.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        Ok(context::loader::<AuthorityLoader>(ctx)?
            .load_one(self.0.authority_id)
            .await?
            .map(Authority::from))
    }

    /// Its role: MEMBER, CHAIR or OBSERVER.
    async fn role(&self) -> &str {
        &self.0.role
    }

    /// REQUESTED, ACTIVE or DECLINED.
    async fn status(&self) -> &str {
        &self.0.status
    }

    /// Since when.
    async fn since(&self) -> Option<Date> {
        self.0.since.map(Date)
    }

    /// Until when.
    async fn until(&self) -> Option<Date> {
        self.0.until.map(Date)
    }
}

/// A country group (groupe-pays): the French authorities cooperating with one country.
#[derive(Clone, Debug)]
pub struct CountryGroup(pub country_group::Model);

impl From<country_group::Model> for CountryGroup {
    fn from(model: country_group::Model) -> Self {
        Self(model)
    }
}

async fn person(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Person>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(context::loader::<PersonLoader>(ctx)?
        .load_one(id)
        .await?
        .map(Person))
}

/// A country group (groupe-pays): the French authorities cooperating with one country.
#[Object]
impl CountryGroup {
    /// The global id of this group.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::CountryGroup, self.0.id)
    }

    /// The name, e.g. "Groupe-pays Mexique".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The partner country (ISO 3166-1 alpha-2).
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The authority that chairs the group.
    async fn chair(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(id) = self.0.chair_authority_id else {
            return Ok(None);
        };
        Ok(context::loader::<AuthorityLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Authority::from))
    }

    /// The chair's elected representative.
    async fn chair_representative(&self, ctx: &Context<'_>) -> Result<Option<Person>, ApiError> {
        person(ctx, self.0.chair_person_id).await
    }

    /// The CUF desk officer (chargé de mission) who runs the group.
    async fn coordinator(&self, ctx: &Context<'_>) -> Result<Option<Person>, ApiError> {
        person(ctx, self.0.coordinator_person_id).await
    }

    /// When the group was launched.
    async fn launched_on(&self) -> Option<Date> {
        self.0.launched_on.map(Date)
    }

    /// A description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The member authorities, and the requests to join (for CUF staff).
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<GroupMembership>, ApiError> {
        let staff = context::caller(ctx).is_staff();
        let rows = context::loader::<MembershipsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|row| staff || row.status == MembershipStatus::Active.as_str())
            .map(GroupMembership)
            .collect())
    }

    /// The group's events, by date.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many events (at most 100; 20 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Which events; `countryGroupId` is this group.")] filter: Option<
            EventFilterInput,
        >,
    ) -> Result<EventConnection, ApiError> {
        let mut filter = filter.unwrap_or_default().parse()?;
        filter.group_id = Some(self.0.id);
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

    /// What comes next: the group's next events (from today) and its open follow-ups, at
    /// most `limit` of each (10 by default, 100 at most).
    async fn upcoming(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many of each, at most 100.", default = 10)] limit: i32,
    ) -> Result<Upcoming, ApiError> {
        let limit = u64::try_from(limit.clamp(0, 100)).unwrap_or(10);
        let db = context::db(ctx)?;
        let sees = crate::events::may_see_members_events(context::caller(ctx));
        let today = Utc::now().date_naive();
        let events =
            crate::events::queries::upcoming_events(db, self.0.id, today, sees, limit).await?;
        let follow_ups =
            crate::events::queries::open_follow_ups_of_group(db, self.0.id, sees, limit).await?;
        Ok(Upcoming {
            events: events
                .into_iter()
                .map(|event| Flat(crate::events::graphql::Event(event)))
                .collect(),
            follow_ups: follow_ups
                .into_iter()
                .map(|follow_up| Flat(crate::events::graphql::FollowUp(follow_up)))
                .collect(),
        })
    }

    /// The group's concerted action programmes, by title. Signed-in callers only.
    async fn programmes(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::programmes::graphql::Programme>, ApiError> {
        crate::programmes::graphql::programmes_of_group(ctx, self.0.id).await
    }

    /// The directory fiches of the group's country, as the caller may see them.
    async fn cooperations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many fiches (at most 100; 20 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Which fiches; `countryCode` is the group's.")] filter: Option<
            CooperationFilterInput,
        >,
        #[graphql(desc = "How to order them.")] order_by: Option<CooperationOrder>,
    ) -> Result<CooperationConnection, ApiError> {
        let mut filter = filter.unwrap_or_default().parse()?;
        filter.country_code = Some(self.0.country_code.clone());
        cooperation_connection(
            ctx,
            filter,
            None,
            order_by,
            PageArgs {
                first,
                after,
                last: None,
                before: None,
            },
        )
        .await
    }

    /// The version of this record; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the group was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What comes next for a group.
#[derive(SimpleObject)]
pub struct Upcoming {
    /// The next events, by date.
    pub events: Vec<Flat<crate::events::graphql::Event>>,
    /// The open follow-ups, earliest due first.
    pub follow_ups: Vec<Flat<crate::events::graphql::FollowUp>>,
}

connection!(
    CountryGroupConnection,
    CountryGroupEdge,
    CountryGroup,
    "A page of country groups, as a Relay cursor connection.",
    "A country group in a page, with its cursor."
);

/// The country group queries.
#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// The country groups by name, of one country or all.
    async fn country_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many groups (at most 100; 20 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Only the groups of this country.")] country_code: Option<String>,
    ) -> Result<CountryGroupConnection, ApiError> {
        let code = country_code
            .map(|code| CountryCode::parse(&code).map(|code| code.as_str().to_owned()))
            .transpose()
            .map_err(|error| ApiError::BadUserInput(format!("`countryCode`: {error}")))?;
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last: None,
                before: None,
            },
            &super::by_name().tag(),
        )?;
        let (rows, total) = super::groups_page(
            context::db(ctx)?,
            code.as_deref(),
            &page,
            wants_total_count(ctx),
        )
        .await?;
        Ok(CountryGroupConnection::new(rows.map(CountryGroup), total))
    }
}

/// A member authority of a group.
#[derive(InputObject)]
pub struct MembershipInput {
    /// The authority.
    pub authority_id: ID,
    /// Its role; MEMBER by default.
    pub role: Option<MembershipRole>,
    /// Since when.
    pub since: Option<Date>,
    /// Until when.
    pub until: Option<Date>,
}

/// A country group; on update, `memberships` replaces the current members (requests stay).
#[derive(InputObject)]
pub struct CountryGroupInput {
    /// The name.
    pub name: String,
    /// The partner country.
    pub country_code: String,
    /// The chair authority.
    pub chair_id: Option<ID>,
    /// The chair's elected representative.
    pub chair_representative_id: Option<ID>,
    /// The CUF desk officer.
    pub coordinator_id: Option<ID>,
    /// When the group was launched.
    pub launched_on: Option<Date>,
    /// A description.
    pub description: Option<String>,
    /// The member authorities.
    #[graphql(default)]
    pub memberships: Vec<MembershipInput>,
}

fn optional(
    errors: &mut InputErrors,
    field: &str,
    id: Option<&ID>,
    kind: NodeKind,
) -> Option<Option<i64>> {
    match id {
        Some(id) => errors.id(&[field], id, kind).map(Some),
        None => Some(None),
    }
}

impl CountryGroupInput {
    fn parse(self) -> Result<(GroupContent, Vec<NewMembership>), Rejection> {
        let mut errors = InputErrors::default();
        let name = errors.check(&["name"], Name::parse(&self.name));
        let country = errors.check(&["countryCode"], CountryCode::parse(&self.country_code));
        let chair = optional(
            &mut errors,
            "chairId",
            self.chair_id.as_ref(),
            NodeKind::Authority,
        );
        let representative = optional(
            &mut errors,
            "chairRepresentativeId",
            self.chair_representative_id.as_ref(),
            NodeKind::Person,
        );
        let coordinator = optional(
            &mut errors,
            "coordinatorId",
            self.coordinator_id.as_ref(),
            NodeKind::Person,
        );
        let description = errors.check(
            &["description"],
            self.description.as_deref().map(LongText::parse).transpose(),
        );
        let memberships: Vec<Option<NewMembership>> = self
            .memberships
            .iter()
            .enumerate()
            .map(|(position, input)| {
                let authority_id = errors.id(
                    &["memberships", &position.to_string(), "authorityId"],
                    &input.authority_id,
                    NodeKind::Authority,
                )?;
                Some(NewMembership {
                    authority_id,
                    role: input.role.unwrap_or(MembershipRole::Member),
                    since: input.since.map(|date| date.0),
                    until: input.until.map(|date| date.0),
                })
            })
            .collect();
        errors.finish(|| {
            Some((
                GroupContent {
                    name: name?.as_str().to_owned(),
                    country_code: country?.as_str().to_owned(),
                    chair_authority_id: chair?,
                    chair_person_id: representative?,
                    coordinator_person_id: coordinator?,
                    launched_on: self.launched_on.map(|date| date.0),
                    description: description?.flatten().map(LongText::into_inner),
                },
                memberships.into_iter().collect::<Option<Vec<_>>>()?,
            ))
        })
    }
}

/// A group to replace.
#[derive(InputObject)]
pub struct UpdateCountryGroupInput {
    /// The group.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
    /// Its new content.
    pub group: CountryGroupInput,
}

/// A group the caller's authority asks to join.
#[derive(InputObject)]
pub struct RequestGroupMembershipInput {
    /// The group.
    pub country_group_id: ID,
}

/// CUF's answer to a membership request.
#[derive(InputObject)]
pub struct DecideGroupMembershipInput {
    /// The membership request (its `id`).
    pub membership_id: ID,
    /// Accept (true) or decline (false).
    pub accept: bool,
}

payload!(CreateCountryGroupPayload, country_group: CountryGroup, "The result of `createCountryGroup`.", "The new group; null when there are user errors.");
payload!(UpdateCountryGroupPayload, country_group: CountryGroup, "The result of `updateCountryGroup`.", "The group as changed; null when there are user errors.");

/// The result of a membership request or decision.
#[derive(SimpleObject, Default)]
pub struct GroupMembershipPayload {
    /// The membership; null when there are user errors.
    pub membership: Option<GroupMembership>,
    /// What is wrong; empty on success.
    pub user_errors: Vec<crate::mutation::UserError>,
}

fn membership_payload(
    result: Result<group_membership::Model, Rejection>,
) -> Result<GroupMembershipPayload, ApiError> {
    let (membership, user_errors) = crate::mutation::into_payload(result)?;
    Ok(GroupMembershipPayload {
        membership: membership.map(GroupMembership),
        user_errors,
    })
}

/// The country group mutations.
#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// Creates a country group with its members. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_country_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group.")] input: CountryGroupInput,
    ) -> Result<CreateCountryGroupPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(content, memberships)| async move {
            super::create_group(db, &actor, content, memberships).await
        })
        .await
    }

    /// Replaces a country group and its members, provided nobody changed it since `version`.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn update_country_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group, its version and its content.")] input: UpdateCountryGroupInput,
    ) -> Result<UpdateCountryGroupPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::CountryGroup);
        let parsed = errors
            .finish(|| id)
            .and_then(|id| Ok((id, input.version, input.group.parse()?)));
        respond(parsed, |(id, version, (content, memberships))| async move {
            super::update_group(db, &actor, id, version, content, memberships).await
        })
        .await
    }

    /// Asks for the caller's authority (a MEMBER's) to join a group; CUF decides.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn request_group_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group.")] input: RequestGroupMembershipInput,
    ) -> Result<GroupMembershipPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = errors.id(
            &["countryGroupId"],
            &input.country_group_id,
            NodeKind::CountryGroup,
        );
        let result = match errors.finish(|| id) {
            Ok(id) => super::request_membership(context::db(ctx)?, &context::actor(ctx), id).await,
            Err(rejection) => Err(rejection),
        };
        membership_payload(result)
    }

    /// Accepts or declines a request to join a group. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn decide_group_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request and the answer.")] input: DecideGroupMembershipInput,
    ) -> Result<GroupMembershipPayload, ApiError> {
        let Ok(id) = input.membership_id.parse::<i64>() else {
            return membership_payload(Err(Rejection::user(
                &["membershipId"],
                crate::mutation::UserErrorCode::Invalid,
                "is not a membership id",
            )));
        };
        membership_payload(
            super::decide_membership(context::db(ctx)?, &context::actor(ctx), id, input.accept)
                .await,
        )
    }
}
