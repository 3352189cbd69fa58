//! Admission control: at most so many GraphQL operations execute at once, queries and
//! mutations counted apart; the others wait their turn, first come first served, within the
//! request timeout.
//!
//! A directory page holds about a megabyte while it resolves (one future per field, the
//! rows, the answer), and two cores gain nothing from resolving more pages at once than
//! they can run and the pool can feed. Without a bound, 64 connections asking at once hold
//! 64 pages in memory; with one, the server's memory stays flat however many connections
//! wait. Queries and mutations have their own bound so that a flood of sign-ins, each
//! waiting for the password hasher, never holds the places of reads.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use tokio::sync::{Semaphore, SemaphorePermit};

/// The bounds of executing operations.
#[derive(Clone)]
pub struct Admission {
    reads: Arc<Semaphore>,
    writes: Arc<Semaphore>,
}

impl Admission {
    /// At most `limit` queries and `limit` mutations at once (at least one of each).
    pub fn new(limit: usize) -> Self {
        let limit = limit.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            reads: Arc::new(Semaphore::new(limit)),
            writes: Arc::new(Semaphore::new(limit)),
        }
    }

    /// Waits for a place for an operation of type `operation` (a query when unknown: the
    /// document then fails validation without touching anything); the place is freed when
    /// the permit is dropped.
    pub async fn enter(&self, operation: Option<OperationType>) -> Option<SemaphorePermit<'_>> {
        let semaphore = match operation {
            Some(OperationType::Mutation) => &self.writes,
            _ => &self.reads,
        };
        // The semaphores are never closed, so this always yields a permit.
        semaphore.acquire().await.ok()
    }

    /// How many queries could start now without waiting.
    #[cfg(test)]
    fn available_reads(&self) -> usize {
        self.reads.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn queries_and_mutations_are_admitted_apart() {
        let admission = Admission::new(1);
        let query = admission.enter(Some(OperationType::Query)).await;
        assert!(query.is_some());
        assert_eq!(admission.available_reads(), 0);
        // A mutation still gets in while the one query place is taken.
        let mutation = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            admission.enter(Some(OperationType::Mutation)),
        )
        .await;
        assert!(matches!(mutation, Ok(Some(_))));
        // A second query waits until the first leaves.
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            admission.enter(Some(OperationType::Query)),
        )
        .await;
        assert!(
            waiting.is_err(),
            "a second query was admitted past the bound"
        );
        drop(query);
        assert_eq!(admission.available_reads(), 1);
        let next =
            tokio::time::timeout(std::time::Duration::from_secs(1), admission.enter(None)).await;
        assert!(matches!(next, Ok(Some(_))));
    }

    #[test]
    fn a_zero_bound_still_admits_one() {
        assert_eq!(Admission::new(0).available_reads(), 1);
    }
}
