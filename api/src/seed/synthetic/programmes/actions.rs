//! The actions of a synthetic programme: budget lines, and the cost shared among member
//! authorities by the programmes domain's own sharing functions, with commitments that follow
//! the programme's progress.

use entities::{cost_item, cost_share, programme, programme_action};

use super::super::random::Random;
use super::super::{Group, World};
use super::Rows;
use crate::money::{Currency, Money};
use crate::programmes::sharing;
use crate::programmes::{CommitmentState, ProgrammeStatus, SharingMethod};

/// The least and most of something.
type Range = (i64, i64);

/// Budget lines: label, quantity range, unit cost range in minor units.
const COST_ITEMS: [(&str, Range, Range); 6] = [
    ("Maquettage et impression", (100, 1_000), (200, 800)),
    ("Réunions du comité technique", (1, 6), (10_000, 40_000)),
    (
        "Atelier : salle, interprétariat et accueil",
        (1, 2),
        (200_000, 800_000),
    ),
    ("Mission d'expertise", (1, 4), (150_000, 400_000)),
    ("Billets d'avion", (2, 10), (60_000, 150_000)),
    ("Traduction", (1, 3), (50_000, 200_000)),
];

/// Action titles, taken in turn.
const ACTION_TITLES: [&str; 6] = [
    "Offre territoriale commune",
    "Atelier de haut niveau",
    "Mise à jour du répertoire",
    "Mission d'échange technique",
    "Formation des agents territoriaux",
    "Publication des bonnes pratiques",
];

/// Where a share stands once its programme reached `status`, and its version (one per step).
fn commitment(random: &mut Random, status: ProgrammeStatus) -> (CommitmentState, i32) {
    use CommitmentState::{Confirmed, Declined, Paid, Pledged, Proposed};
    let state = match status {
        ProgrammeStatus::Draft => Proposed,
        ProgrammeStatus::Proposed => random.weighted(&[(Proposed, 80), (Pledged, 20)]),
        ProgrammeStatus::Validated => random.weighted(&[(Proposed, 40), (Pledged, 60)]),
        ProgrammeStatus::InProgress => {
            random.weighted(&[(Pledged, 25), (Confirmed, 45), (Paid, 20), (Declined, 10)])
        }
        ProgrammeStatus::Completed => random.weighted(&[(Paid, 90), (Confirmed, 10)]),
        ProgrammeStatus::Cancelled => random.weighted(&[(Proposed, 60), (Declined, 40)]),
    };
    let version = match state {
        Proposed => 1,
        Pledged | Declined => 2,
        Confirmed => 3,
        Paid => 4,
    };
    (state, version)
}

/// Percentages in hundredths, adding up to exactly 100 %.
fn percentages(random: &mut Random, count: usize) -> Vec<u32> {
    let weights: Vec<u32> = (0..count).map(|_| random.between(1, 4) as u32).collect();
    let total: u32 = weights.iter().sum();
    let mut hundredths: Vec<u32> = weights
        .iter()
        .map(|weight| 10_000 * weight / total)
        .collect();
    hundredths[0] += 10_000 - hundredths.iter().sum::<u32>();
    hundredths
}

/// One authority's share of an action: the percentage or fixed amount it was given, and the
/// amount that comes to.
struct Line {
    authority_id: i64,
    percentage: Option<i32>,
    fixed: Option<i64>,
    amount: i64,
}

/// The shares of an action costing `cost` among `authorities` (sorted by id, as the domain
/// lists them). `covered`: whether fixed amounts must add up to the cost.
fn lines(
    world: &World,
    random: &mut Random,
    (cost, method, covered): (Money, SharingMethod, bool),
    authorities: &[i64],
) -> anyhow::Result<Vec<Line>> {
    let line = |authority_id: &i64, amount: &Money| Line {
        authority_id: *authority_id,
        percentage: None,
        fixed: None,
        amount: amount.minor(),
    };
    let equal = sharing::equal(cost, authorities.len())?;
    let lines = match method {
        SharingMethod::Equal => authorities
            .iter()
            .zip(&equal)
            .map(|(id, amount)| line(id, amount))
            .collect(),
        SharingMethod::Population => {
            let populations: Vec<Option<i64>> = authorities
                .iter()
                .map(|id| world.authority(*id).and_then(|row| row.population))
                .collect();
            let amounts = sharing::by_population(cost, &populations)?;
            authorities
                .iter()
                .zip(&amounts)
                .map(|(id, amount)| line(id, amount))
                .collect()
        }
        SharingMethod::Percentage => {
            let hundredths = percentages(random, authorities.len());
            let amounts = sharing::by_percentage(cost, &hundredths)?;
            authorities
                .iter()
                .zip(&amounts)
                .zip(&hundredths)
                .map(|((id, amount), share)| Line {
                    percentage: Some(*share as i32),
                    ..line(id, amount)
                })
                .collect()
        }
        // Fixed amounts cover the cost exactly once a programme is validated; before, they
        // are round hundreds, leaving the gap a draft often has.
        SharingMethod::Fixed => authorities
            .iter()
            .zip(&equal)
            .map(|(id, amount)| {
                let fixed = match covered {
                    true => amount.minor(),
                    false => amount.minor() / 10_000 * 10_000,
                };
                Line {
                    fixed: Some(fixed),
                    amount: fixed,
                    ..line(id, amount)
                }
            })
            .collect(),
    };
    Ok(lines)
}

/// An action of `programme` at `position`, with its cost items and `shares` shares.
pub(super) fn action(
    world: &World,
    random: &mut Random,
    (programme, group): (&programme::Model, &Group),
    (position, shares): (usize, usize),
    rows: &mut Rows,
) -> anyhow::Result<()> {
    let status = ProgrammeStatus::from_stored(&programme.status).unwrap_or(ProgrammeStatus::Draft);
    let currency = Currency::parse(&programme.currency)?;
    let id = rows.actions.len() as i64 + 1;
    let mut cost = 0;
    let item_count = 1 + random.index(3);
    let templates = random.distinct_below(COST_ITEMS.len(), item_count);
    for (at, template) in templates.into_iter().enumerate() {
        let (label, (fewest, most), (cheapest, dearest)) = COST_ITEMS[template];
        let quantity = random.between(fewest, most);
        let unit_cost_minor = random.between(cheapest, dearest);
        cost += quantity * unit_cost_minor;
        rows.items.push(cost_item::Model {
            id: rows.items.len() as i64 + 1,
            action_id: id,
            position: at as i32,
            label: label.to_owned(),
            quantity,
            unit_cost_minor,
            amount_minor: quantity * unit_cost_minor,
        });
    }
    let method = random.weighted(&[
        (SharingMethod::Equal, 40),
        (SharingMethod::Population, 25),
        (SharingMethod::Percentage, 20),
        (SharingMethod::Fixed, 15),
    ]);
    let pool = if group.members.len() >= shares {
        &group.members
    } else {
        &world.french
    };
    let mut authorities = random.distinct(pool, shares);
    authorities.sort_unstable();
    let covered = matches!(
        status,
        ProgrammeStatus::Validated | ProgrammeStatus::InProgress | ProgrammeStatus::Completed
    );
    let cost = Money::from_minor(cost, currency)?;
    for line in lines(world, random, (cost, method, covered), &authorities)? {
        let (commitment, version) = commitment(random, status);
        rows.shares.push(cost_share::Model {
            id: rows.shares.len() as i64 + 1,
            action_id: id,
            authority_id: line.authority_id,
            percentage_hundredths: line.percentage,
            fixed_minor: line.fixed,
            amount_minor: line.amount,
            commitment: commitment.as_str().to_owned(),
            version,
            created_at: programme.created_at,
            updated_at: programme.updated_at,
        });
    }
    let action_status = match status {
        ProgrammeStatus::InProgress => {
            random.weighted(&[("PLANNED", 30), ("IN_PROGRESS", 40), ("DONE", 30)])
        }
        ProgrammeStatus::Completed => "DONE",
        ProgrammeStatus::Cancelled => "CANCELLED",
        _ => "PLANNED",
    };
    rows.actions.push(programme_action::Model {
        id,
        programme_id: programme.id,
        position: position as i32,
        title: ACTION_TITLES[(position + programme.id as usize) % ACTION_TITLES.len()].to_owned(),
        description: None,
        status: action_status.to_owned(),
        sharing_method: method.as_str().to_owned(),
        version: 1,
        created_at: programme.created_at,
        updated_at: programme.updated_at,
    });
    Ok(())
}
