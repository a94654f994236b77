//! Accounts, password login, sessions and roles granted on org units.

pub mod api;
pub mod model;
pub mod password;
pub mod routes;
pub mod service;
pub mod storage;
pub mod throttle;

pub use model::{Grant, Permission, Principal, Role};

use crate::org::OrgError;
use crate::web::error::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid account data")]
    Validation(FieldErrors),
    #[error("username already taken")]
    UsernameTaken,
    #[error("account not found")]
    NotFound,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl AccountError {
    pub fn field(field: &str, key: &str) -> AccountError {
        AccountError::Validation(FieldErrors::from([(field.to_owned(), key.to_owned())]))
    }
}
