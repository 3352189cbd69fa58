//! Synthetic country groups with their member authorities, and events (mostly group
//! meetings, from 2012 to 2029 so that some are always upcoming) with participants drawn
//! from the people, each representing their employer. Fuzzy dates go through the events
//! domain's own parser, so that each fits its precision.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::{country_group, event, event_participant, group_membership};
use sea_orm::ConnectionTrait;

use super::actors::french_place;
use super::names::{COUNTRIES, Country, THEMES};
use super::random::Random;
use super::{
    Counts, Group, PARTICIPANTS_PER_EVENT, Tally, World, anchor, created_before_anchor, date,
};
use crate::events::fuzzy_date::{DatePrecision, FuzzyDate, FuzzyDateInput};
use crate::events::{Attendance, EventKind, EventVisibility, Location};
use crate::groups::{MembershipRole, MembershipStatus};
use crate::values::Date;

/// Events whose participants are generated and inserted together.
const BATCH: usize = 2_000;

/// Groups, one per partner country in turn, then thematic ones; with their memberships.
pub(super) fn groups(
    counts: &Counts,
    world: &mut World,
) -> (Vec<country_group::Model>, Vec<group_membership::Model>) {
    let mut random = Random::stream(5);
    let countries = world.foreign.len();
    let mut groups = Vec::with_capacity(counts.country_groups);
    let mut rows = Vec::new();
    for index in 0..counts.country_groups {
        let id = index as i64 + 1;
        let (country, round) = (index % countries, index / countries);
        let country_name = COUNTRIES[country].name;
        let name = match round {
            0 => format!("Groupe-pays {country_name}"),
            _ => format!(
                "Groupe-pays {country_name} – {}",
                THEMES[(round - 1) % THEMES.len()].1
            ),
        };
        let size = (random.between(8, 20) as usize).min(world.french.len());
        let members = random.distinct(&world.french, size);
        let launched_on =
            date(random.between(1995, 2020) as i32, 1, 1) + Duration::days(random.between(0, 364));
        let created_at = created_before_anchor(&mut random);
        let description = random.chance(50).then(|| {
            format!("Les collectivités françaises engagées avec le pays « {country_name} ».")
        });
        groups.push(country_group::Model {
            id,
            sort_key: crate::text::fold(&name),
            name,
            country_code: COUNTRIES[country].code.to_owned(),
            chair_authority_id: Some(members[0]),
            chair_person_id: world.representatives.get(&members[0]).copied(),
            coordinator_person_id: Some(world.desk_officers[index % world.desk_officers.len()]),
            launched_on: Some(launched_on),
            description,
            version: 1,
            created_at,
            updated_at: created_at,
        });
        let active = memberships(&mut random, (id, &members), launched_on, &mut rows);
        world.groups.push(Group {
            id,
            country,
            chair: members[0],
            members: active,
        });
    }
    (groups, rows)
}

/// The memberships of `members` in the group `group_id`, the first as its chair, pushed to
/// `rows`; the members whose membership is active (some others only asked to join).
fn memberships(
    random: &mut Random,
    (group_id, members): (i64, &[i64]),
    launched_on: NaiveDate,
    rows: &mut Vec<group_membership::Model>,
) -> Vec<i64> {
    let mut active = Vec::with_capacity(members.len());
    for (position, authority_id) in members.iter().enumerate() {
        let requested = position > 0 && random.chance(8);
        let role = match position {
            0 => MembershipRole::Chair,
            _ if random.chance(10) => MembershipRole::Observer,
            _ => MembershipRole::Member,
        };
        let status = if requested {
            MembershipStatus::Requested
        } else {
            active.push(*authority_id);
            MembershipStatus::Active
        };
        let since = launched_on + Duration::days(random.between(0, 3_000));
        rows.push(group_membership::Model {
            id: rows.len() as i64 + 1,
            group_id,
            authority_id: *authority_id,
            role: role.as_str().to_owned(),
            status: status.as_str().to_owned(),
            since: (!requested).then_some(since),
            until: None,
            created_at: since
                .and_time(chrono::NaiveTime::MIN)
                .and_utc()
                .min(anchor()),
        });
    }
    active
}

/// A date between 2012 and 2029 at a random precision, checked by the domain's parser.
fn fuzzy_date(random: &mut Random) -> anyhow::Result<FuzzyDate> {
    let day = date(2012, 1, 1) + Duration::days(random.between(0, 18 * 365 - 1));
    let precision = random.weighted(&[
        (DatePrecision::Day, 75),
        (DatePrecision::Month, 12),
        (DatePrecision::Season, 8),
        (DatePrecision::Year, 5),
    ]);
    let (start, end) = match precision {
        DatePrecision::Day => (day, Some(day + Duration::days(random.between(0, 2)))),
        DatePrecision::Month => (date(day.year(), day.month(), 1), None),
        DatePrecision::Season => (date(day.year(), [3, 6, 9, 12][random.index(4)], 1), None),
        DatePrecision::Year => (date(day.year(), 1, 1), None),
    };
    let tentative = random.chance(if precision == DatePrecision::Day {
        5
    } else {
        30
    });
    let input = FuzzyDateInput {
        start: Date(start),
        end: end.map(Date),
        precision,
        tentative,
    };
    Ok(input.parse()?)
}

/// `hour` o'clock UTC on `day`.
fn at_hour(day: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    day.and_hms_opt(hour, 0, 0).map(|time| time.and_utc())
}

/// The title of an event of `kind` about `country` and `theme`.
fn title(kind: EventKind, country: &str, theme: &str) -> String {
    match kind {
        EventKind::CountryGroupMeeting => format!("Réunion du groupe-pays {country}"),
        EventKind::Workshop => format!("Atelier « {theme} » – {country}"),
        EventKind::Seminar => format!("Séminaire {theme}"),
        EventKind::StateVisit => format!("Visite d'État – {country}"),
        EventKind::Conference => "Assises de la coopération décentralisée".to_owned(),
        EventKind::BoardMeeting => "Bureau exécutif de Cités Unies France".to_owned(),
        EventKind::Forum => format!("Forum {theme}"),
        EventKind::Other => format!("Rencontre des partenaires – {country}"),
    }
}

/// Where an event of `kind` takes place: group meetings at CUF in Paris, most visits and
/// workshops in the partner country, the rest in a French town hall.
fn location(random: &mut Random, kind: EventKind, partner: Option<&Country>) -> Location {
    use EventKind::{BoardMeeting, CountryGroupMeeting, Other, StateVisit, Workshop};
    let abroad = matches!(kind, StateVisit | Workshop | Other) && random.chance(70);
    match partner {
        Some(partner) if abroad => Location {
            city: Some(partner.cities[random.index(2)].to_owned()),
            country_code: Some(partner.code.to_owned()),
            ..Location::default()
        },
        _ if matches!(kind, CountryGroupMeeting | BoardMeeting) => Location {
            venue: Some("Cités Unies France".to_owned()),
            street_address: Some("9 rue Christiani, 75018 Paris".to_owned()),
            city: Some("Paris".to_owned()),
            country_code: Some("FR".to_owned()),
            directions: Some("Métro Barbès-Rochechouart (lignes 2 et 4)".to_owned()),
        },
        _ => Location {
            venue: Some("Hôtel de ville".to_owned()),
            city: Some(french_place(random.index(900))),
            country_code: Some("FR".to_owned()),
            ..Location::default()
        },
    }
}

/// The event `id`: mostly of a group, at a fuzzy date, with a place and perhaps times.
fn event_row(world: &World, random: &mut Random, id: i64) -> anyhow::Result<event::Model> {
    use EventKind::{
        BoardMeeting, Conference, CountryGroupMeeting, Forum, Other, Seminar, StateVisit, Workshop,
    };
    let group = random
        .chance(90)
        .then(|| &world.groups[random.index(world.groups.len())]);
    let kind = match group {
        Some(_) => random.weighted(&[
            (CountryGroupMeeting, 50),
            (Workshop, 15),
            (Seminar, 12),
            (StateVisit, 8),
            (Forum, 5),
            (Other, 10),
        ]),
        None => random.weighted(&[(Conference, 40), (BoardMeeting, 40), (Forum, 20)]),
    };
    let partner = group.map(|group| &COUNTRIES[group.country]);
    let theme = THEMES[random.index(THEMES.len())].1;
    let date = fuzzy_date(random)?;
    let location = location(random, kind, partner);
    // Times only for days in France, at 9:00 or 14:00 Paris time (8:00 or 13:00 UTC).
    let in_france = location.country_code.as_deref() == Some("FR");
    let timed = date.precision == DatePrecision::Day && in_france && random.chance(70);
    let starts_at = timed
        .then(|| at_hour(date.start.0, if random.chance(50) { 8 } else { 13 }))
        .flatten();
    let ends_at = starts_at.and_then(|_| at_hour(date.end.0, 16));
    let created_at = created_before_anchor(random);
    let past = date.end.0 < anchor().date_naive();
    Ok(event::Model {
        id,
        title: title(kind, partner.map_or("", |partner| partner.name), theme),
        kind: kind.as_str().to_owned(),
        group_id: group.map(|group| group.id),
        visibility: if kind == BoardMeeting || random.chance(15) {
            EventVisibility::Members
        } else {
            EventVisibility::Public
        }
        .as_str()
        .to_owned(),
        organiser_authority_id: group.map(|group| group.chair),
        organiser_organisation_id: group.is_none().then_some(world.cuf),
        facilitator_person_id: random
            .chance(80)
            .then(|| world.desk_officers[random.index(world.desk_officers.len())]),
        date_start: date.start.0,
        date_end: date.end.0,
        date_precision: date.precision.as_str().to_owned(),
        tentative: date.tentative,
        starts_at,
        ends_at,
        time_zone: starts_at.map(|_| "Europe/Paris".to_owned()),
        venue: location.venue,
        street_address: location.street_address,
        city: location.city,
        location_country_code: location.country_code,
        directions: location.directions,
        minutes: (past && kind == CountryGroupMeeting && random.chance(30)).then(|| {
            "Tour de table des collectivités, point sur le répertoire, prochaines étapes."
                .to_owned()
        }),
        version: 1,
        created_at: created_at.min(anchor()),
        updated_at: created_at.min(anchor()),
    })
}

/// The participants of `event`: `count` distinct people, each representing their employer;
/// those of past events came or not, those of future ones are invited.
fn participants(
    world: &World,
    random: &mut Random,
    event: &event::Model,
    count: usize,
    first_id: i64,
) -> Vec<event_participant::Model> {
    let past = event.date_end < anchor().date_naive();
    random
        .distinct_below(world.people.len(), count)
        .into_iter()
        .zip(first_id..)
        .map(|(person, id)| {
            let person = &world.people[person];
            let attendance = match past {
                true => random.weighted(&[
                    (Attendance::Present, 75),
                    (Attendance::Excused, 15),
                    (Attendance::Absent, 10),
                ]),
                false => Attendance::Invited,
            };
            event_participant::Model {
                id,
                event_id: event.id,
                person_id: person.id,
                authority_id: person.authority_id,
                organisation_id: person.organisation_id,
                job_title: Some(person.job_title.to_owned()),
                attendance: attendance.as_str().to_owned(),
            }
        })
        .collect()
}

/// Generates and inserts the groups with their memberships, then the events and their
/// participants batch by batch.
pub async fn load(
    db: &impl ConnectionTrait,
    counts: &Counts,
    world: &mut World,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let (groups, memberships) = groups(counts, world);
    tally.write::<country_group::Entity>(db, &groups).await?;
    tally
        .write::<group_membership::Entity>(db, &memberships)
        .await?;
    let mut random = Random::stream(6);
    let most = PARTICIPANTS_PER_EVENT.min(world.people.len()) as u64;
    let sizes = random
        .split(counts.participants as u64, counts.events, 1, most)
        .ok_or_else(|| {
            anyhow::anyhow!("too few people for {} participants", counts.participants)
        })?;
    let mut next_participant = 1;
    for (batch, sizes) in sizes.chunks(BATCH).enumerate() {
        let mut events = Vec::with_capacity(BATCH);
        let mut rows = Vec::new();
        for (offset, size) in sizes.iter().enumerate() {
            let id = (batch * BATCH + offset) as i64 + 1;
            let event = event_row(world, &mut random, id)?;
            let batch = participants(world, &mut random, &event, *size as usize, next_participant);
            next_participant += batch.len() as i64;
            rows.extend(batch);
            events.push(event);
        }
        tally.write::<event::Entity>(db, &events).await?;
        tally.write::<event_participant::Entity>(db, &rows).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::small_world;
    use super::*;

    #[test]
    fn groups_have_a_chair_among_their_members() {
        let (counts, mut world) = small_world();
        let (groups, memberships) = groups(&counts, &mut world);
        assert_eq!(groups.len(), counts.country_groups);
        for group in &groups {
            let chair = group.chair_authority_id.unwrap();
            assert!(memberships.iter().any(|row| row.group_id == group.id
                && row.authority_id == chair
                && row.role == "CHAIR"
                && row.status == "ACTIVE"));
        }
    }

    #[test]
    fn events_fit_their_dates_and_participants_are_distinct() {
        let (counts, mut world) = small_world();
        groups(&counts, &mut world);
        let mut random = Random::stream(6);
        for id in 1..=200 {
            let event = event_row(&world, &mut random, id).unwrap();
            if let Some(starts_at) = event.starts_at {
                assert!((event.date_start..=event.date_end).contains(&starts_at.date_naive()));
                assert!(event.ends_at.unwrap() >= starts_at);
            }
            assert!(crate::values::Name::parse(&event.title).is_ok());
            let mut people: Vec<i64> = participants(&world, &mut random, &event, 14, 1)
                .iter()
                .map(|row| row.person_id)
                .collect();
            people.sort_unstable();
            people.dedup();
            assert_eq!(people.len(), 14);
        }
    }
}
