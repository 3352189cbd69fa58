//! Synthetic concerted action programmes: each led by a group's chair and coordinated by
//! CUF, with the DAECT and the embassy as partners, two milestones, and actions whose cost
//! items are shared among the group's member authorities by the programmes domain's own
//! sharing functions. A programme past PROPOSED has every action covered exactly, as the
//! workflow demands; commitments and declines follow the programme's progress.

use chrono::{Datelike, Duration};
use entities::{
    cost_item, cost_share, programme, programme_action, programme_milestone, programme_partner,
};
use sea_orm::ConnectionTrait;

use super::names::{COUNTRIES, THEMES};
use super::random::Random;
use super::{
    ACTIONS_PER_PROGRAMME, Counts, Group, SHARES_PER_ACTION, Tally, World, created_before_anchor,
    date,
};
use crate::events::fuzzy_date::{DatePrecision, FuzzyDateInput};
use crate::money::Currency;
use crate::programmes::{PartnerRole, ProgrammeStatus};
use crate::values::Date;

mod actions;

/// Every row of the programmes, ready to insert in this order.
#[derive(Default)]
struct Rows {
    programmes: Vec<programme::Model>,
    partners: Vec<programme_partner::Model>,
    milestones: Vec<programme_milestone::Model>,
    actions: Vec<programme_action::Model>,
    items: Vec<cost_item::Model>,
    shares: Vec<cost_share::Model>,
}

/// The version a programme has after the steps that brought it to `status`.
fn programme_version(status: ProgrammeStatus) -> i32 {
    match status {
        ProgrammeStatus::Draft => 1,
        ProgrammeStatus::Proposed | ProgrammeStatus::Cancelled => 2,
        ProgrammeStatus::Validated => 3,
        ProgrammeStatus::InProgress => 4,
        ProgrammeStatus::Completed => 5,
    }
}

/// The milestone at `position` of a programme, due in the month of `day`.
fn milestone(
    rows: &Rows,
    (programme_id, position): (i64, i32),
    title: &str,
    day: chrono::NaiveDate,
    done: bool,
) -> anyhow::Result<programme_milestone::Model> {
    let due = FuzzyDateInput {
        start: Date(date(day.year(), day.month(), 1)),
        end: None,
        precision: DatePrecision::Month,
        tentative: false,
    }
    .parse()?;
    Ok(programme_milestone::Model {
        id: rows.milestones.len() as i64 + 1,
        programme_id,
        position,
        title: title.to_owned(),
        due_start: Some(due.start.0),
        due_end: Some(due.end.0),
        due_precision: Some(due.precision.as_str().to_owned()),
        due_tentative: due.tentative,
        done,
    })
}

/// The programme `id` of `group`, with its partners and milestones.
fn programme(
    world: &World,
    random: &mut Random,
    (id, group): (i64, &Group),
    rows: &mut Rows,
) -> anyhow::Result<programme::Model> {
    use ProgrammeStatus::{Cancelled, Completed, Draft, InProgress, Proposed, Validated};
    let status = random.weighted(&[
        (Draft, 10),
        (Proposed, 10),
        (Validated, 15),
        (InProgress, 35),
        (Completed, 20),
        (Cancelled, 10),
    ]);
    let currency = Currency::parse(if random.chance(90) { "EUR" } else { "USD" })?;
    let starts_on = date(
        random.between(2012, 2026) as i32,
        1 + random.below(12) as u32,
        1,
    );
    let ends_on = starts_on + Duration::days(random.between(365, 3 * 365));
    let theme = THEMES[random.index(THEMES.len())].1;
    let country = &COUNTRIES[group.country];
    let title = format!(
        "Programme d'actions concertées {} {}–{} : {theme}",
        country.name,
        starts_on.year(),
        ends_on.year()
    );
    let mut partners = vec![(world.daect, PartnerRole::InstitutionalPartner)];
    partners.push((
        world.embassies[group.country],
        PartnerRole::InstitutionalPartner,
    ));
    if random.chance(20) && !world.consultants.is_empty() {
        let consultant = world.consultants[random.index(world.consultants.len())];
        partners.push((Some(consultant), PartnerRole::Adviser));
    }
    for (organisation_id, role) in partners {
        if let Some(organisation_id) = organisation_id {
            rows.partners.push(programme_partner::Model {
                id: rows.partners.len() as i64 + 1,
                programme_id: id,
                organisation_id,
                role: role.as_str().to_owned(),
            });
        }
    }
    let validated = matches!(status, Validated | InProgress | Completed);
    let first = milestone(
        rows,
        (id, 0),
        "Validation du programme par le groupe-pays",
        starts_on,
        validated,
    )?;
    rows.milestones.push(first);
    let last = milestone(
        rows,
        (id, 1),
        "Bilan et évaluation",
        ends_on,
        status == Completed,
    )?;
    rows.milestones.push(last);
    let created_at = created_before_anchor(random);
    Ok(programme::Model {
        id,
        sort_key: crate::text::fold(&title),
        title,
        group_id: Some(group.id),
        lead_authority_id: Some(group.chair),
        coordinator_organisation_id: Some(world.cuf),
        status: status.as_str().to_owned(),
        currency: currency.code().to_owned(),
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        description: random.chance(50).then(|| {
            format!(
                "Programme coordonné par Cités Unies France avec le groupe-pays {}.",
                country.name
            )
        }),
        version: programme_version(status),
        created_at,
        updated_at: created_at,
    })
}

/// Every programme row, programmes spread over the groups in turn.
fn generate(counts: &Counts, world: &World) -> anyhow::Result<Rows> {
    let mut random = Random::stream(7);
    let most_shares = SHARES_PER_ACTION.min(world.french.len()) as u64;
    let too_few = || anyhow::anyhow!("the counts {counts:?} cannot make consistent programmes");
    let actions = random
        .split(
            counts.actions as u64,
            counts.programmes,
            1,
            ACTIONS_PER_PROGRAMME as u64,
        )
        .ok_or_else(too_few)?;
    let shares = random
        .split(counts.shares as u64, counts.actions, 1, most_shares)
        .ok_or_else(too_few)?;
    let mut rows = Rows::default();
    for (index, count) in actions.iter().enumerate() {
        let group = &world.groups[index % world.groups.len()];
        let programme = programme(world, &mut random, (index as i64 + 1, group), &mut rows)?;
        for position in 0..*count as usize {
            let size = shares[rows.actions.len()] as usize;
            actions::action(
                world,
                &mut random,
                (&programme, group),
                (position, size),
                &mut rows,
            )?;
        }
        rows.programmes.push(programme);
    }
    Ok(rows)
}

/// Generates and inserts the programmes with their partners, milestones, actions, cost items
/// and shares.
pub async fn load(
    db: &impl ConnectionTrait,
    counts: &Counts,
    world: &World,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let rows = generate(counts, world)?;
    tally
        .write::<programme::Entity>(db, &rows.programmes)
        .await?;
    tally
        .write::<programme_partner::Entity>(db, &rows.partners)
        .await?;
    tally
        .write::<programme_milestone::Entity>(db, &rows.milestones)
        .await?;
    tally
        .write::<programme_action::Entity>(db, &rows.actions)
        .await?;
    tally.write::<cost_item::Entity>(db, &rows.items).await?;
    tally.write::<cost_share::Entity>(db, &rows.shares).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::small_world;
    use super::*;

    fn small_rows() -> (Counts, Rows) {
        let (counts, mut world) = small_world();
        super::super::events::groups(&counts, &mut world);
        let rows = generate(&counts, &world).unwrap();
        (counts, rows)
    }

    #[test]
    fn counts_come_out_exactly() {
        let (counts, rows) = small_rows();
        assert_eq!(rows.programmes.len(), counts.programmes);
        assert_eq!(rows.actions.len(), counts.actions);
        assert_eq!(rows.shares.len(), counts.shares);
    }

    #[test]
    fn validated_programmes_cover_every_action_exactly() {
        let (_, rows) = small_rows();
        for action in &rows.actions {
            let programme = &rows.programmes[action.programme_id as usize - 1];
            let cost: i64 = rows
                .items
                .iter()
                .filter(|item| item.action_id == action.id)
                .map(|item| item.amount_minor)
                .sum();
            let shares: Vec<&cost_share::Model> = rows
                .shares
                .iter()
                .filter(|share| share.action_id == action.id)
                .collect();
            let mut authorities: Vec<i64> = shares.iter().map(|share| share.authority_id).collect();
            authorities.dedup();
            assert_eq!(authorities.len(), shares.len(), "an authority shares twice");
            if action.sharing_method == "PERCENTAGE" {
                let total: i32 = shares
                    .iter()
                    .filter_map(|share| share.percentage_hundredths)
                    .sum();
                assert_eq!(total, 10_000);
            }
            if matches!(
                programme.status.as_str(),
                "VALIDATED" | "IN_PROGRESS" | "COMPLETED"
            ) {
                let shared: i64 = shares.iter().map(|share| share.amount_minor).sum();
                assert_eq!(shared, cost, "{}", action.title);
            }
            assert!(shares.iter().all(|share| share.amount_minor >= 0));
        }
    }
}
