//! Volunteers (tình nguyện viên) of communes and branches: a volunteer
//! record is a role of a person of the registry, with skills, certificates
//! that expire, availability, an emergency contact and hours given. People
//! sign up through a public form; the chosen commune approves them.

pub mod activity;
mod api;
pub mod callout;
mod capability;
pub mod demo;
mod detail;
mod export;
mod import;
pub mod model;
mod public;
mod queue;
pub mod routes;
pub mod service;
pub mod signups;
mod storage;

pub use capability::Volunteers;

use crate::org::placed::{Demographics, Follows};
use crate::org::{Counter, OrgError, PlacedTable};
use crate::people::PeopleError;
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};

/// The volunteers table: placed where its person is, counted per unit.
pub const VOLUNTEERS: PlacedTable = PlacedTable {
    table: "volunteers",
    counters: &[Counter {
        name: "volunteers",
        label_key: "counter.volunteers",
        list_path: "/volunteers",
        // Who volunteers now: not those who left.
        weight: "",
        filter: "status IN ('active', 'paused')",
        demographics: Some(Demographics::OF_PERSON),
    }],
    refers: None,
    follows: Some(Follows {
        table: "persons",
        column: "person_id",
        sort_key: true,
        only_at: None,
    }),
};

#[derive(Debug, thiserror::Error)]
pub enum VolunteersError {
    #[error("invalid volunteer data")]
    Validation(FieldErrors),
    /// The person volunteers already; the record's id.
    #[error("the person is already a volunteer")]
    AlreadyVolunteer { id: i64 },
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("the unit changed meanwhile")]
    Changed,
    #[error("not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    /// Too many sign-ups from one address; seconds to wait.
    #[error("too many requests")]
    Throttled { seconds: i64 },
    #[error(transparent)]
    People(#[from] PeopleError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl VolunteersError {
    pub fn field(field: &str, key: &str) -> VolunteersError {
        VolunteersError::Validation(field_error(field, key))
    }
}

impl IntoAppError for VolunteersError {
    fn into_app_error(self) -> AppError {
        let conflict = |key: &str, link: Option<String>| AppError::Conflict { key: key.into(), link };
        match self {
            VolunteersError::Validation(fields) => AppError::Validation(fields),
            VolunteersError::AlreadyVolunteer { id } => {
                conflict("volunteer.error.already", Some(format!("/volunteers/{id}")))
            }
            VolunteersError::StaleVersion => conflict("error.stale_version", None),
            VolunteersError::Changed => conflict("error.unit_changed", None),
            VolunteersError::NotFound => AppError::NotFound,
            VolunteersError::ReadOnly => AppError::Forbidden,
            VolunteersError::Throttled { seconds } => AppError::Throttled {
                key: "error.too_many_sends",
                seconds,
            },
            VolunteersError::People(e) => e.into_app_error(),
            VolunteersError::Org(e) => e.into_app_error(),
            VolunteersError::Db(e) => e.into(),
        }
    }
}
