//! Bulk loading of persons (demo data, the benchmark, large imports), all
//! in one transaction: it lands whole or not at all.
//!
//! Into an empty registry — the first national load — the secondary indexes
//! are dropped first and rebuilt before commit: one sorted index build is
//! several times faster than a million random B-tree inserts. The name
//! index is likewise built in one statement at the end (SQLite). The
//! definitions are read back from the database itself, so they never drift
//! from the migrations, and a failed load rolls the drop back with
//! everything else.

use sqlx::{Any, Transaction};

use super::storage::{self, BulkPerson};
use crate::db::{Db, Sql};

pub use storage::BulkPerson as Record;

pub struct BulkLoad {
    db: Db,
    tx: Transaction<'static, Any>,
    /// `CREATE INDEX` statements to run again before commit.
    rebuild: Vec<String>,
    /// The name index's trigger, when the index is built after loading.
    text_index: Option<String>,
}

impl BulkLoad {
    pub async fn begin(db: &Db) -> Result<BulkLoad, sqlx::Error> {
        let mut tx = db.begin_write().await?;
        let empty = Sql::new("SELECT 1 FROM persons LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .is_none();
        let mut rebuild = Vec::new();
        let mut text_index = None;
        if empty {
            text_index = storage::pause_name_index(db, &mut tx).await?;
            for (name, create) in db.secondary_indexes(&mut tx, "persons").await? {
                Sql::new(&format!("DROP INDEX {name}")).execute(&mut *tx).await?;
                rebuild.push(create);
            }
        }
        Ok(BulkLoad {
            db: db.clone(),
            tx,
            rebuild,
            text_index,
        })
    }

    /// The load's transaction, for rows that go with the persons (branches).
    pub fn tx(&mut self) -> &mut Transaction<'static, Any> {
        &mut self.tx
    }

    pub async fn insert(&mut self, records: &[BulkPerson<'_>]) -> Result<(), sqlx::Error> {
        storage::insert_many(&self.db, &mut self.tx, records).await
    }

    /// Rebuilds what was dropped, counts the persons per unit, commits.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let started = std::time::Instant::now();
        for statement in &self.rebuild {
            Sql::new(statement).execute(&mut *self.tx).await?;
        }
        if let Some(trigger) = &self.text_index {
            storage::build_name_index(&self.db, &mut self.tx, trigger).await?;
        }
        let rebuilt = started.elapsed();
        storage::recount(&mut self.tx).await?;
        let counted = started.elapsed();
        self.tx.commit().await?;
        let committed = started.elapsed();
        self.db.after_bulk_load("persons").await?;
        tracing::info!(
            indexes_s = rebuilt.as_secs_f64(),
            recount_s = (counted - rebuilt).as_secs_f64(),
            commit_s = (committed - counted).as_secs_f64(),
            analyze_s = (started.elapsed() - committed).as_secs_f64(),
            "bulk load finished"
        );
        Ok(())
    }
}
