//! Synthetic directory: CUF's themes, and fiches between French and foreign authorities with
//! their partners and themes, mostly validated (so that the public directory shows most of
//! them), spread over the partner countries with the first countries busiest.

use chrono::Duration;
use entities::{cooperation, cooperation_partner, cooperation_theme, theme};
use sea_orm::{ConnectionTrait, DbErr};

use super::names::{COUNTRIES, THEMES};
use super::random::Random;
use super::{Counts, Tally, World, anchor, created_before_anchor};
use crate::directory::{CooperationSource, CooperationStatus, PartnerSide, ValidationState};

/// Fiches generated and inserted together; their partner and theme rows follow them.
const BATCH: usize = 5_000;

/// CUF's themes, created ten years before the anchor.
fn themes() -> Vec<theme::Model> {
    THEMES
        .iter()
        .enumerate()
        .map(|(index, (code, label))| theme::Model {
            id: index as i64 + 1,
            code: (*code).to_owned(),
            label: (*label).to_owned(),
            version: 1,
            created_at: anchor() - Duration::days(3_650),
            updated_at: anchor() - Duration::days(3_650),
        })
        .collect()
}

/// One fiche with its partner and theme rows.
type Fiche = (
    cooperation::Model,
    Vec<cooperation_partner::Model>,
    Vec<cooperation_theme::Model>,
);

/// The start and end years a fiche of `status` may have.
fn years(random: &mut Random, status: CooperationStatus) -> (Option<i32>, Option<i32>) {
    let year = |random: &mut Random, from, to| Some(random.between(from, to) as i32);
    match status {
        CooperationStatus::Ended => {
            let start = random.between(1985, 2018);
            let end = random.between(start + 1, (start + 12).min(2024));
            (Some(start as i32), Some(end as i32))
        }
        CooperationStatus::Ongoing if random.chance(10) => (None, None),
        CooperationStatus::Ongoing => (year(random, 1990, 2024), None),
        CooperationStatus::Dormant => (year(random, 1985, 2015), None),
        CooperationStatus::Upcoming if random.chance(50) => (None, None),
        CooperationStatus::Upcoming => (year(random, 2025, 2027), None),
    }
}

/// The validation columns of a fiche created at `created`, as the workflow leaves them at
/// `state`: (version, awaiting since, validated at, updated at).
type Workflow = (
    i32,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
    chrono::DateTime<chrono::Utc>,
);

/// Where the workflow leaves a fiche at `state`.
fn workflow(
    random: &mut Random,
    state: ValidationState,
    created: chrono::DateTime<chrono::Utc>,
) -> Workflow {
    let steps = match state {
        ValidationState::Draft => 0,
        ValidationState::Prefilled => 1,
        ValidationState::AwaitingValidation => 2,
        ValidationState::Validated => 3,
    };
    let mut at = created;
    let mut stamps = Vec::with_capacity(steps);
    for _ in 0..steps {
        at += Duration::hours(random.between(1, 24 * 60));
        stamps.push(at);
    }
    let awaiting = (state == ValidationState::AwaitingValidation).then(|| stamps.get(1).copied());
    let validated = (state == ValidationState::Validated).then(|| stamps.get(2).copied());
    (
        steps as i32 + 1,
        awaiting.flatten(),
        validated.flatten(),
        at,
    )
}

/// The fiche `id`, with its partners and themes.
fn fiche(world: &World, random: &mut Random, id: i64) -> Fiche {
    use CooperationStatus::{Dormant, Ended, Ongoing, Upcoming};
    use ValidationState::{AwaitingValidation, Draft, Prefilled, Validated};
    let countries = world.foreign.len();
    // The smaller of two draws: the first countries get most fiches, as in the real directory.
    let country = random.index(countries).min(random.index(countries));
    let sizes = (
        1 + usize::from(random.chance(30)),
        1 + usize::from(random.chance(25)),
        1 + random.index(3),
    );
    let french = random.distinct(&world.french, sizes.0);
    let foreign = random.distinct(&world.foreign[country], sizes.1);
    let themes = random.distinct(&world.themes, sizes.2);
    let status = random.weighted(&[(Ongoing, 45), (Ended, 25), (Dormant, 15), (Upcoming, 15)]);
    let (start_year, end_year) = years(random, status);
    let state = random.weighted(&[
        (Validated, 80),
        (AwaitingValidation, 8),
        (Prefilled, 6),
        (Draft, 6),
    ]);
    let partners: Vec<_> = french
        .iter()
        .chain(&foreign)
        .filter_map(|id| world.authority(*id).cloned())
        .collect();
    let name = |at: usize| partners.get(at).map_or("", |partner| partner.name.as_str());
    let theme = THEMES[(themes[0] - 1) as usize % THEMES.len()].1;
    let partner_country = COUNTRIES[country].name;
    let title = format!("{theme} : {} et {}", name(0), name(french.len()));
    let summary = random.chance(60).then(|| {
        format!(
            "Coopération entre {} et {} ({partner_country}) sur le thème « {theme} ».",
            name(0),
            name(french.len())
        )
    });
    let source_count = 1 + random.index(2);
    let sources: Vec<CooperationSource> = random.distinct(
        &[
            CooperationSource::CufSurvey,
            CooperationSource::Embassy,
            CooperationSource::Authority,
        ],
        source_count,
    );
    let created_at = created_before_anchor(random);
    let (version, awaiting_since, validated_at, updated_at) = workflow(random, state, created_at);
    let reminders = match awaiting_since {
        Some(_) if random.chance(50) => random.between(1, 3) as i32,
        _ => 0,
    };
    let mut model = cooperation::Model {
        id,
        title,
        sort_key: String::new(),
        search_text: String::new(),
        country_code: COUNTRIES[country].code.to_owned(),
        status: status.as_str().to_owned(),
        start_year,
        end_year,
        start_year_key: 0,
        summary,
        sources: crate::directory::sources_text(&sources),
        internal_notes: random
            .chance(10)
            .then(|| "Relancer l'ambassade pour mettre la fiche à jour.".to_owned()),
        validation_state: state.as_str().to_owned(),
        awaiting_since,
        validated_at,
        validated_by: None,
        // No user exists yet: CUF recorded every validation on the authorities' behalf.
        validated_on_behalf: validated_at.is_some(),
        last_reminded_at: awaiting_since
            .filter(|_| reminders > 0)
            .map(|since| since + Duration::days(7 * i64::from(reminders))),
        reminder_count: reminders,
        version,
        created_at,
        updated_at,
    };
    crate::directory::index(&mut model, &partners);
    let (partner_rows, theme_rows) = links(id, (&french, &foreign), &themes);
    (model, partner_rows, theme_rows)
}

/// The partner and theme rows of the fiche `id`.
fn links(
    id: i64,
    (french, foreign): (&[i64], &[i64]),
    themes: &[i64],
) -> (
    Vec<cooperation_partner::Model>,
    Vec<cooperation_theme::Model>,
) {
    let side = |ids: &[i64], side: PartnerSide| -> Vec<cooperation_partner::Model> {
        ids.iter()
            .map(|authority_id| cooperation_partner::Model {
                cooperation_id: id,
                authority_id: *authority_id,
                side: side.as_str().to_owned(),
            })
            .collect()
    };
    let mut partners = side(french, PartnerSide::French);
    partners.extend(side(foreign, PartnerSide::Foreign));
    let themes = themes
        .iter()
        .map(|theme_id| cooperation_theme::Model {
            cooperation_id: id,
            theme_id: *theme_id,
        })
        .collect();
    (partners, themes)
}

/// Fiches `first..first + count` (ids from `first + 1`).
fn fiches(world: &World, random: &mut Random, first: usize, count: usize) -> Vec<Fiche> {
    (first..first + count)
        .map(|index| fiche(world, random, index as i64 + 1))
        .collect()
}

/// Generates and inserts the themes, then the fiches batch by batch.
pub async fn load(
    db: &impl ConnectionTrait,
    counts: &Counts,
    world: &mut World,
    tally: &mut Tally,
) -> Result<(), DbErr> {
    let themes = themes();
    tally.write::<theme::Entity>(db, &themes).await?;
    world.themes = themes.iter().map(|theme| theme.id).collect();
    let mut random = Random::stream(4);
    for first in (0..counts.cooperations).step_by(BATCH) {
        let batch = fiches(
            world,
            &mut random,
            first,
            BATCH.min(counts.cooperations - first),
        );
        let mut cooperations = Vec::with_capacity(batch.len());
        let (mut partners, mut themes) = (Vec::new(), Vec::new());
        for (cooperation, partner_rows, theme_rows) in batch {
            cooperations.push(cooperation);
            partners.extend(partner_rows);
            themes.extend(theme_rows);
        }
        tally
            .write::<cooperation::Entity>(db, &cooperations)
            .await?;
        tally
            .write::<cooperation_partner::Entity>(db, &partners)
            .await?;
        tally
            .write::<cooperation_theme::Entity>(db, &themes)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::small_world;
    use super::*;

    #[test]
    fn fiches_follow_the_directory_rules() {
        let (_, world) = small_world();
        let mut random = Random::stream(4);
        for (fiche, partners, themes) in fiches(&world, &mut random, 0, 500) {
            let country = |id: i64| world.authority(id).unwrap().country_code.clone();
            let on = |side: PartnerSide| -> Vec<String> {
                partners
                    .iter()
                    .filter(|row| row.side == side.as_str())
                    .map(|row| country(row.authority_id))
                    .collect()
            };
            assert!(!on(PartnerSide::French).is_empty() && !on(PartnerSide::Foreign).is_empty());
            assert!(on(PartnerSide::French).iter().all(|code| code == "FR"));
            assert!(
                on(PartnerSide::Foreign)
                    .iter()
                    .all(|code| *code == fiche.country_code)
            );
            assert!((1..=3).contains(&themes.len()));
            if let (Some(start), Some(end)) = (fiche.start_year, fiche.end_year) {
                assert!(start <= end);
            }
            assert_eq!(fiche.start_year_key, fiche.start_year.unwrap_or(0));
            assert_eq!(fiche.sort_key, crate::text::fold(&fiche.title));
            assert!(
                crate::values::Name::parse(&fiche.title).is_ok(),
                "{}",
                fiche.title
            );
            let state = ValidationState::from_stored(&fiche.validation_state).unwrap();
            assert_eq!(
                fiche.validated_at.is_some(),
                state == ValidationState::Validated
            );
            assert_eq!(
                fiche.awaiting_since.is_some(),
                state == ValidationState::AwaitingValidation
            );
            assert!(fiche.updated_at >= fiche.created_at);
        }
    }

    #[test]
    fn most_fiches_are_validated_and_many_countries_have_some() {
        let (_, world) = small_world();
        let batch = fiches(&world, &mut Random::stream(4), 0, 500);
        let validated = batch
            .iter()
            .filter(|(fiche, _, _)| fiche.validation_state == "VALIDATED")
            .count();
        assert!(validated > 350, "{validated}");
        let mut countries: Vec<&str> = batch
            .iter()
            .map(|(fiche, _, _)| fiche.country_code.as_str())
            .collect();
        countries.sort_unstable();
        countries.dedup();
        assert_eq!(countries.len(), world.foreign.len());
    }
}
