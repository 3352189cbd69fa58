//! The Mexico country group and its events, from the minutes of 26 March 2014: the launch
//! meeting, the meeting itself (place, time, facilitator, the eight participants, the five
//! axes, the decisions, the dated agenda as follow-ups), the state visits, the Assises and the
//! next meeting.

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use crate::audit::Actor;
use crate::events::fuzzy_date::{DatePrecision, FuzzyDate};
use crate::events::{
    Attendance, EventContent, EventKind, EventVisibility, FollowUpStatus, Location, NewDecision,
    NewFollowUp, NewParticipant, create_event,
};
use crate::groups::{GroupContent, MembershipRole, NewMembership, create_group};
use crate::values::Date;

/// The people of the minutes, by their demo ids.
pub struct People {
    pub raimat: i64,
    pub le_miller: i64,
    pub lavoinne: i64,
    pub coiraton: i64,
    pub nicolas: i64,
    pub suphanvorranop: i64,
    pub gaudru: i64,
    pub betancur: i64,
    pub nouali: i64,
    pub sainte_marie: i64,
}

/// The organisations of the minutes, by their demo ids.
pub struct Organisations {
    pub cuf: i64,
    pub arf: i64,
    pub ministries: i64,
    pub daect: i64,
    pub embassy: i64,
}

fn day(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| anyhow::anyhow!("bad date"))
}

fn fuzzy(start: NaiveDate, end: NaiveDate, precision: DatePrecision, tentative: bool) -> FuzzyDate {
    FuzzyDate {
        start: Date(start),
        end: Date(end),
        precision,
        tentative,
    }
}

fn month(year: i32, month: u32, months: u32, tentative: bool) -> anyhow::Result<FuzzyDate> {
    let start = day(year, month, 1)?;
    let end = start
        .checked_add_months(chrono::Months::new(months))
        .and_then(|date| date.pred_opt())
        .ok_or_else(|| anyhow::anyhow!("bad date"))?;
    Ok(fuzzy(start, end, DatePrecision::Month, tentative))
}

fn event(title: &str, kind: EventKind, group_id: Option<i64>, date: FuzzyDate) -> EventContent {
    EventContent {
        title: title.to_owned(),
        kind,
        group_id,
        visibility: EventVisibility::Public,
        organiser_authority_id: None,
        organiser_organisation_id: None,
        facilitator_person_id: None,
        date,
        starts_at: None,
        ends_at: None,
        time_zone: None,
        location: Location::default(),
        minutes: None,
        participants: Vec::new(),
        agenda: Vec::new(),
        decisions: Vec::new(),
        follow_ups: Vec::new(),
    }
}

fn follow_up(
    title: &str,
    due: FuzzyDate,
    owner_person_id: Option<i64>,
    owner_authority_id: Option<i64>,
) -> NewFollowUp {
    NewFollowUp {
        title: title.to_owned(),
        owner_person_id,
        owner_authority_id,
        due: Some(due),
        status: FollowUpStatus::Open,
        cooperation_id: None,
    }
}

fn rejected(rejection: crate::mutation::Rejection) -> anyhow::Error {
    anyhow::anyhow!("demo data refused: {rejection:?}")
}

/// Loads the group and its events.
pub async fn load(
    db: &DatabaseConnection,
    french: [i64; 4],
    people: People,
    organisations: Organisations,
) -> anyhow::Result<()> {
    let actor = Actor::system();
    let [bordeaux, loire, champagne, saone] = french;
    let member = |authority_id, role| NewMembership {
        authority_id,
        role,
        since: None,
        until: None,
    };
    let group = create_group(
        db,
        &actor,
        GroupContent {
            name: "Groupe-pays Mexique".into(),
            country_code: "MX".into(),
            chair_authority_id: Some(bordeaux),
            chair_person_id: Some(people.sainte_marie),
            coordinator_person_id: Some(people.gaudru),
            launched_on: Some(day(2014, 1, 15)?),
            description: Some(
                "« Une instance de dialogue entre des acteurs engagés dans la coopération, dans une logique de partenariat », \
                 chaired by the urban community of Bordeaux."
                    .into(),
            ),
        },
        vec![
            member(bordeaux, MembershipRole::Chair),
            member(loire, MembershipRole::Member),
            member(champagne, MembershipRole::Member),
            member(saone, MembershipRole::Member),
        ],
    )
    .await
    .map_err(rejected)?;
    let group_id = Some(group.id);
    let single = |date: NaiveDate| fuzzy(date, date, DatePrecision::Day, false);

    let mut launch = event(
        "Réunion de lancement du groupe-pays Mexique",
        EventKind::CountryGroupMeeting,
        group_id,
        single(day(2014, 1, 15)?),
    );
    launch.organiser_organisation_id = Some(organisations.cuf);
    create_event(db, &actor, launch).await.map_err(rejected)?;

    let mut meeting = event(
        "Réunion du groupe-pays Mexique",
        EventKind::CountryGroupMeeting,
        group_id,
        single(day(2014, 3, 26)?),
    );
    meeting.organiser_organisation_id = Some(organisations.cuf);
    meeting.facilitator_person_id = Some(people.raimat);
    // 14:30–16:00 in Paris, which was on UTC+1 until 30 March 2014.
    meeting.starts_at = Utc.with_ymd_and_hms(2014, 3, 26, 13, 30, 0).single();
    meeting.ends_at = Utc.with_ymd_and_hms(2014, 3, 26, 15, 0, 0).single();
    meeting.time_zone = Some("Europe/Paris".into());
    meeting.location = Location {
        venue: Some("Cités Unies France".into()),
        street_address: Some("9 rue Christiani, 75018".into()),
        city: Some("Paris".into()),
        country_code: Some("FR".into()),
        directions: Some("Métro, ligne 2 ou 4 : Barbès-Rochechouart".into()),
    };
    let present = |person_id, authority_id, organisation_id, job_title: &str| NewParticipant {
        person_id,
        authority_id,
        organisation_id,
        job_title: Some(job_title.to_owned()),
        attendance: Attendance::Present,
    };
    meeting.participants = vec![
        present(people.le_miller, Some(loire), None, "Chargée de mission"),
        present(people.lavoinne, Some(champagne), None, "Chargée de Mission"),
        present(people.coiraton, Some(saone), None, "Chef de service"),
        present(
            people.nicolas,
            None,
            Some(organisations.arf),
            "Déléguée aux relations internationales",
        ),
        present(
            people.raimat,
            Some(bordeaux),
            None,
            "Directrice des relations internationales",
        ),
        present(
            people.suphanvorranop,
            None,
            Some(organisations.ministries),
            "Responsable géographique Amérique latine - Turquie",
        ),
        present(
            people.gaudru,
            None,
            Some(organisations.cuf),
            "Chargée de mission",
        ),
        present(
            people.betancur,
            None,
            Some(organisations.cuf),
            "Assistant stagiaire",
        ),
    ];
    meeting.agenda = vec![
        "Connaissance et mutualisation de l'information".into(),
        "Promouvoir et élaborer une offre territoriale commune en direction des collectivités mexicaines".into(),
        "Organiser un événement phare, type « séminaire ou atelier de travail »".into(),
        "Mise en place d'un « programme d'actions concertées » animé par CUF et financé par les collectivités volontaires".into(),
        "Mobilisation du groupe-pays sur les événements nationaux".into(),
    ];
    let decision = |text: &str, agenda_position| NewDecision {
        text: text.to_owned(),
        agenda_position: Some(agenda_position),
    };
    meeting.decisions = vec![
        decision(
            "Finaliser le répertoire franco-mexicain : tri par statut, comparaison avec la liste de l'Ambassade, pré-remplissage des fiches et relance des retardataires.",
            0,
        ),
        decision(
            "Le dossier-pays Mexique, réalisé par Râjaa Nouali, paraîtra pour les Assises de la coopération ou la venue du président Peña Nieto.",
            0,
        ),
        decision(
            "Créer un comité technique de volontaires pour construire l'offre territoriale commune (2 500 euros de maquettage et impression, 500 exemplaires).",
            1,
        ),
        decision(
            "Plutôt qu'un séminaire, proposer une réunion de haut niveau, type « workshop », fin 2014.",
            2,
        ),
        decision(
            "Fixer les modalités du programme d'actions concertées lors de la réunion du dernier semestre 2014.",
            3,
        ),
        decision(
            "CUF sollicitera Monsieur Vauzelle pour représenter le groupe-pays lors de la mission de François Hollande.",
            4,
        ),
    ];
    meeting.follow_ups = vec![
        follow_up(
            "Premier point du dossier-pays Mexique",
            single(day(2014, 5, 5)?),
            Some(people.nouali),
            None,
        ),
        follow_up(
            "Bureau exécutif de CUF",
            month(2014, 5, 1, false)?,
            None,
            None,
        ),
        follow_up(
            "Reprendre attache avec le Ministère des affaires étrangères mexicain",
            month(2014, 6, 1, false)?,
            Some(people.gaudru),
            None,
        ),
        follow_up(
            "Conférences du Forum sur l'Amérique latine (venue de la délégation ALLAS)",
            month(2014, 7, 1, false)?,
            None,
            None,
        ),
        follow_up(
            "Prochaine réunion du groupe-pays : valider le programme d'actions concertées, son financement et son échéancier",
            month(2014, 10, 1, false)?,
            None,
            Some(bordeaux),
        ),
    ];
    let meeting = create_event(db, &actor, meeting).await.map_err(rejected)?;
    documents(db, &actor, group.id, meeting.id, &people).await?;

    let mut visit = event(
        "Visite d'État de François Hollande au Mexique",
        EventKind::StateVisit,
        None,
        fuzzy(
            day(2014, 4, 10)?,
            day(2014, 4, 11)?,
            DatePrecision::Day,
            false,
        ),
    );
    visit.time_zone = Some("America/Mexico_City".into());
    visit.location = Location {
        city: Some("Mexico".into()),
        country_code: Some("MX".into()),
        ..Location::default()
    };
    create_event(db, &actor, visit).await.map_err(rejected)?;

    let mut return_visit = event(
        "Venue du président Peña Nieto en France",
        EventKind::StateVisit,
        None,
        month(2015, 6, 2, true)?,
    );
    return_visit.location = Location {
        country_code: Some("FR".into()),
        ..Location::default()
    };
    create_event(db, &actor, return_visit)
        .await
        .map_err(rejected)?;

    let mut assises = event(
        "Assises de la coopération décentralisée franco-mexicaine",
        EventKind::Conference,
        group_id,
        fuzzy(
            day(2014, 12, 1)?,
            day(2015, 2, 28)?,
            DatePrecision::Season,
            true,
        ),
    );
    assises.location = Location {
        country_code: Some("MX".into()),
        ..Location::default()
    };
    create_event(db, &actor, assises).await.map_err(rejected)?;

    let mut next = event(
        "Prochaine réunion du groupe-pays Mexique",
        EventKind::CountryGroupMeeting,
        group_id,
        month(2014, 10, 1, false)?,
    );
    next.organiser_organisation_id = Some(organisations.cuf);
    create_event(db, &actor, next).await.map_err(rejected)?;
    programme(db, group.id, french, &organisations).await
}

/// The concerted action programme the minutes propose, with its three actions shared among
/// the French authorities by different methods and in different commitment states.
pub async fn programme(
    db: &DatabaseConnection,
    group_id: i64,
    french: [i64; 4],
    organisations: &Organisations,
) -> anyhow::Result<()> {
    use crate::money::{Currency, Money};
    use crate::programmes::{
        ActionContent, CommitmentState, NewCostItem, NewFunding, NewMilestone, Participant,
        PartnerRole, ProgrammeContent, SharingMethod, create_programme, items_and_shares,
        save_action, set_commitment,
    };
    let actor = Actor::system();
    let [bordeaux, loire, champagne, saone] = french;
    let eur = |text: &str| Money::parse(text, Currency::EUR);
    let programme = create_programme(
        db,
        &actor,
        ProgrammeContent {
            title: "Programme d'actions concertées du groupe-pays Mexique".into(),
            group_id: Some(group_id),
            lead_authority_id: Some(bordeaux),
            coordinator_organisation_id: Some(organisations.cuf),
            currency: Currency::EUR,
            starts_on: Some(day(2014, 10, 1)?),
            ends_on: Some(day(2015, 12, 31)?),
                        description: Some("Proposed at the meeting of 26 March 2014, to be validated with its financing and schedule in October 2014.".into()),
            partners: vec![
                (organisations.daect, PartnerRole::InstitutionalPartner),
                (organisations.embassy, PartnerRole::InstitutionalPartner),
            ],
            milestones: vec![
                NewMilestone {
                    title: "Valider le programme, son financement et son échéancier (réunion du groupe-pays)".into(),
                    due: Some(month(2014, 10, 1, false)?),
                    done: false,
                },
                NewMilestone {
                    title: "Atelier de haut niveau".into(),
                    due: Some(fuzzy(day(2014, 12, 1)?, day(2015, 2, 28)?, DatePrecision::Season, true)),
                    done: false,
                },
            ],
        },
    )
    .await
    .map_err(rejected)?;
    let participant = |authority_id| Participant {
        authority_id,
        percentage_hundredths: None,
        fixed: None,
    };
    let item = |label: &str, quantity, unit_cost: Money| NewCostItem {
        label: label.into(),
        quantity,
        unit_cost,
    };
    let offer = save_action(
        db,
        &actor,
        programme.id,
        None,
        ActionContent {
            title: "Offre territoriale commune".into(),
            description: Some("Document presenting the French authorities' know-how by theme, built by a technical committee of volunteers.".into()),
            status: "PLANNED".into(),
            sharing_method: SharingMethod::Equal,
            cost_items: vec![
                item("Maquettage et impression, 500 exemplaires", 1, eur("2500.00")?),
                item("Réunions du comité technique", 3, eur("150.00")?),
            ],
                        participants: vec![participant(bordeaux), participant(loire), participant(champagne)],
            fundings: Vec::new(),
        },
    )
    .await
    .map_err(rejected)?;
    save_action(
        db,
        &actor,
        programme.id,
        None,
        ActionContent {
            title: "Atelier de haut niveau, fin 2014".into(),
            description: Some(
                "Example budget of the demo dataset: the minutes give no figure for the workshop."
                    .into(),
            ),
            status: "PLANNED".into(),
            sharing_method: SharingMethod::Population,
            cost_items: vec![item(
                "Salle, interprétariat et accueil (exemple)",
                1,
                eur("4000.00")?,
            )],
            participants: vec![participant(loire), participant(champagne)],
            fundings: vec![NewFunding {
                organisation_id: organisations.daect,
                amount: eur("1000.00")?,
            }],
        },
    )
    .await
    .map_err(rejected)?;
    save_action(
        db,
        &actor,
        programme.id,
        None,
        ActionContent {
            title: "Mise à jour du répertoire franco-mexicain".into(),
            description: Some("Example budget of the demo dataset.".into()),
            status: "PLANNED".into(),
            sharing_method: SharingMethod::Fixed,
            cost_items: vec![item("Saisie et relances (exemple)", 1, eur("1200.00")?)],
            participants: vec![
                Participant {
                    authority_id: bordeaux,
                    percentage_hundredths: None,
                    fixed: Some(eur("500.00")?),
                },
                Participant {
                    authority_id: saone,
                    percentage_hundredths: None,
                    fixed: Some(eur("300.00")?),
                },
            ],
            fundings: Vec::new(),
        },
    )
    .await
    .map_err(rejected)?;
    let (_, shares) = items_and_shares(db, &[offer.id]).await?;
    let steps: [(usize, &[CommitmentState]); 3] = [
        (
            0,
            &[
                CommitmentState::Pledged,
                CommitmentState::Confirmed,
                CommitmentState::Paid,
            ],
        ),
        (1, &[CommitmentState::Pledged]),
        (2, &[CommitmentState::Declined]),
    ];
    for (index, path) in steps {
        if let Some(share) = shares.get(index) {
            for state in path {
                set_commitment(db, &actor, share.id, *state)
                    .await
                    .map_err(rejected)?;
            }
        }
    }
    Ok(())
}

/// The documents the minutes name: the country dossier written in Mexico, the minutes
/// themselves, and the common offer the technical committee is to build.
async fn documents(
    db: &DatabaseConnection,
    actor: &Actor,
    group_id: i64,
    meeting_id: i64,
    people: &People,
) -> anyhow::Result<()> {
    use crate::documents::{
        DocumentContent, DocumentKind, DocumentStatus, DocumentVisibility, Milestone, Owner,
        create_document,
    };
    let milestone = |title: &str, due: FuzzyDate| Milestone {
        title: title.into(),
        due,
        done: false,
    };
    let winter_2014 = fuzzy(
        day(2014, 12, 1)?,
        day(2015, 2, 28)?,
        DatePrecision::Season,
        true,
    );
    let documents = [
        DocumentContent {
            title: "Dossier-pays Mexique".into(),
            kind: DocumentKind::CountryDossier,
            status: DocumentStatus::Planned,
            visibility: DocumentVisibility::Members,
            language: "fr".into(),
            owner: Owner::Group(group_id),
            authors: vec![people.nouali],
            milestones: vec![
                milestone(
                    "Premier point, depuis la réalité des collectivités mexicaines",
                    fuzzy(
                        day(2014, 5, 5)?,
                        day(2014, 5, 5)?,
                        DatePrecision::Day,
                        false,
                    ),
                ),
                milestone("Parution pour les Assises de la coopération", winter_2014),
            ],
        },
        DocumentContent {
            title: "Compte rendu de la réunion du groupe-pays Mexique du 26 mars 2014".into(),
            kind: DocumentKind::Minutes,
            status: DocumentStatus::Published,
            visibility: DocumentVisibility::Members,
            language: "fr".into(),
            owner: Owner::Event(meeting_id),
            authors: vec![people.raimat],
            milestones: Vec::new(),
        },
        DocumentContent {
            title: "Offre territoriale commune en direction des collectivités mexicaines".into(),
            kind: DocumentKind::Advocacy,
            status: DocumentStatus::Planned,
            visibility: DocumentVisibility::Public,
            language: "fr".into(),
            owner: Owner::Group(group_id),
            // The technical committee of volunteers, from the group's member authorities.
            authors: vec![people.le_miller, people.lavoinne, people.coiraton],
            milestones: vec![
                milestone(
                    "Contenu réuni par le comité technique",
                    month(2014, 10, 1, true)?,
                ),
                milestone("Maquettage et impression (500 exemplaires)", winter_2014),
            ],
        },
    ];
    for content in documents {
        create_document(db, actor, content)
            .await
            .map_err(rejected)?;
    }
    Ok(())
}
