//! What volunteers add to the application.

use utoipa_axum::router::OpenApiRouter;

use super::signups::VOLUNTEER_SIGNUPS;
use super::VOLUNTEERS;
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, PersonRole, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Volunteers;

impl Capability for Volunteers {
    fn name(&self) -> &'static str {
        "volunteers"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
            .merge(super::queue::pages())
            .merge(super::public::pages())
            .merge(super::callout::pages())
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router().merge(super::callout::router())
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/volunteers",
            label_key: "nav.volunteers",
            needs: Permission::Read,
            order: 27,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![VOLUNTEERS, VOLUNTEER_SIGNUPS]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![
            AuditEntity {
                entity: "volunteer",
                label_key: "audit.entity.volunteer",
                link: RecordLink::ById("/volunteers/"),
                field_prefix: "volunteer.",
                fields: &[
                    ("joined_on", FieldKind::Date),
                    ("away_until", FieldKind::Date),
                    ("issued_on", FieldKind::Date),
                    ("expires_on", FieldKind::Date),
                    ("on_date", FieldKind::Date),
                    ("unit", FieldKind::Unit),
                    (
                        "status",
                        FieldKind::Choice(|v| super::model::Status::parse(v).map(super::model::Status::label_key)),
                    ),
                ],
            },
            AuditEntity {
                entity: "volunteer_signup",
                label_key: "audit.entity.volunteer_signup",
                link: RecordLink::None,
                field_prefix: "signup.",
                fields: &[("unit", FieldKind::Unit), ("volunteer", FieldKind::Hidden)],
            },
        ]
    }

    fn import_kinds(&self) -> Vec<std::sync::Arc<dyn crate::toolkit::import::ImportKind>> {
        vec![std::sync::Arc::new(super::import::VolunteersImport)]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("update", "audit.action.update"),
            ("certificate", "audit.action.certificate"),
            ("hours", "audit.action.hours"),
            ("certificate_removed", "audit.action.certificate_removed"),
            ("hours_removed", "audit.action.hours_removed"),
            ("approve", "audit.action.approve"),
            ("decline", "audit.action.decline"),
        ]
    }

    fn person_roles(&self) -> Vec<PersonRole> {
        vec![PersonRole {
            table: VOLUNTEERS.table,
            column: "person_id",
            label_key: "counter.volunteers",
            page: "/volunteers/",
        }]
    }
}
