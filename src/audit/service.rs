//! Reading the audit trail: supervisors read their subtree (and what their
//! units absorbed); every record page shows its own history.

use super::model::Entry;
use super::storage;
use crate::access::{self, Permission, Principal};
use crate::db::Db;
use crate::web::paging::Page;

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("not a supervisor")]
    NotFound,
    #[error(transparent)]
    Cursor(#[from] crate::web::paging::BadCursor),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl crate::web::error::IntoAppError for AuditError {
    fn into_app_error(self) -> crate::web::error::AppError {
        match self {
            AuditError::NotFound => crate::web::error::AppError::NotFound,
            AuditError::Cursor(e) => e.into_app_error(),
            AuditError::Db(e) => e.into(),
        }
    }
}

/// One page of the entries the user supervises, newest first.
pub async fn list(db: &Db, user: &Principal, after: Option<&str>) -> Result<Page<Entry>, AuditError> {
    let scope = user.scope(Permission::Supervise);
    if scope.is_empty() {
        return Err(AuditError::NotFound);
    }
    let scope = access::storage::history_scope(db, &scope).await?;
    let before: Option<i64> = crate::web::paging::after(after)?;
    let rows = storage::list(db, &scope, before, PAGE_SIZE + 1).await?;
    Ok(Page::from_rows(rows, PAGE_SIZE, |e| e.id))
}

/// The history of one record since `created_at`. The caller has checked
/// that the user may read the record itself.
pub async fn history(db: &Db, entity: &str, entity_id: i64, created_at: &str) -> Result<Vec<Entry>, sqlx::Error> {
    storage::for_entity(db, entity, entity_id, created_at).await
}
