//! What the ledger adds to the application. So far: its accounts and
//! funds, which sit at a unit and move with it in a merge. Its entries are
//! not placed: a merge never rewrites them (a merged unit's chain closes).

use super::{LEDGER_ACCOUNTS, LEDGER_FUNDS};
use crate::org::PlacedTable;
use crate::web::capability::Capability;

pub struct Ledger;

impl Capability for Ledger {
    fn name(&self) -> &'static str {
        "ledger"
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![LEDGER_ACCOUNTS, LEDGER_FUNDS]
    }
}
