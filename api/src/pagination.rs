//! Relay cursor connections with keyset pagination. A cursor is the opaque base64 of the
//! ordering it was made for, the row's sort value and its id; a page is fetched with one
//! indexed range query (`(sort, id) > (value, id)`), never an offset, so a page deep in a long
//! list costs what the first one does.

use async_graphql::{Context, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::storage::Keyed;

/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// The value a row is ordered by, besides its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    Text(String),
    Number(i64),
    Date(chrono::NaiveDate),
    Time(DateTime<Utc>),
}

impl From<SortValue> for sea_orm::Value {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Text(text) => text.into(),
            SortValue::Number(number) => number.into(),
            SortValue::Date(date) => date.into(),
            SortValue::Time(time) => time.into(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CursorData {
    /// The ordering the cursor belongs to, e.g. `NAME_ASC`.
    o: String,
    v: SortValue,
    i: i64,
}

/// How a list is ordered: a sort column (with the id as tie-break), a direction, and how to
/// read a row's sort value for its cursor.
pub struct Ordering<E: EntityTrait> {
    /// Names the ordering inside cursors, so a cursor cannot be replayed on another one.
    pub field: &'static str,
    pub column: E::Column,
    pub ascending: bool,
    pub key: fn(&E::Model) -> SortValue,
}

impl<E: EntityTrait> Ordering<E> {
    /// An ordering on `column`, named `field` in cursors, in `direction`.
    pub fn new(
        field: &'static str,
        column: E::Column,
        direction: OrderDirection,
        key: fn(&E::Model) -> SortValue,
    ) -> Self {
        Self {
            field,
            column,
            ascending: direction == OrderDirection::Asc,
            key,
        }
    }

    /// The ordering's name in cursors, e.g. `NAME_ASC`.
    pub fn tag(&self) -> String {
        let direction = if self.ascending { "ASC" } else { "DESC" };
        format!("{}_{direction}", self.field)
    }
}

/// The paging arguments of a connection field, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A checked page request: which way, how many, and from which row.
#[derive(Debug, Clone)]
pub struct PageRequest {
    forward: bool,
    limit: u64,
    from: Option<(SortValue, i64)>,
}

fn page_size(value: Option<i32>, name: &str) -> Result<Option<u64>, ApiError> {
    match value {
        None => Ok(None),
        Some(size) if (0..=MAX_PAGE_SIZE as i32).contains(&size) => Ok(Some(size as u64)),
        Some(_) => Err(ApiError::BadUserInput(format!(
            "`{name}` must be between 0 and {MAX_PAGE_SIZE}"
        ))),
    }
}

fn decode_cursor(cursor: &str, tag: &str, name: &str) -> Result<(SortValue, i64), ApiError> {
    let invalid = || {
        ApiError::BadUserInput(format!(
            "`{name}` is not a cursor of this list in this order"
        ))
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if data.o != tag {
        return Err(invalid());
    }
    Ok((data.v, data.i))
}

fn encode_cursor(tag: &str, value: SortValue, id: i64) -> String {
    let data = CursorData {
        o: tag.to_owned(),
        v: value,
        i: id,
    };
    // Serialising a struct of strings, numbers and timestamps cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
}

impl PageRequest {
    /// Checks the Relay arguments: `first` with `after` pages forward, `last` with `before`
    /// backward; mixing the two directions, sizes out of 0..=100 and foreign cursors are
    /// `BAD_USER_INPUT`.
    pub fn parse(args: PageArgs, tag: &str) -> Result<Self, ApiError> {
        let first = page_size(args.first, "first")?;
        let last = page_size(args.last, "last")?;
        let backward = last.is_some() || args.before.is_some();
        if backward && (first.is_some() || args.after.is_some()) {
            return Err(ApiError::BadUserInput(
                "page forward (`first`, `after`) or backward (`last`, `before`), not both".into(),
            ));
        }
        let (limit, cursor, name) = if backward {
            (last, args.before, "before")
        } else {
            (first, args.after, "after")
        };
        let from = cursor
            .map(|cursor| decode_cursor(&cursor, tag, name))
            .transpose()?;
        Ok(Self {
            forward: !backward,
            limit: limit.unwrap_or(DEFAULT_PAGE_SIZE),
            from,
        })
    }
}

/// One page of rows with their cursors.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// The same page with each row converted.
    pub fn map<U>(self, mut convert: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self
                .items
                .into_iter()
                .map(|(cursor, item)| (cursor, convert(item)))
                .collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
        }
    }
}

/// Fetches one page of `select` in `ordering` (one statement, whatever the page size or
/// depth) and, when `with_total`, how many rows `select` has in all (a second one).
pub async fn fetch_page<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    ordering: &Ordering<E>,
    request: &PageRequest,
    with_total: bool,
) -> Result<(Page<E::Model>, u64), DbErr>
where
    E: Keyed,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let total = if with_total {
        select.clone().count(db).await?
    } else {
        0
    };
    let ascending = ordering.ascending == request.forward;
    let mut select = select;
    if let Some((value, id)) = request.from.clone() {
        let row = Expr::tuple([ordering.column.into_expr(), E::ID.into_expr()]);
        let bound = Expr::tuple([Expr::val(value), Expr::val(id)]);
        select = select.filter(if ascending {
            row.gt(bound)
        } else {
            row.lt(bound)
        });
    }
    let order = if ascending { Order::Asc } else { Order::Desc };
    let mut rows = select
        .order_by(ordering.column, order.clone())
        .order_by(E::ID, order)
        .limit(request.limit + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > request.limit;
    rows.truncate(request.limit as usize);
    if !request.forward {
        rows.reverse();
    }
    let tag = ordering.tag();
    let items = rows
        .into_iter()
        .map(|row| {
            let cursor = encode_cursor(&tag, (ordering.key)(&row), E::id(&row));
            (cursor, row)
        })
        .collect();
    let has_cursor = request.from.is_some();
    let page = Page {
        items,
        has_next_page: if request.forward {
            has_more
        } else {
            has_cursor
        },
        has_previous_page: if request.forward {
            has_cursor
        } else {
            has_more
        },
    };
    Ok((page, total))
}

/// Whether the client selected `totalCount` on the connection being resolved: the count is a
/// second statement, sent only when asked for.
pub fn wants_total_count(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Where a page stands in its list.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether more objects follow this page. When paging backward, true whenever `before`
    /// was given.
    pub has_next_page: bool,
    /// Whether objects precede this page. When paging forward, true whenever `after` was
    /// given.
    pub has_previous_page: bool,
    /// The cursor of the first edge of this page, null when the page is empty.
    pub start_cursor: Option<String>,
    /// The cursor of the last edge of this page, null when the page is empty.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page information of `page`.
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(cursor, _)| cursor.clone()),
            end_cursor: page.items.last().map(|(cursor, _)| cursor.clone()),
        }
    }
}

/// Declares a connection type and its edge type for one node type, with their descriptions.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $doc:literal, $edge_doc:literal) => {
        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// An opaque cursor: pass it as `after` or `before` to page from this edge.
            pub cursor: String,
            /// The object at this edge.
            pub node: $node,
        }

        #[doc = $doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The edges of this page, in order.
            pub edges: Vec<$edge>,
            /// The objects of this page, in order, without their cursors.
            pub nodes: Vec<$node>,
            /// Where this page stands in the whole list.
            pub page_info: $crate::pagination::PageInfo,
            /// How many objects match the filter, over all pages.
            pub total_count: u64,
        }

        impl $connection {
            /// The connection of `page`, whose list holds `total_count` objects.
            pub fn new(page: $crate::pagination::Page<$node>, total_count: u64) -> Self {
                let page_info = $crate::pagination::PageInfo::of(&page);
                let nodes = page.items.iter().map(|(_, node)| node.clone()).collect();
                let edges = page
                    .items
                    .into_iter()
                    .map(|(cursor, node)| $edge { cursor, node })
                    .collect();
                Self {
                    edges,
                    nodes,
                    page_info,
                    total_count,
                }
            }
        }
    };
}
pub(crate) use connection;

#[cfg(test)]
mod tests {
    use super::*;

    fn args(
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
    ) -> PageArgs {
        PageArgs {
            first,
            after: after.map(str::to_owned),
            last,
            before: before.map(str::to_owned),
        }
    }

    #[test]
    fn page_requests_are_checked() {
        let cursor = encode_cursor("NAME_ASC", SortValue::Text("a".into()), 3);
        let forward = PageRequest::parse(args(Some(5), Some(&cursor), None, None), "NAME_ASC");
        assert!(matches!(
            forward,
            Ok(PageRequest {
                forward: true,
                limit: 5,
                from: Some(_)
            })
        ));
        let default = PageRequest::parse(PageArgs::default(), "NAME_ASC");
        assert!(matches!(
            default,
            Ok(PageRequest {
                limit: DEFAULT_PAGE_SIZE,
                ..
            })
        ));
        for bad in [
            args(Some(101), None, None, None),
            args(Some(-1), None, None, None),
            args(Some(1), None, Some(1), None),
            args(None, Some(&cursor), None, Some(&cursor)),
            args(None, Some("garbage"), None, None),
        ] {
            assert!(PageRequest::parse(bad, "NAME_ASC").is_err());
        }
        let other_order = PageRequest::parse(args(None, Some(&cursor), None, None), "NAME_DESC");
        assert!(other_order.is_err());
    }
}

/// The direction of an ordering.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first: A to Z, oldest first.
    #[default]
    Asc,
    /// Largest first: Z to A, newest first.
    Desc,
}
