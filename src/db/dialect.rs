//! Everything that differs between SQLite and PostgreSQL, in one place.
//! Domains write portable SQL (`$n` placeholders, `ON CONFLICT`,
//! `RETURNING`) and ask this module for the rest.

use sqlx::{Any, Row, Transaction};

use super::{Backend, Db, Sql};

impl Db {
    /// Starts a transaction that will write. SQLite takes the write lock up
    /// front so two writers queue instead of failing with "database is locked".
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend() {
            Backend::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool().begin().await,
        }
    }

    /// The suffix that makes a `SELECT` hold a shared lock on the rows it
    /// read until the transaction ends (PostgreSQL). SQLite writers already
    /// hold the database's write lock, so it needs none.
    pub fn for_share(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR SHARE",
        }
    }

    /// A statement with many parameters (bulk inserts). On SQLite it uses
    /// plain `?`: sqlx maps each `$n` through a linear name look-up, which
    /// makes a statement with thousands of parameters quadratic.
    pub fn bulk_sql(&self, text: &str) -> Sql {
        Sql::bulk(self.backend() == Backend::Sqlite, text)
    }

    /// The secondary (non-unique) indexes of `table` as (name, CREATE
    /// statement), read from the database itself so they never drift from
    /// the migrations. Bulk loads drop and rebuild them.
    pub async fn secondary_indexes(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &str,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        let mut sql = match self.backend() {
            Backend::Sqlite => Sql::new(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                 AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name = ",
            ),
            Backend::Postgres => Sql::new(
                "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                 AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename = ",
            ),
        };
        sql.bind(table.to_owned());
        sql.fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    /// After a bulk load: fresh planner statistics and visibility (hint
    /// bits set now rather than by the first readers) on PostgreSQL.
    pub async fn after_bulk_load(&self, table: &str) -> Result<(), sqlx::Error> {
        if self.backend() == Backend::Postgres {
            Sql::new(&format!("VACUUM (ANALYZE) {table}"))
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}

/// A full-text index over folded names whose documents also carry the
/// record's place as tokens (`p<id> c<id> b<id>`, see the migrations), so
/// that a scoped search is one index intersection. SQLite keeps it in an
/// FTS5 table keyed by the record's id, PostgreSQL in a `tsvector` column.
pub struct TextIndex {
    /// The table searched and its alias in the statement (`persons p`).
    pub table: &'static str,
    pub alias: &'static str,
    /// The FTS5 table (SQLite).
    pub fts_table: &'static str,
    /// The `tsvector` column (PostgreSQL).
    pub tsvector: &'static str,
}

/// The index token of a subtree: `placement_column` is `province_id`,
/// `commune_id` or `branch_id`.
pub fn scope_token(placement_column: &str, id: i64) -> String {
    format!("{}{id}", &placement_column[..1])
}

impl Db {
    /// The `FROM` source of a text search over `index`.
    pub fn text_source(&self, index: &TextIndex) -> String {
        match self.backend() {
            Backend::Sqlite => format!(
                "{fts} s JOIN {table} {alias} ON {alias}.id = s.rowid",
                fts = index.fts_table,
                table = index.table,
                alias = index.alias
            ),
            Backend::Postgres => format!("{} {}", index.table, index.alias),
        }
    }

    /// Appends the match of every word in `words`, inside any of the
    /// subtrees named by `scope_tokens` (none: the whole country).
    pub fn push_text_match(&self, sql: &mut Sql, index: &TextIndex, scope_tokens: &[String], words: &[String]) {
        let (and, or, quote) = match self.backend() {
            Backend::Sqlite => (" AND ", " OR ", "\""),
            Backend::Postgres => (" & ", " | ", ""),
        };
        // Tokens are folded ASCII letters and digits (text::tokens): no
        // query syntax can reach the index through them.
        let mut parts: Vec<String> = words.iter().map(|w| format!("{quote}{w}{quote}")).collect();
        if !scope_tokens.is_empty() {
            let group: Vec<String> = scope_tokens.iter().map(|t| format!("{quote}{t}{quote}")).collect();
            parts.insert(0, format!("({})", group.join(or)));
        }
        match self.backend() {
            Backend::Sqlite => sql.push(&format!("{} MATCH ", index.fts_table)).bind(parts.join(and)),
            Backend::Postgres => sql
                .push(&format!("{}.{} @@ to_tsquery('simple', ", index.alias, index.tsvector))
                .bind(parts.join(and))
                .push(")"),
        };
    }

    /// The column text search results come in: the index's own order, so
    /// that SQLite stops after a page instead of sorting every namesake.
    pub fn text_order(&self, index: &TextIndex) -> String {
        match self.backend() {
            Backend::Sqlite => "s.rowid".to_owned(),
            Backend::Postgres => format!("{}.id", index.alias),
        }
    }
}
