//! The person registry: one record per real person, reused by members,
//! volunteers, beneficiaries, donors and blood donors. This folder is the
//! pattern every capability follows (see ARCHITECTURE.md).

pub mod api;
pub mod bulk;
pub mod cccd;
mod export;
pub mod model;
#[cfg(test)]
mod model_tests;
pub mod phone;
pub mod routes;
pub mod service;
pub mod storage;

use crate::org::OrgError;
use crate::web::error::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("invalid person data")]
    Validation(FieldErrors),
    /// Another record holds this CCCD; its id only when the user may see it.
    #[error("a person with this CCCD is already registered")]
    DuplicateCccd { visible_id: Option<i64> },
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("person not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl PeopleError {
    pub fn field(field: &str, key: &str) -> PeopleError {
        PeopleError::Validation(FieldErrors::from([(field.to_owned(), key.to_owned())]))
    }
}
