//! The demo expertise offer and vetting. The minutes ask for a common offer built on the
//! authorities' know-how "en matière de gouvernance, développement durable, économie…" and
//! for "une liste de consultants" guaranteeing the quality of partners on site: the entries
//! below follow the demo fiches of each authority, and the two consultants are examples (their
//! names and descriptions say so); none of it comes from the minutes.

use sea_orm::DatabaseConnection;

use super::demo::{Directory, description, name, organisation, rejected};
use crate::audit::Actor;
use crate::expertise::vetting::{NewRecommendation, recommend_consultant};
use crate::expertise::{ExpertiseContent, create_expertise};
use crate::organisations::OrganisationKind;
use crate::values::{LanguageCode, LongText};

/// Said of every demo entry.
const EXAMPLE_ENTRY: &str = "Example entry of the demo dataset.";

/// One entry: authority index (Bordeaux, Pays de la Loire, Champagne-Ardenne, Haute-Saône),
/// theme index (of the demo themes), title, description, services, languages, fiche indexes.
type Entry = (
    usize,
    usize,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [usize],
);

#[rustfmt::skip] // One entry a block of lines reads as a table.
const ENTRIES: [Entry; 10] = [
    (0, 0, "Gouvernance métropolitaine",
        "Organising services and decisions at the scale of a metropolis of 28 communes, shared with Guadalajara.",
        &["Direction des relations internationales", "Direction générale des services"], &["fr", "es", "en"], &[0]),
    (0, 6, "Mobilité urbaine durable et tramway",
        "Planning a tramway network and the public spaces around it; exchanges with Mexico City's mobility teams.",
        &["Direction des mobilités"], &["fr", "es"], &[9, 0]),
    (0, 1, "Eau et assainissement",
        "Managing drinking water and sanitation under public control, from the network to the tariff.",
        &["Direction de l'eau"], &["fr", "es"], &[1]),
    (1, 2, "Tourisme et valorisation du patrimoine",
        "Building tourist routes around heritage sites with local businesses.",
        &["Direction du tourisme", "Direction de la culture"], &["fr", "es"], &[2]),
    (1, 0, "Formation des élus et des cadres territoriaux",
        "Training programmes for elected representatives and senior officers of local authorities.",
        &["Direction des relations internationales"], &["fr", "es"], &[3]),
    (1, 4, "Recherche et risques naturels",
        "Linking regional universities with partners on seismic and natural risks.",
        &["Direction de l'enseignement supérieur et de la recherche"], &["fr", "en"], &[10]),
    (2, 4, "Coopération universitaire en agronomie",
        "Student and researcher exchanges in agronomy and food processing.",
        &["Direction de l'enseignement supérieur"], &["fr", "en"], &[4]),
    (2, 2, "Filière viticole et œnotourisme",
        "Supporting wine growers' cooperatives and wine tourism, with the region's small businesses.",
        &["Direction du développement économique"], &["fr", "en", "es"], &[5, 11]),
    (3, 5, "Santé maternelle et infantile en milieu rural",
        "Mobile mother and child health services in rural areas, with training of local staff.",
        &["Service de la protection maternelle et infantile"], &["fr", "es"], &[6]),
    (3, 3, "Échanges de jeunes et mobilité scolaire",
        "Exchanges of secondary-school pupils and young people, from the host families to the return.",
        &["Service jeunesse et éducation"], &["fr", "es"], &[7]),
];

/// Loads the expertise of the four French authorities (each entry's contact is the
/// authority's officer at the meeting) and the two example consultants with their vetting.
pub async fn load(
    db: &DatabaseConnection,
    french: [i64; 4],
    contacts: [i64; 4],
    directory: &Directory,
) -> anyhow::Result<()> {
    let actor = Actor::system();
    for (authority, theme, title, text, services, languages, fiches) in ENTRIES {
        let content = ExpertiseContent {
            theme_id: directory.themes[theme],
            title: name(title)?,
            description: LongText::parse(&format!("{text} {EXAMPLE_ENTRY}"))?
                .ok_or_else(|| anyhow::anyhow!("empty demo description"))?,
            services: services
                .iter()
                .map(|service| name(service))
                .collect::<Result<_, _>>()?,
            languages: languages
                .iter()
                .map(|code| LanguageCode::parse(code))
                .collect::<Result<_, _>>()?,
            contact_person_id: Some(contacts[authority]),
            cooperation_ids: fiches
                .iter()
                .map(|index| directory.fiches[*index])
                .collect(),
        };
        create_expertise(db, &actor, french[authority], content)
            .await
            .map_err(rejected)?;
    }
    consultants(db, french, &directory.themes).await
}

/// Two example consultants in Mexico, recommended or advised against by demo authorities and
/// CUF.
async fn consultants(
    db: &DatabaseConnection,
    french: [i64; 4],
    themes: &[i64],
) -> anyhow::Result<()> {
    use OrganisationKind::Consultant;
    let [bordeaux, loire, _, saone] = french;
    let jalisco = organisation(db, ("Consultora Ejemplo Jalisco (exemple)", "CEJ", Consultant, "MX", "",
        "Example consultant of the demo dataset, not from the minutes: urban planning and local governance studies in Guadalajara.")).await?;
    let oaxaca = organisation(db, ("Conseil Exemple Oaxaca (exemple)", "CEO", Consultant, "MX", "",
        "Example consultant of the demo dataset, not from the minutes: project management and interpreting in Oaxaca.")).await?;
    let opinions = [
        (
            jalisco,
            Some(bordeaux),
            true,
            vec![themes[0], themes[6]],
            "Example: organised the study visits of Guadalajara's officers in Bordeaux; punctual, works in Spanish and French.",
        ),
        (
            jalisco,
            None,
            true,
            vec![themes[0]],
            "Example: CUF has worked with it on two country dossiers.",
        ),
        (
            oaxaca,
            Some(loire),
            true,
            vec![themes[3]],
            "Example: reliable interpreting during a cultural exchange.",
        ),
        (
            oaxaca,
            Some(saone),
            false,
            vec![themes[5]],
            "Example: reports delivered late on a health project; prefer another consultant for health.",
        ),
    ];
    let actor = Actor::system();
    for (organisation_id, authority_id, recommended, theme_ids, note) in opinions {
        let new = NewRecommendation {
            organisation_id,
            authority_id,
            recommended,
            theme_ids,
            note: description(note)?,
            replaces_version: None,
        };
        recommend_consultant(db, &actor, new)
            .await
            .map_err(rejected)?;
    }
    Ok(())
}
