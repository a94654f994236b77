//! The organisation tree (org units), its reference data and the 2025
//! reform, where records sit in it (`tree`, `placed`) and the per-unit
//! counters. Core: it imports no capability.

mod api;
mod capability;
pub mod check;
pub mod demography;
mod export;
mod manage;
pub mod model;
pub mod picker;
pub mod placed;
pub mod reference;
pub mod reform;
mod routes;
pub mod service;
mod storage;
pub mod tree;

pub use capability::Org;
pub use model::Unit;
pub use placed::{Counter, PlacedTable};
pub use tree::{Level, Placement, Scope};

use crate::web::error::{AppError, IntoAppError};

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("unknown unit code {0}")]
    UnknownUnit(String),
    #[error("unit not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("unit {0} is no longer active")]
    Inactive(String),
    #[error("a unit cannot be merged into itself")]
    MergeIntoSelf,
    #[error("only units of the same level can be merged")]
    MergeAcrossLevels,
    #[error("nothing to merge")]
    NothingToMerge,
    #[error("branches can only be created under a commune")]
    BranchOutsideCommune,
    #[error("close or merge the units below first")]
    HasActiveChildren,
    #[error("invalid unit name")]
    InvalidName,
    #[error("invalid branch kind")]
    InvalidBranchKind,
    #[error("the unit changed meanwhile")]
    Changed,
    /// A record would end where it may not sit (`Follows::only_at`); the
    /// catalogue key says why.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl IntoAppError for OrgError {
    fn into_app_error(self) -> AppError {
        match self {
            OrgError::UnknownUnit(code) => AppError::bad_request_with("error.unknown_unit", &[("code", &code)]),
            OrgError::NotFound => AppError::NotFound,
            OrgError::Forbidden => AppError::Forbidden,
            OrgError::Inactive(code) => AppError::bad_request_with("error.unit_inactive", &[("code", &code)]),
            OrgError::MergeIntoSelf => AppError::bad_request("error.merge_into_self"),
            OrgError::MergeAcrossLevels => AppError::bad_request("error.merge_levels"),
            OrgError::NothingToMerge => AppError::bad_request("error.merge_nothing"),
            OrgError::BranchOutsideCommune => AppError::bad_request("error.branch_outside_commune"),
            OrgError::InvalidName => AppError::bad_request("error.unit_name"),
            OrgError::HasActiveChildren => AppError::bad_request("error.unit_has_children"),
            OrgError::InvalidBranchKind => AppError::bad_request("error.branch_kind"),
            OrgError::Refused(key) => AppError::bad_request(key),
            OrgError::Changed => AppError::Conflict {
                key: "error.unit_changed".into(),
                link: None,
            },
            OrgError::Db(e) => e.into(),
        }
    }
}
