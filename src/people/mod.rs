//! The person registry: one record per real person, reused by members,
//! volunteers, beneficiaries, donors and blood donors. This folder is the
//! pattern every capability follows (see ARCHITECTURE.md).

mod api;
pub mod bulk;
mod capability;
pub mod cccd;
mod export;
mod form;
pub(crate) mod import;
pub mod likely;
pub mod model;
#[cfg(test)]
mod model_tests;
pub mod patch;
pub mod phone;
mod print;
pub mod rank;
pub mod role_import;
pub mod roles;
mod routes;
pub mod search;
pub mod service;
mod storage;

pub use capability::People;

use crate::org::placed::{Demographics, YearOf};
use crate::org::{Counter, OrgError, PlacedTable};
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};
use crate::web::paging::BadCursor;

/// The persons table: placed in the tree, counted per unit.
pub const PERSONS: PlacedTable = PlacedTable {
    table: "persons",
    counters: &[Counter {
        name: "persons",
        label_key: "counter.persons",
        list_path: "/persons",
        weight: "",
        filter: "",
        demographics: Some(Demographics {
            sex: "t.sex",
            year: "t.birth_year",
            join: "",
            of: YearOf::Birth,
        }),
    }],
    refers: None,
    follows: None,
};

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("invalid person data")]
    Validation(FieldErrors),
    /// Another record holds this CCCD; its id only when the user may see it.
    #[error("a person with this CCCD is already registered")]
    DuplicateCccd { visible_id: Option<i64> },
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("the unit changed meanwhile")]
    Changed,
    #[error("person not found")]
    NotFound,
    /// The person holds roles (a membership) that move or end with them.
    #[error("the person holds roles elsewhere in the application")]
    HasRoles,
    /// A role of the person cannot sit where they would move (catalogue
    /// key of why).
    #[error("a role of the person cannot move there")]
    RoleStays { key: &'static str },
    #[error("read-only access")]
    ReadOnly,
    #[error("too many refused CCCD checks")]
    Throttled { seconds: i64 },
    #[error(transparent)]
    Cursor(#[from] BadCursor),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl PeopleError {
    pub fn field(field: &str, key: &str) -> PeopleError {
        PeopleError::Validation(field_error(field, key))
    }
}

impl IntoAppError for PeopleError {
    fn into_app_error(self) -> AppError {
        let conflict = |key: &str, link: Option<String>| AppError::Conflict { key: key.into(), link };
        match self {
            PeopleError::Validation(fields) => AppError::Validation(fields),
            PeopleError::DuplicateCccd { visible_id: Some(id) } => {
                conflict("error.cccd_duplicate_here", Some(format!("/persons/{id}")))
            }
            PeopleError::DuplicateCccd { visible_id: None } => conflict("error.cccd_duplicate_elsewhere", None),
            PeopleError::StaleVersion => conflict("error.stale_version", None),
            PeopleError::Changed => conflict("error.unit_changed", None),
            PeopleError::NotFound => AppError::NotFound,
            PeopleError::HasRoles => conflict("error.person_has_roles", None),
            PeopleError::RoleStays { key } => conflict(key, None),
            PeopleError::ReadOnly => AppError::Forbidden,
            PeopleError::Throttled { seconds } => AppError::Throttled {
                key: "error.cccd_throttled",
                seconds,
            },
            PeopleError::Cursor(e) => e.into_app_error(),
            PeopleError::Org(e) => e.into_app_error(),
            PeopleError::Db(e) => e.into(),
        }
    }
}
