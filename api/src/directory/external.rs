//! The embassy's list: `compare` reads its CSV and sets it against the directory (matched
//! pairs, entries only on either side, possible matches with a score) without writing
//! anything; `import` creates chosen rows as PREFILLED fiches from the EMBASSY source,
//! resolving or creating their authorities, in one transaction.

use chrono::Utc;
use entities::{authority, cooperation};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait,
};

use super::matching::{self, parse_csv, similarity};
use super::{
    CooperationSource, CooperationStatus, NewCooperation, PartnerSide, ValidationState, queries,
};
use crate::audit::Actor;
use crate::authorities::{AuthorityKind, NewAuthority};
use crate::error::ApiError;
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage;
use crate::values::{CountryCode, Name};

/// The largest list accepted.
pub const MAX_CSV_BYTES: usize = 5 * 1024 * 1024;
/// The score from which a pair counts as a possible match.
pub const POSSIBLE: f64 = 0.5;

/// One entry of the embassy's list.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalEntry {
    pub line: usize,
    pub french_authority: String,
    pub foreign_authority: String,
    pub status: Option<CooperationStatus>,
    pub title: Option<String>,
}

/// The comparison of a list with the directory.
#[derive(Debug, Default)]
pub struct Comparison {
    pub matched: Vec<(ExternalEntry, cooperation::Model)>,
    pub only_in_directory: Vec<cooperation::Model>,
    pub only_in_list: Vec<ExternalEntry>,
    pub possible: Vec<(ExternalEntry, cooperation::Model, f64)>,
}

fn refuse(message: String) -> Rejection {
    Rejection::user(&["csv"], UserErrorCode::Invalid, message)
}

/// A status as the embassy may write it: our names, or French words.
pub fn parse_status(text: &str) -> Option<CooperationStatus> {
    let folded = crate::text::fold(text);
    match folded.as_str() {
        "upcoming" | "a venir" | "en projet" => Some(CooperationStatus::Upcoming),
        "ongoing" | "en cours" | "active" => Some(CooperationStatus::Ongoing),
        "dormant" | "sommeil" | "en sommeil" => Some(CooperationStatus::Dormant),
        "ended" | "termine" | "terminee" | "achevee" => Some(CooperationStatus::Ended),
        _ => None,
    }
}

/// Reads the embassy's CSV: a header naming `french_authority` and `foreign_authority`, and
/// optionally `status` and `title`, then one entry per line.
pub fn read_list(csv: &str) -> Result<Vec<ExternalEntry>, Rejection> {
    if csv.len() > MAX_CSV_BYTES {
        return Err(refuse(format!(
            "the list is over {} MiB",
            MAX_CSV_BYTES / 1024 / 1024
        )));
    }
    if let Some((number, _)) = csv
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains('\u{fffd}'))
    {
        return Err(refuse(format!(
            "line {}: characters that are not UTF-8: save the file as UTF-8",
            number + 1
        )));
    }
    let rows = parse_csv(csv).map_err(refuse)?;
    let Some((header, entries)) = rows.split_first() else {
        return Err(refuse("the list is empty".into()));
    };
    let column = |names: &[&str]| {
        header
            .cells
            .iter()
            .position(|cell| names.contains(&crate::text::fold(cell).replace(' ', "_").as_str()))
    };
    let (Some(french), Some(foreign)) = (
        column(&["french_authority", "collectivite_francaise"]),
        column(&[
            "foreign_authority",
            "collectivite_partenaire",
            "autoridad_local",
        ]),
    ) else {
        return Err(refuse(
            "line 1: the header must name french_authority and foreign_authority".into(),
        ));
    };
    let (status, title) = (column(&["status", "statut"]), column(&["title", "titre"]));
    let width = header.cells.len();
    let mut parsed = Vec::with_capacity(entries.len());
    for row in entries {
        if row.cells.len() != width {
            return Err(refuse(format!(
                "line {}: {} columns where the header has {width}",
                row.line,
                row.cells.len()
            )));
        }
        let cell = |index: Option<usize>| {
            index
                .map(|index| row.cells[index].trim().to_owned())
                .filter(|text| !text.is_empty())
        };
        let (Some(french_authority), Some(foreign_authority)) =
            (cell(Some(french)), cell(Some(foreign)))
        else {
            return Err(refuse(format!(
                "line {}: both authorities are required",
                row.line
            )));
        };
        let status = match cell(status) {
            None => None,
            Some(text) => Some(
                parse_status(&text)
                    .ok_or_else(|| refuse(format!("line {}: unknown status {text:?}", row.line)))?,
            ),
        };
        parsed.push(ExternalEntry {
            line: row.line,
            french_authority,
            foreign_authority,
            status,
            title: cell(title),
        });
    }
    Ok(parsed)
}

/// A fiche with its partners' names on each side.
struct Named {
    fiche: cooperation::Model,
    french: Vec<String>,
    foreign: Vec<String>,
}

fn best(names: &[String], wanted: &str) -> f64 {
    names
        .iter()
        .map(|name| similarity(name, wanted))
        .fold(0.0, f64::max)
}

async fn directory_of(
    db: &impl ConnectionTrait,
    country_code: &str,
) -> Result<Vec<Named>, ApiError> {
    let fiches = crate::storage::all(
        db,
        cooperation::Entity::find().filter(cooperation::Column::CountryCode.eq(country_code)),
    )
    .await?;
    let ids: Vec<i64> = fiches.iter().map(|fiche| fiche.id).collect();
    let partners = queries::partners_of(db, &ids).await?;
    let authority_ids: Vec<i64> = partners.iter().map(|row| row.authority_id).collect();
    let authorities = storage::find_many::<authority::Entity>(db, &authority_ids).await?;
    let name_of = |id: i64| {
        authorities
            .iter()
            .find(|row| row.id == id)
            .map(|row| row.name.clone())
    };
    Ok(fiches
        .into_iter()
        .map(|fiche| {
            let side = |side: PartnerSide| -> Vec<String> {
                partners
                    .iter()
                    .filter(|row| row.cooperation_id == fiche.id && row.side == side.as_str())
                    .filter_map(|row| name_of(row.authority_id))
                    .collect()
            };
            Named {
                french: side(PartnerSide::French),
                foreign: side(PartnerSide::Foreign),
                fiche,
            }
        })
        .collect())
}

/// Compares the embassy's `csv` with the directory of `country_code`. Writes nothing.
pub async fn compare(
    db: &impl ConnectionTrait,
    country_code: &CountryCode,
    csv: &str,
) -> Result<Comparison, Rejection> {
    let entries = read_list(csv)?;
    let directory = directory_of(db, country_code.as_str()).await?;
    let mut comparison = Comparison::default();
    let mut claimed = vec![false; directory.len()];
    for entry in entries {
        let scored = directory.iter().enumerate().map(|(index, named)| {
            let score = best(&named.french, &entry.french_authority)
                .min(best(&named.foreign, &entry.foreign_authority));
            (index, score)
        });
        let exact = scored
            .clone()
            .find(|(index, score)| *score >= 1.0 && !claimed[*index]);
        if let Some((index, _)) = exact {
            claimed[index] = true;
            comparison
                .matched
                .push((entry, directory[index].fiche.clone()));
            continue;
        }
        let candidate = scored
            .filter(|(_, score)| *score >= POSSIBLE)
            .max_by(|left, right| {
                // The best score; on a tie, the oldest fiche, so that the answer is stable.
                left.1.total_cmp(&right.1).then(right.0.cmp(&left.0))
            });
        match candidate {
            Some((index, score)) => {
                claimed[index] = true;
                comparison.possible.push((
                    entry,
                    directory[index].fiche.clone(),
                    (score * 100.0).round() / 100.0,
                ));
            }
            None => comparison.only_in_list.push(entry),
        }
    }
    comparison.only_in_directory = directory
        .into_iter()
        .zip(claimed)
        .filter(|(_, claimed)| !claimed)
        .map(|(named, _)| named.fiche)
        .collect();
    Ok(comparison)
}

fn guess_kind(name: &str, french: bool) -> AuthorityKind {
    let folded = crate::text::fold(name);
    let has = |word: &str| folded.split(' ').any(|candidate| candidate == word);
    if has("region") || has("regional") || has("cr") {
        AuthorityKind::Region
    } else if has("departement") || has("departemental") || has("cg") || has("general") {
        AuthorityKind::Department
    } else if has("communaute") || has("cu") || has("metropole") || has("agglomeration") {
        AuthorityKind::Intercommunality
    } else if has("estado") && !french {
        AuthorityKind::State
    } else if has("municipio") || has("ville") || has("mairie") {
        AuthorityKind::Municipality
    } else {
        AuthorityKind::Other
    }
}

/// The authority of `country` whose name matches `name` exactly (after canonicalisation),
/// or a new one.
async fn resolve_authority(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &Actor,
    country: &str,
    name: &str,
    french: bool,
) -> Result<i64, Rejection> {
    let wanted = matching::canonical_words(name);
    let candidates = crate::storage::all(
        db,
        authority::Entity::find().filter(authority::Column::CountryCode.eq(country)),
    )
    .await
    .map_err(ApiError::from)?;
    if let Some(found) = candidates
        .iter()
        .find(|row| matching::canonical_words(&row.name) == wanted)
    {
        return Ok(found.id);
    }
    let new = NewAuthority {
        name: Name::parse(name)
            .map_err(|error| Rejection::user(&["rows"], UserErrorCode::Invalid, error.0))?,
        kind: guess_kind(name, french),
        country_code: CountryCode::parse(country)
            .map_err(|error| Rejection::user(&["countryCode"], UserErrorCode::Invalid, error.0))?,
        population: None,
        parent_id: None,
        is_cuf_member: false,
        website: None,
        description: crate::values::LongText::parse(&format!(
            "Created from the embassy's list on {}.",
            Utc::now().format("%Y-%m-%d")
        ))
        .ok()
        .flatten(),
    };
    Ok(crate::authorities::create_authority(db, actor, new)
        .await?
        .id)
}

/// Creates `entries` as PREFILLED fiches from the EMBASSY source, all or none.
pub async fn import(
    db: &impl TransactionTrait,
    actor: &Actor,
    country_code: &CountryCode,
    entries: Vec<ExternalEntry>,
) -> Result<Vec<cooperation::Model>, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let mut created = Vec::with_capacity(entries.len());
    for entry in entries {
        let french =
            resolve_authority(&transaction, actor, "FR", &entry.french_authority, true).await?;
        let foreign = resolve_authority(
            &transaction,
            actor,
            country_code.as_str(),
            &entry.foreign_authority,
            false,
        )
        .await?;
        let title = entry
            .title
            .clone()
            .unwrap_or_else(|| format!("{} – {}", entry.french_authority, entry.foreign_authority));
        let new = NewCooperation {
            title: Name::parse(&title)
                .map_err(|error| Rejection::user(&["rows"], UserErrorCode::Invalid, error.0))?,
            country_code: country_code.clone(),
            french_partners: vec![french],
            foreign_partners: vec![foreign],
            status: entry.status.unwrap_or(CooperationStatus::Ongoing),
            themes: Vec::new(),
            start_year: None,
            end_year: None,
            summary: None,
            sources: vec![CooperationSource::Embassy],
            internal_notes: None,
        };
        let fiche = super::create_cooperation(&transaction, actor, new).await?;
        let fiche = super::transition_cooperation(
            &transaction,
            actor,
            fiche.id,
            fiche.version,
            ValidationState::Prefilled,
        )
        .await?;
        created.push(fiche);
    }
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_with_their_errors_named_by_line() {
        let entries = read_list("french_authority,foreign_authority,status,title\nCU de Bordeaux,Guadalajara,en cours,Eau\n").unwrap();
        assert_eq!(entries[0].status, Some(CooperationStatus::Ongoing));
        assert_eq!(entries[0].line, 2);
        let refused = |csv: &str| match read_list(csv) {
            Err(Rejection::User(errors)) => errors[0].message.clone(),
            other => panic!("{other:?}"),
        };
        assert!(refused("a,b\nx,y\n").starts_with("line 1:"));
        assert!(refused("french_authority,foreign_authority\nx,y,z\n").starts_with("line 2:"));
        assert!(
            refused("french_authority,foreign_authority,status\nx,y,sometimes\n")
                .starts_with("line 2: unknown status")
        );
        assert!(refused("french_authority,foreign_authority\nx,\"y\n").starts_with("line 2:"));
        assert!(
            refused("french_authority,foreign_authority\nok,ok\nbad\u{fffd},x\n")
                .starts_with("line 3:")
        );
        assert!(refused("").contains("empty"));
        let huge = format!(
            "french_authority,foreign_authority\n{}",
            "a,b\n".repeat(MAX_CSV_BYTES / 4 + 1)
        );
        assert!(refused(&huge).contains("over 5 MiB"));
    }
}
