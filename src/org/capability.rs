//! What the tree adds to the application: the dashboard and unit pages,
//! the units API, and the labels of its audit entries.

use utoipa_axum::router::OpenApiRouter;

use super::model::{kind_key, UnitStatus};
use crate::access::Permission;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Org;

impl Capability for Org {
    fn name(&self) -> &'static str {
        "org"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                href: "/",
                label_key: "nav.dashboard",
                needs: Permission::Read,
                order: 0,
            },
            NavEntry {
                href: "/units",
                label_key: "nav.units",
                needs: Permission::Read,
                order: 10,
            },
        ]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![AuditEntity {
            entity: "unit",
            label_key: "audit.entity.unit",
            link: RecordLink::Unit,
            field_prefix: "unit.field.",
            fields: &[
                ("status", FieldKind::Choice(UnitStatus::label_key_of)),
                ("kind", FieldKind::Choice(kind_key)),
                ("merged_into", FieldKind::Unit),
                ("absorbed", FieldKind::Unit),
                ("grants_moved", FieldKind::Roles),
            ],
        }]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("rename", "audit.action.rename"),
            ("close", "audit.action.close"),
            ("merge", "audit.action.merge"),
        ]
    }
}
