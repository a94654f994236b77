//! Nhân Ái — the operations platform of the Red Cross Society of Vietnam.
//!
//! One folder per capability (org, accounts, people, audit …), each with its
//! model, storage and routes; a thin shared core (db, web, i18n, text).
//! See ARCHITECTURE.md.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod bench;
pub mod cli;
pub mod db;
pub mod demo;
pub mod i18n;
pub mod org;
pub mod people;
pub mod text;
pub mod web;

/// Connects, migrates and loads the reference data: a database ready to serve.
pub async fn open_database(url: &str) -> Result<db::Db, SetupError> {
    let db = db::Db::connect(url).await?;
    db.migrate().await?;
    org::reference::ensure_loaded(&db).await?;
    Ok(db)
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Reference(#[from] org::reference::ReferenceError),
}
