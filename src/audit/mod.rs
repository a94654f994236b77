//! The audit trail: who changed what, when, from which unit, before/after.
//! Append-only: the schema refuses UPDATE and DELETE on `audit_log`.

pub mod model;
pub mod routes;
pub mod storage;

pub use model::{Actor, Change};
