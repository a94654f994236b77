//! What cadres and training add to the application.

use utoipa_axum::router::OpenApiRouter;

use super::{CADRE_POSITIONS, TRAINING_COURSES};
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, PersonRole, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Cadres;

impl Capability for Cadres {
    fn name(&self) -> &'static str {
        "cadres"
    }

    fn pages(&self) -> Pages {
        super::routes::pages().merge(super::course_routes::pages())
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/cadres",
            label_key: "nav.cadres",
            needs: Permission::Read,
            order: 30,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![CADRE_POSITIONS, TRAINING_COURSES]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![
            AuditEntity {
                entity: "cadre",
                label_key: "audit.entity.cadre",
                link: RecordLink::ById("/cadres/"),
                field_prefix: "cadre.",
                fields: &[
                    ("term_start", FieldKind::Date),
                    ("term_end", FieldKind::Date),
                    ("unit", FieldKind::Unit),
                    (
                        "position",
                        FieldKind::Choice(|v| super::model::Position::parse(v).map(super::model::Position::label_key)),
                    ),
                ],
            },
            AuditEntity {
                entity: "course",
                label_key: "audit.entity.course",
                link: RecordLink::ById("/courses/"),
                field_prefix: "course.",
                fields: &[
                    ("starts_on", FieldKind::Date),
                    ("ends_on", FieldKind::Date),
                    ("unit", FieldKind::Unit),
                    (
                        "result",
                        FieldKind::Choice(|v| super::model::Outcome::parse(v).map(super::model::Outcome::label_key)),
                    ),
                ],
            },
        ]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("end_term", "audit.action.end_term"),
            ("attendance", "audit.action.attendance"),
            ("attendance_removed", "audit.action.attendance_removed"),
        ]
    }

    fn person_roles(&self) -> Vec<PersonRole> {
        vec![PersonRole {
            table: CADRE_POSITIONS.table,
            column: "person_id",
            label_key: "counter.cadres",
            page: "/cadres/",
        }]
    }
}
