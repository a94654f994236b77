//! What the organisations registry adds to the application.

use utoipa_axum::router::OpenApiRouter;

use super::ORGANISATIONS;
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Organisations;

impl Capability for Organisations {
    fn name(&self) -> &'static str {
        "organisations"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/organisations",
            label_key: "nav.organisations",
            needs: Permission::Read,
            order: 29,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![ORGANISATIONS]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![AuditEntity {
            entity: "organisation",
            label_key: "audit.entity.organisation",
            link: RecordLink::ById("/organisations/"),
            field_prefix: "organisation.",
            fields: &[
                (
                    "kind",
                    FieldKind::Choice(|v| super::model::Kind::parse(v).map(super::model::Kind::label_key)),
                ),
                ("unit", FieldKind::Unit),
            ],
        }]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![("create", "audit.action.create"), ("update", "audit.action.update")]
    }
}
