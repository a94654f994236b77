//! Bulk loading of persons (demo data, the benchmark, large imports), all
//! in one transaction: it lands whole or not at all.
//!
//! Into an empty registry — the first national load — the secondary indexes
//! are dropped first and rebuilt before commit: one sorted index build is
//! several times faster than a million random B-tree inserts. The definitions
//! are read back from the database itself, so they never drift from the
//! migrations, and a failed load rolls the drop back with everything else.

use sqlx::{Any, Row, Transaction};

use super::storage::{self, PersonRecord};
use crate::db::{Backend, Db, Sql};

pub struct BulkLoad {
    db: Db,
    tx: Transaction<'static, Any>,
    backend: Backend,
    /// `CREATE INDEX` statements to run again before commit.
    rebuild: Vec<String>,
}

const SQLITE_INDEXES: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'persons' \
     AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'";
const POSTGRES_INDEXES: &str = "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'persons' \
     AND schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%'";

impl BulkLoad {
    pub async fn begin(db: &Db) -> Result<BulkLoad, sqlx::Error> {
        let mut tx = db.begin_write().await?;
        let empty = Sql::new("SELECT 1 FROM persons LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .is_none();
        let mut rebuild = Vec::new();
        if empty {
            let query = match db.backend() {
                Backend::Sqlite => SQLITE_INDEXES,
                Backend::Postgres => POSTGRES_INDEXES,
            };
            for row in Sql::new(query).fetch_all(&mut *tx).await? {
                let name: String = row.try_get(0)?;
                rebuild.push(row.try_get::<String, _>(1)?);
                Sql::new(&format!("DROP INDEX {name}")).execute(&mut *tx).await?;
            }
        }
        Ok(BulkLoad {
            db: db.clone(),
            tx,
            backend: db.backend(),
            rebuild,
        })
    }

    /// The load's transaction, for rows that go with the persons (branches).
    pub fn tx(&mut self) -> &mut Transaction<'static, Any> {
        &mut self.tx
    }

    pub async fn insert(&mut self, records: &[PersonRecord<'_>]) -> Result<(), sqlx::Error> {
        storage::insert_many(self.backend, &mut self.tx, records).await
    }

    /// Rebuilds what was dropped, then commits. On PostgreSQL the table is
    /// vacuumed afterwards, as after any bulk load: fresh statistics for the
    /// planner, and hint bits set now rather than by the first readers.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        for statement in &self.rebuild {
            Sql::new(statement).execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        if self.backend == Backend::Postgres {
            Sql::new("VACUUM (ANALYZE) persons").execute(self.db.pool()).await?;
        }
        Ok(())
    }
}
