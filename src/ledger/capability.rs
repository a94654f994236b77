//! What the ledger adds to the application. So far: its accounts and
//! funds, which sit at a unit and move with it in a merge. Its entries are
//! not placed: a merge never rewrites them (a merged unit's chain closes).

use super::{LEDGER_ACCOUNTS, LEDGER_FUNDS};
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::toolkit::import::ImportKind;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;
use utoipa_axum::router::OpenApiRouter;

pub struct Ledger;

impl Capability for Ledger {
    fn name(&self) -> &'static str {
        "ledger"
    }

    fn pages(&self) -> Pages {
        super::routes::pages().merge(super::public::pages())
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/ledger",
            label_key: "nav.ledger",
            needs: Permission::Read,
            order: 33,
        }]
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![
            AuditEntity {
                entity: "ledger_account",
                label_key: "audit.entity.ledger_account",
                link: RecordLink::None,
                field_prefix: "ledger.",
                fields: &[("unit", FieldKind::Unit)],
            },
            AuditEntity {
                entity: "ledger_policy",
                label_key: "audit.entity.ledger_policy",
                link: RecordLink::None,
                field_prefix: "ledger.",
                fields: &[("approval_above", FieldKind::Text)],
            },
            AuditEntity {
                entity: "ledger_fund",
                label_key: "audit.entity.ledger_fund",
                link: RecordLink::None,
                field_prefix: "ledger.",
                fields: &[("unit", FieldKind::Unit)],
            },
        ]
    }

    fn import_kinds(&self) -> Vec<std::sync::Arc<dyn ImportKind>> {
        vec![std::sync::Arc::new(super::statement_import::StatementImport)]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![("create", "audit.action.create"), ("update", "audit.action.update")]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![LEDGER_ACCOUNTS, LEDGER_FUNDS]
    }
}
