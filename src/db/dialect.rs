//! Everything that differs between SQLite and PostgreSQL, in one place.
//! Domains write portable SQL (`$n` placeholders, `ON CONFLICT`,
//! `RETURNING`) and ask this module for the rest.

use sqlx::{Any, Row, Transaction};

use super::{Backend, Db, Sql, TextIndex};

impl Db {
    /// Starts a transaction that will write. SQLite takes the write lock up
    /// front so two writers queue instead of failing with "database is locked".
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend() {
            Backend::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool().begin().await,
        }
    }

    /// `n` fresh ids of `table` (an identity / `AUTOINCREMENT` column
    /// `id`), for rows written with them in `tx`, a write transaction
    /// (`begin_write`). Knowing ids before the insert lets a bulk write
    /// derive values from them (member numbers) and skip reading rows back.
    /// Ids are never reused: PostgreSQL takes them from the sequence;
    /// SQLite, whose write lock `tx` holds, counts on from the table's
    /// `AUTOINCREMENT` mark, which the insert then moves past them.
    pub async fn reserve_ids(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &'static str,
        n: usize,
    ) -> Result<Vec<i64>, sqlx::Error> {
        if n == 0 {
            return Ok(Vec::new());
        }
        match self.backend() {
            Backend::Postgres => {
                // One row of text rather than `n` rows: reading rows back
                // through `Any` cost more than drawing the numbers.
                let mut sql =
                    Sql::new("SELECT string_agg(nextval(s.name)::text, ',') FROM (SELECT pg_get_serial_sequence(");
                sql.bind(table.to_owned())
                    .push(", 'id') AS name) s, generate_series(1, ")
                    .bind(n as i64)
                    .push(")");
                let drawn: String = sql
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)?
                    .try_get(0)?;
                let mut ids = drawn
                    .split(',')
                    .map(|id| id.parse::<i64>().map_err(|e| sqlx::Error::Decode(Box::new(e))))
                    .collect::<Result<Vec<i64>, _>>()?;
                if ids.len() != n {
                    return Err(sqlx::Error::Protocol(format!("{n} ids asked, {} drawn", ids.len())));
                }
                ids.sort_unstable();
                Ok(ids)
            }
            Backend::Sqlite => {
                let mut sql = Sql::new("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ");
                sql.bind(table.to_owned())
                    .push(&format!("), 0), COALESCE((SELECT MAX(id) FROM {table}), 0))"));
                // An allocator fails rather than guess: 0 would hand out used ids.
                let last: i64 = sql
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)?
                    .try_get(0)?;
                Ok((last + 1..=last + n as i64).collect())
            }
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

    /// The suffix that makes a `SELECT` lock the rows it read against every
    /// other change until the transaction ends (PostgreSQL; SQLite writers
    /// are serialized already). `NO KEY`: the ids stay, so inserts that only
    /// reference these rows (foreign-key checks) are not blocked, which
    /// would deadlock with a writer holding `for_share` on a unit below.
    pub fn for_update(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR NO KEY UPDATE",
        }
    }

    /// The suffix of a subquery picking one row to claim: on PostgreSQL
    /// rows another transaction is claiming are skipped, not waited for.
    /// (SQLite writers are serialized already.)
    pub fn skip_locked(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
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

    /// Before a bulk load into an empty table: on SQLite the trigger that
    /// indexes names row by row is dropped (its statement returned, to be
    /// given back to `build_text_index`); building the index in one
    /// statement afterwards takes a third of the time. Nothing to do on
    /// PostgreSQL, whose index is a generated column.
    pub async fn pause_text_index(
        &self,
        tx: &mut Transaction<'static, Any>,
        index: &TextIndex,
    ) -> Result<Option<String>, sqlx::Error> {
        if self.backend() != Backend::Sqlite {
            return Ok(None);
        }
        let trigger = format!("{}_search_insert", index.table);
        let mut sql = Sql::new("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ");
        sql.bind(trigger.clone());
        let Some(row) = sql.fetch_optional(&mut **tx).await? else {
            return Ok(None);
        };
        let create: String = row.try_get(0)?;
        Sql::new(&format!("DROP TRIGGER {trigger}")).execute(&mut **tx).await?;
        Ok(Some(create))
    }

    /// After the bulk load: indexes every row at once and puts the
    /// trigger `create` back, in the load's transaction.
    pub async fn build_text_index(
        &self,
        tx: &mut Transaction<'static, Any>,
        index: &TextIndex,
        create: &str,
    ) -> Result<(), sqlx::Error> {
        let fts = index.fts_table;
        Sql::new(&format!(
            "INSERT INTO {fts} (rowid, doc) SELECT id, doc FROM {fts}_docs"
        ))
        .execute(&mut **tx)
        .await?;
        Sql::new(create).execute(&mut **tx).await?;
        Ok(())
    }

    /// After a large insert (an import) with the trigger paused: indexes
    /// the rows `ids` in one statement per chunk and puts the trigger back.
    pub async fn build_text_index_of(
        &self,
        tx: &mut Transaction<'static, Any>,
        index: &TextIndex,
        create: &str,
        ids: &[i64],
    ) -> Result<(), sqlx::Error> {
        let fts = index.fts_table;
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(&format!(
                "INSERT INTO {fts} (rowid, doc) SELECT id, doc FROM {fts}_docs WHERE id IN ("
            ));
            sql.bind_list(chunk).push(")");
            sql.execute(&mut **tx).await?;
        }
        Sql::new(create).execute(&mut **tx).await?;
        Ok(())
    }

    /// Writes what sits only in the database's log back into its files
    /// (PostgreSQL `CHECKPOINT`, which needs a superuser or
    /// `pg_checkpoint`; SQLite truncates its log), so that timed work does
    /// not meet the flush of an earlier bulk load. Benchmarks only.
    pub async fn settle(&self) -> Result<(), sqlx::Error> {
        let statement = match self.backend() {
            Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
            Backend::Postgres => "CHECKPOINT",
        };
        Sql::new(statement).execute(self.pool()).await.map(drop)
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
