//! What teams add to the application.

use utoipa_axum::router::OpenApiRouter;

use super::TEAMS;
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, NavEntry, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Teams;

impl Capability for Teams {
    fn name(&self) -> &'static str {
        "teams"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/teams",
            label_key: "nav.teams",
            needs: Permission::Read,
            order: 28,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![TEAMS]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![AuditEntity {
            entity: "team",
            label_key: "audit.entity.team",
            link: RecordLink::ById("/teams/"),
            field_prefix: "team.",
            fields: &[("unit", crate::web::capability::FieldKind::Unit)],
        }]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("update", "audit.action.update"),
            ("add_member", "audit.action.add_member"),
            ("remove_member", "audit.action.remove_member"),
        ]
    }
}
