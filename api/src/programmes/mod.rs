//! Concerted action programmes (programmes d'actions concertées): led by one authority,
//! coordinated by CUF, and financed by volunteer authorities sharing each action's cost
//! exactly (`sharing`). This module owns the rules: the programme workflow, saving an action
//! with its cost items and shares (recomputed, keeping commitments), and commitments.

pub mod graphql;
pub mod sharing;

use std::collections::HashMap;

use async_graphql::Enum;
use chrono::{NaiveDate, SubsecRound, Utc};
use entities::{
    action_funding, authority, cost_item, cost_share, programme, programme_action,
    programme_milestone, programme_partner,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::live::ChangeKind;
use crate::money::{Currency, Money};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage::{self, Keyed, Versioned};
use crate::text;

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

/// Where a programme stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProgrammeStatus {
    /// Being written.
    Draft,
    /// Put to the group.
    Proposed,
    /// Agreed, with a lead and every action's cost shared.
    Validated,
    /// Under way.
    InProgress,
    /// Done.
    Completed,
    /// Given up.
    Cancelled,
}
stored!(ProgrammeStatus {
    Draft = "DRAFT",
    Proposed = "PROPOSED",
    Validated = "VALIDATED",
    InProgress = "IN_PROGRESS",
    Completed = "COMPLETED",
    Cancelled = "CANCELLED",
});

/// How an action's cost is shared.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SharingMethod {
    /// Equally among the participating authorities.
    Equal,
    /// Pro rata of each authority's population.
    Population,
    /// By percentages given per authority, totalling exactly 100.
    Percentage,
    /// By amounts given per authority; a difference from the cost shows as a gap or excess.
    Fixed,
}
stored!(SharingMethod { Equal = "EQUAL", Population = "POPULATION", Percentage = "PERCENTAGE", Fixed = "FIXED" });

/// Where an authority's share stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CommitmentState {
    /// Asked of the authority.
    Proposed,
    /// Promised by the authority.
    Pledged,
    /// Confirmed by the authority (budget voted).
    Confirmed,
    /// Paid, as recorded by CUF.
    Paid,
    /// Declined by the authority: a gap until redistributed.
    Declined,
}
stored!(CommitmentState {
    Proposed = "PROPOSED",
    Pledged = "PLEDGED",
    Confirmed = "CONFIRMED",
    Paid = "PAID",
    Declined = "DECLINED",
});

macro_rules! keyed {
    ($($module:ident),+) => {
        $(impl Keyed for $module::Entity {
            const ID: $module::Column = $module::Column::Id;
            fn id(model: &$module::Model) -> i64 { model.id }
        })+
    };
}
keyed!(
    programme,
    programme_action,
    cost_item,
    cost_share,
    programme_partner,
    programme_milestone,
    action_funding
);

/// An organisation's part in a programme.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PartnerRole {
    /// An institutional partner, such as the foreign ministry's DAECT or the embassy.
    InstitutionalPartner,
    /// A co-funder.
    CoFunder,
    /// An adviser.
    Adviser,
}
stored!(PartnerRole { InstitutionalPartner = "INSTITUTIONAL_PARTNER", CoFunder = "CO_FUNDER", Adviser = "ADVISER" });

/// A milestone, parsed.
#[derive(Debug, Clone)]
pub struct NewMilestone {
    pub title: String,
    pub due: Option<crate::events::fuzzy_date::FuzzyDate>,
    pub done: bool,
}

/// A co-financing line of an action, parsed: an organisation and its amount.
#[derive(Debug, Clone)]
pub struct NewFunding {
    pub organisation_id: i64,
    pub amount: Money,
}

impl Versioned for programme::Entity {
    const NOUN: &'static str = "programme";
    const VERSION: programme::Column = programme::Column::Version;
    fn version(model: &programme::Model) -> i32 {
        model.version
    }
}

/// A programme's fields, parsed.
#[derive(Debug, Clone)]
pub struct ProgrammeContent {
    pub title: String,
    pub group_id: Option<i64>,
    pub lead_authority_id: Option<i64>,
    pub coordinator_organisation_id: Option<i64>,
    pub currency: Currency,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub description: Option<String>,
    pub partners: Vec<(i64, PartnerRole)>,
    pub milestones: Vec<NewMilestone>,
}

/// A cost item, parsed: label, quantity and unit cost.
#[derive(Debug, Clone)]
pub struct NewCostItem {
    pub label: String,
    pub quantity: i64,
    pub unit_cost: Money,
}

/// A participating authority, with its percentage (hundredths) or fixed amount per method.
#[derive(Debug, Clone)]
pub struct Participant {
    pub authority_id: i64,
    pub percentage_hundredths: Option<u32>,
    pub fixed: Option<Money>,
}

/// An action's fields, parsed.
#[derive(Debug, Clone)]
pub struct ActionContent {
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub sharing_method: SharingMethod,
    pub cost_items: Vec<NewCostItem>,
    pub participants: Vec<Participant>,
    pub fundings: Vec<NewFunding>,
}

/// An action's money: cost, what active shares cover, pledged, confirmed, paid (minor units).
/// Sums of amounts, in `i128`: each amount fits an `i64`, but a programme's many actions, or
/// an authority's shares across programmes, need not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub cost: i128,
    pub shared: i128,
    /// Co-financing by partners (not declined), apart from the authorities' shares.
    pub co_funding: i128,
    pub pledged: i128,
    pub confirmed: i128,
    pub paid: i128,
}

impl Totals {
    /// Adds a share's amount to the totals its commitment counts in.
    pub fn count(&mut self, share: &cost_share::Model) {
        let state = CommitmentState::from_stored(&share.commitment);
        if state != Some(CommitmentState::Declined) {
            self.shared += i128::from(share.amount_minor);
        }
        if matches!(
            state,
            Some(CommitmentState::Pledged | CommitmentState::Confirmed | CommitmentState::Paid)
        ) {
            self.pledged += i128::from(share.amount_minor);
        }
        if matches!(
            state,
            Some(CommitmentState::Confirmed | CommitmentState::Paid)
        ) {
            self.confirmed += i128::from(share.amount_minor);
        }
        if state == Some(CommitmentState::Paid) {
            self.paid += i128::from(share.amount_minor);
        }
    }

    /// The totals of one action from its items and shares.
    pub fn of(items: &[cost_item::Model], shares: &[cost_share::Model]) -> Self {
        let mut totals = Totals {
            cost: items.iter().map(|item| i128::from(item.amount_minor)).sum(),
            ..Totals::default()
        };
        for share in shares {
            totals.count(share);
        }
        totals
    }

    /// The same totals with the partners' co-financing lines.
    pub fn with_fundings(mut self, fundings: &[action_funding::Model]) -> Self {
        self.co_funding = fundings
            .iter()
            .filter(|funding| funding.commitment != CommitmentState::Declined.as_str())
            .map(|funding| i128::from(funding.amount_minor))
            .sum();
        self
    }

    /// The sum of two totals.
    pub fn plus(self, other: Totals) -> Totals {
        Totals {
            cost: self.cost + other.cost,
            shared: self.shared + other.shared,
            co_funding: self.co_funding + other.co_funding,
            pledged: self.pledged + other.pledged,
            confirmed: self.confirmed + other.confirmed,
            paid: self.paid + other.paid,
        }
    }

    /// What active shares and co-financing do not cover (negative: an excess).
    pub fn gap(self) -> i128 {
        self.cost - self.shared - self.co_funding
    }
}

/// The currency of a stored programme.
pub fn currency_of(programme: &programme::Model) -> Currency {
    Currency::parse(&programme.currency).unwrap_or(Currency::EUR)
}

/// The items and shares of these actions.
pub async fn items_and_shares(
    db: &impl ConnectionTrait,
    action_ids: &[i64],
) -> Result<(Vec<cost_item::Model>, Vec<cost_share::Model>), DbErr> {
    let items = crate::storage::rows_of::<cost_item::Entity>(
        db,
        cost_item::Column::ActionId,
        action_ids,
        &[cost_item::Column::Position],
    )
    .await?;
    let shares = crate::storage::rows_of::<cost_share::Entity>(
        db,
        cost_share::Column::ActionId,
        action_ids,
        &[cost_share::Column::AuthorityId],
    )
    .await?;
    Ok((items, shares))
}

/// The actions of these programmes, in order.
pub async fn actions_of(
    db: &impl ConnectionTrait,
    programme_ids: &[i64],
) -> Result<Vec<programme_action::Model>, DbErr> {
    crate::storage::rows_of::<programme_action::Entity>(
        db,
        programme_action::Column::ProgrammeId,
        programme_ids,
        &[
            programme_action::Column::ProgrammeId,
            programme_action::Column::Position,
        ],
    )
    .await
}

/// Creates a programme, as a DRAFT.
pub async fn create_programme(
    db: &impl TransactionTrait,
    actor: &Actor,
    content: ProgrammeContent,
) -> Result<programme::Model, Rejection> {
    let (partners, milestones) = (content.partners.clone(), content.milestones.clone());
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let now = Utc::now().trunc_subsecs(6);
    let row = programme::Model {
        id: 0,
        sort_key: text::fold(&content.title),
        title: content.title,
        group_id: content.group_id,
        lead_authority_id: content.lead_authority_id,
        coordinator_organisation_id: content.coordinator_organisation_id,
        status: ProgrammeStatus::Draft.as_str().to_owned(),
        currency: content.currency.code().to_owned(),
        starts_on: content.starts_on,
        ends_on: content.ends_on,
        description: content.description,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let created = storage::insert::<programme::Entity>(&transaction, row).await?;
    write_programme_lists(&transaction, created.id, &partners, &milestones).await?;
    let node = ids::encode(NodeKind::Programme, created.id);
    audit::record(
        &transaction,
        actor,
        "createProgramme",
        Some(&node),
        None,
        Some(json!({ "title": created.title })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

fn compute_shares(
    cost: Money,
    method: SharingMethod,
    participants: &[Participant],
    populations: &[Option<i64>],
) -> Result<Vec<Money>, Rejection> {
    let refuse = |error: sharing::SharingError| {
        Rejection::user(&["participants"], UserErrorCode::Invalid, error.to_string())
    };
    match method {
        SharingMethod::Equal => sharing::equal(cost, participants.len()).map_err(refuse),
        SharingMethod::Population => sharing::by_population(cost, populations).map_err(refuse),
        SharingMethod::Percentage => {
            let hundredths: Vec<u32> = participants
                .iter()
                .map(|participant| participant.percentage_hundredths.unwrap_or(0))
                .collect();
            sharing::by_percentage(cost, &hundredths).map_err(refuse)
        }
        SharingMethod::Fixed => {
            let amounts: Vec<Money> = participants
                .iter()
                .map(|participant| participant.fixed.unwrap_or(Money::zero(cost.currency())))
                .collect();
            sharing::fixed(cost, &amounts)
                .map(|(amounts, _)| amounts)
                .ok_or_else(|| {
                    Rejection::user(
                        &["participants"],
                        UserErrorCode::Invalid,
                        "amounts must be in the programme's currency, and their sum within range",
                    )
                })
        }
    }
}

/// Creates (when `action_id` is `None`) or replaces an action of `programme_id` with its cost
/// items; its shares are recomputed by its method, each authority that stays in keeping its
/// commitment.
pub async fn save_action(
    db: &impl TransactionTrait,
    actor: &Actor,
    programme_id: i64,
    action_id: Option<i64>,
    content: ActionContent,
) -> Result<programme_action::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(programme) = storage::find::<programme::Entity>(&transaction, programme_id).await?
    else {
        return Err(Rejection::user(
            &["programmeId"],
            UserErrorCode::NotFound,
            "no programme has this id",
        ));
    };
    let currency = currency_of(&programme);
    let mut cost = Money::zero(currency);
    let mut items = Vec::with_capacity(content.cost_items.len());
    for (position, item) in content.cost_items.iter().enumerate() {
        let amount = item
            .unit_cost
            .minor()
            .checked_mul(item.quantity)
            .and_then(|minor| Money::from_minor(minor, currency).ok())
            .filter(|_| item.unit_cost.currency() == currency)
            .ok_or_else(|| {
                Rejection::user(
                    &["costItems", &position.to_string()],
                    UserErrorCode::Invalid,
                    "the amount is out of range or in another currency",
                )
            })?;
        cost = cost.checked_add(amount).ok_or_else(|| {
            Rejection::user(
                &["costItems"],
                UserErrorCode::Invalid,
                "the total cost is out of range",
            )
        })?;
        items.push((item.clone(), amount));
    }
    let ids: Vec<i64> = content
        .participants
        .iter()
        .map(|participant| participant.authority_id)
        .collect();
    let authorities = storage::find_many::<authority::Entity>(&transaction, &ids).await?;
    if authorities.len() != ids.len() {
        return Err(Rejection::user(
            &["participants"],
            UserErrorCode::NotFound,
            "a participant is not an authority (or is listed twice)",
        ));
    }
    let populations: Vec<Option<i64>> = ids
        .iter()
        .map(|id| {
            authorities
                .iter()
                .find(|row| row.id == *id)
                .and_then(|row| row.population)
        })
        .collect();
    // Partners' co-financing is kept apart: the authorities share what it leaves. Its lines
    // are summed in i128, where no number of them overflows.
    let co_funding: i128 = content
        .fundings
        .iter()
        .map(|funding| i128::from(funding.amount.minor()))
        .sum();
    let shareable = i64::try_from(i128::from(cost.minor()) - co_funding)
        .ok()
        .and_then(|minor| Money::from_minor(minor, currency).ok())
        .ok_or_else(|| {
            Rejection::user(
                &["fundings"],
                UserErrorCode::Invalid,
                "the co-financing exceeds the action's cost",
            )
        })?;
    let amounts = compute_shares(
        shareable,
        content.sharing_method,
        &content.participants,
        &populations,
    )?;
    let now = Utc::now().trunc_subsecs(6);
    let (action, previous_shares) = match action_id {
        Some(id) => {
            let Some(mut current) = storage::find::<programme_action::Entity>(&transaction, id)
                .await?
                .filter(|row| row.programme_id == programme_id)
            else {
                return Err(Rejection::user(
                    &["actionId"],
                    UserErrorCode::NotFound,
                    "no action of this programme has this id",
                ));
            };
            current.title = content.title.clone();
            current.description = content.description.clone();
            current.status = content.status.clone();
            current.sharing_method = content.sharing_method.as_str().to_owned();
            current.version += 1;
            current.updated_at = now;
            let (_, shares) = items_and_shares(&transaction, &[id]).await?;
            storage::save::<programme_action::Entity>(&transaction, current.clone()).await?;
            (current, shares)
        }
        None => {
            let position = actions_of(&transaction, &[programme_id]).await?.len() as i32;
            let row = programme_action::Model {
                id: 0,
                programme_id,
                position,
                title: content.title.clone(),
                description: content.description.clone(),
                status: content.status.clone(),
                sharing_method: content.sharing_method.as_str().to_owned(),
                version: 1,
                created_at: now,
                updated_at: now,
            };
            (
                storage::insert::<programme_action::Entity>(&transaction, row).await?,
                Vec::new(),
            )
        }
    };
    cost_item::Entity::delete_many()
        .filter(cost_item::Column::ActionId.eq(action.id))
        .exec(&transaction)
        .await?;
    cost_share::Entity::delete_many()
        .filter(cost_share::Column::ActionId.eq(action.id))
        .exec(&transaction)
        .await?;
    let previous_fundings = crate::storage::all(
        &transaction,
        action_funding::Entity::find().filter(action_funding::Column::ActionId.eq(action.id)),
    )
    .await?;
    action_funding::Entity::delete_many()
        .filter(action_funding::Column::ActionId.eq(action.id))
        .exec(&transaction)
        .await?;
    for funding in &content.fundings {
        if funding.amount.currency() != currency {
            return Err(Rejection::user(
                &["fundings"],
                UserErrorCode::Invalid,
                "co-financing must be in the programme's currency",
            ));
        }
        let kept = previous_fundings
            .iter()
            .find(|row| row.organisation_id == funding.organisation_id);
        let row = action_funding::Model {
            id: 0,
            action_id: action.id,
            organisation_id: funding.organisation_id,
            amount_minor: funding.amount.minor(),
            commitment: kept.map_or(CommitmentState::Proposed.as_str().to_owned(), |row| {
                row.commitment.clone()
            }),
        };
        storage::insert::<action_funding::Entity>(&transaction, row).await?;
    }
    for (position, (item, amount)) in items.into_iter().enumerate() {
        let row = cost_item::Model {
            id: 0,
            action_id: action.id,
            position: position as i32,
            label: item.label,
            quantity: item.quantity,
            unit_cost_minor: item.unit_cost.minor(),
            amount_minor: amount.minor(),
        };
        storage::insert::<cost_item::Entity>(&transaction, row).await?;
    }
    let mut shares_now = Vec::with_capacity(content.participants.len());
    for (participant, amount) in content.participants.iter().zip(&amounts) {
        let kept = previous_shares
            .iter()
            .find(|share| share.authority_id == participant.authority_id);
        let row = cost_share::Model {
            id: 0,
            action_id: action.id,
            authority_id: participant.authority_id,
            percentage_hundredths: participant.percentage_hundredths.map(|value| value as i32),
            fixed_minor: participant.fixed.map(Money::minor),
            amount_minor: amount.minor(),
            commitment: kept.map_or(CommitmentState::Proposed.as_str().to_owned(), |share| {
                share.commitment.clone()
            }),
            version: kept.map_or(1, |share| share.version + 1),
            created_at: kept.map_or(now, |share| share.created_at),
            updated_at: now,
        };
        let inserted = storage::insert::<cost_share::Entity>(&transaction, row).await?;
        shares_now.push(inserted.id);
    }
    let node = ids::encode(NodeKind::Programme, programme_id);
    let after = json!({ "action": action.title, "cost": cost.to_string(), "method": action.sharing_method,
        "shares": amounts.iter().map(ToString::to_string).collect::<Vec<_>>() });
    audit::record(
        &transaction,
        actor,
        "saveProgrammeAction",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    // Saving replaces the action's shares: the old rows go, the new ones come.
    let gone = previous_shares
        .iter()
        .map(|share| (share.id, ChangeKind::Deleted));
    let now = shares_now.iter().map(|id| (*id, ChangeKind::Created));
    for (share_id, kind) in gone.chain(now) {
        let change = crate::live::Change::Commitment {
            programme_id,
            share_id,
            kind,
        };
        crate::live::record(&transaction, change).await?;
    }
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(action)
}

/// Replaces the partners and milestones of the programme `id`.
async fn write_programme_lists(
    db: &impl ConnectionTrait,
    id: i64,
    partners: &[(i64, PartnerRole)],
    milestones: &[NewMilestone],
) -> Result<(), DbErr> {
    programme_partner::Entity::delete_many()
        .filter(programme_partner::Column::ProgrammeId.eq(id))
        .exec(db)
        .await?;
    programme_milestone::Entity::delete_many()
        .filter(programme_milestone::Column::ProgrammeId.eq(id))
        .exec(db)
        .await?;
    for (organisation_id, role) in partners {
        let row = programme_partner::Model {
            id: 0,
            programme_id: id,
            organisation_id: *organisation_id,
            role: role.as_str().to_owned(),
        };
        storage::insert::<programme_partner::Entity>(db, row).await?;
    }
    for (position, milestone) in milestones.iter().enumerate() {
        let row = programme_milestone::Model {
            id: 0,
            programme_id: id,
            position: position as i32,
            title: milestone.title.clone(),
            due_start: milestone.due.map(|due| due.start.0),
            due_end: milestone.due.map(|due| due.end.0),
            due_precision: milestone.due.map(|due| due.precision.as_str().to_owned()),
            due_tentative: milestone.due.is_some_and(|due| due.tentative),
            done: milestone.done,
        };
        storage::insert::<programme_milestone::Entity>(db, row).await?;
    }
    Ok(())
}

/// Replaces the fields, partners and milestones of the programme `id` if it is still at
/// `version`; its status and currency stay.
pub async fn update_programme(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    content: ProgrammeContent,
) -> Result<programme::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<programme::Entity>(&transaction, id, version).await?;
    let mut next = current.clone();
    next.sort_key = text::fold(&content.title);
    next.title = content.title.clone();
    next.group_id = content.group_id;
    next.lead_authority_id = content.lead_authority_id;
    next.coordinator_organisation_id = content.coordinator_organisation_id;
    next.starts_on = content.starts_on;
    next.ends_on = content.ends_on;
    next.description = content.description.clone();
    next.version = version + 1;
    next.updated_at = Utc::now().trunc_subsecs(6);
    let Some(updated) =
        storage::update_at_version::<programme::Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<programme::Entity>(version, version + 1));
    };
    write_programme_lists(&transaction, id, &content.partners, &content.milestones).await?;
    let node = ids::encode(NodeKind::Programme, id);
    audit::record(
        &transaction,
        actor,
        "updateProgramme",
        Some(&node),
        Some(json!({ "title": current.title })),
        Some(json!({ "title": updated.title })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// The legal steps of a programme.
fn programme_step(from: ProgrammeStatus, to: ProgrammeStatus) -> bool {
    use ProgrammeStatus::{Cancelled, Completed, Draft, InProgress, Proposed, Validated};
    matches!(
        (from, to),
        (Draft, Proposed)
            | (Proposed, Draft)
            | (Proposed, Validated)
            | (Validated, InProgress)
            | (InProgress, Completed)
    ) || (to == Cancelled && !matches!(from, Completed | Cancelled))
}

/// Moves the programme `id` to `to`. VALIDATED needs a lead, at least one action, and every
/// action's cost covered exactly by its active shares.
pub async fn transition_programme(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    to: ProgrammeStatus,
) -> Result<programme::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<programme::Entity>(&transaction, id, version).await?;
    let from = ProgrammeStatus::from_stored(&current.status).unwrap_or(ProgrammeStatus::Draft);
    if !programme_step(from, to) {
        return Err(Rejection::user(
            &["to"],
            UserErrorCode::Invalid,
            format!(
                "a programme cannot go from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    if to == ProgrammeStatus::Validated {
        if current.lead_authority_id.is_none() {
            return Err(Rejection::user(
                &["to"],
                UserErrorCode::Invalid,
                "a programme needs a lead authority to be validated",
            ));
        }
        let actions = actions_of(&transaction, &[id]).await?;
        if actions.is_empty() {
            return Err(Rejection::user(
                &["to"],
                UserErrorCode::Invalid,
                "a programme needs at least one action to be validated",
            ));
        }
        let action_ids: Vec<i64> = actions.iter().map(|action| action.id).collect();
        let (items, shares) = items_and_shares(&transaction, &action_ids).await?;
        for action in &actions {
            let totals = Totals::of(
                &items
                    .iter()
                    .filter(|item| item.action_id == action.id)
                    .cloned()
                    .collect::<Vec<_>>(),
                &shares
                    .iter()
                    .filter(|share| share.action_id == action.id)
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            if totals.gap() != 0 {
                return Err(Rejection::user(
                    &["to"],
                    UserErrorCode::Invalid,
                    format!(
                        "the shares of \"{}\" do not cover its cost exactly",
                        action.title
                    ),
                ));
            }
        }
    }
    let mut next = current.clone();
    next.status = to.as_str().to_owned();
    next.version = version + 1;
    next.updated_at = Utc::now().trunc_subsecs(6);
    let Some(updated) =
        storage::update_at_version::<programme::Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<programme::Entity>(version, version + 1));
    };
    let node = ids::encode(NodeKind::Programme, id);
    audit::record(
        &transaction,
        actor,
        "transitionProgramme",
        Some(&node),
        Some(json!({ "status": current.status })),
        Some(json!({ "status": updated.status })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// The legal steps of a commitment: PROPOSED → PLEDGED → CONFIRMED → PAID, or DECLINED
/// before confirmation.
fn commitment_step(from: CommitmentState, to: CommitmentState) -> bool {
    use CommitmentState::{Confirmed, Declined, Paid, Pledged, Proposed};
    matches!(
        (from, to),
        (Proposed, Pledged)
            | (Pledged, Confirmed)
            | (Proposed, Confirmed)
            | (Confirmed, Paid)
            | (Proposed | Pledged, Declined)
    )
}

/// Moves the share `id` to `to`: a MEMBER pledges, confirms or declines its own authority's
/// share; CUF staff can do the same on its behalf and record payments.
pub async fn set_commitment(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    to: CommitmentState,
) -> Result<cost_share::Model, Rejection> {
    use CommitmentState::{Paid, Proposed};
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<cost_share::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["shareId"],
            UserErrorCode::NotFound,
            "no cost share has this id",
        ));
    };
    if to == Paid {
        actor.caller.require(crate::access::STAFF)?;
    } else {
        actor.caller.require_own_authority(current.authority_id)?;
    }
    let from = CommitmentState::from_stored(&current.commitment).unwrap_or(Proposed);
    let legal = commitment_step(from, to);
    if !legal {
        return Err(Rejection::user(
            &["commitment"],
            UserErrorCode::Invalid,
            format!(
                "a share cannot go from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    let mut next = current.clone();
    next.commitment = to.as_str().to_owned();
    next.version += 1;
    next.updated_at = Utc::now().trunc_subsecs(6);
    storage::save::<cost_share::Entity>(&transaction, next.clone()).await?;
    let action = storage::find::<programme_action::Entity>(&transaction, current.action_id).await?;
    let node = action
        .as_ref()
        .map(|action| ids::encode(NodeKind::Programme, action.programme_id));
    audit::record(
        &transaction,
        actor,
        "setCommitment",
        node.as_ref(),
        Some(json!({ "share": id, "commitment": current.commitment })),
        Some(json!({ "share": id, "commitment": next.commitment })),
    )
    .await?;
    if let Some(action) = &action {
        crate::live::record(
            &transaction,
            crate::live::Change::Commitment {
                programme_id: action.programme_id,
                share_id: id,
                kind: crate::live::ChangeKind::Updated,
            },
        )
        .await?;
    }
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(next)
}

/// Spreads the declined shares of the action `action_id` over its remaining authorities by
/// the action's method (FIXED: pro rata of their amounts), keeping their commitments. Only
/// when asked: a declined share otherwise stays a visible gap.
pub async fn redistribute_declined(
    db: &impl TransactionTrait,
    actor: &Actor,
    action_id: i64,
) -> Result<programme_action::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(action) = storage::find::<programme_action::Entity>(&transaction, action_id).await?
    else {
        return Err(Rejection::user(
            &["actionId"],
            UserErrorCode::NotFound,
            "no action has this id",
        ));
    };
    let Some(programme) =
        storage::find::<programme::Entity>(&transaction, action.programme_id).await?
    else {
        return Err(Rejection::user(
            &["actionId"],
            UserErrorCode::NotFound,
            "no action has this id",
        ));
    };
    let (items, shares) = items_and_shares(&transaction, &[action_id]).await?;
    let declined =
        |share: &cost_share::Model| share.commitment == CommitmentState::Declined.as_str();
    let remaining: Vec<&cost_share::Model> =
        shares.iter().filter(|share| !declined(share)).collect();
    if !shares
        .iter()
        .any(|share| declined(share) && share.amount_minor > 0)
    {
        return Err(Rejection::user(
            &["actionId"],
            UserErrorCode::Invalid,
            "no declined share of this action has an amount to spread",
        ));
    }
    let currency = currency_of(&programme);
    let fundings = fundings_of(&transaction, &[action_id]).await?;
    let to_share = Totals::of(&items, &[]).with_fundings(&fundings);
    let cost = i64::try_from(to_share.cost - to_share.co_funding)
        .map_err(ApiError::internal)
        .and_then(|minor| {
            Money::from_minor(minor, currency).map_err(|error| ApiError::internal(error.0))
        })?;
    let ids: Vec<i64> = remaining.iter().map(|share| share.authority_id).collect();
    let authorities = storage::find_many::<authority::Entity>(&transaction, &ids).await?;
    let weights: Vec<u64> =
        match SharingMethod::from_stored(&action.sharing_method).unwrap_or(SharingMethod::Equal) {
            SharingMethod::Equal => vec![1; remaining.len()],
            SharingMethod::Population => remaining
                .iter()
                .map(|share| {
                    authorities
                        .iter()
                        .find(|row| row.id == share.authority_id)
                        .and_then(|row| row.population)
                        .and_then(|population| u64::try_from(population).ok())
                        .unwrap_or(0)
                })
                .collect(),
            SharingMethod::Percentage => remaining
                .iter()
                .map(|share| share.percentage_hundredths.unwrap_or(0).max(0) as u64)
                .collect(),
            SharingMethod::Fixed => remaining
                .iter()
                .map(|share| share.amount_minor.max(0) as u64)
                .collect(),
        };
    let amounts = sharing::allocate(cost, &weights).map_err(|error| {
        Rejection::user(&["actionId"], UserErrorCode::Invalid, error.to_string())
    })?;
    let now = Utc::now().trunc_subsecs(6);
    for share in &shares {
        let amount = match remaining.iter().position(|kept| kept.id == share.id) {
            Some(position) => amounts[position].minor(),
            None => 0,
        };
        let mut next = share.clone();
        next.amount_minor = amount;
        next.version += 1;
        next.updated_at = now;
        storage::save::<cost_share::Entity>(&transaction, next).await?;
    }
    let node = ids::encode(NodeKind::Programme, programme.id);
    let after = json!({ "action": action.title, "shares": amounts.iter().map(ToString::to_string).collect::<Vec<_>>() });
    audit::record(
        &transaction,
        actor,
        "redistributeDeclinedShare",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    for share in &shares {
        crate::live::record(
            &transaction,
            crate::live::Change::Commitment {
                programme_id: programme.id,
                share_id: share.id,
                kind: crate::live::ChangeKind::Updated,
            },
        )
        .await?;
    }
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(action)
}

/// What each of `authority_ids` pledged, confirmed and paid across programmes, per currency
/// (sorted by currency code): three statements for the whole batch.
pub async fn contributions(
    db: &impl ConnectionTrait,
    authority_ids: &[i64],
) -> Result<HashMap<i64, Vec<(String, Totals)>>, DbErr> {
    let shares = crate::storage::rows_of::<cost_share::Entity>(
        db,
        cost_share::Column::AuthorityId,
        authority_ids,
        &[],
    )
    .await?;
    let action_ids: Vec<i64> = shares.iter().map(|share| share.action_id).collect();
    let actions = storage::find_many::<programme_action::Entity>(db, &action_ids).await?;
    let programme_ids: Vec<i64> = actions.iter().map(|action| action.programme_id).collect();
    let programmes = storage::find_many::<programme::Entity>(db, &programme_ids).await?;
    let currency_of_action: HashMap<i64, &str> = actions
        .iter()
        .filter_map(|action| {
            let programme = programmes
                .iter()
                .find(|programme| programme.id == action.programme_id)?;
            Some((action.id, programme.currency.as_str()))
        })
        .collect();
    let mut by_authority: HashMap<i64, Vec<(String, Totals)>> = HashMap::new();
    for share in &shares {
        let currency = currency_of_action
            .get(&share.action_id)
            .copied()
            .unwrap_or("EUR");
        let mut one = Totals::default();
        one.count(share);
        let totals = by_authority.entry(share.authority_id).or_default();
        match totals.iter_mut().find(|(code, _)| code == currency) {
            Some((_, sum)) => *sum = sum.plus(one),
            None => totals.push((currency.to_owned(), one)),
        }
    }
    for totals in by_authority.values_mut() {
        totals.sort_by(|left, right| left.0.cmp(&right.0));
    }
    Ok(by_authority)
}

/// Records the commitment of the co-financing line `id` (a ministry's or embassy's), as CUF
/// staff do: PROPOSED → PLEDGED → CONFIRMED → PAID, or DECLINED.
pub async fn set_funding_commitment(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    to: CommitmentState,
) -> Result<action_funding::Model, Rejection> {
    use CommitmentState::Proposed;
    actor.caller.require(crate::access::STAFF)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(current) = storage::find::<action_funding::Entity>(&transaction, id).await? else {
        return Err(Rejection::user(
            &["fundingId"],
            UserErrorCode::NotFound,
            "no co-financing line has this id",
        ));
    };
    let from = CommitmentState::from_stored(&current.commitment).unwrap_or(Proposed);
    let legal = commitment_step(from, to);
    if !legal {
        return Err(Rejection::user(
            &["commitment"],
            UserErrorCode::Invalid,
            format!(
                "a co-financing line cannot go from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    let mut next = current.clone();
    next.commitment = to.as_str().to_owned();
    storage::save::<action_funding::Entity>(&transaction, next.clone()).await?;
    let action = storage::find::<programme_action::Entity>(&transaction, current.action_id).await?;
    let node = action
        .as_ref()
        .map(|action| ids::encode(NodeKind::Programme, action.programme_id));
    audit::record(
        &transaction,
        actor,
        "setFundingCommitment",
        node.as_ref(),
        Some(json!({ "funding": id, "commitment": current.commitment })),
        Some(json!({ "funding": id, "commitment": next.commitment })),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(next)
}

/// The co-financing lines of these actions.
pub async fn fundings_of(
    db: &impl ConnectionTrait,
    action_ids: &[i64],
) -> Result<Vec<action_funding::Model>, DbErr> {
    crate::storage::rows_of::<action_funding::Entity>(
        db,
        action_funding::Column::ActionId,
        action_ids,
        &[action_funding::Column::Id],
    )
    .await
}

/// A programme's partners and milestones are loaded, when asked for, a batch of programmes
/// at a time.
impl crate::storage::Children for programme_partner::Entity {
    const PARENT: programme_partner::Column = programme_partner::Column::ProgrammeId;
    const ORDER: programme_partner::Column = programme_partner::Column::Id;

    fn parent(model: &programme_partner::Model) -> Option<i64> {
        Some(model.programme_id)
    }
}

impl crate::storage::Children for programme_milestone::Entity {
    const PARENT: programme_milestone::Column = programme_milestone::Column::ProgrammeId;
    const ORDER: programme_milestone::Column = programme_milestone::Column::Position;

    fn parent(model: &programme_milestone::Model) -> Option<i64> {
        Some(model.programme_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_programme_workflow_is_legal() {
        use ProgrammeStatus::{Cancelled, Completed, Draft, InProgress, Proposed, Validated};
        assert!(programme_step(Draft, Proposed));
        assert!(programme_step(Proposed, Validated));
        assert!(programme_step(InProgress, Cancelled));
        assert!(!programme_step(Draft, Validated));
        assert!(!programme_step(Completed, Cancelled));
        assert!(!programme_step(Validated, Draft));
    }
}
