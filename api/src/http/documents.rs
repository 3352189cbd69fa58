//! Parsed GraphQL documents, remembered by their text.
//!
//! Clients send the same few documents again and again, with new variables. Parsing one of
//! the benchmark's documents took a quarter of the server's work for the request (async-graphql
//! parses with pest); copying a parsed one takes a tenth of that. The memory is bounded: two
//! generations of documents, the older dropped whole when the newer is full, so that a client
//! sending ever new documents costs at most twice [`GENERATION_BYTES`] of text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError};

/// The most bytes of document text one generation holds.
const GENERATION_BYTES: usize = 256 * 1024;
/// The most documents one generation holds.
const GENERATION_DOCUMENTS: usize = 256;
/// Longer documents are parsed every time: they are rare, and would crowd out the others.
const LONGEST: usize = 16 * 1024;

#[derive(Default)]
struct Generation {
    documents: HashMap<Arc<str>, Arc<ExecutableDocument>>,
    bytes: usize,
}

impl Generation {
    fn is_full(&self) -> bool {
        self.bytes >= GENERATION_BYTES || self.documents.len() >= GENERATION_DOCUMENTS
    }
}

#[derive(Default)]
struct Generations {
    newer: Generation,
    older: Generation,
}

/// Parsed documents by their text.
#[derive(Default)]
pub struct ParsedDocuments(Mutex<Generations>);

impl ParsedDocuments {
    /// The parsed document of `request`: remembered from an earlier request with the same
    /// text, or parsed now (and remembered if it parses). The request then holds it, so that
    /// the schema does not parse it again.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<&'r ExecutableDocument, ServerError> {
        if let Some(document) = self.get(&request.query) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
        } else {
            let document = async_graphql::parser::parse_query(&request.query)?;
            self.insert(&request.query, &document);
            request.set_parsed_query(document);
        }
        request.parsed_query()
    }

    fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        let mut generations = self.0.lock().ok()?;
        if let Some(document) = generations.newer.documents.get(text) {
            return Some(Arc::clone(document));
        }
        // Still in use: moved to the newer generation, so that it outlives the older one.
        let (text, document) = generations.older.documents.remove_entry(text)?;
        generations.older.bytes -= text.len();
        generations.add(text, Arc::clone(&document));
        Some(document)
    }

    fn insert(&self, text: &str, document: &ExecutableDocument) {
        if text.len() > LONGEST {
            return;
        }
        let Ok(mut generations) = self.0.lock() else {
            return;
        };
        generations.add(Arc::from(text), Arc::new(document.clone()));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let generations = self.0.lock().unwrap();
        generations.newer.documents.len() + generations.older.documents.len()
    }
}

impl Generations {
    fn add(&mut self, text: Arc<str>, document: Arc<ExecutableDocument>) {
        if self.newer.is_full() {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.bytes += text.len();
        self.newer.documents.insert(text, document);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str) -> Request {
        Request::new(query)
    }

    #[test]
    fn a_document_sent_again_is_the_same_document() {
        let documents = ParsedDocuments::default();
        let query = "query Q($id: ID!) { node(id: $id) { id ... on Authority { name } } }";
        let first = format!("{:?}", documents.parse(&mut request(query)).unwrap());
        let again = format!("{:?}", documents.parse(&mut request(query)).unwrap());
        assert_eq!(first, again);
        assert_eq!(documents.len(), 1);
    }

    #[test]
    fn a_document_that_does_not_parse_is_refused_and_not_remembered() {
        let documents = ParsedDocuments::default();
        for _ in 0..2 {
            let error = documents.parse(&mut request("{ node(id: ")).unwrap_err();
            assert!(!error.message.is_empty());
        }
        assert_eq!(documents.len(), 0);
    }

    #[test]
    fn memory_stays_bounded_however_many_documents_are_sent() {
        let documents = ParsedDocuments::default();
        for n in 0..10 * GENERATION_DOCUMENTS {
            documents
                .parse(&mut request(&format!("{{ a{n}: __typename }}")))
                .unwrap();
        }
        assert!(
            documents.len() <= 2 * GENERATION_DOCUMENTS,
            "{}",
            documents.len()
        );
        let long = format!("{{ {} }}", "__typename ".repeat(LONGEST / 10));
        documents.parse(&mut request(&long)).unwrap();
        let generations = documents.0.lock().unwrap();
        assert!(generations.newer.bytes <= GENERATION_BYTES + LONGEST);
        assert!(!generations.newer.documents.contains_key(long.as_str()));
    }

    #[test]
    fn a_document_still_in_use_survives_the_turn_of_a_generation() {
        let documents = ParsedDocuments::default();
        let kept = "{ kept: __typename }";
        documents.parse(&mut request(kept)).unwrap();
        // Three generations' worth of other documents: unless it moved to the newer
        // generation when used, it would be dropped with the older one.
        for n in 0..3 * GENERATION_DOCUMENTS {
            documents
                .parse(&mut request(&format!("{{ a{n}: __typename }}")))
                .unwrap();
            if n % 16 == 0 {
                assert!(documents.get(kept).is_some(), "forgotten after {n} others");
            }
        }
    }
}
