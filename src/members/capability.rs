//! What members add to the application.

use utoipa_axum::router::OpenApiRouter;

use super::MEMBERS;
use crate::access::Permission;
use crate::org::PlacedTable;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, PersonRole, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Members;

impl Capability for Members {
    fn name(&self) -> &'static str {
        "members"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
            .merge(super::dues::pages())
            .merge(super::requests::pages())
            .merge(super::card::pages())
            .merge(super::collective::pages())
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
            .merge(super::dues::router())
            .merge(super::requests::router())
            .merge(super::card::router())
            .merge(super::collective::router())
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/members",
            label_key: "nav.members",
            needs: Permission::Read,
            order: 25,
        }]
    }

    fn placed_tables(&self) -> Vec<PlacedTable> {
        vec![
            MEMBERS,
            super::collective::COLLECTIVE_MEMBERS,
            super::requests::MEMBER_REQUESTS,
        ]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![
            AuditEntity {
                entity: "member_request",
                label_key: "audit.entity.member_request",
                link: RecordLink::None,
                field_prefix: "member.",
                fields: &[("joined_on", FieldKind::Date), ("unit", FieldKind::Unit)],
            },
            AuditEntity {
                entity: "collective_member",
                label_key: "audit.entity.collective_member",
                link: RecordLink::ById("/members/collective/"),
                field_prefix: "collective.",
                fields: &[
                    ("joined_on", FieldKind::Date),
                    ("on", FieldKind::Date),
                    ("unit", FieldKind::Unit),
                ],
            },
            AuditEntity {
                entity: "dues",
                label_key: "audit.entity.dues",
                link: RecordLink::None,
                field_prefix: "dues.",
                fields: &[],
            },
            AuditEntity {
                entity: "member",
                label_key: "audit.entity.member",
                link: RecordLink::ById("/members/"),
                field_prefix: "member.",
                fields: &[
                    ("joined_on", FieldKind::Date),
                    ("on", FieldKind::Date),
                    ("unit", FieldKind::Unit),
                    (
                        "status",
                        FieldKind::Choice(|v| super::model::Status::parse(v).map(super::model::Status::label_key)),
                    ),
                    ("person", FieldKind::Hidden),
                    ("paid_on", FieldKind::Date),
                ],
            },
        ]
    }

    fn import_kinds(&self) -> Vec<std::sync::Arc<dyn crate::toolkit::import::ImportKind>> {
        vec![std::sync::Arc::new(super::import::MembersImport)]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("status", "audit.action.status"),
            ("transfer", "audit.action.transfer"),
            ("dues_paid", "audit.action.dues_paid"),
            ("set_rate", "audit.action.set_rate"),
            ("request", "audit.action.request"),
            ("set_tiers", "audit.action.set_tiers"),
            ("decline", "audit.action.decline"),
            ("update", "audit.action.update"),
        ]
    }

    fn person_roles(&self) -> Vec<PersonRole> {
        vec![PersonRole {
            table: MEMBERS.table,
            column: "person_id",
            label_key: "counter.members",
            page: "/members/",
        }]
    }
}
