//! The programme side of the IATI file: a concerted action programme as a parent activity,
//! each of its actions as a child activity with its budget and transactions.

use std::collections::HashMap;

use chrono::Duration;
use entities::{
    action_funding, authority, cost_item, cost_share, organisation, programme, programme_action,
    programme_partner,
};
use sea_orm::DatabaseConnection;

use super::activity::{
    Activity, Budget, LOCAL_GOVERNMENT, Participant, Transaction, add, dates, organisation_type,
};
use super::{ActivityStatus, OrganisationRole, partner_role, queries};
use crate::error::ApiError;
use crate::money::{Currency, decimal};
use crate::programmes::{self, CommitmentState, PartnerRole, ProgrammeStatus};
use crate::storage;

/// A page of programmes with everything their activities show.
pub struct ProgrammePage {
    programmes: Vec<programme::Model>,
    actions: Vec<programme_action::Model>,
    items: Vec<cost_item::Model>,
    shares: Vec<cost_share::Model>,
    fundings: Vec<action_funding::Model>,
    partners: Vec<programme_partner::Model>,
    authorities: HashMap<i64, authority::Model>,
    organisations: HashMap<i64, organisation::Model>,
}

impl ProgrammePage {
    /// Loads what `programmes` show: eight statements for the page.
    pub async fn load(
        db: &DatabaseConnection,
        programmes: Vec<programme::Model>,
    ) -> Result<Self, ApiError> {
        let ids: Vec<i64> = programmes.iter().map(|row| row.id).collect();
        let actions = programmes::actions_of(db, &ids).await?;
        let action_ids: Vec<i64> = actions.iter().map(|action| action.id).collect();
        let (items, shares) = programmes::items_and_shares(db, &action_ids).await?;
        let fundings = programmes::fundings_of(db, &action_ids).await?;
        let partners = queries::partners_of(db, &ids).await?;
        let authority_ids: Vec<i64> = programmes
            .iter()
            .filter_map(|row| row.lead_authority_id)
            .chain(shares.iter().map(|share| share.authority_id))
            .collect();
        let organisation_ids: Vec<i64> = programmes
            .iter()
            .filter_map(|row| row.coordinator_organisation_id)
            .chain(partners.iter().map(|partner| partner.organisation_id))
            .chain(fundings.iter().map(|funding| funding.organisation_id))
            .collect();
        let authorities = storage::find_many::<authority::Entity>(db, &authority_ids).await?;
        let organisations =
            storage::find_many::<organisation::Entity>(db, &organisation_ids).await?;
        Ok(Self {
            programmes,
            actions,
            items,
            shares,
            fundings,
            partners,
            authorities: authorities.into_iter().map(|row| (row.id, row)).collect(),
            organisations: organisations.into_iter().map(|row| (row.id, row)).collect(),
        })
    }

    fn authority(&self, role: OrganisationRole, id: i64) -> Option<Participant> {
        let authority = self.authorities.get(&id)?;
        Some(Participant {
            role,
            name: authority.name.clone(),
            kind: LOCAL_GOVERNMENT,
        })
    }

    fn organisation(&self, role: OrganisationRole, id: i64) -> Option<Participant> {
        let organisation = self.organisations.get(&id)?;
        Some(Participant {
            role,
            name: organisation.name.clone(),
            kind: organisation_type(&organisation.kind),
        })
    }

    /// Who takes part in the actions `action_ids` of `programme`: its lead is accountable;
    /// the authorities with a share not declined and the partners' co-financing fund; its
    /// partners by their role; its coordinator (CUF when none is named) carries it out.
    fn participants(&self, programme: &programme::Model, action_ids: &[i64]) -> Vec<Participant> {
        let mut participants = Vec::new();
        let mut push = |participant: Option<Participant>| {
            if let Some(participant) = participant {
                add(&mut participants, participant);
            }
        };
        if let Some(lead) = programme.lead_authority_id {
            push(self.authority(OrganisationRole::Accountable, lead));
        }
        let active = |commitment: &str| commitment != CommitmentState::Declined.as_str();
        for share in &self.shares {
            if action_ids.contains(&share.action_id) && active(&share.commitment) {
                push(self.authority(OrganisationRole::Funding, share.authority_id));
            }
        }
        for funding in &self.fundings {
            if action_ids.contains(&funding.action_id) && active(&funding.commitment) {
                push(self.organisation(OrganisationRole::Funding, funding.organisation_id));
            }
        }
        for partner in self
            .partners
            .iter()
            .filter(|row| row.programme_id == programme.id)
        {
            let role = partner_role(PartnerRole::from_stored(&partner.role));
            push(self.organisation(role, partner.organisation_id));
        }
        let coordinator = programme
            .coordinator_organisation_id
            .and_then(|id| self.organisation(OrganisationRole::Implementing, id));
        push(Some(coordinator.unwrap_or_else(|| Participant {
            role: OrganisationRole::Implementing,
            name: super::activity::REPORTING_ORG_NAME.into(),
            kind: "22",
        })));
        participants
    }

    /// The activities of the page: each programme, then its actions.
    pub fn activities(&self, reporting_ref: &str, country_code: &str) -> Vec<Activity> {
        let mut activities = Vec::new();
        for programme in &self.programmes {
            let actions: Vec<&programme_action::Model> = self
                .actions
                .iter()
                .filter(|action| action.programme_id == programme.id)
                .collect();
            let parent = format!("{reporting_ref}-PAC-{}", programme.id);
            let status = ActivityStatus::of_programme(
                ProgrammeStatus::from_stored(&programme.status).unwrap_or(ProgrammeStatus::Draft),
            );
            let action_ids: Vec<i64> = actions.iter().map(|action| action.id).collect();
            let children: Vec<String> = actions
                .iter()
                .map(|action| format!("{parent}-{}", action.id))
                .collect();
            activities.push(Activity {
                identifier: parent.clone(),
                last_updated: programme.updated_at,
                hierarchy: 1,
                secondary_reporter: false,
                currency: Some(programme.currency.clone()),
                title: programme.title.clone(),
                description: programme
                    .description
                    .clone()
                    .unwrap_or_else(|| programme.title.clone()),
                participants: self.participants(programme, &action_ids),
                status,
                dates: dates(
                    status,
                    programme.starts_on,
                    programme.ends_on,
                    false,
                    programme.created_at.date_naive(),
                ),
                country_code: country_code.to_owned(),
                themes: Vec::new(),
                budgets: Vec::new(),
                transactions: Vec::new(),
                related: children.iter().map(|child| (child.clone(), "2")).collect(),
            });
            for (action, identifier) in actions.iter().zip(children) {
                activities.push(self.action(
                    programme,
                    action,
                    identifier,
                    &parent,
                    status,
                    country_code,
                ));
            }
        }
        activities
    }

    /// The child activity of `action`: its budget from its cost items, a commitment for
    /// each share confirmed or paid and a disbursement for each share paid.
    fn action(
        &self,
        programme: &programme::Model,
        action: &programme_action::Model,
        identifier: String,
        parent: &str,
        programme_status: ActivityStatus,
        country_code: &str,
    ) -> Activity {
        let currency = Currency::parse(&programme.currency).unwrap_or(Currency::EUR);
        let status = ActivityStatus::of_action(&action.status, programme_status);
        let recorded = programme.created_at.date_naive();
        let cost: i128 = self
            .items
            .iter()
            .filter(|item| item.action_id == action.id)
            .map(|item| i128::from(item.amount_minor))
            .sum();
        let start = programme.starts_on.unwrap_or(recorded);
        let end = programme
            .ends_on
            .filter(|end| *end >= start)
            .unwrap_or_else(|| start + Duration::days(364));
        let committed = matches!(
            ProgrammeStatus::from_stored(&programme.status),
            Some(
                ProgrammeStatus::Validated
                    | ProgrammeStatus::InProgress
                    | ProgrammeStatus::Completed
            )
        );
        let budgets = (cost > 0)
            .then(|| Budget {
                status: if committed { "2" } else { "1" },
                start,
                end,
                amount: decimal(cost, currency),
            })
            .into_iter()
            .collect();
        let mut transactions = Vec::new();
        for share in self
            .shares
            .iter()
            .filter(|share| share.action_id == action.id)
        {
            let kinds: &[&str] = match CommitmentState::from_stored(&share.commitment) {
                Some(CommitmentState::Confirmed) => &["2"],
                Some(CommitmentState::Paid) => &["2", "3"],
                _ => &[],
            };
            let provider = self
                .authorities
                .get(&share.authority_id)
                .map(|authority| authority.name.clone())
                .unwrap_or_default();
            for kind in kinds {
                transactions.push(Transaction {
                    kind,
                    date: share.updated_at.date_naive(),
                    amount: decimal(i128::from(share.amount_minor), currency),
                    provider: provider.clone(),
                });
            }
        }
        Activity {
            identifier,
            last_updated: action.updated_at,
            hierarchy: 2,
            secondary_reporter: false,
            currency: Some(programme.currency.clone()),
            title: action.title.clone(),
            description: action
                .description
                .clone()
                .unwrap_or_else(|| action.title.clone()),
            participants: self.participants(programme, &[action.id]),
            status,
            dates: dates(
                status,
                programme.starts_on,
                programme.ends_on,
                false,
                recorded,
            ),
            country_code: country_code.to_owned(),
            themes: Vec::new(),
            budgets,
            transactions,
            related: vec![(parent.to_owned(), "1")],
        }
    }
}
