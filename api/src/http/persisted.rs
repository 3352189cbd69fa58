//! Automatic persisted queries (Apollo's protocol): a client sends only the SHA-256 of a
//! document it sent before, in `extensions.persistedQuery`; the server remembers documents by
//! that digest. The memory is per replica and bounded: a forgotten document costs the client
//! one retry with its text (`PERSISTED_QUERY_NOT_FOUND`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The most documents remembered.
const MAX_ENTRIES: usize = 10_000;
/// The most bytes of documents remembered.
const MAX_BYTES: usize = 16 * 1024 * 1024;

#[derive(Default)]
struct Entries {
    documents: HashMap<String, Arc<str>>,
    /// Digests, oldest first: the first to be forgotten.
    order: VecDeque<String>,
    bytes: usize,
}

/// Documents by the hex SHA-256 of their text.
#[derive(Default)]
pub struct PersistedQueries(Mutex<Entries>);

impl PersistedQueries {
    /// The document whose digest is `sha256`, if remembered.
    pub fn get(&self, sha256: &str) -> Option<Arc<str>> {
        let entries = self.0.lock().ok()?;
        entries.documents.get(sha256).cloned()
    }

    /// Remembers `document` under its digest `sha256`, forgetting the oldest beyond the bounds.
    pub fn insert(&self, sha256: &str, document: &str) {
        let Ok(mut entries) = self.0.lock() else {
            return;
        };
        if entries.documents.contains_key(sha256) || document.len() > MAX_BYTES {
            return;
        }
        while entries.documents.len() >= MAX_ENTRIES || entries.bytes + document.len() > MAX_BYTES {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            if let Some(gone) = entries.documents.remove(&oldest) {
                entries.bytes -= gone.len();
            }
        }
        entries.bytes += document.len();
        entries.order.push_back(sha256.to_owned());
        entries
            .documents
            .insert(sha256.to_owned(), Arc::from(document));
    }
}

/// Whether `text` is a SHA-256 in lowercase hex, as `sha256Hash` must be.
pub fn is_digest(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_documents_are_forgotten_first() {
        let queries = PersistedQueries::default();
        for n in 0..MAX_ENTRIES + 2 {
            queries.insert(&format!("{n:064x}"), "{ __typename }");
        }
        assert!(queries.get(&format!("{:064x}", 0)).is_none());
        assert!(queries.get(&format!("{:064x}", 1)).is_none());
        assert!(queries.get(&format!("{:064x}", 2)).is_some());
        assert!(queries.get(&format!("{:064x}", MAX_ENTRIES + 1)).is_some());
    }

    #[test]
    fn digests_are_lowercase_hex_of_64() {
        assert!(is_digest(&"a".repeat(64)));
        assert!(!is_digest(&"A".repeat(64)));
        assert!(!is_digest(&"a".repeat(63)));
    }
}
