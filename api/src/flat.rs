//! Objects that a page lists by the hundred, resolved without async-graphql's per-field
//! task.
//!
//! async-graphql resolves every field of an object in a boxed future, pushes each into a
//! `FuturesUnordered` (another allocation, and a wake-up through it) and grows the answer's
//! map as the fields finish. A directory page resolves about a thousand fields that way, most
//! of them a column copied out of a row. [`Flat`] wraps an object (or a reference to one) and
//! resolves a plain selection of its fields (no fragments, no directives, each response key
//! once) by polling the object's own field resolvers side by side in one `join_all`, with the
//! map sized once. Fields that wait on a DataLoader still wait together, so batching is as
//! before. Any other selection goes through async-graphql's own resolution. Either way the
//! fields come out in the order they were selected.
//!
//! The schema registers no async-graphql extension (ARCHITECTURE.md, "No schema extension"):
//! one with a `resolve` hook would not see the fields resolved here.
//!
//! The wrapper takes its GraphQL type, name and description from what it wraps, so the
//! schema does not change (`tests/api/schema.rs` compares it with `schema.graphql`).

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_container;
use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ServerResult, Value,
};

/// The largest selection resolved here; beyond it `join_all` would need a task per field,
/// which is what async-graphql does anyway.
const MOST_FIELDS: usize = 30;

/// An object of type `T` (or `&T`), resolved by [`resolve`].
#[derive(Debug, Clone)]
pub struct Flat<T>(pub T);

impl<T: ContainerType> OutputType for Flat<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve(ctx, &self.0).await
    }
}

/// The value of `root` for the selection `ctx` holds: its fields side by side when the
/// selection is plain, else async-graphql's resolution. A field's error is recorded and the
/// field left out, as async-graphql does.
pub async fn resolve<T: ContainerType>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
) -> ServerResult<Value> {
    let Some(fields) = plain_fields(ctx.item) else {
        return resolve_container(ctx, root).await;
    };
    let count = fields.len();
    let results = futures_util::future::join_all(fields.into_iter().map(|field| async move {
        let name = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            let typename = root.introspection_type_name().into_owned();
            return Ok((name, Value::String(typename)));
        }
        let value = root.resolve_field(&ctx.with_field(field)).await?;
        Ok((name, value.unwrap_or_default()))
    }))
    .await;
    let mut object = IndexMap::with_capacity(count);
    for result in results {
        match result {
            Ok((name, value)) => {
                object.insert(name, value);
            }
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if object.is_empty() {
        Value::Null
    } else {
        Value::Object(object)
    })
}

/// The fields of `set` when it holds only fields, without directives, each under its own
/// response key, and not too many of them.
fn plain_fields(set: &Positioned<SelectionSet>) -> Option<Vec<&Positioned<Field>>> {
    let items = &set.node.items;
    if items.len() > MOST_FIELDS {
        return None;
    }
    let mut fields: Vec<&Positioned<Field>> = Vec::with_capacity(items.len());
    for selection in items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let key = &field.node.response_key().node;
        let repeated = fields
            .iter()
            .any(|other| other.node.response_key().node == *key);
        if !field.node.directives.is_empty() || repeated {
            return None;
        }
        fields.push(field);
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};

    use super::Flat;

    /// An object with a field that waits, one that fails, and a nested object.
    #[derive(Clone)]
    struct Item(i32);

    #[derive(SimpleObject)]
    struct Inner {
        label: String,
        size: i32,
    }

    #[Object]
    impl Item {
        async fn id(&self) -> i32 {
            self.0
        }

        async fn name(&self) -> String {
            format!("item {}", self.0)
        }

        async fn later(&self) -> i32 {
            tokio::task::yield_now().await;
            self.0 * 10
        }

        async fn broken(&self) -> async_graphql::Result<i32> {
            if self.0 % 2 == 0 {
                Err("even items break".into())
            } else {
                Ok(self.0)
            }
        }

        async fn inner(&self) -> Flat<Inner> {
            Flat(Inner {
                label: format!("inner {}", self.0),
                size: self.0,
            })
        }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn usual(&self) -> Vec<Item> {
            (1..=4).map(Item).collect()
        }

        async fn flats(&self) -> Vec<Flat<Item>> {
            (1..=4).map(|n| Flat(Item(n))).collect()
        }
    }

    async fn run(document: &str) -> serde_json::Value {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        serde_json::to_value(schema.execute(document).await).unwrap()
    }

    #[tokio::test]
    async fn a_flat_object_answers_what_async_graphql_answers() {
        let selections = [
            "id name",
            "later name id __typename",
            "id broken name",
            "inner { size label } id",
            "a: id b: id id",
            "id id name",
            "... on Item { id later } name",
            "...F name",
            "id name @include(if: true) later @skip(if: true)",
        ];
        for selection in selections {
            let fragment = if selection.contains("...F") {
                "fragment F on Item { later inner { label } }"
            } else {
                ""
            };
            // The two fields' names have the same length: errors' locations match.
            let usual = run(&format!("{{ items: usual {{ {selection} }} }} {fragment}")).await;
            let flat = run(&format!("{{ items: flats {{ {selection} }} }} {fragment}")).await;
            // Same values and errors; only the order of an object's keys may differ.
            assert_eq!(usual, flat, "{selection}");
            assert!(flat.get("data").is_some(), "{selection}: {flat}");
        }
    }

    #[tokio::test]
    async fn a_flat_object_keeps_the_order_of_its_selection() {
        let answer = run("{ flats { later name inner { size label } id } }").await;
        let first = &answer["data"]["flats"][0];
        let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["later", "name", "inner", "id"]);
        let inner: Vec<&String> = first["inner"].as_object().unwrap().keys().collect();
        assert_eq!(inner, ["size", "label"]);
    }
}
