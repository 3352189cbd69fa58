//! Open data for ministries: the IATI activity file of a partner country (`iati`) and the
//! aid summary an authority declares each year as official development assistance
//! (`aid_summary`, `graphql`). This module owns their rules: IATI activity statuses and
//! organisation roles, the year a programme's money counts in, and the sums per authority,
//! country, year and currency.

pub mod activity;
pub mod aid_summary;
pub mod graphql;
pub mod iati;
mod programme_activities;
pub mod queries;
mod xml;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entities::{authority, cost_share, programme, programme_action};

use crate::directory::CooperationStatus;
use crate::error::ApiError;
use crate::programmes::{self, ProgrammeStatus, Totals};
use crate::storage::{self, Freshness};

/// Whether `text` can be an IATI organisation identifier: a registration agency and a
/// number joined by hyphens (`FR-RNA-W751234567`), letters, digits and hyphens only.
pub fn is_organisation_ref(text: &str) -> bool {
    (2..=100).contains(&text.len())
        && text.contains('-')
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '-')
}

/// An IATI activity status (codelist `ActivityStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityStatus {
    /// 1: pipeline or identification, not started.
    Pipeline,
    /// 2: implementation, under way.
    Implementation,
    /// 4: closed, over.
    Closed,
    /// 5: cancelled.
    Cancelled,
    /// 6: suspended.
    Suspended,
}

impl ActivityStatus {
    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pipeline => "1",
            Self::Implementation => "2",
            Self::Closed => "4",
            Self::Cancelled => "5",
            Self::Suspended => "6",
        }
    }

    /// The status of a fiche: UPCOMING 1, ONGOING 2, DORMANT 6, ENDED 4.
    pub fn of_cooperation(status: CooperationStatus) -> Self {
        match status {
            CooperationStatus::Upcoming => Self::Pipeline,
            CooperationStatus::Ongoing => Self::Implementation,
            CooperationStatus::Dormant => Self::Suspended,
            CooperationStatus::Ended => Self::Closed,
        }
    }

    /// The status of a programme: DRAFT, PROPOSED and VALIDATED 1 (not started),
    /// IN_PROGRESS 2, COMPLETED 4, CANCELLED 5.
    pub fn of_programme(status: ProgrammeStatus) -> Self {
        match status {
            ProgrammeStatus::Draft | ProgrammeStatus::Proposed | ProgrammeStatus::Validated => {
                Self::Pipeline
            }
            ProgrammeStatus::InProgress => Self::Implementation,
            ProgrammeStatus::Completed => Self::Closed,
            ProgrammeStatus::Cancelled => Self::Cancelled,
        }
    }

    /// The status of an action, whose status is free text, within a programme of status
    /// `programme`: the usual words are read (PLANNED 1, IN_PROGRESS 2, DONE 4, CANCELLED 5,
    /// SUSPENDED 6…), anything else follows the programme; an action of a cancelled
    /// programme that was not over is cancelled with it.
    pub fn of_action(status: &str, programme: Self) -> Self {
        let word = status.trim().to_ascii_uppercase().replace([' ', '-'], "_");
        let own = match word.as_str() {
            "PLANNED" | "DRAFT" | "PROPOSED" | "VALIDATED" | "UPCOMING" | "PIPELINE" => {
                Some(Self::Pipeline)
            }
            "IN_PROGRESS" | "ONGOING" | "STARTED" | "UNDER_WAY" => Some(Self::Implementation),
            "DONE" | "COMPLETED" | "ENDED" | "CLOSED" | "FINISHED" => Some(Self::Closed),
            "CANCELLED" | "CANCELED" | "ABANDONED" => Some(Self::Cancelled),
            "SUSPENDED" | "DORMANT" | "ON_HOLD" => Some(Self::Suspended),
            _ => None,
        };
        match (own, programme) {
            (Some(Self::Closed), _) => Self::Closed,
            (_, Self::Cancelled) => Self::Cancelled,
            (Some(own), _) => own,
            (None, programme) => programme,
        }
    }

    /// Whether the activity has started: its start date is then actual, else planned.
    pub fn started(self) -> bool {
        self != Self::Pipeline
    }

    /// Whether the activity is over: its end date is then actual, else planned.
    pub fn ended(self) -> bool {
        matches!(self, Self::Closed | Self::Cancelled)
    }
}

/// An IATI organisation role (codelist `OrganisationRole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OrganisationRole {
    /// 1: gives the money.
    Funding,
    /// 2: answers for the activity.
    Accountable,
    /// 4: carries the activity out.
    Implementing,
}

impl OrganisationRole {
    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Funding => "1",
            Self::Accountable => "2",
            Self::Implementing => "4",
        }
    }
}

/// The role of a programme's partner organisation, by its role in the programme: the
/// institutional partners (the DAECT, the embassy) and co-funders fund, advisers help carry
/// it out.
pub fn partner_role(role: Option<programmes::PartnerRole>) -> OrganisationRole {
    match role {
        Some(programmes::PartnerRole::Adviser) => OrganisationRole::Implementing,
        _ => OrganisationRole::Funding,
    }
}

/// The lowest and highest year an aid summary can be asked for.
pub const AID_YEARS: std::ops::RangeInclusive<i32> = 1950..=2100;

/// A year of the aid summary, within [`AID_YEARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AidYear(i32);

impl AidYear {
    /// Accepts a year from 1950 to 2100.
    pub fn parse(year: i32) -> Result<Self, ApiError> {
        if AID_YEARS.contains(&year) {
            return Ok(Self(year));
        }
        Err(ApiError::BadUserInput(format!(
            "`year` must be between {} and {}",
            AID_YEARS.start(),
            AID_YEARS.end()
        )))
    }

    /// The year.
    pub fn get(self) -> i32 {
        self.0
    }

    /// Its first day.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.0, 1, 1)
    }

    /// Its last day.
    pub fn last_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.0, 12, 31)
    }
}

/// The year and the authority (a global id) an aid summary is asked for, parsed.
pub fn aid_request(
    year: i32,
    authority_id: Option<&str>,
) -> Result<(AidYear, Option<i64>), ApiError> {
    let year = AidYear::parse(year)?;
    let authority_id = authority_id
        .map(|id| {
            crate::ids::decode_as(id, crate::ids::NodeKind::Authority).map_err(|_| {
                ApiError::BadUserInput(format!("`authorityId`: {id:?} is not an authority id"))
            })
        })
        .transpose()?;
    Ok((year, authority_id))
}

/// The year a programme's money counts in: the year it starts (`startsOn`); without a start
/// date, the year it ends; without either, the year it was recorded. Every share of every
/// action of the programme counts in that one year, whatever its commitment date.
pub fn aid_year(programme: &programme::Model) -> i32 {
    programme
        .starts_on
        .or(programme.ends_on)
        .map_or_else(|| programme.created_at.year(), |date| date.year())
}

/// One line of the aid summary: what an authority committed to programmes of one partner
/// country (none when the programme has no country group) in one year and one currency.
#[derive(Debug, Clone)]
pub struct AidLine {
    pub authority: authority::Model,
    pub country_code: Option<String>,
    pub year: i32,
    pub currency: String,
    pub totals: Totals,
}

/// Sums `shares` per authority, partner country and currency, given the actions and
/// programmes they belong to and the country of each group; lines in authority, country and
/// currency order. Declined and merely proposed shares count nowhere.
pub fn summarise(
    shares: &[cost_share::Model],
    actions: &[programme_action::Model],
    programmes: &[programme::Model],
    countries: &HashMap<i64, String>,
    authorities: &[authority::Model],
) -> Vec<AidLine> {
    let programme_of: HashMap<i64, &programme::Model> = actions
        .iter()
        .filter_map(|action| {
            let programme = programmes
                .iter()
                .find(|programme| programme.id == action.programme_id)?;
            Some((action.id, programme))
        })
        .collect();
    let mut sums: HashMap<(i64, Option<String>, i32, String), Totals> = HashMap::new();
    for share in shares {
        let Some(programme) = programme_of.get(&share.action_id) else {
            continue;
        };
        let country = programme
            .group_id
            .and_then(|group| countries.get(&group).cloned());
        let key = (
            share.authority_id,
            country,
            aid_year(programme),
            programme.currency.clone(),
        );
        sums.entry(key).or_default().count(share);
    }
    let mut lines: Vec<AidLine> = sums
        .into_iter()
        .filter(|(_, totals)| totals.pledged > 0)
        .filter_map(|((authority_id, country_code, year, currency), totals)| {
            let authority = authorities.iter().find(|row| row.id == authority_id)?;
            Some(AidLine {
                authority: authority.clone(),
                country_code,
                year,
                currency,
                totals,
            })
        })
        .collect();
    lines.sort_by(|left, right| {
        (
            &left.authority.sort_key,
            left.authority.id,
            &left.country_code,
            &left.currency,
        )
            .cmp(&(
                &right.authority.sort_key,
                right.authority.id,
                &right.country_code,
                &right.currency,
            ))
    });
    lines
}

/// What each authority (or the authority `authority_id` alone) pledged, confirmed and paid
/// to the programmes whose money counts in `year` (see [`aid_year`]). Unknown authority:
/// `NOT_FOUND`.
pub async fn aid_summary(
    db: &sea_orm::DatabaseConnection,
    year: AidYear,
    authority_id: Option<i64>,
) -> Result<Vec<AidLine>, ApiError> {
    if let Some(id) = authority_id
        && storage::find::<authority::Entity>(db, id).await?.is_none()
    {
        return Err(ApiError::NotFound("authority".into()));
    }
    let programmes = queries::programmes_counting_in(db, year).await?;
    let programme_ids: Vec<i64> = programmes.iter().map(|programme| programme.id).collect();
    let actions = programmes::actions_of(db, &programme_ids).await?;
    let action_ids: Vec<i64> = actions.iter().map(|action| action.id).collect();
    let shares = queries::committed_shares(db, &action_ids, authority_id).await?;
    let group_ids: Vec<i64> = programmes.iter().filter_map(|row| row.group_id).collect();
    let countries: HashMap<i64, String> =
        storage::find_many::<entities::country_group::Entity>(db, &group_ids)
            .await?
            .into_iter()
            .map(|group| (group.id, group.country_code))
            .collect();
    let authority_ids: Vec<i64> = shares.iter().map(|share| share.authority_id).collect();
    let authorities = storage::find_many::<authority::Entity>(db, &authority_ids).await?;
    Ok(summarise(
        &shares,
        &actions,
        &programmes,
        &countries,
        &authorities,
    ))
}

/// What the aid summary's validator is made of: the shares (of `authority_id`, or all), the
/// programmes and actions they belong to, the country groups and the authorities' names.
pub async fn aid_summary_freshness(
    db: &sea_orm::DatabaseConnection,
    authority_id: Option<i64>,
) -> Result<Vec<Freshness>, ApiError> {
    Ok(queries::aid_summary_freshness(db, authority_id).await?)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn statuses_map_onto_iati_codes() {
        use ActivityStatus as Iati;
        let cooperation = |status| Iati::of_cooperation(status).code();
        assert_eq!(cooperation(CooperationStatus::Upcoming), "1");
        assert_eq!(cooperation(CooperationStatus::Ongoing), "2");
        assert_eq!(cooperation(CooperationStatus::Dormant), "6");
        assert_eq!(cooperation(CooperationStatus::Ended), "4");
        let programme = |status| Iati::of_programme(status).code();
        assert_eq!(programme(ProgrammeStatus::Draft), "1");
        assert_eq!(programme(ProgrammeStatus::Validated), "1");
        assert_eq!(programme(ProgrammeStatus::InProgress), "2");
        assert_eq!(programme(ProgrammeStatus::Completed), "4");
        assert_eq!(programme(ProgrammeStatus::Cancelled), "5");
        assert_eq!(
            Iati::of_action("PLANNED", Iati::Implementation),
            Iati::Pipeline
        );
        assert_eq!(
            Iati::of_action("in progress", Iati::Pipeline),
            Iati::Implementation
        );
        assert_eq!(Iati::of_action("Done", Iati::Implementation), Iati::Closed);
        assert_eq!(
            Iati::of_action("whatever", Iati::Implementation),
            Iati::Implementation
        );
        assert_eq!(Iati::of_action("PLANNED", Iati::Cancelled), Iati::Cancelled);
        assert_eq!(Iati::of_action("DONE", Iati::Cancelled), Iati::Closed);
    }

    #[test]
    fn organisation_refs_are_letters_digits_and_hyphens() {
        assert!(is_organisation_ref("FR-CUF"));
        assert!(is_organisation_ref("FR-RNA-W751234567"));
        for bad in ["", "FRCUF", "FR CUF", "-FR", "FR-", "FR-<x>"] {
            assert!(!is_organisation_ref(bad), "{bad}");
        }
    }

    #[test]
    fn years_outside_the_range_are_refused() {
        assert!(AidYear::parse(2014).is_ok());
        assert!(AidYear::parse(1949).is_err());
        assert!(AidYear::parse(2101).is_err());
    }

    fn programme(starts: Option<(i32, u32)>, ends: Option<(i32, u32)>) -> programme::Model {
        let date = |(year, month): (i32, u32)| NaiveDate::from_ymd_opt(year, month, 1);
        let recorded = Utc
            .with_ymd_and_hms(2013, 6, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        programme::Model {
            id: 1,
            title: "P".into(),
            sort_key: "p".into(),
            group_id: Some(7),
            lead_authority_id: None,
            coordinator_organisation_id: None,
            status: "DRAFT".into(),
            currency: "EUR".into(),
            starts_on: starts.and_then(date),
            ends_on: ends.and_then(date),
            description: None,
            version: 1,
            created_at: recorded,
            updated_at: recorded,
        }
    }

    #[test]
    fn a_programme_counts_in_its_start_year_else_its_end_year_else_when_recorded() {
        assert_eq!(
            aid_year(&programme(Some((2014, 10)), Some((2015, 12)))),
            2014
        );
        assert_eq!(aid_year(&programme(None, Some((2015, 12)))), 2015);
        assert_eq!(aid_year(&programme(None, None)), 2013);
    }

    #[test]
    fn shares_sum_per_authority_country_and_currency_by_commitment() {
        let now = Utc::now();
        let share = |id, authority_id, amount_minor, commitment: &str| cost_share::Model {
            id,
            action_id: 10,
            authority_id,
            percentage_hundredths: None,
            fixed_minor: None,
            amount_minor,
            commitment: commitment.into(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let action = programme_action::Model {
            id: 10,
            programme_id: 1,
            position: 0,
            title: "A".into(),
            description: None,
            status: "PLANNED".into(),
            sharing_method: "EQUAL".into(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let authority = |id, name: &str| authority::Model {
            id,
            name: name.into(),
            sort_key: name.to_lowercase(),
            search_text: name.to_lowercase(),
            kind: "REGION".into(),
            country_code: "FR".into(),
            population: None,
            parent_id: None,
            is_cuf_member: true,
            website: None,
            description: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let shares = [
            share(1, 2, 10_000, "PAID"),
            share(2, 2, 5_000, "PLEDGED"),
            share(3, 3, 7_000, "CONFIRMED"),
            share(4, 3, 3_000, "DECLINED"),
            share(5, 4, 2_000, "PROPOSED"),
        ];
        let countries = HashMap::from([(7, "MX".to_owned())]);
        let authorities = [
            authority(2, "Loire"),
            authority(3, "Bordeaux"),
            authority(4, "Lyon"),
        ];
        let lines = summarise(
            &shares,
            &[action],
            &[programme(Some((2014, 10)), None)],
            &countries,
            &authorities,
        );
        let summary: Vec<(&str, i128, i128, i128)> = lines
            .iter()
            .map(|line| {
                let totals = line.totals;
                (
                    line.authority.name.as_str(),
                    totals.pledged,
                    totals.confirmed,
                    totals.paid,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Bordeaux", 7_000, 7_000, 0),
                ("Loire", 15_000, 10_000, 10_000)
            ]
        );
        assert!(lines.iter().all(|line| line.year == 2014
            && line.country_code.as_deref() == Some("MX")
            && line.currency == "EUR"));
    }
}
