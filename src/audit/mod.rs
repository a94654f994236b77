//! The audit trail: who changed what, when, from which unit, before/after.
//! Append-only: the schema refuses UPDATE, DELETE and TRUNCATE on
//! `audit_log`. Core: every domain records its changes through `record`.

mod api;
mod capability;
mod export;
pub mod model;
mod routes;
pub mod service;
mod shown;
mod storage;

pub use capability::Audit;
pub use model::{Change, Entry};
pub use shown::{shown_rows, ShownRow};

use sqlx::{Any, Transaction};

use crate::access::Actor;

/// Records `change`, made by `actor`, inside the transaction of the change.
pub async fn record(tx: &mut Transaction<'static, Any>, actor: &Actor, change: Change) -> Result<(), sqlx::Error> {
    storage::record(tx, actor, change).await
}

/// Records many changes by one actor in the transaction of the change (an
/// import: one entry per created record).
pub async fn record_many(
    db: &crate::db::Db,
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    changes: Vec<Change>,
) -> Result<(), sqlx::Error> {
    storage::record_many(db, tx, actor, changes).await
}
