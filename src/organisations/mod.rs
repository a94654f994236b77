//! The organisations registry: agencies, schools, enterprises,
//! associations and religious bodies a unit works with, kept once and
//! referred to by collective members, sponsors and partners.

mod api;
mod capability;
pub mod model;
mod routes;
pub mod service;
mod storage;

pub use capability::Organisations;
pub use model::Organisation;

use crate::org::{OrgError, PlacedTable};
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};

/// Organisations sit at the unit that keeps them; merges move them.
pub const ORGANISATIONS: PlacedTable = PlacedTable {
    table: "organisations",
    counters: &[],
    refers: None,
    follows: None,
};

#[derive(Debug, thiserror::Error)]
pub enum OrganisationsError {
    #[error("invalid organisation data")]
    Validation(FieldErrors),
    /// Another organisation has the tax code; its id when visible.
    #[error("the tax code is registered already")]
    DuplicateTaxCode { visible_id: Option<i64> },
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("the unit changed meanwhile")]
    Changed,
    #[error("not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl OrganisationsError {
    pub fn field(field: &str, key: &str) -> OrganisationsError {
        OrganisationsError::Validation(field_error(field, key))
    }
}

impl IntoAppError for OrganisationsError {
    fn into_app_error(self) -> AppError {
        let conflict = |key: &str, link: Option<String>| AppError::Conflict { key: key.into(), link };
        match self {
            OrganisationsError::Validation(fields) => AppError::Validation(fields),
            OrganisationsError::DuplicateTaxCode { visible_id } => conflict(
                "organisation.error.tax_code_taken",
                visible_id.map(|id| format!("/organisations/{id}")),
            ),
            OrganisationsError::StaleVersion => conflict("error.stale_version", None),
            OrganisationsError::Changed => conflict("error.unit_changed", None),
            OrganisationsError::NotFound => AppError::NotFound,
            OrganisationsError::ReadOnly => AppError::Forbidden,
            OrganisationsError::Org(e) => e.into_app_error(),
            OrganisationsError::Db(e) => e.into(),
        }
    }
}
