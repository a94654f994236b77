//! Who may do what: roles granted on org units, the signed-in principal,
//! and the proofs of access (`ReadScope`, `Access`) that every storage
//! function touching placed data requires. Only `Principal` makes proofs.

mod model;
mod proof;
pub mod storage;

pub use model::{Actor, Grant, Permission, Principal, Role};
pub use proof::{Access, ReadScope};
