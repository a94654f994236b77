//! What the person registry adds to the application.

use utoipa_axum::router::OpenApiRouter;

use super::model::Sex;
use super::PERSONS;
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct People;

impl Capability for People {
    fn name(&self) -> &'static str {
        "people"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/persons",
            label_key: "nav.persons",
            needs: Permission::Read,
            order: 20,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![PERSONS]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![AuditEntity {
            entity: "person",
            label_key: "audit.entity.person",
            link: RecordLink::ById("/persons/"),
            field_prefix: "person.",
            fields: &[
                ("sex", FieldKind::Choice(|v| Sex::parse(v).map(Sex::label_key))),
                ("birth_date", FieldKind::Date),
                ("address_commune", FieldKind::Unit),
                ("unit", FieldKind::Unit),
                ("throttled", FieldKind::Hidden),
            ],
        }]
    }

    fn import_kinds(&self) -> Vec<std::sync::Arc<dyn crate::toolkit::import::ImportKind>> {
        vec![std::sync::Arc::new(super::import::PersonsImport)]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("update", "audit.action.update"),
            ("delete", "audit.action.delete"),
            ("cccd_refused", "audit.action.cccd_refused"),
        ]
    }
}
