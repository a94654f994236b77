//! The ledger: every đồng a unit receives, holds, passes on or spends,
//! as balanced entries on an append-only hash chain per unit that anyone
//! can verify from the public download (`nhanai ledger verify`).
//!
//! - `model`: entries, lines and their balance (pure);
//! - `chain`: the hash chain and its verifier (pure);
//! - `file`: the public download, JSON and CSV, and its offline check;
//! - `statement`: a bank statement's rows put together and identified;
//! - `describe`: what a bank's transfer description says (donor, payment code);
//! - `vietqr`: the NAPAS VietQR payload of an account;
//! - `storage`, `service`: appending and verifying against the database.

pub mod api;
pub mod approval;
mod capability;
pub mod chain;
pub mod describe;
pub mod entry_input;
pub mod file;
pub mod funds;
pub mod manage;
pub mod model;
pub mod public;
mod receipt;
pub mod reconcile;
mod reports;
mod routes;
pub mod service;
pub mod statement;
pub mod statement_import;
pub mod storage;
pub mod vietqr;
pub mod view;

pub use capability::Ledger;

use crate::org::PlacedTable;

/// Where a unit keeps money or goods (bank accounts, cash, in-kind stock).
pub const LEDGER_ACCOUNTS: PlacedTable = PlacedTable {
    table: "ledger_accounts",
    counters: &[],
    refers: None,
    follows: None,
};

/// A unit's funds: general, Red Cross, and one per appeal.
pub const LEDGER_FUNDS: PlacedTable = PlacedTable {
    table: "ledger_funds",
    counters: &[],
    refers: None,
    follows: None,
};

impl crate::web::error::IntoAppError for service::LedgerError {
    fn into_app_error(self) -> crate::web::error::AppError {
        use crate::validation::field_error;
        use crate::web::error::AppError;
        use service::LedgerError as E;
        let conflict = |key: &str| AppError::Conflict {
            key: key.into(),
            link: None,
        };
        match self {
            E::Lines(e) => AppError::Validation(field_error("amount", e.key())),
            E::Validation(fields) => AppError::Validation(fields),
            E::Amount => AppError::Validation(field_error("amount", "ledger.error.unbalanced")),
            E::NotHeld => AppError::Validation(field_error("account_id", "ledger.error.account_elsewhere")),
            E::UnitClosed => conflict("person.error.unit_inactive"),
            E::NotFound => AppError::NotFound,
            E::ReadOnly => AppError::Forbidden,
            E::ReversedAlready => conflict("ledger.error.reversed_already"),
            E::Settled => conflict("ledger.error.settled"),
            E::OwnDraft => conflict("ledger.error.own_draft"),
            E::Broken(b) => AppError::Internal(b.to_string()),
            E::Db(e) => e.into(),
        }
    }
}
