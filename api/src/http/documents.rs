//! Parsed GraphQL documents, remembered by their text.
//!
//! Clients send the same few documents again and again, with new variables. Parsing one of
//! the benchmark's documents took a quarter of the server's work for the request (async-graphql
//! parses with pest); copying a parsed one takes a tenth of that. The memory is bounded: two
//! generations of documents, the older dropped whole when the newer is full, so that a client
//! sending ever new documents costs at most twice [`GENERATION_BYTES`] of text.
//!
//! A remembered document also remembers whether it passed the schema's full validation.
//! Validation is a function of the document and, in async-graphql, of the variables'
//! values; for a document that declares no variables it is a function of the text alone,
//! so once passed it need not run again (it was 12 % of the `Upcoming` request's work). Such
//! a document is then executed by the schema built with `prevalidated`, which still runs
//! the checks execution needs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError};

/// A parsed document, shared by the requests that send its text.
#[derive(Debug)]
pub struct Parsed {
    document: ExecutableDocument,
    /// None of its operations declares a variable: its validation depends on nothing else.
    declares_no_variables: bool,
    /// It declares no variables and passed the full validation once.
    validated: AtomicBool,
}

impl Parsed {
    fn new(document: ExecutableDocument) -> Self {
        let declares_no_variables = document
            .operations
            .iter()
            .all(|(_, operation)| operation.node.variable_definitions.is_empty());
        Self {
            document,
            declares_no_variables,
            validated: AtomicBool::new(false),
        }
    }

    /// Whether the document passed the full validation already, with an outcome that no
    /// request could change.
    pub fn validated(&self) -> bool {
        self.validated.load(Ordering::Relaxed)
    }

    /// Records what `response` shows of the full validation of this document: data means
    /// it passed (a document that fails it gets errors only). Remembered only for a
    /// document that declares no variables, whose validation depends on nothing else.
    pub fn note_validation(&self, response: &Response) {
        if self.declares_no_variables && !matches!(response.data, async_graphql::Value::Null) {
            self.validated.store(true, Ordering::Relaxed);
        }
    }
}

/// The most bytes of document text one generation holds.
const GENERATION_BYTES: usize = 256 * 1024;
/// The most documents one generation holds.
const GENERATION_DOCUMENTS: usize = 256;
/// Longer documents are parsed every time: they are rare, and would crowd out the others.
const LONGEST: usize = 16 * 1024;

#[derive(Default)]
struct Generation {
    documents: HashMap<Arc<str>, Arc<Parsed>>,
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
    /// text, or parsed now (and remembered if it parses and is not too long). The request
    /// then holds a copy, so that the schema does not parse it again; the remembered one,
    /// if any, comes along.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<(&'r ExecutableDocument, Option<Arc<Parsed>>), ServerError> {
        let remembered = match self.get(&request.query) {
            Some(parsed) => {
                request.set_parsed_query(parsed.document.clone());
                Some(parsed)
            }
            None => {
                let document = async_graphql::parser::parse_query(&request.query)?;
                let remembered = self.insert(&request.query, &document);
                request.set_parsed_query(document);
                remembered
            }
        };
        Ok((request.parsed_query()?, remembered))
    }

    fn get(&self, text: &str) -> Option<Arc<Parsed>> {
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

    fn insert(&self, text: &str, document: &ExecutableDocument) -> Option<Arc<Parsed>> {
        if text.len() > LONGEST {
            return None;
        }
        let parsed = Arc::new(Parsed::new(document.clone()));
        let mut generations = self.0.lock().ok()?;
        generations.add(Arc::from(text), Arc::clone(&parsed));
        Some(parsed)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let generations = self.0.lock().unwrap();
        generations.newer.documents.len() + generations.older.documents.len()
    }
}

impl Generations {
    fn add(&mut self, text: Arc<str>, document: Arc<Parsed>) {
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
        let first = format!("{:?}", documents.parse(&mut request(query)).unwrap().0);
        let again = format!("{:?}", documents.parse(&mut request(query)).unwrap().0);
        assert_eq!(first, again);
        assert_eq!(documents.len(), 1);
    }

    #[test]
    fn only_a_document_without_variables_that_gave_data_is_remembered_as_validated() {
        let documents = ParsedDocuments::default();
        let data = Response::new(
            async_graphql::Value::from_json(serde_json::json!({ "a": "Query" })).unwrap(),
        );
        let refused = Response::from_errors(vec![ServerError::new("unknown field", None)]);
        let plain = "{ a: __typename }";
        let parsed = documents.parse(&mut request(plain)).unwrap().1.unwrap();
        assert!(!parsed.validated());
        parsed.note_validation(&refused);
        assert!(!parsed.validated());
        parsed.note_validation(&data);
        assert!(parsed.validated());
        // Sent again, the text comes with what was learnt of it.
        let again = documents.parse(&mut request(plain)).unwrap().1.unwrap();
        assert!(again.validated());
        // Validation also reads the variables' values: never remembered with variables.
        let with_variables = "query($id: ID!) { node(id: $id) { id } }";
        let parsed = documents
            .parse(&mut request(with_variables))
            .unwrap()
            .1
            .unwrap();
        parsed.note_validation(&data);
        assert!(!parsed.validated());
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
