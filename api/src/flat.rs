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
//! The schema registers no async-graphql extension (see `schema.rs`): one with a `resolve`
//! hook would not see the fields resolved here.
//!
//! The wrapper takes their GraphQL type, name and description from what they wrap, so the
//! schema does not change (see `tests/api/schema.rs`).

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
        let ctx_field = ctx.with_field(field);
        let name = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            let typename = root.introspection_type_name().into_owned();
            return Ok((name, Value::String(typename)));
        }
        let value = root.resolve_field(&ctx_field).await?;
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
