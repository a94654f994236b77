//! What the audit trail adds to the application.

use utoipa_axum::router::OpenApiRouter;

use crate::access::Permission;
use crate::web::capability::{Capability, NavEntry};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Audit;

impl Capability for Audit {
    fn name(&self) -> &'static str {
        "audit"
    }

    fn pages(&self) -> Pages {
        Pages::default()
            .get("/audit", super::routes::page)
            .get("/audit/export.xlsx", super::export::xlsx)
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/audit",
            label_key: "nav.audit",
            needs: Permission::Supervise,
            order: 80,
        }]
    }
}
