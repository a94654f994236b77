//! The one place where capabilities are registered. Adding a capability
//! is one line here; the web, storage, tree and access cores import none.

use axum::Router;

use crate::db::Db;
use crate::web::capability::{Capability, Registry};
use crate::web::Settings;

/// Every capability of the application, in navigation order.
pub fn capabilities() -> Vec<Box<dyn Capability>> {
    vec![
        Box::new(crate::org::Org),
        Box::new(crate::people::People),
        Box::new(crate::members::Members),
        Box::new(crate::youth::Youth),
        Box::new(crate::volunteers::Volunteers),
        Box::new(crate::teams::Teams),
        Box::new(crate::organisations::Organisations),
        Box::new(crate::cadres::Cadres),
        Box::new(crate::ledger::Ledger),
        Box::new(crate::audit::Audit),
        Box::new(crate::accounts::Accounts),
        Box::new(crate::toolkit::jobs::Jobs),
        Box::new(crate::toolkit::import::Imports),
    ]
}

/// The application's router on `db`.
pub fn router(db: Db, settings: Settings) -> Router {
    crate::web::app(db, settings, capabilities())
}

/// What the capabilities declare, without a database (tests, tools).
pub fn registry() -> Registry {
    crate::web::registry(capabilities()).0
}
