//! The organisation tree (org units), its reference data and the 2025 reform.

pub mod api;
pub mod model;
pub mod reference;
pub mod reform;
pub mod routes;
pub mod scope;
pub mod service;
pub mod storage;

pub use model::{Level, Unit};

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("unknown unit code {0}")]
    UnknownUnit(String),
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
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
