//! The demo dataset. The French authorities, organisations, people and job titles are those
//! of the minutes; the Mexican authorities are examples (their descriptions say so);
//! populations are rounded orders of magnitude; contact details use `example.org` only.

use sea_orm::DatabaseConnection;

use crate::access::Role;
use crate::access::passwords::{Password, PasswordHasher};
use crate::audit::Actor;
use crate::authorities::{self, AuthorityKind, NewAuthority};
use crate::mutation::Rejection;
use crate::organisations::{self, NewOrganisation, OrganisationKind};
use crate::people::{self, Employer, NewAffiliation, NewPerson};
use crate::values::{CountryCode, Email, LongText, Name, Population, WebUrl};

pub(super) fn rejected(rejection: Rejection) -> anyhow::Error {
    match rejection {
        Rejection::User(errors) => anyhow::anyhow!("demo data refused: {errors:?}"),
        Rejection::Api(error) => anyhow::anyhow!("demo data not loaded: {error:?}"),
    }
}

pub(super) fn name(text: &str) -> anyhow::Result<Name> {
    Ok(Name::parse(text)?)
}

pub(super) fn description(text: &str) -> anyhow::Result<Option<LongText>> {
    Ok(LongText::parse(text)?)
}

const EXAMPLE: &str =
    "Example Mexican partner authority of the demo dataset: it does not come from the minutes.";

struct AuthorityRow {
    name: &'static str,
    kind: AuthorityKind,
    country: &'static str,
    population: i64,
    member: bool,
    description: &'static str,
}

async fn authority(
    db: &DatabaseConnection,
    row: AuthorityRow,
    parent_id: Option<i64>,
) -> anyhow::Result<i64> {
    let new = NewAuthority {
        name: name(row.name)?,
        kind: row.kind,
        country_code: CountryCode::parse(row.country)?,
        population: Some(Population::parse(row.population)?),
        parent_id,
        is_cuf_member: row.member,
        website: None,
        description: description(row.description)?,
    };
    Ok(authorities::create_authority(db, &Actor::system(), new)
        .await
        .map_err(rejected)?
        .id)
}

pub(super) async fn organisation(
    db: &DatabaseConnection,
    (full_name, acronym, kind, country, website, text): (
        &str,
        &str,
        OrganisationKind,
        &str,
        &str,
        &str,
    ),
) -> anyhow::Result<i64> {
    let new = NewOrganisation {
        name: name(full_name)?,
        acronym: Some(name(acronym)?),
        kind,
        country_code: Some(CountryCode::parse(country)?),
        website: (!website.is_empty())
            .then(|| WebUrl::parse(website))
            .transpose()?,
        description: description(text)?,
    };
    Ok(
        organisations::create_organisation(db, &Actor::system(), new)
            .await
            .map_err(rejected)?
            .id,
    )
}

async fn person(
    db: &DatabaseConnection,
    (first, last, email): (&str, &str, &str),
    employer: Option<Employer>,
    job_title: &str,
) -> anyhow::Result<i64> {
    let affiliations = match employer {
        Some(employer) => vec![NewAffiliation {
            employer,
            job_title: Some(name(job_title)?),
            since: None,
            until: None,
        }],
        None => Vec::new(),
    };
    let new = NewPerson {
        first_name: name(first)?,
        last_name: name(last)?,
        email: Some(Email::parse(email)?),
        phone: None,
        affiliations,
    };
    Ok(people::create_person(db, &Actor::system(), new)
        .await
        .map_err(rejected)?
        .id)
}

/// Loads the whole demo dataset.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<()> {
    use AuthorityKind::{Department, Intercommunality, Municipality, Region, State};
    let row = |name, kind, country, population, member, description| AuthorityRow {
        name,
        kind,
        country,
        population,
        member,
        description,
    };
    let bordeaux = authority(db, row("Communauté urbaine de Bordeaux", Intercommunality, "FR", 737_000, true,
        "Chairs the Mexico country group of Cités Unies France; its director of international relations facilitated the meeting of 26 March 2014."), None).await?;
    let pays_de_la_loire = authority(
        db,
        row(
            "Conseil régional des Pays de la Loire",
            Region,
            "FR",
            3_660_000,
            true,
            "Present at the Mexico country group meeting of 26 March 2014.",
        ),
        None,
    )
    .await?;
    let champagne = authority(
        db,
        row(
            "Conseil régional de Champagne-Ardenne",
            Region,
            "FR",
            1_340_000,
            true,
            "Present at the Mexico country group meeting of 26 March 2014.",
        ),
        None,
    )
    .await?;
    let haute_saone = authority(db, row("Conseil départemental de la Haute-Saône", Department, "FR", 239_000, true,
        "Conseil général de la Haute-Saône at the time of the meeting of 26 March 2014, where it was present."), None).await?;
    let jalisco = authority(
        db,
        row("Estado de Jalisco", State, "MX", 7_350_000, false, EXAMPLE),
        None,
    )
    .await?;
    let guadalajara = authority(
        db,
        row(
            "Municipio de Guadalajara",
            Municipality,
            "MX",
            1_500_000,
            false,
            EXAMPLE,
        ),
        Some(jalisco),
    )
    .await?;
    let oaxaca = authority(
        db,
        row("Estado de Oaxaca", State, "MX", 3_970_000, false, EXAMPLE),
        None,
    )
    .await?;
    let oaxaca_city = authority(
        db,
        row(
            "Municipio de Oaxaca de Juárez",
            Municipality,
            "MX",
            264_000,
            false,
            EXAMPLE,
        ),
        Some(oaxaca),
    )
    .await?;
    let mexico_city = authority(
        db,
        row("Ciudad de México", State, "MX", 8_900_000, false, EXAMPLE),
        None,
    )
    .await?;

    use OrganisationKind::{Embassy, Ministry, Network};
    let cuf = organisation(db, ("Cités Unies France", "CUF", Network, "FR", "https://cites-unies-france.org",
        "Federation of French local authorities engaged in international cooperation; runs the country groups. 9 rue Christiani, 75018 Paris (métro Barbès-Rochechouart, lines 2 and 4).")).await?;
    let arf = organisation(
        db,
        (
            "Association des Régions de France",
            "ARF",
            Network,
            "FR",
            "",
            "The network of French regions.",
        ),
    )
    .await?;
    organisation(
        db,
        (
            "Ministère des Affaires étrangères",
            "MAE",
            Ministry,
            "FR",
            "",
            "Supports the directory and country dossiers of CUF.",
        ),
    )
    .await?;
    let daect = organisation(db, ("Délégation pour l'action extérieure des collectivités territoriales", "DAECT", Ministry, "FR", "",
        "The foreign ministry's delegation for the external action of local authorities; concerted action programmes are run in liaison with it.")).await?;
    let ministries = organisation(db, ("Ministère de l'Égalité des territoires et du Logement – Ministère de l'Écologie, du Développement durable et de l'Énergie", "METL-MEDDE", Ministry, "FR", "",
        "The two ministries were represented together at the meeting of 26 March 2014.")).await?;
    let embassy = organisation(db, ("Ambassade de France au Mexique", "Ambassade", Embassy, "MX", "",
        "Keeps its own list of Franco-Mexican cooperations, which the directory is compared with.")).await?;

    let at = Employer::Authority;
    let with = Employer::Organisation;
    let raimat = person(
        db,
        ("Anne", "Raimat", "anne.raimat@example.org"),
        Some(at(bordeaux)),
        "Directrice des relations internationales et de la coopération décentralisée",
    )
    .await?;
    let le_miller = person(
        db,
        ("Sophie", "Le Miller", "sophie.le-miller@example.org"),
        Some(at(pays_de_la_loire)),
        "Chargée de mission",
    )
    .await?;
    let lavoinne = person(
        db,
        ("Julie", "Lavoinne", "julie.lavoinne@example.org"),
        Some(at(champagne)),
        "Chargée de mission",
    )
    .await?;
    let coiraton = person(
        db,
        ("Nathalie", "Coiraton", "nathalie.coiraton@example.org"),
        Some(at(haute_saone)),
        "Chef de service",
    )
    .await?;
    let nicolas = person(
        db,
        ("Valérie", "Nicolas", "valerie.nicolas@example.org"),
        Some(with(arf)),
        "Déléguée aux relations internationales",
    )
    .await?;
    let suphanvorranop = person(
        db,
        (
            "Ekkaphol",
            "Suphanvorranop",
            "ekkaphol.suphanvorranop@example.org",
        ),
        Some(with(ministries)),
        "Responsable géographique Amérique latine - Turquie",
    )
    .await?;
    let gaudru = person(
        db,
        ("Anne-Claire", "Gaudru", "anne-claire.gaudru@example.org"),
        Some(with(cuf)),
        "Chargée de mission",
    )
    .await?;
    let betancur = person(
        db,
        ("Santiago", "Betancur", "santiago.betancur@example.org"),
        Some(with(cuf)),
        "Assistant stagiaire",
    )
    .await?;
    let nouali = person(
        db,
        ("Râjaa", "Nouali", "rajaa.nouali@example.org"),
        None,
        "",
    )
    .await?;
    let sainte_marie = person(
        db,
        ("Michel", "Sainte-Marie", "michel.sainte-marie@example.org"),
        None,
        "",
    )
    .await?;
    let french = [bordeaux, pays_de_la_loire, champagne, haute_saone];
    let mexican = [jalisco, guadalajara, oaxaca, oaxaca_city, mexico_city];
    let directory = directory(db, french, mexican).await?;
    let contacts = [raimat, le_miller, lavoinne, coiraton];
    let people = super::meetings::People {
        raimat,
        le_miller,
        lavoinne,
        coiraton,
        nicolas,
        suphanvorranop,
        gaudru,
        betancur,
        nouali,
        sainte_marie,
    };
    let organisations = super::meetings::Organisations {
        cuf,
        arf,
        ministries,
        daect,
        embassy,
    };
    super::meetings::load(db, french, people, organisations).await?;
    super::expertise::load(db, french, contacts, &directory).await
}

/// One user per role for trying the API in development, with random passwords; the lines to
/// print. Never called in production.
pub async fn demo_users(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
) -> anyhow::Result<Vec<String>> {
    use crate::access::users::{Assignment, NewUser, create_user};
    let bordeaux =
        storage_find_by_name::<entities::authority::Entity>(db, "Communauté urbaine de Bordeaux")
            .await?;
    let daect = storage_find_by_name::<entities::organisation::Entity>(
        db,
        "Délégation pour l'action extérieure des collectivités territoriales",
    )
    .await?;
    let users = [
        (
            "admin@demo.example.org",
            "Demo administrator",
            Role::Admin,
            None,
            None,
        ),
        (
            "staff@demo.example.org",
            "Demo CUF staff",
            Role::CufStaff,
            None,
            None,
        ),
        (
            "member@demo.example.org",
            "Demo member (Bordeaux)",
            Role::Member,
            bordeaux,
            None,
        ),
        (
            "ministry@demo.example.org",
            "Demo ministry (DAECT)",
            Role::Ministry,
            None,
            daect,
        ),
    ];
    let mut lines = vec!["Demo users (development only):".to_owned()];
    for (email, display_name, role, authority_id, organisation_id) in users {
        let password = crate::access::tokens::random_secret();
        let new = NewUser {
            email: Email::parse(email)?,
            display_name: name(display_name)?,
            assignment: Assignment {
                role,
                authority_id,
                organisation_id,
            },
            password: Password::parse_new(password.clone())?,
        };
        create_user(db, hasher, &Actor::system(), new)
            .await
            .map_err(rejected)?;
        lines.push(format!("  {:<10} {email} / {password}", role.as_str()));
    }
    Ok(lines)
}

async fn storage_find_by_name<E>(
    db: &DatabaseConnection,
    wanted: &str,
) -> anyhow::Result<Option<i64>>
where
    E: crate::storage::Keyed,
    E::Model: sea_orm::IntoActiveModel<E::ActiveModel>,
    E::Column: sea_orm::ColumnTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let Ok(column) = <E::Column as std::str::FromStr>::from_str("name") else {
        return Ok(None);
    };
    Ok(E::find()
        .filter(column.eq(wanted))
        .one(db)
        .await?
        .map(|row| E::id(&row)))
}

/// The themes of the minutes ("gouvernance, développement durable, économie…", and the
/// subjects of the state visit), code and label.
const THEMES: [(&str, &str); 8] = [
    ("governance", "Gouvernance locale"),
    ("sustainable-development", "Développement durable"),
    ("economy", "Développement économique"),
    ("culture", "Échanges culturels"),
    ("higher-education", "Enseignement supérieur et recherche"),
    ("health", "Santé"),
    ("sustainable-city", "Ville durable"),
    ("energy", "Énergie"),
];

const EXAMPLE_FICHE: &str = "Example fiche of the demo dataset: it does not come from the minutes.";

/// One example fiche: title, French partner, foreign partner, status, theme indexes, years,
/// validation state.
type Fiche = (
    &'static str,
    i64,
    i64,
    crate::directory::CooperationStatus,
    &'static [usize],
    (Option<i32>, Option<i32>),
    crate::directory::ValidationState,
);

/// The themes and fiches of the demo directory, in the order of [`THEMES`] and of the
/// fiches of `directory`.
pub(super) struct Directory {
    pub themes: Vec<i64>,
    pub fiches: Vec<i64>,
}

/// A dozen example Franco-Mexican fiches across every status, theme and validation state.
async fn directory(
    db: &DatabaseConnection,
    french: [i64; 4],
    mexican: [i64; 5],
) -> anyhow::Result<Directory> {
    use crate::directory::themes::{ThemeCode, create_theme};
    use crate::directory::{
        CooperationSource, CooperationStatus as Status, NewCooperation, ValidationState as State,
        create_cooperation, transition_cooperation,
    };
    let actor = Actor::system();
    let mut themes = Vec::new();
    for (code, label) in THEMES {
        let theme = create_theme(db, &actor, ThemeCode::parse(code)?, name(label)?).await;
        themes.push(theme.map_err(rejected)?.id);
    }
    let [bordeaux, loire, champagne, saone] = french;
    let [jalisco, guadalajara, oaxaca, oaxaca_city, mexico_city] = mexican;
    let fiches: [Fiche; 12] = [
        (
            "Gouvernance métropolitaine Bordeaux–Guadalajara",
            bordeaux,
            guadalajara,
            Status::Ongoing,
            &[0, 6],
            (Some(2009), None),
            State::Validated,
        ),
        (
            "Gestion de l'eau et assainissement",
            bordeaux,
            oaxaca_city,
            Status::Ongoing,
            &[1, 6],
            (Some(2011), Some(2016)),
            State::AwaitingValidation,
        ),
        (
            "Tourisme et patrimoine des Pays de la Loire au Jalisco",
            loire,
            jalisco,
            Status::Dormant,
            &[2, 3],
            (Some(2005), None),
            State::Validated,
        ),
        (
            "Formation des élus locaux",
            loire,
            oaxaca,
            Status::Ended,
            &[0],
            (Some(2003), Some(2008)),
            State::Validated,
        ),
        (
            "Coopération universitaire en agronomie",
            champagne,
            jalisco,
            Status::Ongoing,
            &[4],
            (Some(2012), None),
            State::Prefilled,
        ),
        (
            "Filière viticole et œnotourisme",
            champagne,
            oaxaca,
            Status::Upcoming,
            &[2],
            (Some(2015), None),
            State::AwaitingValidation,
        ),
        (
            "Santé maternelle et infantile en zone rurale",
            saone,
            oaxaca,
            Status::Ongoing,
            &[5],
            (Some(2010), None),
            State::AwaitingValidation,
        ),
        (
            "Échanges de jeunes et de lycéens",
            saone,
            oaxaca_city,
            Status::Ended,
            &[3],
            (Some(2001), Some(2007)),
            State::Validated,
        ),
        (
            "Énergies renouvelables et bâtiments publics",
            bordeaux,
            mexico_city,
            Status::Upcoming,
            &[7, 1],
            (None, None),
            State::Draft,
        ),
        (
            "Mobilité urbaine durable",
            bordeaux,
            mexico_city,
            Status::Ongoing,
            &[6],
            (Some(2013), None),
            State::Validated,
        ),
        (
            "Recherche sur les risques sismiques",
            loire,
            mexico_city,
            Status::Dormant,
            &[4, 1],
            (Some(2008), None),
            State::Prefilled,
        ),
        (
            "Promotion économique des PME",
            champagne,
            guadalajara,
            Status::Ended,
            &[2],
            (Some(2006), Some(2011)),
            State::Draft,
        ),
    ];
    let mut ids = Vec::new();
    for (
        title,
        french_partner,
        foreign_partner,
        status,
        theme_indexes,
        (start_year, end_year),
        state,
    ) in fiches
    {
        let new = NewCooperation {
            title: name(title)?,
            country_code: CountryCode::parse("MX")?,
            french_partners: vec![french_partner],
            foreign_partners: vec![foreign_partner],
            status,
            themes: theme_indexes.iter().map(|index| themes[*index]).collect(),
            start_year,
            end_year,
            summary: description(EXAMPLE_FICHE)?,
            sources: vec![CooperationSource::CufSurvey],
            internal_notes: None,
        };
        let mut fiche = create_cooperation(db, &actor, new)
            .await
            .map_err(rejected)?;
        let path: &[State] = match state {
            State::Draft => &[],
            State::Prefilled => &[State::Prefilled],
            State::AwaitingValidation => &[State::Prefilled, State::AwaitingValidation],
            State::Validated => &[
                State::Prefilled,
                State::AwaitingValidation,
                State::Validated,
            ],
        };
        for step in path {
            fiche = transition_cooperation(db, &actor, fiche.id, fiche.version, *step)
                .await
                .map_err(rejected)?;
        }
        ids.push(fiche.id);
    }
    Ok(Directory {
        themes,
        fiches: ids,
    })
}
