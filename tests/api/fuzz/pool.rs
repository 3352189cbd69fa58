//! What the fuzzer learns from responses and sends back: ids, cursors and versions seen,
//! documents that succeeded; and ids and cursors made from them, real, altered or forged.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::generate::Document;
use super::inputs::{date, datetime, int, string, wild};
use super::rng::{Rng, base64, unbase64};

/// Values seen in responses, to be sent back: ids, cursors and versions.
#[derive(Debug, Default, Clone)]
pub struct Pool {
    /// Ids the fuzzer must not send (its own callers' user and key).
    pub protected: Vec<String>,
    pub ids: Vec<String>,
    pub cursors: Vec<String>,
    pub versions: Vec<i64>,
    /// The last version seen of each id, for updates that should get past the version check.
    pub version_of: std::collections::HashMap<String, i64>,
    /// Documents that succeeded, with their caller, by their first root field (a few of
    /// each, so that fields that always succeed do not crowd out the others):
    /// `mangle::tweak` sends them again with one value changed.
    pub corpus: BTreeMap<String, Vec<(Document, usize)>>,
}

/// How many documents the corpus keeps of each root field.
const CORPUS_PER_FIELD: usize = 8;

/// How many values of each kind the pool keeps.
const POOL_SIZE: usize = 400;

fn keep<T: PartialEq>(items: &mut Vec<T>, item: T, slot: usize) {
    if items.contains(&item) {
        return;
    }
    if items.len() < POOL_SIZE {
        items.push(item);
    } else {
        items[slot % POOL_SIZE] = item;
    }
}

impl Pool {
    /// Keeps `document`, which succeeded for `caller`.
    pub fn remember(&mut self, document: Document, caller: usize, slot: usize) {
        let key = root_field(&document.query);
        let kept = self.corpus.entry(key).or_default();
        if kept.len() < CORPUS_PER_FIELD {
            kept.push((document, caller));
        } else {
            kept[slot % CORPUS_PER_FIELD] = (document, caller);
        }
    }

    /// A document of the corpus and its caller, of a root field drawn evenly (mutations
    /// more often: they succeed less often, and write).
    pub fn pick_from_corpus(&self, rng: &mut Rng) -> Option<(Document, usize)> {
        let keys: Vec<&String> = self.corpus.keys().collect();
        if keys.is_empty() {
            return None;
        }
        let mutations: Vec<&String> = keys
            .iter()
            .copied()
            .filter(|key| key.starts_with("mutation"))
            .collect();
        let key = if !mutations.is_empty() && rng.chance(60) {
            *rng.pick(&mutations)
        } else {
            *rng.pick(&keys)
        };
        let documents = self.corpus.get(key)?;
        Some(rng.pick(documents).clone())
    }

    /// Keeps the ids, cursors and versions found anywhere in `body`.
    pub fn harvest(&mut self, body: &Value) {
        match body {
            Value::Object(object) => {
                if let (Some(Value::String(id)), Some(version)) = (
                    object.get("id"),
                    object.get("version").and_then(Value::as_i64),
                ) {
                    self.version_of.insert(id.clone(), version);
                }
                for (key, value) in object {
                    match (key.as_str(), value) {
                        ("id", Value::String(id)) => {
                            if !self.protected.contains(id) {
                                keep(&mut self.ids, id.clone(), id.len());
                            }
                        }
                        (key, Value::String(cursor))
                            if key.ends_with("ursor") && !cursor.is_empty() =>
                        {
                            keep(&mut self.cursors, cursor.clone(), cursor.len())
                        }
                        ("version", Value::Number(number)) => {
                            if let Some(version) = number.as_i64() {
                                keep(&mut self.versions, version, version as usize);
                            }
                        }
                        _ => self.harvest(value),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.harvest(item)),
            _ => {}
        }
    }
}

/// The operation type and first root field of `query`, e.g. `mutation saveProgrammeAction`.
fn root_field(query: &str) -> String {
    use async_graphql::parser::types::{DocumentOperations, Selection};
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return "unparsed".to_owned();
    };
    let operation = match &document.operations {
        DocumentOperations::Single(operation) => &operation.node,
        DocumentOperations::Multiple(operations) => match operations.values().next() {
            Some(operation) => &operation.node,
            None => return "none".to_owned(),
        },
    };
    let field = operation
        .selection_set
        .node
        .items
        .iter()
        .find_map(|selection| match &selection.node {
            Selection::Field(field) => Some(field.node.name.node.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    format!("{} {field}", operation.ty)
}

#[rustfmt::skip]
const KINDS: &[&str] = &[
    "Authority", "Organisation", "Person", "User", "ApiKey", "AuditEntry", "Cooperation",
    "Theme", "CountryGroup", "Event", "Programme", "Membership", "Action", "Share", "Funding",
    "FollowUp", "Unknown", "authority", "",
];

#[rustfmt::skip]
const NUMBERS: &[&str] = &[
    "1", "2", "999999", "0", "-1", "01", "+1", "1.0", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "99999999999999999999", " 1", "1e3", "",
];

/// The kind of node an argument or input field wants, guessed from its name (`authorityId`)
/// or, for an input's `id`, from the input type's name (`updateeventinput`).
fn wanted_kind(hint: &str) -> Option<&'static str> {
    const GUESSES: &[(&str, &str)] = &[
        ("countrygroup", "CountryGroup"),
        ("group", "CountryGroup"),
        ("apikey", "ApiKey"),
        ("organisation", "Organisation"),
        ("authority", "Authority"),
        ("partner", "Authority"),
        ("parent", "Authority"),
        ("chairid", "Authority"),
        ("lead", "Authority"),
        ("person", "Person"),
        ("representative", "Person"),
        ("facilitator", "Person"),
        ("coordinator", "Person"),
        ("user", "User"),
        ("theme", "Theme"),
        ("event", "Event"),
        ("programme", "Programme"),
        ("cooperation", "Cooperation"),
    ];
    GUESSES
        .iter()
        .find(|(part, _)| hint.contains(part))
        .map(|(_, kind)| *kind)
}

/// The ids in the pool of `kind`.
fn ids_of_kind<'a>(pool: &'a Pool, kind: &str) -> Vec<&'a String> {
    let prefix = format!("{kind}:");
    pool.ids
        .iter()
        .filter(|id| unbase64(id).is_some_and(|bytes| bytes.starts_with(prefix.as_bytes())))
        .collect()
}

/// A global id for an argument named `hint`: often a real one of the kind its name asks
/// for, else any (see [`any_id`]); never a protected one.
pub fn id(rng: &mut Rng, pool: &Pool, hint: &str) -> String {
    loop {
        let wanted = wanted_kind(hint).filter(|_| rng.chance(60));
        let id = match wanted.map(|kind| ids_of_kind(pool, kind)) {
            Some(ids) if !ids.is_empty() => rng.pick(&ids).to_string(),
            _ => any_id(rng, pool),
        };
        if !pool.protected.contains(&id) {
            return id;
        }
    }
}

/// A real id, a real one altered, a plain number (memberships, shares and fundings have
/// those), or one made up of another kind or number.
fn any_id(rng: &mut Rng, pool: &Pool) -> String {
    let real = |rng: &mut Rng| {
        if pool.ids.is_empty() {
            base64(format!("Authority:{}", rng.between(1, 40)).as_bytes())
        } else {
            rng.pick(&pool.ids).clone()
        }
    };
    match rng.below(13) {
        0..=4 => real(rng),
        5 | 6 => {
            let text = format!("{}:{}", rng.pick(KINDS), rng.pick(NUMBERS));
            base64(text.as_bytes())
        }
        7 => {
            let mut id = real(rng);
            match rng.below(4) {
                0 => id.push('='),
                1 => id = id.to_uppercase(),
                2 => {
                    id.pop();
                }
                _ => id.insert(rng.below(id.len() + 1), 'A'),
            }
            id
        }
        8 => {
            let bytes: Vec<u8> = (0..rng.between(0, 24))
                .map(|_| rng.next_u64() as u8)
                .collect();
            base64(&bytes)
        }
        9 => string(rng, pool),
        10 => (*rng.pick(NUMBERS)).to_owned(),
        _ => base64(format!("{}:{}", rng.pick(&KINDS[..11]), rng.between(1, 60)).as_bytes()),
    }
}

/// A cursor: a real one, a real one with another value or id inside, or garbage.
pub fn cursor(rng: &mut Rng, pool: &Pool) -> String {
    let real = pool
        .cursors
        .get(rng.below(pool.cursors.len().max(1)))
        .cloned()
        .unwrap_or_default();
    match rng.below(6) {
        0 | 1 => real,
        2 | 3 => {
            // The ordering of a real cursor, with any sort value and id: the server must not
            // trust what a client wrote inside.
            let order = unbase64(&real)
                .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                .and_then(|data| data["o"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "NAME_ASC".to_owned());
            let value = match rng.below(5) {
                0 => json!({ "Text": string(rng, pool) }),
                1 => json!({ "Number": int(rng, pool, "") }),
                2 => json!({ "Date": date(rng) }),
                3 => json!({ "Time": datetime(rng) }),
                _ => wild(rng, pool, 1),
            };
            let id = *rng.pick(&[1, 0, -1, i64::MAX, i64::MIN, 42]);
            base64(
                json!({ "o": order, "v": value, "i": id })
                    .to_string()
                    .as_bytes(),
            )
        }
        4 => base64(wild(rng, pool, 2).to_string().as_bytes()),
        _ => string(rng, pool),
    }
}

mod tests {
    use super::*;

    #[test]
    fn the_corpus_files_a_document_under_its_first_root_field() {
        assert_eq!(
            root_field(
                "mutation M($a: X = {b: \"{\"}) { a1: saveProgrammeAction(input: $a) { x } }"
            ),
            "mutation saveProgrammeAction"
        );
        assert_eq!(
            root_field("{ __typename authorities { totalCount } }"),
            "query __typename"
        );
        assert_eq!(root_field("{ broken"), "unparsed");
    }
}
