//! Synthetic actors: French authorities (regions, départements, intercommunalities, communes,
//! each with its parent), foreign authorities in the partner countries, organisations (CUF,
//! the DAECT, embassies, networks, agencies, consultants) and people with one affiliation
//! each. Derived columns come from the domain modules' own `index` functions.

use entities::{affiliation, authority, organisation, person};
use sea_orm::{ConnectionTrait, DbErr};

use super::names::{COUNTRIES, FIRST_NAMES, LAST_NAMES, PLACE_STEMS, PLACE_SUFFIXES};
use super::random::Random;
use super::{Counts, PersonRef, Tally, World, created_before_anchor, date};
use crate::authorities::AuthorityKind;
use crate::organisations::OrganisationKind;

/// A French place name, distinct for each `index`.
pub fn french_place(index: usize) -> String {
    let stem = PLACE_STEMS[index % PLACE_STEMS.len()];
    let suffix = PLACE_SUFFIXES[(index / PLACE_STEMS.len()) % PLACE_SUFFIXES.len()];
    match index / (PLACE_STEMS.len() * PLACE_SUFFIXES.len()) {
        0 => format!("{stem}{suffix}"),
        round => format!("{stem}{suffix} {}", round + 1),
    }
}

/// An authority row, its derived columns computed.
fn authority_row(
    random: &mut Random,
    id: i64,
    name: String,
    (kind, country_code): (AuthorityKind, &str),
    population: i64,
    parent_id: Option<i64>,
) -> authority::Model {
    let created_at = created_before_anchor(random);
    let french = country_code == "FR";
    let slug = crate::text::fold(&name).replace(' ', "-");
    let mut model = authority::Model {
        id,
        name,
        sort_key: String::new(),
        search_text: String::new(),
        kind: kind.as_str().to_owned(),
        country_code: country_code.to_owned(),
        population: Some(population),
        parent_id,
        is_cuf_member: french && random.chance(70),
        website: random
            .chance(30)
            .then(|| format!("https://www.{slug}.example.org")),
        description: None,
        version: 1,
        created_at,
        updated_at: created_at,
    };
    crate::authorities::index(&mut model);
    model
}

/// French authorities first, then foreign ones.
fn authorities(counts: &Counts, world: &mut World) -> Vec<authority::Model> {
    let mut random = Random::stream(1);
    let mut rows = french_authorities(counts, world, &mut random);
    rows.extend(foreign_authorities(counts, world, &mut random));
    rows
}

/// French authorities in tiers, so that a parent always has the smaller id: regions,
/// départements (each in a region), intercommunalities, communes (each in a département).
fn french_authorities(
    counts: &Counts,
    world: &mut World,
    random: &mut Random,
) -> Vec<authority::Model> {
    use AuthorityKind::{Department, Intercommunality, Municipality, Region};
    let french = counts.french_authorities();
    let regions = (french / 60).max(1);
    let departments = (french / 8).max(1).min(french - regions);
    let intercommunalities = french / 4;
    let mut rows = Vec::with_capacity(french);
    for index in 0..french {
        let id = index as i64 + 1;
        let place = french_place(index);
        let (name, kind, population, parent) = if index < regions {
            let population = random.between(1_000_000, 6_000_000);
            (
                format!("Conseil régional de {place}"),
                Region,
                population,
                None,
            )
        } else if index < regions + departments {
            let parent = (index % regions) as i64 + 1;
            let population = random.between(150_000, 1_500_000);
            let name = format!("Conseil départemental de {place}");
            (name, Department, population, Some(parent))
        } else if index < regions + departments + intercommunalities {
            let population = random.between(30_000, 800_000);
            let name = format!("Communauté d'agglomération de {place}");
            (name, Intercommunality, population, None)
        } else {
            let parent = (regions + index % departments.max(1)) as i64 + 1;
            let population = random.between(500, 250_000);
            (
                format!("Ville de {place}"),
                Municipality,
                population,
                Some(parent),
            )
        };
        rows.push(authority_row(
            random,
            id,
            name,
            (kind, "FR"),
            population,
            parent,
        ));
        world.french.push(id);
    }
    rows
}

/// Foreign authorities, spread over the partner countries in turn: the first of each country
/// a region or federated state, the others its municipalities and agglomerations.
fn foreign_authorities(
    counts: &Counts,
    world: &mut World,
    random: &mut Random,
) -> Vec<authority::Model> {
    use AuthorityKind::{Intercommunality, Municipality, Region, State};
    let french = counts.french_authorities();
    let foreign = counts.authorities - french;
    let mut rows = Vec::with_capacity(foreign);
    let countries = counts.countries();
    world.foreign = vec![Vec::new(); countries];
    for index in 0..foreign {
        let id = (french + index) as i64 + 1;
        let (country, round) = (index % countries, index / countries);
        let Some(partner) = COUNTRIES.get(country) else {
            continue;
        };
        let district = ["", "-Centre", "-Nord", "-Sud", "-Est", "-Ouest"][(round / 2) % 6];
        let number = match round / 12 {
            0 => String::new(),
            repeat => format!(" {}", repeat + 1),
        };
        let city = format!("{}{district}{number}", partner.cities[round % 2]);
        let first_of_country = world.foreign[country].first().copied();
        let federal = ["MX", "BR", "US", "IN", "DE", "AR"].contains(&partner.code);
        let (name, kind, population) = match (round, round % 5) {
            (0, _) if federal => (format!("État de {city}"), State, 5_000_000),
            (0, _) => (format!("Région de {city}"), Region, 2_000_000),
            (_, 4) => (
                format!("Agglomération de {city}"),
                Intercommunality,
                600_000,
            ),
            _ => (format!("Municipalité de {city}"), Municipality, 150_000),
        };
        let population = random.between(population / 5, population * 2);
        let parent = first_of_country.filter(|_| kind == Municipality);
        let row = authority_row(random, id, name, (kind, partner.code), population, parent);
        rows.push(row);
        world.foreign[country].push(id);
    }
    rows
}

/// An organisation row, its derived columns computed.
fn organisation_row(
    random: &mut Random,
    id: i64,
    (name, acronym): (String, Option<&str>),
    kind: OrganisationKind,
    country_code: Option<&str>,
) -> organisation::Model {
    let created_at = created_before_anchor(random);
    let mut model = organisation::Model {
        id,
        name,
        acronym: acronym.map(str::to_owned),
        sort_key: String::new(),
        search_text: String::new(),
        kind: kind.as_str().to_owned(),
        country_code: country_code.map(str::to_owned),
        website: None,
        description: None,
        version: 1,
        created_at,
        updated_at: created_at,
    };
    crate::organisations::index(&mut model);
    model
}

/// CUF, the DAECT, one embassy per partner country, then networks, agencies and
/// consultants, as many as the count leaves room for.
fn organisations(counts: &Counts, world: &mut World) -> Vec<organisation::Model> {
    use OrganisationKind::{Agency, Consultant, Embassy, Ministry, Network, Other};
    let mut random = Random::stream(2);
    let mut rows = vec![organisation_row(
        &mut random,
        1,
        ("Cités Unies France".into(), Some("CUF")),
        Network,
        Some("FR"),
    )];
    world.cuf = 1;
    world.embassies = vec![None; counts.countries()];
    for index in 1..counts.organisations {
        let id = index as i64 + 1;
        let embassy = index.checked_sub(2).filter(|at| *at < counts.countries());
        let row = if index == 1 {
            world.daect = Some(id);
            let name = "Délégation pour l'action extérieure des collectivités territoriales";
            organisation_row(
                &mut random,
                id,
                (name.into(), Some("DAECT")),
                Ministry,
                Some("FR"),
            )
        } else if let Some(country) = embassy.and_then(|at| COUNTRIES.get(at)) {
            world.embassies[index - 2] = Some(id);
            let name = format!("Ambassade de France – {}", country.name);
            organisation_row(&mut random, id, (name, None), Embassy, Some(country.code))
        } else {
            let place = french_place(index * 7);
            let (name, kind) = match index % 4 {
                0 => (format!("Cabinet {place} Conseil"), Consultant),
                1 => (format!("Agence de coopération de {place}"), Agency),
                2 => (format!("Réseau solidaire de {place}"), Network),
                _ => (format!("Association {place} International"), Other),
            };
            if kind == Consultant {
                world.consultants.push(id);
            }
            organisation_row(&mut random, id, (name, None), kind, Some("FR"))
        };
        rows.push(row);
    }
    rows
}

/// Job titles at an authority.
const AUTHORITY_TITLES: [&str; 6] = [
    "Directrice des relations internationales",
    "Chargé de mission coopération décentralisée",
    "Élue déléguée aux relations internationales",
    "Chef de service Europe et international",
    "Maire adjoint",
    "Responsable des partenariats",
];

/// Job titles at an organisation.
const ORGANISATION_TITLES: [&str; 4] = [
    "Chargée de mission",
    "Conseiller",
    "Attaché de coopération",
    "Consultante",
];

/// A person's one employer and job title: mostly a French authority, some foreign
/// authorities and organisations.
fn employer(
    world: &World,
    random: &mut Random,
    foreign: &[i64],
    organisations: usize,
) -> PersonRef {
    let (authority_id, organisation_id, titles) = match random.below(100) {
        0..70 => (
            Some(world.french[random.index(world.french.len())]),
            None,
            &AUTHORITY_TITLES[..],
        ),
        70..85 if !foreign.is_empty() => (
            Some(foreign[random.index(foreign.len())]),
            None,
            &AUTHORITY_TITLES[..],
        ),
        _ => (
            None,
            Some(random.index(organisations) as i64 + 1),
            &ORGANISATION_TITLES[..],
        ),
    };
    PersonRef {
        id: 0,
        authority_id,
        organisation_id,
        job_title: titles[random.index(titles.len())],
    }
}

/// A person row with an `example.org` address, derived columns computed.
fn person_row(random: &mut Random, id: i64) -> person::Model {
    let first_name = FIRST_NAMES[random.index(FIRST_NAMES.len())];
    let last_name = LAST_NAMES[random.index(LAST_NAMES.len())];
    let slug = |text: &str| crate::text::fold(text).replace(' ', "-");
    let created_at = created_before_anchor(random);
    let phone = random.chance(50).then(|| {
        let digits = random.below(100_000_000);
        let pair = |divisor: u64| digits / divisor % 100;
        format!(
            "+33 1 {:02} {:02} {:02} {:02}",
            pair(1_000_000),
            pair(10_000),
            pair(100),
            pair(1)
        )
    });
    let mut model = person::Model {
        id,
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        sort_key: String::new(),
        search_text: String::new(),
        email: Some(format!(
            "{}.{}.{id}@example.org",
            slug(first_name),
            slug(last_name)
        )),
        phone,
        version: 1,
        created_at,
        updated_at: created_at,
    };
    crate::people::index(&mut model);
    model
}

/// People, each with one affiliation: CUF's desk officers first, then the others.
fn people(
    counts: &Counts,
    world: &mut World,
    organisations: usize,
) -> (Vec<person::Model>, Vec<affiliation::Model>) {
    let mut random = Random::stream(3);
    let desk_officers = (counts.country_groups / 10).clamp(1, counts.people);
    let mut people = Vec::with_capacity(counts.people);
    let mut affiliations = Vec::with_capacity(counts.people);
    let foreign = world.foreign.concat();
    for index in 0..counts.people {
        let id = index as i64 + 1;
        people.push(person_row(&mut random, id));
        let person = if index < desk_officers {
            world.desk_officers.push(id);
            PersonRef {
                id,
                authority_id: None,
                organisation_id: Some(world.cuf),
                job_title: "Chargée de mission, groupes-pays",
            }
        } else {
            PersonRef {
                id,
                ..employer(world, &mut random, &foreign, organisations)
            }
        };
        if let Some(authority) = person.authority_id {
            world.representatives.entry(authority).or_insert(id);
        }
        let since = date(
            random.between(1995, 2024) as i32,
            1 + random.below(12) as u32,
            1,
        );
        affiliations.push(affiliation::Model {
            id,
            person_id: id,
            authority_id: person.authority_id,
            organisation_id: person.organisation_id,
            job_title: Some(person.job_title.to_owned()),
            since: Some(since),
            until: None,
            position: 0,
        });
        world.people.push(person);
    }
    (people, affiliations)
}

/// The actors' rows other than authorities, which stay in the world.
pub struct Rows {
    organisations: Vec<organisation::Model>,
    people: Vec<person::Model>,
    affiliations: Vec<affiliation::Model>,
}

/// Generates the actors: the world later tables draw from, and the other rows to insert.
pub fn generate(counts: &Counts) -> (World, Rows) {
    let mut world = World::default();
    world.authorities = authorities(counts, &mut world);
    let organisations = organisations(counts, &mut world);
    let (people, affiliations) = people(counts, &mut world, organisations.len());
    let rows = Rows {
        organisations,
        people,
        affiliations,
    };
    (world, rows)
}

/// Generates and inserts the actors; what later tables refer to.
pub async fn load(
    db: &impl ConnectionTrait,
    counts: &Counts,
    tally: &mut Tally,
) -> Result<World, DbErr> {
    let (world, rows) = generate(counts);
    tally
        .write::<authority::Entity>(db, &world.authorities)
        .await?;
    tally
        .write::<organisation::Entity>(db, &rows.organisations)
        .await?;
    tally.write::<person::Entity>(db, &rows.people).await?;
    tally
        .write::<affiliation::Entity>(db, &rows.affiliations)
        .await?;
    Ok(world)
}

#[cfg(test)]
mod tests {
    use super::super::Scale;
    use super::*;
    use crate::values::{CountryCode, Email, Name, Phone};

    #[test]
    fn actors_are_valid_and_parents_come_first() {
        let counts = Counts::at(Scale::parse("0.1").unwrap());
        let (world, rows) = generate(&counts);
        assert_eq!(world.authorities.len(), counts.authorities);
        for authority in &world.authorities {
            assert!(Name::parse(&authority.name).is_ok());
            assert!(CountryCode::parse(&authority.country_code).is_ok());
            if let Some(parent) = authority.parent_id {
                assert!(parent < authority.id);
                let parent = world.authority(parent).unwrap();
                assert_eq!(parent.country_code, authority.country_code);
            }
        }
        for person in &rows.people {
            assert!(Email::parse(person.email.as_deref().unwrap()).is_ok());
            assert!(
                person
                    .phone
                    .as_deref()
                    .is_none_or(|phone| Phone::parse(phone).is_ok())
            );
        }
        let employers = rows
            .affiliations
            .iter()
            .filter(|row| row.authority_id.is_some() != row.organisation_id.is_some())
            .count();
        assert_eq!(employers, counts.people);
        let mut names: Vec<&str> = world
            .authorities
            .iter()
            .map(|row| row.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            counts.authorities,
            "authority names are distinct"
        );
    }
}
