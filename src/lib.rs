//! Nhân Ái — the operations platform of the Red Cross Society of Vietnam.
//!
//! A thin shared core (db, web, access, org, audit, i18n, text) and one
//! folder per capability (people, accounts …), each declaring what it adds
//! through `web::capability::Capability`, registered in `app`. See
//! ARCHITECTURE.md.

pub mod access;
pub mod accounts;
pub mod app;
pub mod audit;
pub mod bench;
pub mod cadres;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod db;
pub mod demo;
pub mod i18n;
pub mod ledger;
pub mod members;
pub mod money;
pub mod org;
pub mod organisations;
pub mod people;
pub mod teams;
pub mod text;
pub mod toolkit;
pub mod validation;
pub mod volunteers;
pub mod web;
pub mod youth;

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
