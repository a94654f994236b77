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

/// The year the person of a position read as `$alias` last completed a
/// course (NULL: never).
macro_rules! last_trained {
    ($alias:literal) => {
        concat!(
            "(SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a \
             JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = ",
            $alias,
            ".person_id AND a.result <> 'failed')"
        )
    };
}
/// As counters read positions (`t`).
const LAST_TRAINED: &str = last_trained!("t");
/// As the cadre list reads them (`c`).
const LAST_TRAINED_OF_CADRE: &str = last_trained!("c");

/// Positions sit at their unit; those in office are counted, by sex and age.
pub const CADRE_POSITIONS: PlacedTable = PlacedTable {
    table: "cadre_positions",
    counters: &[
        Counter {
            name: "cadres",
            label_key: "counter.cadres",
            list_path: "/cadres",
            filter: "status = 'current'",
            weight: "",
            demographics: Some(Demographics::OF_PERSON),
        },
        // Cadres in office trained this year: the last course they attended
        // (and did not fail) ended this calendar year. Recording attendance
        // recounts the person's positions.
        Counter {
            name: "cadres_trained",
            label_key: "counter.cadres_trained",
            list_path: "/cadres",
            filter: "status = 'current'",
            weight: "",
            demographics: Some(Demographics::of_person_event(LAST_TRAINED)),
        },
    ],
    // A position names its person without sitting with them.
    refers: Some(Follows {
        table: "persons",
        column: "person_id",
        sort_key: false,
        only_at: None,
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
