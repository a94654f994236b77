//! What the Youth Red Cross adds to the application.

use utoipa_axum::router::OpenApiRouter;

use super::YOUTH_MEMBERS;
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, PersonRole, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Youth;

impl Capability for Youth {
    fn name(&self) -> &'static str {
        "youth"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/youth",
            label_key: "nav.youth",
            needs: Permission::Read,
            order: 26,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![YOUTH_MEMBERS]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![AuditEntity {
            entity: "youth_member",
            label_key: "audit.entity.youth_member",
            link: RecordLink::ById("/youth/"),
            field_prefix: "youth.",
            fields: &[("joined_on", FieldKind::Date), ("unit", FieldKind::Unit)],
        }]
    }

    fn import_kinds(&self) -> Vec<std::sync::Arc<dyn crate::toolkit::import::ImportKind>> {
        vec![std::sync::Arc::new(super::import::YouthImport)]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![("create", "audit.action.create"), ("update", "audit.action.update")]
    }

    fn person_roles(&self) -> Vec<PersonRole> {
        vec![PersonRole {
            table: YOUTH_MEMBERS.table,
            column: "person_id",
            label_key: "counter.youth_members",
            page: "/youth/",
        }]
    }
}
