//! Importing records from `.xlsx`/`.xls`/`.ods`/`.csv` files through a
//! preview: upload (the file is read and its header row recognised),
//! check (a job: every row validated by the kind, likely duplicates
//! found), fix (re-upload or map columns by hand, remembered per unit),
//! commit (a job: all rows in one transaction, or none). A capability
//! takes part by declaring an `ImportKind`.

mod api;
mod capability;
pub mod cells;
pub mod headers;
mod jobs;
pub mod kind;
mod list;
pub mod model;
mod routes;
mod service;
mod storage;
pub mod target;
mod two_rows;

pub use capability::Imports;
pub use kind::{CellKind, ColumnSpec, Duplicate, ImportCtx, ImportKind, Row, RowCheck};
pub use service::expire;

use crate::org::OrgError;
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};

/// Largest file accepted.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("unknown kind of import")]
    UnknownKind,
    #[error("no file")]
    NoFile,
    #[error("file too large")]
    TooLarge,
    /// What is wrong with the file: a catalogue key.
    #[error("bad file: {0}")]
    BadFile(&'static str),
    #[error("invalid request")]
    Validation(FieldErrors),
    /// The import is not in a state that allows this (committed, checking).
    #[error("import not open")]
    NotOpen,
    /// Rows still have errors: by `row.column`, the catalogue key.
    #[error("rows have errors")]
    RowErrors(FieldErrors),
    #[error("not found")]
    NotFound,
    /// The server is reading other files; retry in a moment.
    #[error("busy")]
    Busy,
    #[error("read-only access")]
    ReadOnly,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl ImportError {
    pub fn field(field: &str, key: &str) -> ImportError {
        ImportError::Validation(field_error(field, key))
    }
}

impl IntoAppError for ImportError {
    fn into_app_error(self) -> AppError {
        match self {
            ImportError::UnknownKind => AppError::Validation(field_error("kind", "import.error.kind")),
            ImportError::NoFile => AppError::Validation(field_error("file", "import.error.no_file")),
            ImportError::TooLarge => AppError::TooLarge,
            ImportError::BadFile(key) => AppError::Validation(field_error("file", key)),
            ImportError::Validation(fields) | ImportError::RowErrors(fields) => AppError::Validation(fields),
            ImportError::NotOpen => AppError::Conflict {
                key: "import.error.not_open".into(),
                link: None,
            },
            ImportError::NotFound => AppError::NotFound,
            ImportError::Busy => AppError::Busy,
            ImportError::ReadOnly => AppError::Forbidden,
            ImportError::Org(e) => e.into_app_error(),
            ImportError::Db(e) => e.into(),
        }
    }
}
