//! What the import room adds: its pages ("my imports" in the bar), its
//! API and its two jobs. The
//! kinds of records come from the capabilities that own them.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;

use crate::access::Permission;
use crate::toolkit::jobs::JobHandler;
use crate::web::capability::{Capability, NavEntry};
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Imports;

impl Capability for Imports {
    fn name(&self) -> &'static str {
        "imports"
    }

    fn pages(&self) -> Pages {
        super::routes::pages()
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        super::api::router()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            href: "/imports",
            label_key: "nav.imports",
            needs: Permission::Write,
            order: 70,
        }]
    }

    fn jobs(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![Arc::new(super::jobs::CheckJob), Arc::new(super::jobs::CommitJob)]
    }

    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        vec![("import", "audit.action.import")]
    }

    fn audit_entities(&self) -> Vec<crate::web::capability::AuditEntity> {
        vec![crate::web::capability::AuditEntity {
            entity: "import",
            label_key: "audit.entity.import",
            link: crate::web::capability::RecordLink::None,
            field_prefix: "import.",
            fields: &[],
        }]
    }
}
