//! Late authorities: which French authorities have fiches awaiting their validation, whom
//! to write to, and the reminders queued for them in the outbox.

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

/// The kind of outbox message a reminder is.
pub const REMINDER: &str = "VALIDATION_REMINDER";

/// An authority reminded, with how many fiches and to whom.
#[derive(Debug, Clone)]
pub struct Reminded {
    pub authority_id: i64,
    pub fiches: usize,
    pub recipients: Vec<String>,
}

/// What `send_reminders` did.
#[derive(Debug, Clone, Default)]
pub struct ReminderOutcome {
    pub reminded: Vec<Reminded>,
    /// Authorities not reminded, and why.
    pub skipped: Vec<(i64, String)>,
}

fn reminder_text(authority_name: &str, fiches: &[cooperation::Model]) -> (String, String) {
    let subject = format!(
        "Répertoire de la coopération décentralisée : {} fiche(s) à valider",
        fiches.len()
    );
    let list: Vec<String> = fiches
        .iter()
        .map(|fiche| format!("- {}", fiche.title))
        .collect();
    let body = format!(
        "Bonjour,\n\nCités Unies France a pré-rempli les fiches suivantes de {authority_name} dans le répertoire \
         de la coopération décentralisée. Merci de les vérifier et de les valider :\n\n{}\n\nCordialement,\nCités Unies France\n",
        list.join("\n")
    );
    (subject, body)
}

/// For each French authority of `country_code` with fiches awaiting its validation for more
/// than `older_than` and not reminded within `interval`, queues one message to its contacts
/// and records the reminder on its fiches, all in one transaction.
pub async fn send_reminders(
    db: &impl sea_orm::TransactionTrait,
    actor: &crate::audit::Actor,
    country_code: &str,
    older_than: chrono::Duration,
    interval: chrono::Duration,
) -> Result<ReminderOutcome, crate::mutation::Rejection> {
    use chrono::{SubsecRound, Utc};
    use sea_orm::TransactionSession;

    use crate::error::ApiError;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let now = Utc::now().trunc_subsecs(6);
    let mut outcome = ReminderOutcome::default();
    for entry in pending(&transaction, country_code).await? {
        let late: Vec<cooperation::Model> = entry
            .fiches
            .into_iter()
            .filter(|fiche| {
                fiche
                    .awaiting_since
                    .is_some_and(|since| now - since >= older_than)
            })
            .collect();
        if late.is_empty() {
            continue;
        }
        let last =
            crate::outbox::last_queued_for(&transaction, REMINDER, entry.authority_id).await?;
        if last.is_some_and(|last| now - last < interval) {
            outcome
                .skipped
                .push((entry.authority_id, "reminded recently".into()));
            continue;
        }
        let recipients: Vec<String> = entry
            .contacts
            .iter()
            .filter_map(|person| person.email.clone())
            .collect();
        if recipients.is_empty() {
            outcome.skipped.push((
                entry.authority_id,
                "no contact with an e-mail address".into(),
            ));
            continue;
        }
        let authority =
            crate::storage::find::<entities::authority::Entity>(&transaction, entry.authority_id)
                .await?;
        let (subject, body) = reminder_text(
            authority
                .as_ref()
                .map_or("", |authority| authority.name.as_str()),
            &late,
        );
        crate::outbox::enqueue(
            &transaction,
            crate::outbox::NewMessage {
                kind: REMINDER,
                authority_id: Some(entry.authority_id),
                recipients: recipients.clone(),
                subject,
                body,
            },
        )
        .await?;
        let ids: Vec<i64> = late.iter().map(|fiche| fiche.id).collect();
        queries::record_reminder(&transaction, &ids, now).await?;
        let node = crate::ids::encode(crate::ids::NodeKind::Authority, entry.authority_id);
        crate::audit::record(
            &transaction,
            actor,
            "sendValidationReminders",
            Some(&node),
            None,
            Some(serde_json::json!({ "fiches": ids.len(), "recipients": recipients })),
        )
        .await?;
        outcome.reminded.push(Reminded {
            authority_id: entry.authority_id,
            fiches: late.len(),
            recipients,
        });
    }
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(outcome)
}
