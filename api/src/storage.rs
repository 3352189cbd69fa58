//! The statements every versioned table shares: find by id, insert, and update or delete
//! conditional on the version the client read. A domain implements `Versioned` for its
//! entity in its `queries.rs` and gets them all, plus a by-id DataLoader.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use entities::FromPgRow;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, FromQueryResult, IdenStatic, IntoActiveModel, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, QueryTrait, Select,
};

use crate::mutation::{Rejection, UserError, UserErrorCode};

/// An entity whose rows have an `i64` id.
pub trait Keyed:
    EntityTrait<Model: Sync + FromPgRow, ActiveModel: ActiveModelBehavior + Send>
where
    Self::Model: IntoActiveModel<Self::ActiveModel>,
{
    /// The primary key column.
    const ID: Self::Column;
    /// A row's id.
    fn id(model: &Self::Model) -> i64;
}

/// An entity whose rows also have a `version` bumped by every change.
pub trait Versioned: Keyed
where
    Self::Model: IntoActiveModel<Self::ActiveModel>,
{
    /// The noun user errors use for a row, e.g. "authority".
    const NOUN: &'static str;
    /// The version column.
    const VERSION: Self::Column;
    /// A row's version.
    fn version(model: &Self::Model) -> i32;
}

/// The row with this id, if any.
pub async fn find<E: Keyed>(db: &impl ConnectionTrait, id: i64) -> Result<Option<E::Model>, DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    one(db, E::find().filter(E::ID.eq(id))).await
}

/// The rows with these ids, in no particular order; missing ids are skipped.
pub async fn find_many<E: Keyed>(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<E::Model>, DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let select = || E::find().filter(E::ID.is_in(ids.iter().copied()));
    all_shaped(db, E::ID, &[], ids, select).await
}

/// The rows `select` finds. What sea-orm's `all` does, but on PostgreSQL the rows are read
/// by position ([`FromPgRow`]).
pub async fn all<E>(db: &impl ConnectionTrait, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait<Model: FromPgRow>,
{
    let rows = db.query_all(&select.into_query()).await?;
    rows.iter().map(model::<E::Model>).collect()
}

/// The rows of `E` whose `parent` column holds one of `ids`, ordered by `order`: the
/// children of a batch of parents, in one statement.
pub async fn rows_of<E>(
    db: &impl ConnectionTrait,
    parent: E::Column,
    ids: &[i64],
    order: &[E::Column],
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait<Model: FromPgRow>,
{
    let select = || {
        let mut select = E::find().filter(parent.is_in(ids.iter().copied()));
        for column in order {
            select = select.order_by_asc(*column);
        }
        select
    };
    all_shaped(db, parent, order, ids, select).await
}

/// The most shapes remembered; past it, statements are built every time.
const SHAPES: usize = 256;

/// What the SQL text of a statement of `find_many` or `rows_of` depends on, besides how many
/// ids it takes: the entity, the database, the column the ids are matched on, the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    entity: std::any::TypeId,
    postgres: bool,
    parent: &'static str,
    order: [&'static str; 3],
}

impl Shape {
    /// The shape of a statement of `E` matching ids on `parent`, ordered by `order`; `None`
    /// for one not remembered (a longer order).
    fn of<E: EntityTrait>(postgres: bool, parent: E::Column, order: &[E::Column]) -> Option<Self> {
        if order.len() > 3 {
            return None;
        }
        let mut names = [""; 3];
        for (name, column) in names.iter_mut().zip(order) {
            *name = column.as_str();
        }
        Some(Self {
            entity: std::any::TypeId::of::<E>(),
            postgres,
            parent: parent.as_str(),
            order: names,
        })
    }
}

/// The SQL of a shape, around its list of placeholders (`$1, $2` or `?, ?`).
#[derive(Debug, Clone)]
struct Template {
    before: Box<str>,
    after: Box<str>,
}

impl Template {
    /// The template of `sql`, a statement of `ids` ids, if its placeholders are one list.
    fn of(sql: &str, postgres: bool, ids: usize) -> Option<Self> {
        let mut list = String::new();
        push_placeholders(&mut list, postgres, ids);
        let (before, after) = sql.split_once(list.as_str())?;
        Some(Self {
            before: before.into(),
            after: after.into(),
        })
    }

    /// The SQL for `ids` ids.
    fn render(&self, postgres: bool, ids: usize) -> String {
        let mut sql = String::with_capacity(self.before.len() + self.after.len() + ids * 6);
        sql.push_str(&self.before);
        push_placeholders(&mut sql, postgres, ids);
        sql.push_str(&self.after);
        sql
    }
}

/// Writes the placeholders of `ids` values as sea-query does.
fn push_placeholders(sql: &mut String, postgres: bool, ids: usize) {
    for number in 1..=ids {
        if number > 1 {
            sql.push_str(", ");
        }
        if postgres {
            sql.push('$');
            sql.push_str(itoa::Buffer::new().format(number));
        } else {
            sql.push('?');
        }
    }
}

/// SQL templates by the shape of their statement.
static SHAPED: std::sync::LazyLock<std::sync::Mutex<HashMap<Shape, Template>>> =
    std::sync::LazyLock::new(Default::default);

/// The rows `select` finds, where the statement's only values are `ids`, in order, in one
/// list: its SQL is built by sea-query the first time its shape is seen, then written from
/// the remembered text around a list of as many placeholders as ids. Building one took
/// about 30,000 instructions, 3 % of a directory page, which sends four such statements
/// (bench/RESULTS.md, session 8). Debug builds (the tests) build every statement and check
/// that the text written and the values are what sea-query gives.
async fn all_shaped<E, S>(
    db: &impl ConnectionTrait,
    parent: E::Column,
    order: &[E::Column],
    ids: &[i64],
    select: S,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait<Model: FromPgRow>,
    S: FnOnce() -> Select<E>,
{
    let backend = db.get_database_backend();
    let postgres = backend == sea_orm::DbBackend::Postgres;
    // No ids is another text: sea-query writes `1 = 2` for an empty list.
    let shape = Shape::of::<E>(postgres, parent, order).filter(|_| !ids.is_empty());
    let values = || ids.iter().map(|&id| sea_orm::Value::BigInt(Some(id)));
    let remembered = shape.and_then(|shape| SHAPED.lock().ok()?.get(&shape).cloned());
    let statement = match remembered {
        Some(template) if !cfg!(debug_assertions) => {
            let sql = template.render(postgres, ids.len());
            sea_orm::Statement::from_sql_and_values(backend, sql, values())
        }
        remembered => {
            let statement = backend.build(&select().into_query());
            if cfg!(debug_assertions) && shape.is_some() {
                let expected = sea_orm::Values(values().collect());
                assert_eq!(statement.values.as_ref(), Some(&expected));
                if let Some(template) = &remembered {
                    let sql = template.render(postgres, ids.len());
                    assert_eq!(sql, statement.sql, "the SQL of {shape:?}");
                }
            }
            let template = Template::of(&statement.sql, postgres, ids.len());
            if let (Some(shape), Some(template), Ok(mut shaped)) = (shape, template, SHAPED.lock())
                && shaped.len() < SHAPES
            {
                shaped.insert(shape, template);
            }
            statement
        }
    };
    let rows = db.query_all_raw(statement).await?;
    rows.iter().map(model::<E::Model>).collect()
}

/// The first row `select` finds, if any. What sea-orm's `one` does (it reads one row), but
/// on PostgreSQL the row is read by position ([`FromPgRow`]).
pub async fn one<E>(db: &impl ConnectionTrait, select: Select<E>) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait<Model: FromPgRow>,
{
    let row = db.query_one(&select.limit(1).into_query()).await?;
    row.as_ref().map(model::<E::Model>).transpose()
}

/// The model a row of `Entity::find()` holds.
fn model<M: FromPgRow + FromQueryResult>(row: &QueryResult) -> Result<M, DbErr> {
    let Some(row) = row.try_as_pg_row() else {
        return M::from_query_result(row, "");
    };
    if cfg!(debug_assertions) {
        use sea_orm::sqlx::{Column as _, Row as _};
        let columns: Vec<&str> = row.columns().iter().map(|column| column.name()).collect();
        assert_eq!(
            columns,
            M::COLUMNS,
            "the row holds other columns than the model"
        );
    }
    M::from_pg_row(row).map_err(|error| DbErr::Type(error.to_string()))
}

/// How many rows a selection holds and when the latest of them changed: what an export's
/// validator (`ETag`, `Last-Modified`) is made of, without reading the rows themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Freshness {
    /// The number of rows.
    pub count: i64,
    /// The latest `updated_at` among them; `None` when there is none.
    pub last: Option<DateTime<Utc>>,
}

impl Freshness {
    /// The latest of two moments of change.
    pub fn latest(self, other: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.last.max(other)
    }
}

/// The count and latest `updated_at` of the rows `select` selects: one statement.
pub async fn freshness<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    updated_at: E::Column,
) -> Result<Freshness, DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = select
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "count")
        .column_as(updated_at.max(), "last")
        .into_tuple()
        .one(db)
        .await?;
    let (count, last) = row.unwrap_or_default();
    Ok(Freshness { count, last })
}

/// Inserts `model`, whose id is ignored and assigned by the database; the stored row.
pub async fn insert<E: Keyed>(db: &impl ConnectionTrait, model: E::Model) -> Result<E::Model, DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let mut active = model.into_active_model().reset_all();
    active.not_set(E::ID);
    active.insert(db).await
}

/// Inserts rows that have no id of their own (the links of a join table), in one statement;
/// nothing when there are none.
pub async fn insert_links<E: EntityTrait>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = E::Model>,
) -> Result<(), DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelBehavior + Send,
{
    let rows: Vec<E::ActiveModel> = rows
        .into_iter()
        .map(|row| row.into_active_model().reset_all())
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    E::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// Stores every field of `model` over its row, whatever the row's version: for rows that
/// have none, or whose version the transaction has checked already.
pub async fn save<E: Keyed>(db: &impl ConnectionTrait, model: E::Model) -> Result<(), DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let id = E::id(&model);
    let mut active = model.into_active_model().reset_all();
    active.not_set(E::ID);
    E::update_many()
        .set(active)
        .filter(E::ID.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores `model` over the row `id` if that row is still at `version`; `None` when it is not
/// (or is gone). The version check and the write are one statement.
pub async fn update_at_version<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    version: i32,
    model: E::Model,
) -> Result<Option<E::Model>, DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let mut active = model.into_active_model().reset_all();
    active.not_set(E::ID);
    let updated = E::update_many()
        .set(active)
        .filter(E::ID.eq(id))
        .filter(E::VERSION.eq(version))
        .exec_with_returning(db)
        .await?;
    Ok(updated.into_iter().next())
}

/// Deletes the row `id` if it is still at `version`; whether it did. A row that other rows
/// still refer to (a foreign key without a cascade) is an `IN_USE` user error: the domain
/// names the references it knows of first, the database catches all the others.
pub async fn delete_at_version<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    version: i32,
) -> Result<bool, Rejection>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let result = E::delete_many()
        .filter(E::ID.eq(id))
        .filter(E::VERSION.eq(version))
        .exec(db)
        .await;
    match result {
        Ok(result) => Ok(result.rows_affected == 1),
        Err(error) if crate::mutation::is_foreign_key_violation(&error) => Err(Rejection::user(
            &["id"],
            UserErrorCode::InUse,
            format!(
                "the {} is still referenced by other objects: remove those references first",
                E::NOUN
            ),
        )),
        Err(error) => Err(error.into()),
    }
}

/// The row `id` for a change, provided the client read its current `version`: otherwise a
/// `NOT_FOUND` or `CONFLICT` user error.
pub async fn current<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    version: i32,
) -> Result<E::Model, Rejection>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let Some(row) = find::<E>(db, id).await? else {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::NotFound,
            format!("no {} has this id", E::NOUN),
        ));
    };
    if E::version(&row) != version {
        return Err(stale::<E>(version, E::version(&row)));
    }
    Ok(row)
}

/// The rejection of a change made from `read` when the row is at `current`.
pub fn stale<E: Versioned>(read: i32, current: i32) -> Rejection
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    Rejection::User(vec![UserError::stale_version(E::NOUN, read, current)])
}

/// Loads rows of `E` by id, all the keys of a batch in one statement.
pub struct ByIdLoader<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> ByIdLoader<E> {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            entity: PhantomData,
        }
    }
}

impl<E: Keyed> Loader<i64> for ByIdLoader<E>
where
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Send,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = find_many::<E>(&self.db, keys).await?;
        Ok(rows.into_iter().map(|row| (E::id(&row), row)).collect())
    }
}

/// A table whose rows belong to a parent row: a parent's children are loaded a batch of
/// parents at a time.
pub trait Children: EntityTrait<Model: Clone + Send + Sync + FromPgRow> {
    /// The column holding the parent's id.
    const PARENT: Self::Column;
    /// The order of one parent's children.
    const ORDER: Self::Column;
    /// A row's parent.
    fn parent(model: &Self::Model) -> Option<i64>;
}

/// Loads the children of a batch of parents in one statement, by parent id.
pub struct ChildrenLoader<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> ChildrenLoader<E> {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            entity: PhantomData,
        }
    }
}

impl<E: Children> Loader<i64> for ChildrenLoader<E> {
    type Value = Vec<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = rows_of::<E>(&self.db, E::PARENT, keys, &[E::ORDER]).await?;
        let mut by_parent: HashMap<i64, Self::Value> = HashMap::new();
        for row in rows {
            if let Some(parent) = E::parent(&row) {
                by_parent.entry(parent).or_default().push(row);
            }
        }
        Ok(by_parent)
    }
}

#[cfg(test)]
mod tests {
    use entities::FromPgRow;
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    #[test]
    fn a_template_writes_as_many_placeholders_as_ids_where_the_list_was() {
        let template = super::Template::of(
            r#"SELECT "t"."id" FROM "t" WHERE "t"."p" IN ($1, $2) ORDER BY "t"."id" ASC"#,
            true,
            2,
        )
        .expect("one list");
        assert_eq!(
            template.render(true, 3),
            r#"SELECT "t"."id" FROM "t" WHERE "t"."p" IN ($1, $2, $3) ORDER BY "t"."id" ASC"#
        );
        assert_eq!(
            template.render(true, 1),
            r#"SELECT "t"."id" FROM "t" WHERE "t"."p" IN ($1) ORDER BY "t"."id" ASC"#
        );
        let sqlite = super::Template::of(r#"SELECT 1 WHERE "p" IN (?)"#, false, 1).unwrap();
        assert_eq!(sqlite.render(false, 2), r#"SELECT 1 WHERE "p" IN (?, ?)"#);
        assert!(super::Template::of("SELECT 1 WHERE p IN ($1, $3)", true, 2).is_none());
    }

    /// `E`'s model lists its columns in the order `E::find()` selects them.
    fn listed_in_order<E: EntityTrait<Model: FromPgRow>>() {
        let selected: Vec<&str> = E::Column::iter().map(|column| column.as_str()).collect();
        assert_eq!(E::Model::COLUMNS, selected, "{}", E::default().as_str());
    }

    #[test]
    fn every_model_reads_its_columns_in_the_order_they_are_selected() {
        use entities::*;
        listed_in_order::<action_funding::Entity>();
        listed_in_order::<affiliation::Entity>();
        listed_in_order::<agenda_item::Entity>();
        listed_in_order::<api_key::Entity>();
        listed_in_order::<api_key_operation::Entity>();
        listed_in_order::<audit_entry::Entity>();
        listed_in_order::<authority::Entity>();
        listed_in_order::<consultant_recommendation::Entity>();
        listed_in_order::<consultant_recommendation_theme::Entity>();
        listed_in_order::<cooperation::Entity>();
        listed_in_order::<cooperation_partner::Entity>();
        listed_in_order::<cooperation_theme::Entity>();
        listed_in_order::<cost_item::Entity>();
        listed_in_order::<cost_share::Entity>();
        listed_in_order::<country_group::Entity>();
        listed_in_order::<decision::Entity>();
        listed_in_order::<document::Entity>();
        listed_in_order::<document_author::Entity>();
        listed_in_order::<document_milestone::Entity>();
        listed_in_order::<document_version::Entity>();
        listed_in_order::<event::Entity>();
        listed_in_order::<event_participant::Entity>();
        listed_in_order::<expertise::Entity>();
        listed_in_order::<expertise_cooperation::Entity>();
        listed_in_order::<follow_up::Entity>();
        listed_in_order::<group_membership::Entity>();
        listed_in_order::<organisation::Entity>();
        listed_in_order::<outbox::Entity>();
        listed_in_order::<person::Entity>();
        listed_in_order::<programme::Entity>();
        listed_in_order::<programme_action::Entity>();
        listed_in_order::<programme_milestone::Entity>();
        listed_in_order::<programme_partner::Entity>();
        listed_in_order::<session::Entity>();
        listed_in_order::<theme::Entity>();
        listed_in_order::<user::Entity>();
    }
}
