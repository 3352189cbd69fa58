//! The GraphQL face of programmes: `Programme`, `ProgrammeAction`, `CostItem`, `CostShare`,
//! `Money`, the `programmes` connection and the mutations. Programmes are for signed-in
//! callers: ministries, members and CUF.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{
    action_funding, cost_item, cost_share, programme, programme_action, programme_milestone,
    programme_partner,
};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

use super::{
    ActionContent, CommitmentState, NewCostItem, NewFunding, NewMilestone, Participant,
    PartnerRole, ProgrammeContent, ProgrammeStatus, SharingMethod, Totals, currency_of,
};
use crate::access::{EDITORS, Role, RoleGuard, STAFF};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::error::ApiError;
use crate::events::fuzzy_date::{DatePrecision, FuzzyDate, FuzzyDateInput};
use crate::flat::Flat;
use crate::ids::{self, NodeKind};
use crate::money::{Currency, Money as Amount};
use crate::mutation::{InputErrors, Rejection, UserError, payload, respond};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::pagination::{
    self, Ordering, PageArgs, PageRequest, SortValue, connection, wants_total_count,
};
use crate::storage::ChildrenLoader;
use crate::values::{Date, LongText, Name, ValueError};

/// Who may read programmes: every signed-in role.
pub const READERS: &[Role] = &[Role::Admin, Role::CufStaff, Role::Member, Role::Ministry];

/// An exact amount of money.
#[derive(SimpleObject, Clone)]
pub struct Money {
    /// The amount as a decimal string with the currency's decimals, e.g. `"833.34"`. Never a
    /// float.
    pub amount: String,
    /// The ISO 4217 currency, e.g. `EUR`.
    pub currency: String,
}

/// `minor` units of `currency` as `Money` (negative sums show as zero).
pub fn money(minor: impl Into<i128>, currency: Currency) -> Money {
    Money {
        amount: crate::money::decimal(minor.into().max(0), currency),
        currency: currency.code().to_owned(),
    }
}

/// A programme's actions with their items and shares, loaded for a batch of programmes.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeDetails {
    pub actions: Vec<programme_action::Model>,
    pub items: Vec<cost_item::Model>,
    pub shares: Vec<cost_share::Model>,
    pub fundings: Vec<action_funding::Model>,
}

impl ProgrammeDetails {
    fn totals_of(&self, action_id: i64) -> Totals {
        let items: Vec<_> = self
            .items
            .iter()
            .filter(|item| item.action_id == action_id)
            .cloned()
            .collect();
        let shares: Vec<_> = self
            .shares
            .iter()
            .filter(|share| share.action_id == action_id)
            .cloned()
            .collect();
        let fundings: Vec<_> = self
            .fundings
            .iter()
            .filter(|funding| funding.action_id == action_id)
            .cloned()
            .collect();
        Totals::of(&items, &shares).with_fundings(&fundings)
    }
}

/// Loads the actions, items and shares of a batch of programmes in three statements.
pub struct ProgrammeDetailsLoader(pub DatabaseConnection);

impl Loader<i64> for ProgrammeDetailsLoader {
    type Value = ProgrammeDetails;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let actions = super::actions_of(&self.0, keys).await?;
        let action_ids: Vec<i64> = actions.iter().map(|action| action.id).collect();
        let (items, shares) = super::items_and_shares(&self.0, &action_ids).await?;
        let fundings = super::fundings_of(&self.0, &action_ids).await?;
        let mut by_programme: HashMap<i64, ProgrammeDetails> = keys
            .iter()
            .map(|key| (*key, ProgrammeDetails::default()))
            .collect();
        for action in actions {
            let details = by_programme.entry(action.programme_id).or_default();
            details.items.extend(
                items
                    .iter()
                    .filter(|item| item.action_id == action.id)
                    .cloned(),
            );
            details.shares.extend(
                shares
                    .iter()
                    .filter(|share| share.action_id == action.id)
                    .cloned(),
            );
            details.fundings.extend(
                fundings
                    .iter()
                    .filter(|funding| funding.action_id == action.id)
                    .cloned(),
            );
            details.actions.push(action);
        }
        Ok(by_programme)
    }
}

/// An organisation's part in a programme.
#[derive(Clone)]
pub struct ProgrammePartner(programme_partner::Model);

/// An organisation's part in a programme.
#[Object]
impl ProgrammePartner {
    /// The organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        Ok(context::loader::<OrganisationLoader>(ctx)?
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }

    /// Its role.
    async fn role(&self) -> Option<PartnerRole> {
        PartnerRole::from_stored(&self.0.role)
    }
}

/// A dated step of a programme's schedule.
#[derive(Clone)]
pub struct Milestone(programme_milestone::Model);

/// A dated step of a programme's schedule.
#[Object]
impl Milestone {
    /// What is to be reached.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// When, as precisely as known.
    async fn due_on(&self) -> Option<FuzzyDate> {
        Some(FuzzyDate {
            start: Date(self.0.due_start?),
            end: Date(self.0.due_end?),
            precision: DatePrecision::from_stored(self.0.due_precision.as_deref()?),
            tentative: self.0.due_tentative,
        })
    }

    /// Whether it is reached.
    async fn done(&self) -> bool {
        self.0.done
    }
}

/// A partner's co-financing of an action, apart from the authorities' shares.
#[derive(Clone)]
pub struct Funding(action_funding::Model, Currency);

/// A partner's co-financing of an action, apart from the authorities' shares.
#[Object]
impl Funding {
    /// The id of this line, for `setFundingCommitment`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The co-funding organisation (a ministry, an embassy).
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        Ok(context::loader::<OrganisationLoader>(ctx)?
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }

    /// The amount.
    async fn amount(&self) -> Money {
        money(self.0.amount_minor, self.1)
    }

    /// Where the co-financing stands.
    async fn commitment(&self) -> Option<CommitmentState> {
        CommitmentState::from_stored(&self.0.commitment)
    }
}

/// A line of an action's budget.
#[derive(SimpleObject)]
pub struct CostItem {
    /// What it pays for, e.g. "Maquettage et impression, 500 exemplaires".
    pub label: String,
    /// How many.
    pub quantity: i64,
    /// The cost of one.
    pub unit_cost: Money,
    /// Quantity times unit cost.
    pub amount: Money,
}

/// An authority's share of an action's cost.
#[derive(Clone)]
pub struct CostShare(cost_share::Model, Currency);

impl CostShare {
    /// The share `model` of a programme in `currency`.
    pub fn new(model: cost_share::Model, currency: Currency) -> Self {
        Self(model, currency)
    }
}

/// An authority's share of an action's cost.
#[Object]
impl CostShare {
    /// The id of this share, for `setCommitment`.
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

    /// The percentage given (PERCENTAGE method), as a decimal string such as `"33.33"`.
    async fn percentage(&self) -> Option<String> {
        self.0
            .percentage_hundredths
            .map(|value| format!("{}.{:02}", value / 100, value % 100))
    }

    /// The amount of the share.
    async fn amount(&self) -> Money {
        money(self.0.amount_minor, self.1)
    }

    /// Where the share stands.
    async fn commitment(&self) -> Option<CommitmentState> {
        CommitmentState::from_stored(&self.0.commitment)
    }
}

/// An action of a programme, with its budget and how its cost is shared.
#[derive(Clone)]
pub struct ProgrammeAction {
    action: programme_action::Model,
    details: Arc<ProgrammeDetails>,
    currency: Currency,
}

/// An action of a programme, with its budget and how its cost is shared.
#[Object]
impl ProgrammeAction {
    /// The id of this action, for `saveProgrammeAction`.
    async fn id(&self) -> ID {
        ID(self.action.id.to_string())
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.action.title
    }

    /// A description.
    async fn description(&self) -> Option<&str> {
        self.action.description.as_deref()
    }

    /// Where the action stands, as free text (e.g. PLANNED).
    async fn status(&self) -> &str {
        &self.action.status
    }

    /// How its cost is shared.
    async fn sharing_method(&self) -> Option<SharingMethod> {
        SharingMethod::from_stored(&self.action.sharing_method)
    }

    /// Its budget lines.
    async fn cost_items(&self) -> Vec<CostItem> {
        self.details
            .items
            .iter()
            .filter(|item| item.action_id == self.action.id)
            .map(|item| CostItem {
                label: item.label.clone(),
                quantity: item.quantity,
                unit_cost: money(item.unit_cost_minor, self.currency),
                amount: money(item.amount_minor, self.currency),
            })
            .collect()
    }

    /// The authorities' shares, by authority.
    async fn shares(&self) -> Vec<Flat<CostShare>> {
        self.details
            .shares
            .iter()
            .filter(|share| share.action_id == self.action.id)
            .map(|share| Flat(CostShare(share.clone(), self.currency)))
            .collect()
    }

    /// Partners' co-financing lines, apart from the authorities' shares.
    async fn fundings(&self) -> Vec<Funding> {
        self.details
            .fundings
            .iter()
            .filter(|funding| funding.action_id == self.action.id)
            .map(|funding| Funding(funding.clone(), self.currency))
            .collect()
    }

    /// The money of the action: cost, pledged, confirmed, paid, gap, excess.
    async fn totals(&self) -> Flat<MoneyTotals> {
        Flat(MoneyTotals::new(
            self.details.totals_of(self.action.id),
            self.currency,
        ))
    }
}

/// Money at one level (an action, a programme).
#[derive(SimpleObject)]
pub struct MoneyTotals {
    /// The cost: the sum of the cost items.
    pub total_cost: Money,
    /// What shares pledged, confirmed or paid.
    pub total_pledged: Money,
    /// What shares confirmed or paid.
    pub total_confirmed: Money,
    /// What was paid.
    pub total_paid: Money,
    /// What partners co-finance (not declined), apart from the shares.
    pub total_co_funding: Money,
    /// What no active (not declined) share covers.
    pub funding_gap: Money,
    /// What active shares give beyond the cost (FIXED amounts over the cost).
    pub excess: Money,
}

impl MoneyTotals {
    fn new(totals: Totals, currency: Currency) -> Self {
        Self {
            total_cost: money(totals.cost, currency),
            total_pledged: money(totals.pledged, currency),
            total_confirmed: money(totals.confirmed, currency),
            total_paid: money(totals.paid, currency),
            total_co_funding: money(totals.co_funding, currency),
            funding_gap: money(totals.gap().max(0), currency),
            excess: money((-totals.gap()).max(0), currency),
        }
    }
}

/// A concerted action programme.
#[derive(Clone, Debug)]
pub struct Programme(pub programme::Model);

impl From<programme::Model> for Programme {
    fn from(model: programme::Model) -> Self {
        Self(model)
    }
}

impl Programme {
    async fn details(&self, ctx: &Context<'_>) -> Result<Arc<ProgrammeDetails>, ApiError> {
        let details = context::loader::<ProgrammeDetailsLoader>(ctx)?
            .load_one(self.0.id)
            .await?;
        Ok(Arc::new(details.unwrap_or_default()))
    }
}

/// A concerted action programme: led by one authority, coordinated by CUF, financed by
/// volunteer authorities sharing each action's cost.
#[Object]
impl Programme {
    /// The global id of this programme.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Programme, self.0.id)
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The lead authority (chef de file).
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(id) = self.0.lead_authority_id else {
            return Ok(None);
        };
        Ok(context::loader::<AuthorityLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Authority::from))
    }

    /// The country group it belongs to.
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

    /// Where it stands.
    async fn status(&self) -> Option<ProgrammeStatus> {
        ProgrammeStatus::from_stored(&self.0.status)
    }

    /// Its currency (ISO 4217); every amount of the programme is in it.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// When it starts.
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }

    /// When it ends.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }

    /// A description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Its actions, in order.
    async fn actions(&self, ctx: &Context<'_>) -> Result<Vec<Flat<ProgrammeAction>>, ApiError> {
        let details = self.details(ctx).await?;
        let currency = currency_of(&self.0);
        Ok(details
            .actions
            .iter()
            .map(|action| {
                Flat(ProgrammeAction {
                    action: action.clone(),
                    details: details.clone(),
                    currency,
                })
            })
            .collect())
    }

    /// Its partner organisations and their roles.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammePartner>, ApiError> {
        Ok(
            context::loader::<ChildrenLoader<programme_partner::Entity>>(ctx)?
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
                .into_iter()
                .map(ProgrammePartner)
                .collect(),
        )
    }

    /// Its schedule, in order.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<Milestone>, ApiError> {
        Ok(
            context::loader::<ChildrenLoader<programme_milestone::Entity>>(ctx)?
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
                .into_iter()
                .map(Milestone)
                .collect(),
        )
    }

    /// The money of the whole programme.
    async fn totals(&self, ctx: &Context<'_>) -> Result<MoneyTotals, ApiError> {
        let details = self.details(ctx).await?;
        let totals = details
            .actions
            .iter()
            .fold(Totals::default(), |sum, action| {
                sum.plus(details.totals_of(action.id))
            });
        Ok(MoneyTotals::new(totals, currency_of(&self.0)))
    }

    /// The version of this record; send it back with a transition.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    ProgrammeConnection,
    ProgrammeEdge,
    Programme,
    "A page of programmes, as a Relay cursor connection.",
    "A programme in a page, with its cursor."
);

fn by_title() -> Ordering<programme::Entity> {
    Ordering::new(
        "TITLE",
        programme::Column::SortKey,
        pagination::OrderDirection::Asc,
        |row: &programme::Model| SortValue::Text(row.sort_key.clone()),
    )
}

/// The programme queries.
#[derive(Default)]
pub struct ProgrammeQuery;

#[Object]
impl ProgrammeQuery {
    /// The programmes by title. Signed-in callers only (ministries, members, CUF).
    #[graphql(guard = "RoleGuard(READERS)")]
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many programmes (at most 100; 20 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
    ) -> Result<ProgrammeConnection, ApiError> {
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last: None,
                before: None,
            },
            &by_title().tag(),
        )?;
        let (rows, total) = pagination::fetch_page(
            context::db(ctx)?,
            programme::Entity::find(),
            &by_title(),
            &page,
            wants_total_count(ctx),
        )
        .await?;
        Ok(ProgrammeConnection::new(rows.map(Programme), total))
    }
}

/// A new programme. It starts as a DRAFT.
#[derive(InputObject)]
pub struct CreateProgrammeInput {
    /// The title.
    pub title: String,
    /// The country group.
    pub country_group_id: Option<ID>,
    /// The lead authority (chef de file).
    pub lead_id: Option<ID>,
    /// The coordinating organisation (CUF).
    pub coordinator_id: Option<ID>,
    /// The currency (ISO 4217); EUR by default.
    pub currency: Option<String>,
    /// When it starts.
    pub starts_on: Option<Date>,
    /// When it ends.
    pub ends_on: Option<Date>,
    /// A description.
    pub description: Option<String>,
    /// Partner organisations and their roles.
    #[graphql(default)]
    pub partners: Vec<ProgrammePartnerInput>,
    /// The schedule, in order.
    #[graphql(default)]
    pub milestones: Vec<MilestoneInput>,
}

/// A partner organisation of a programme.
#[derive(InputObject)]
pub struct ProgrammePartnerInput {
    /// The organisation.
    pub organisation_id: ID,
    /// Its role.
    pub role: PartnerRole,
}

/// A step of a programme's schedule.
#[derive(InputObject)]
pub struct MilestoneInput {
    /// What is to be reached.
    pub title: String,
    /// When.
    pub due_on: Option<FuzzyDateInput>,
    /// Whether it is reached; false by default.
    #[graphql(default)]
    pub done: bool,
}

/// A programme to change.
#[derive(InputObject)]
pub struct UpdateProgrammeInput {
    /// The programme.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
    /// Its new fields, partners and milestones (the currency cannot change).
    pub programme: CreateProgrammeInput,
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

impl CreateProgrammeInput {
    fn parse(self) -> Result<ProgrammeContent, Rejection> {
        let mut errors = InputErrors::default();
        let title = errors.check(&["title"], Name::parse(&self.title));
        let group_id = optional(
            &mut errors,
            "countryGroupId",
            self.country_group_id.as_ref(),
            NodeKind::CountryGroup,
        );
        let lead = optional(
            &mut errors,
            "leadId",
            self.lead_id.as_ref(),
            NodeKind::Authority,
        );
        let coordinator = optional(
            &mut errors,
            "coordinatorId",
            self.coordinator_id.as_ref(),
            NodeKind::Organisation,
        );
        let currency = errors.check(
            &["currency"],
            self.currency
                .as_deref()
                .map_or(Ok(Currency::EUR), Currency::parse),
        );
        let description = errors.check(
            &["description"],
            self.description.as_deref().map(LongText::parse).transpose(),
        );
        let partners: Vec<Option<(i64, PartnerRole)>> = self
            .partners
            .iter()
            .enumerate()
            .map(|(position, partner)| {
                let id = errors.id(
                    &["partners", &position.to_string(), "organisationId"],
                    &partner.organisation_id,
                    NodeKind::Organisation,
                )?;
                Some((id, partner.role))
            })
            .collect();
        let milestones: Vec<Option<NewMilestone>> = self
            .milestones
            .iter()
            .enumerate()
            .map(|(position, milestone)| {
                let position = position.to_string();
                let title = errors.check(
                    &["milestones", &position, "title"],
                    Name::parse(&milestone.title),
                );
                let due = errors.check(
                    &["milestones", &position, "dueOn"],
                    milestone.due_on.map(FuzzyDateInput::parse).transpose(),
                );
                Some(NewMilestone {
                    title: title?.as_str().to_owned(),
                    due: due?,
                    done: milestone.done,
                })
            })
            .collect();
        errors.finish(|| {
            Some(ProgrammeContent {
                partners: partners.into_iter().collect::<Option<Vec<_>>>()?,
                milestones: milestones.into_iter().collect::<Option<Vec<_>>>()?,
                title: title?.as_str().to_owned(),
                group_id: group_id?,
                lead_authority_id: lead?,
                coordinator_organisation_id: coordinator?,
                currency: currency?,
                starts_on: self.starts_on.map(|date| date.0),
                ends_on: self.ends_on.map(|date| date.0),
                description: description?.flatten().map(LongText::into_inner),
            })
        })
    }
}

/// A budget line.
#[derive(InputObject)]
pub struct CostItemInput {
    /// What it pays for.
    pub label: String,
    /// How many; 1 by default.
    pub quantity: Option<i32>,
    /// The cost of one, as a decimal string in the programme's currency, e.g. `"2500.00"`.
    pub unit_cost: String,
}

/// A participating authority.
#[derive(InputObject)]
pub struct ShareParticipantInput {
    /// The authority.
    pub authority_id: ID,
    /// Its percentage (PERCENTAGE method), a decimal string with at most two decimals.
    pub percentage: Option<String>,
    /// Its amount (FIXED method), a decimal string in the programme's currency.
    pub amount: Option<String>,
}

/// An action to create or replace.
#[derive(InputObject)]
pub struct SaveProgrammeActionInput {
    /// The programme.
    pub programme_id: ID,
    /// The action to replace; a new action when omitted.
    pub action_id: Option<ID>,
    /// The title.
    pub title: String,
    /// A description.
    pub description: Option<String>,
    /// Where the action stands, in at most 16 characters on one line; PLANNED by default.
    pub status: Option<String>,
    /// How its cost is shared.
    pub sharing_method: SharingMethod,
    /// Its budget lines.
    #[graphql(default)]
    pub cost_items: Vec<CostItemInput>,
    /// The authorities sharing the cost, in the order shares are listed.
    #[graphql(default)]
    pub participants: Vec<ShareParticipantInput>,
    /// Partners' co-financing lines, apart from the shares.
    #[graphql(default)]
    pub fundings: Vec<FundingInput>,
}

/// The most characters an action's status has: the width of its column.
const ACTION_STATUS_CHARS: usize = 16;

/// An action's status, free text such as `PLANNED`: a name of at most 16 characters.
fn action_status(text: &str) -> Result<String, ValueError> {
    let status = Name::parse(text)?;
    if status.as_str().chars().count() > ACTION_STATUS_CHARS {
        return Err(ValueError(format!(
            "must be at most {ACTION_STATUS_CHARS} characters"
        )));
    }
    Ok(status.as_str().to_owned())
}

/// A partner's co-financing of an action.
#[derive(InputObject)]
pub struct FundingInput {
    /// The organisation (a ministry, an embassy).
    pub organisation_id: ID,
    /// The amount, a decimal string in the programme's currency.
    pub amount: String,
}

fn percentage(text: &str) -> Result<u32, ValueError> {
    let hundredths = Amount::parse(text, Currency::EUR)?.minor();
    u32::try_from(hundredths)
        .ok()
        .filter(|value| *value <= 10_000)
        .ok_or_else(|| ValueError("must be between 0 and 100".into()))
}

async fn parse_action(
    ctx: &Context<'_>,
    input: SaveProgrammeActionInput,
) -> Result<(i64, Option<i64>, ActionContent), Rejection> {
    let mut errors = InputErrors::default();
    let programme_id = errors.id(&["programmeId"], &input.programme_id, NodeKind::Programme);
    let currency = match programme_id {
        Some(id) => crate::storage::find::<programme::Entity>(context::db(ctx)?, id)
            .await?
            .map(|row| currency_of(&row)),
        None => None,
    };
    let currency = currency.unwrap_or(Currency::EUR);
    let action_id = match input.action_id.as_ref().map(|id| id.parse::<i64>()) {
        Some(Ok(id)) => Some(Some(id)),
        Some(Err(_)) => {
            errors.push(UserError::new(
                &["actionId"],
                crate::mutation::UserErrorCode::Invalid,
                "is not an action id",
            ));
            None
        }
        None => Some(None),
    };
    let title = errors.check(&["title"], Name::parse(&input.title));
    let description = errors.check(
        &["description"],
        input
            .description
            .as_deref()
            .map(LongText::parse)
            .transpose(),
    );
    let mut items = Vec::new();
    for (position, item) in input.cost_items.iter().enumerate() {
        let position = position.to_string();
        let label = errors.check(&["costItems", &position, "label"], Name::parse(&item.label));
        let unit_cost = errors.check(
            &["costItems", &position, "unitCost"],
            Amount::parse(&item.unit_cost, currency),
        );
        let quantity = item.quantity.unwrap_or(1);
        if quantity < 0 {
            errors.push(UserError::new(
                &["costItems", &position, "quantity"],
                crate::mutation::UserErrorCode::Invalid,
                "must not be negative",
            ));
        }
        if let (Some(label), Some(unit_cost)) = (label, unit_cost) {
            items.push(NewCostItem {
                label: label.as_str().to_owned(),
                quantity: i64::from(quantity),
                unit_cost,
            });
        }
    }
    let mut participants = Vec::new();
    for (position, participant) in input.participants.iter().enumerate() {
        let position = position.to_string();
        let authority_id = errors.id(
            &["participants", &position, "authorityId"],
            &participant.authority_id,
            NodeKind::Authority,
        );
        let share = errors.check(
            &["participants", &position, "percentage"],
            participant
                .percentage
                .as_deref()
                .map(percentage)
                .transpose(),
        );
        let fixed = errors.check(
            &["participants", &position, "amount"],
            participant
                .amount
                .as_deref()
                .map(|text| Amount::parse(text, currency))
                .transpose(),
        );
        if let (Some(authority_id), Some(share), Some(fixed)) = (authority_id, share, fixed) {
            participants.push(Participant {
                authority_id,
                percentage_hundredths: share,
                fixed,
            });
        }
    }
    let mut fundings = Vec::new();
    for (position, funding) in input.fundings.iter().enumerate() {
        let position = position.to_string();
        let organisation_id = errors.id(
            &["fundings", &position, "organisationId"],
            &funding.organisation_id,
            NodeKind::Organisation,
        );
        let amount = errors.check(
            &["fundings", &position, "amount"],
            Amount::parse(&funding.amount, currency),
        );
        if let (Some(organisation_id), Some(amount)) = (organisation_id, amount) {
            fundings.push(NewFunding {
                organisation_id,
                amount,
            });
        }
    }
    let status = errors.check(
        &["status"],
        action_status(input.status.as_deref().unwrap_or("PLANNED")),
    );
    errors.finish(|| {
        Some((
            programme_id?,
            action_id?,
            ActionContent {
                title: title?.as_str().to_owned(),
                description: description?.flatten().map(LongText::into_inner),
                status: status?,
                sharing_method: input.sharing_method,
                cost_items: items,
                participants,
                fundings,
            },
        ))
    })
}

/// A step of the programme workflow.
#[derive(InputObject)]
pub struct TransitionProgrammeInput {
    /// The programme.
    pub id: ID,
    /// The version the client read.
    pub version: i32,
    /// DRAFT → PROPOSED → VALIDATED (needs a lead, an action, and every action's cost shared
    /// exactly) → IN_PROGRESS → COMPLETED; or CANCELLED.
    pub to: ProgrammeStatus,
}

/// A co-financing line's new commitment.
#[derive(InputObject)]
pub struct SetFundingCommitmentInput {
    /// The co-financing line (its `id`).
    pub funding_id: ID,
    /// Its new commitment.
    pub commitment: CommitmentState,
}

/// A share's new commitment.
#[derive(InputObject)]
pub struct SetCommitmentInput {
    /// The share (its `id`).
    pub share_id: ID,
    /// PLEDGED, CONFIRMED or DECLINED (the authority's; CUF on its behalf); PAID (CUF).
    pub commitment: CommitmentState,
}

payload!(CreateProgrammePayload, programme: Programme, "The result of `createProgramme`.", "The new programme; null when there are user errors.");
payload!(UpdateProgrammePayload, programme: Programme, "The result of `updateProgramme`.", "The programme as changed; null when there are user errors.");
payload!(TransitionProgrammePayload, programme: Programme, "The result of `transitionProgramme`.", "The programme in its new state; null when there are user errors.");

/// The result of `saveProgrammeAction` and `setCommitment`: the programme, recomputed.
#[derive(SimpleObject, Default)]
pub struct ProgrammeChangePayload {
    /// The programme as it now stands; null when there are user errors.
    pub programme: Option<Programme>,
    /// What is wrong; nothing was written.
    pub user_errors: Vec<UserError>,
}

/// The payload of a change to an action (identified by its id), or its user errors.
async fn programme_change(
    ctx: &Context<'_>,
    result: Result<i64, Rejection>,
) -> Result<ProgrammeChangePayload, ApiError> {
    let (action_id, user_errors) = crate::mutation::into_payload(result)?;
    let programme = match action_id {
        Some(action_id) => programme_of_action(ctx, action_id).await?,
        None => None,
    };
    Ok(ProgrammeChangePayload {
        programme,
        user_errors,
    })
}

async fn programme_of_action(
    ctx: &Context<'_>,
    action_id: i64,
) -> Result<Option<Programme>, ApiError> {
    let db = context::db(ctx)?;
    let Some(action) = crate::storage::find::<programme_action::Entity>(db, action_id).await?
    else {
        return Ok(None);
    };
    Ok(
        crate::storage::find::<programme::Entity>(db, action.programme_id)
            .await?
            .map(Programme),
    )
}

/// An action whose declined shares to spread over the remaining authorities.
#[derive(InputObject)]
pub struct RedistributeDeclinedShareInput {
    /// The action (its `id`).
    pub action_id: ID,
}

/// What an authority committed across programmes, in one currency.
#[derive(SimpleObject)]
pub struct Contribution {
    /// The currency.
    pub currency: String,
    /// Pledged, confirmed or paid.
    pub pledged: Money,
    /// Confirmed or paid.
    pub confirmed: Money,
    /// Paid.
    pub paid: Money,
}

/// What an authority committed across programmes, per currency; members and CUF, or
/// ministries.
pub async fn contributions_of(
    ctx: &Context<'_>,
    authority_id: i64,
) -> Result<Vec<Contribution>, ApiError> {
    context::caller(ctx).require(READERS)?;
    let rows = context::loader::<ContributionsLoader>(ctx)?
        .load_one(authority_id)
        .await?
        .unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|(code, totals)| {
            let currency = Currency::parse(&code).unwrap_or(Currency::EUR);
            Contribution {
                currency: code,
                pledged: money(totals.pledged, currency),
                confirmed: money(totals.confirmed, currency),
                paid: money(totals.paid, currency),
            }
        })
        .collect())
}

/// Loads the contributions of a batch of authorities, by authority.
pub struct ContributionsLoader(pub DatabaseConnection);

impl Loader<i64> for ContributionsLoader {
    type Value = Vec<(String, super::Totals)>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        Ok(super::contributions(&self.0, keys).await?)
    }
}

/// The programmes of a country group, by title; signed-in callers only.
pub async fn programmes_of_group(
    ctx: &Context<'_>,
    group_id: i64,
) -> Result<Vec<Programme>, ApiError> {
    context::caller(ctx).require(READERS)?;
    let rows = context::loader::<ProgrammesByGroupLoader>(ctx)?
        .load_one(group_id)
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().map(Programme).collect())
}

/// Loads the programmes of a batch of groups, by group.
pub type ProgrammesByGroupLoader = crate::storage::ChildrenLoader<programme::Entity>;

impl crate::storage::Children for programme::Entity {
    const PARENT: programme::Column = programme::Column::GroupId;
    const ORDER: programme::Column = programme::Column::SortKey;

    fn parent(model: &programme::Model) -> Option<i64> {
        model.group_id
    }
}

/// The programme mutations.
#[derive(Default)]
pub struct ProgrammeMutation;

#[Object]
impl ProgrammeMutation {
    /// Creates a programme, as a DRAFT. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme.")] input: CreateProgrammeInput,
    ) -> Result<CreateProgrammePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |content| async move {
            super::create_programme(db, &actor, content).await
        })
        .await
    }

    /// Changes a programme's fields, partners and milestones, provided nobody changed it
    /// since `version`. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn update_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme, its version and its new content.")]
        input: UpdateProgrammeInput,
    ) -> Result<UpdateProgrammePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::Programme);
        let parsed = errors
            .finish(|| id)
            .and_then(|id| Ok((id, input.version, input.programme.parse()?)));
        respond(parsed, |(id, version, content)| async move {
            super::update_programme(db, &actor, id, version, content).await
        })
        .await
    }

    /// Creates or replaces an action with its budget; its shares are recomputed by its method,
    /// each authority that stays in keeping its commitment. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn save_programme_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action.")] input: SaveProgrammeActionInput,
    ) -> Result<ProgrammeChangePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let result = match parse_action(ctx, input).await {
            Ok((programme_id, action_id, content)) => {
                super::save_action(db, &actor, programme_id, action_id, content).await
            }
            Err(rejection) => Err(rejection),
        };
        programme_change(ctx, result.map(|action| action.id)).await
    }

    /// Moves a programme through its workflow; an illegal step is a user error. CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn transition_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme, its version and the state to move to.")]
        input: TransitionProgrammeInput,
    ) -> Result<TransitionProgrammePayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::Programme);
        let parsed = errors.finish(|| Some((id?, input.version, input.to)));
        respond(parsed, |(id, version, to)| async move {
            super::transition_programme(db, &actor, id, version, to).await
        })
        .await
    }

    /// Spreads the declined shares of an action over its remaining authorities by its
    /// method, keeping their commitments. Only when asked; CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn redistribute_declined_share(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The action.")] input: RedistributeDeclinedShareInput,
    ) -> Result<ProgrammeChangePayload, ApiError> {
        let result = match input.action_id.parse::<i64>() {
            Ok(id) => {
                super::redistribute_declined(context::db(ctx)?, &context::actor(ctx), id).await
            }
            Err(_) => Err(Rejection::user(
                &["actionId"],
                crate::mutation::UserErrorCode::Invalid,
                "is not an action id",
            )),
        };
        programme_change(ctx, result.map(|action| action.id)).await
    }

    /// Records a partner's co-financing commitment (pledged, confirmed, paid or declined).
    /// CUF staff.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn set_funding_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The co-financing line and its new commitment.")]
        input: SetFundingCommitmentInput,
    ) -> Result<ProgrammeChangePayload, ApiError> {
        let result = match input.funding_id.parse::<i64>() {
            Ok(id) => {
                super::set_funding_commitment(
                    context::db(ctx)?,
                    &context::actor(ctx),
                    id,
                    input.commitment,
                )
                .await
            }
            Err(_) => Err(Rejection::user(
                &["fundingId"],
                crate::mutation::UserErrorCode::Invalid,
                "is not a co-financing id",
            )),
        };
        programme_change(ctx, result.map(|funding| funding.action_id)).await
    }

    /// Pledges, confirms or declines a share (its authority's members, or CUF), or records it
    /// paid (CUF).
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn set_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The share and its new commitment.")] input: SetCommitmentInput,
    ) -> Result<ProgrammeChangePayload, ApiError> {
        let result = match input.share_id.parse::<i64>() {
            Ok(id) => {
                super::set_commitment(
                    context::db(ctx)?,
                    &context::actor(ctx),
                    id,
                    input.commitment,
                )
                .await
            }
            Err(_) => Err(Rejection::user(
                &["shareId"],
                crate::mutation::UserErrorCode::Invalid,
                "is not a share id",
            )),
        };
        programme_change(ctx, result.map(|share| share.action_id)).await
    }
}
