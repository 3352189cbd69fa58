//! Column helpers shared by migrations: the same column kinds must mean the same thing on
//! SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// A 64-bit auto-incremented primary key.
pub fn id_column(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// A folded sort key. On PostgreSQL it compares byte-wise (`COLLATE "C"`), as SQLite does,
/// so that both databases order pages identically whatever the server's locale.
pub fn sort_key_column(name: impl IntoIden, backend: DbBackend) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    column.string().not_null();
    if backend == DbBackend::Postgres {
        column.extra("COLLATE \"C\"");
    }
    column
}

/// Adds `version`, `created_at` and `updated_at`, which every entity table carries.
pub trait Bookkeeping {
    fn bookkeeping<T: IntoIden + Copy>(
        &mut self,
        version: T,
        created_at: T,
        updated_at: T,
    ) -> &mut Self;
}

impl Bookkeeping for TableCreateStatement {
    fn bookkeeping<T: IntoIden + Copy>(
        &mut self,
        version: T,
        created_at: T,
        updated_at: T,
    ) -> &mut Self {
        self.col(ColumnDef::new(version).integer().not_null().default(1))
            .col(
                ColumnDef::new(created_at)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(updated_at)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
    }
}

/// A named index on `columns` of `table`.
pub fn index(name: &str, table: impl IntoIden, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

/// A named foreign key from `from` (table, column) to `to` (table, column).
pub fn foreign_key(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}
