//! Late authorities: which French authorities have fiches awaiting their validation, and
//! whom to write to.

use entities::{cooperation, person};
use sea_orm::{ConnectionTrait, DbErr};

use super::queries;

/// One authority's fiches awaiting validation, with its contacts.
#[derive(Debug)]
pub struct Pending {
    pub authority_id: i64,
    pub fiches: Vec<cooperation::Model>,
    pub contacts: Vec<person::Model>,
}

/// Per French authority, the fiches of `country_code` awaiting its validation, the
/// authority with the oldest first.
pub async fn pending(db: &impl ConnectionTrait, country_code: &str) -> Result<Vec<Pending>, DbErr> {
    let fiches = queries::awaiting_validation(db, country_code).await?;
    let mut pending: Vec<Pending> = Vec::new();
    for (fiche, french) in fiches {
        for authority_id in french {
            match pending
                .iter_mut()
                .find(|entry| entry.authority_id == authority_id)
            {
                Some(entry) => entry.fiches.push(fiche.clone()),
                None => pending.push(Pending {
                    authority_id,
                    fiches: vec![fiche.clone()],
                    contacts: Vec::new(),
                }),
            }
        }
    }
    let authority_ids: Vec<i64> = pending.iter().map(|entry| entry.authority_id).collect();
    for (authority_id, person) in crate::people::queries::contacts_of(db, &authority_ids).await? {
        if let Some(entry) = pending
            .iter_mut()
            .find(|entry| entry.authority_id == authority_id)
            && !entry.contacts.iter().any(|known| known.id == person.id)
        {
            entry.contacts.push(person);
        }
    }
    Ok(pending)
}
