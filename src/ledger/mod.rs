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

mod capability;
pub mod chain;
pub mod describe;
pub mod file;
pub mod model;
pub mod service;
pub mod statement;
pub mod storage;
pub mod vietqr;

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
