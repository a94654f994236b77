//! Cadres and training (cán bộ Hội): positions held at each unit over a
//! term (chair, vice-chair, standing member, full-time, part-time),
//! training courses with attendance and results, each cadre's training
//! record, and who has had no training in the last years.

mod api;
mod capability;
mod course_routes;
pub mod courses;
pub mod model;
mod routes;
pub mod service;
mod storage;

pub use capability::Cadres;

use crate::org::placed::{Demographics, Follows};
use crate::org::{Counter, OrgError, PlacedTable};
use crate::people::PeopleError;
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};

/// Positions sit at their unit; those in office are counted, by sex and age.
pub const CADRE_POSITIONS: PlacedTable = PlacedTable {
    table: "cadre_positions",
    counters: &[Counter {
        name: "cadres",
        label_key: "counter.cadres",
        list_path: "/cadres",
        filter: "status = 'current'",
        weight: "",
        demographics: Some(Demographics {
            sex: "p.sex",
            birth_year: "p.birth_year",
            join: "JOIN persons p ON p.id = t.person_id",
        }),
    }],
    // A position names its person without sitting with them.
    refers: Some(Follows {
        table: "persons",
        column: "person_id",
    }),
    follows: None,
};

/// Courses sit at the unit that organised them.
pub const TRAINING_COURSES: PlacedTable = PlacedTable {
    table: "training_courses",
    counters: &[],
    refers: None,
    follows: None,
};

#[derive(Debug, thiserror::Error)]
pub enum CadresError {
    #[error("invalid data")]
    Validation(FieldErrors),
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("the unit changed meanwhile")]
    Changed,
    #[error("not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    #[error(transparent)]
    People(#[from] PeopleError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl CadresError {
    pub fn field(field: &str, key: &str) -> CadresError {
        CadresError::Validation(field_error(field, key))
    }
}

impl IntoAppError for CadresError {
    fn into_app_error(self) -> AppError {
        let conflict = |key: &str| AppError::Conflict {
            key: key.into(),
            link: None,
        };
        match self {
            CadresError::Validation(fields) => AppError::Validation(fields),
            CadresError::StaleVersion => conflict("error.stale_version"),
            CadresError::Changed => conflict("error.unit_changed"),
            CadresError::NotFound => AppError::NotFound,
            CadresError::ReadOnly => AppError::Forbidden,
            CadresError::People(e) => e.into_app_error(),
            CadresError::Org(e) => e.into_app_error(),
            CadresError::Db(e) => e.into(),
        }
    }
}
