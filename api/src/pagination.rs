//! Relay cursor connections with keyset pagination. A cursor is the opaque base64 of the
//! ordering it was made for, the row's sort value and its id; a page is fetched with one
//! indexed range query (`(sort, id) > (value, id)`), never an offset, so a page deep in a long
//! list costs what the first one does.

use async_graphql::{Context, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Utc};
use sea_orm::sea_query::{ColumnType, Expr, ExprTrait};
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

/// The kind of value a sort column holds: a cursor's value must be of its ordering's kind, or
/// PostgreSQL would be asked to compare, say, a name with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Text,
    Number,
    Date,
    Time,
}

impl SortKind {
    /// The kind of the values of a column of `column_type`.
    fn of(column_type: &ColumnType) -> Self {
        match column_type {
            ColumnType::TinyInteger
            | ColumnType::SmallInteger
            | ColumnType::Integer
            | ColumnType::BigInteger => Self::Number,
            ColumnType::Date => Self::Date,
            ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => {
                Self::Time
            }
            _ => Self::Text,
        }
    }
}

impl SortValue {
    fn kind(&self) -> SortKind {
        match self {
            Self::Text(_) => SortKind::Text,
            Self::Number(_) => SortKind::Number,
            Self::Date(_) => SortKind::Date,
            Self::Time(_) => SortKind::Time,
        }
    }

    /// Whether a row could hold this value, which a cursor made up by a client may not:
    /// PostgreSQL refuses text with a NUL and dates outside its calendar.
    fn is_storable(&self) -> bool {
        match self {
            Self::Text(text) => !text.contains('\0'),
            Self::Number(_) => true,
            Self::Date(date) => crate::values::YEARS.contains(&date.year()),
            Self::Time(time) => crate::values::YEARS.contains(&time.year()),
        }
    }
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

/// What a cursor must carry to belong to an ordering: the ordering's name (e.g. `NAME_ASC`)
/// and a sort value of the kind of its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorTag {
    name: String,
    kind: SortKind,
}

impl CursorTag {
    /// The tag of the ordering `name` on a column of values of `kind`.
    pub fn new(name: impl Into<String>, kind: SortKind) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
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

    /// The ordering's tag in cursors: its name, e.g. `NAME_ASC`, and the kind of its column.
    pub fn tag(&self) -> CursorTag {
        let direction = if self.ascending { "ASC" } else { "DESC" };
        let kind = SortKind::of(self.column.def().get_column_type());
        CursorTag::new(format!("{}_{direction}", self.field), kind)
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

fn decode_cursor(cursor: &str, tag: &CursorTag, name: &str) -> Result<(SortValue, i64), ApiError> {
    let invalid = || {
        ApiError::BadUserInput(format!(
            "`{name}` is not a cursor of this list in this order"
        ))
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if data.o != tag.name || data.v.kind() != tag.kind || !data.v.is_storable() {
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
    pub fn parse(args: PageArgs, tag: &CursorTag) -> Result<Self, ApiError> {
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
    let select = select
        .order_by(ordering.column, order.clone())
        .order_by(E::ID, order)
        .limit(request.limit + 1);
    let mut rows = crate::storage::all(db, select).await?;
    let has_more = rows.len() as u64 > request.limit;
    rows.truncate(request.limit as usize);
    if !request.forward {
        rows.reverse();
    }
    let tag = ordering.tag();
    let items = rows
        .into_iter()
        .map(|row| {
            let cursor = encode_cursor(&tag.name, (ordering.key)(&row), E::id(&row));
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
/// Edges and nodes are resolved by [`crate::flat`]; the nodes are the edges' own, not copies.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $doc:literal, $edge_doc:literal) => {
        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// An opaque cursor: pass it as `after` or `before` to page from this edge.
            pub cursor: String,
            /// The object at this edge.
            pub node: $crate::flat::Flat<$node>,
        }

        #[doc = $doc]
        pub struct $connection {
            edges: Vec<$crate::flat::Flat<$edge>>,
            page_info: $crate::pagination::PageInfo,
            total_count: u64,
        }

        #[doc = $doc]
        #[async_graphql::Object]
        impl $connection {
            /// The edges of this page, in order.
            async fn edges(&self) -> &[$crate::flat::Flat<$edge>] {
                &self.edges
            }

            /// The objects of this page, in order, without their cursors.
            async fn nodes(&self) -> Vec<$crate::flat::Flat<&$node>> {
                self.edges
                    .iter()
                    .map(|edge| $crate::flat::Flat(&edge.0.node.0))
                    .collect()
            }

            /// Where this page stands in the whole list.
            async fn page_info(&self) -> &$crate::pagination::PageInfo {
                &self.page_info
            }

            /// How many objects match the filter, over all pages.
            async fn total_count(&self) -> u64 {
                self.total_count
            }
        }

        impl $connection {
            /// The connection of `page`, whose list holds `total_count` objects.
            pub fn new(page: $crate::pagination::Page<$node>, total_count: u64) -> Self {
                let page_info = $crate::pagination::PageInfo::of(&page);
                let edges = page
                    .items
                    .into_iter()
                    .map(|(cursor, node)| {
                        $crate::flat::Flat($edge {
                            cursor,
                            node: $crate::flat::Flat(node),
                        })
                    })
                    .collect();
                Self {
                    edges,
                    page_info,
                    total_count,
                }
            }
        }
    };
}
pub(crate) use connection;

/// The direction of an ordering.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first: A to Z, oldest first.
    #[default]
    Asc,
    /// Largest first: Z to A, newest first.
    Desc,
}

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

    fn name_asc() -> CursorTag {
        CursorTag::new("NAME_ASC", SortKind::Text)
    }

    #[test]
    fn page_requests_are_checked() {
        let cursor = encode_cursor("NAME_ASC", SortValue::Text("a".into()), 3);
        let forward = PageRequest::parse(args(Some(5), Some(&cursor), None, None), &name_asc());
        assert!(matches!(
            forward,
            Ok(PageRequest {
                forward: true,
                limit: 5,
                from: Some(_)
            })
        ));
        let default = PageRequest::parse(PageArgs::default(), &name_asc());
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
            assert!(PageRequest::parse(bad, &name_asc()).is_err());
        }
        let name_desc = CursorTag::new("NAME_DESC", SortKind::Text);
        let other_order = PageRequest::parse(args(None, Some(&cursor), None, None), &name_desc);
        assert!(other_order.is_err());
    }

    #[test]
    fn a_cursor_whose_value_no_row_could_hold_is_refused() {
        // Cursors are opaque but not signed: a client can write any value inside one, and
        // PostgreSQL fails on a number compared with a name, a NUL, or a year out of range.
        let date = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let time = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let forged = [
            (SortValue::Number(2), name_asc()),
            (SortValue::Date(date("2014-03-26")), name_asc()),
            (SortValue::Time(time("2014-03-26T10:00:00Z")), name_asc()),
            (SortValue::Text("a\0b".into()), name_asc()),
            (
                SortValue::Text("2014".into()),
                CursorTag::new("START_YEAR_ASC", SortKind::Number),
            ),
            (
                SortValue::Date(date("-262143-01-01")),
                CursorTag::new("DATE_ASC", SortKind::Date),
            ),
            (
                SortValue::Time(time("+10000-01-01T00:00:00Z")),
                CursorTag::new("AT_DESC", SortKind::Time),
            ),
        ];
        for (value, tag) in forged {
            let cursor = encode_cursor(&tag.name, value.clone(), 1);
            let request = PageRequest::parse(args(None, Some(&cursor), None, None), &tag);
            assert!(request.is_err(), "{value:?} on {tag:?}");
        }
        let fine = encode_cursor("DATE_ASC", SortValue::Date(date("2014-03-26")), 1);
        let tag = CursorTag::new("DATE_ASC", SortKind::Date);
        assert!(PageRequest::parse(args(None, Some(&fine), None, None), &tag).is_ok());
    }

    #[test]
    fn an_orderings_kind_is_its_columns() {
        use entities::{authority, cooperation, event};
        let asc = OrderDirection::Asc;
        let text = |row: &authority::Model| SortValue::Text(row.sort_key.clone());
        let name =
            Ordering::<authority::Entity>::new("NAME", authority::Column::SortKey, asc, text);
        assert_eq!(name.tag(), name_asc());
        let created = Ordering::<authority::Entity>::new(
            "CREATED_AT",
            authority::Column::CreatedAt,
            asc,
            |row| SortValue::Time(row.created_at),
        );
        assert_eq!(created.tag().kind, SortKind::Time);
        let year = Ordering::<cooperation::Entity>::new(
            "START_YEAR",
            cooperation::Column::StartYearKey,
            asc,
            |row| SortValue::Number(row.start_year_key.into()),
        );
        assert_eq!(year.tag().kind, SortKind::Number);
        let date = Ordering::<event::Entity>::new("DATE", event::Column::DateStart, asc, |row| {
            SortValue::Date(row.date_start)
        });
        assert_eq!(date.tag().kind, SortKind::Date);
    }
}
