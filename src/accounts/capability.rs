//! What accounts add to the application.

use utoipa_axum::router::OpenApiRouter;

use crate::access::Permission;
use crate::access::Role;
use crate::web::capability::{AuditEntity, Capability, FieldKind, NavEntry, RecordLink};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Accounts;

impl Capability for Accounts {
    fn name(&self) -> &'static str {
        "accounts"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/accounts",
            label_key: "nav.accounts",
            needs: Permission::Supervise,
            order: 90,
        }]
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        vec![AuditEntity {
            entity: "account",
            label_key: "audit.entity.account",
            link: RecordLink::ById("/accounts/"),
            field_prefix: "account.",
            fields: &[
                ("grant.role", FieldKind::Choice(Role::label_key_of)),
                ("grant.unit", FieldKind::Unit),
                ("role", FieldKind::Choice(Role::label_key_of)),
                ("unit", FieldKind::Unit),
                (
                    "active",
                    FieldKind::Choice(|v| match v {
                        "true" => Some("accounts.active"),
                        "false" => Some("accounts.inactive"),
                        _ => None,
                    }),
                ),
            ],
        }]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("create", "audit.action.create"),
            ("grant", "audit.action.grant"),
            ("revoke", "audit.action.revoke"),
            ("activate", "audit.action.activate"),
            ("deactivate", "audit.action.deactivate"),
            ("reset_password", "audit.action.reset_password"),
            ("change_password", "audit.action.change_password"),
            ("unlock", "audit.action.unlock"),
            ("login", "audit.action.login"),
            ("login_refused", "audit.action.login_refused"),
            ("logout", "audit.action.logout"),
        ]
    }
}
