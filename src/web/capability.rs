//! How a capability plugs in. Each capability is a folder that implements
//! `Capability`: the pages and API routes it serves, its navigation
//! entries, the tables it places in the tree (with their counters) and the
//! labels of its audit entries. `crate::app` lists the capabilities — the
//! one place where one is registered; the web core knows none of them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::Method;
use axum::Router;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use super::routes::{Pages, RouteInfo};
use super::AppState;
use crate::access::Permission;
pub use crate::audit::model::{FieldKind, RecordLink};
use crate::org::{Counter, PlacedTable};
use crate::toolkit::import::ImportKind;
use crate::toolkit::jobs::JobHandler;

/// An entry of the main navigation, shown to users holding `needs` somewhere.
#[derive(Clone, Copy, Debug)]
pub struct NavEntry {
    pub href: &'static str,
    pub label_key: &'static str,
    pub needs: Permission,
    /// Position in the bar, lowest first.
    pub order: u16,
}

/// A kind of record as the audit trail names it, and how its entries read.
#[derive(Clone, Copy, Debug)]
pub struct AuditEntity {
    /// As stored in `audit_log.entity` (`person`).
    pub entity: &'static str,
    /// Catalogue key of its name (`audit.entity.person`).
    pub label_key: &'static str,
    pub link: RecordLink,
    /// Catalogue key prefix of field labels (`person.` + `phone`).
    pub field_prefix: &'static str,
    /// How its fields read; a field not listed is shown as text. A nested
    /// object's fields are named `outer.inner` (`grant.role`).
    pub fields: &'static [(&'static str, FieldKind)],
}

impl AuditEntity {
    pub fn kind_of(&self, field: &str) -> FieldKind {
        self.fields
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, kind)| *kind)
            .unwrap_or(FieldKind::Text)
    }
}

/// A kind of record naming a person (a membership, a volunteer record, a
/// position): the person's page links to those the user may read.
#[derive(Clone, Copy, Debug)]
pub struct PersonRole {
    /// Its table (placed in the tree) and the column naming the person.
    pub table: &'static str,
    pub column: &'static str,
    /// Catalogue key of its name.
    pub label_key: &'static str,
    /// Its page: this prefix and the record's id.
    pub page: &'static str,
}

pub trait Capability: Send + Sync + 'static {
    /// Short name, for logs and tests.
    fn name(&self) -> &'static str;

    /// The HTML pages it serves.
    fn pages(&self) -> Pages {
        Pages::default()
    }

    /// Its `/api/v1` endpoints, described by their `#[utoipa::path]`.
    fn api(&self) -> OpenApiRouter<AppState> {
        OpenApiRouter::new()
    }

    fn nav(&self) -> Vec<NavEntry> {
        Vec::new()
    }

    /// Tables whose rows sit in the tree (moved by merges, counted per unit).
    fn placed_tables(&self) -> Vec<PlacedTable> {
        Vec::new()
    }

    fn audit_entities(&self) -> Vec<AuditEntity> {
        Vec::new()
    }

    /// Audit actions it writes, with the catalogue key of each label.
    /// An action several capabilities write (`create`) is listed by each.
    fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// Kinds of long work it runs as jobs (`toolkit::jobs`).
    fn jobs(&self) -> Vec<Arc<dyn JobHandler>> {
        Vec::new()
    }

    /// Kinds of records it imports from spreadsheets (`toolkit::import`).
    fn import_kinds(&self) -> Vec<Arc<dyn ImportKind>> {
        Vec::new()
    }

    /// Its records that name a person, linked from the person's page.
    fn person_roles(&self) -> Vec<PersonRole> {
        Vec::new()
    }
}

/// Everything the capabilities declared, gathered once at start-up.
#[derive(Default)]
pub struct Registry {
    names: Vec<&'static str>,
    nav: Vec<NavEntry>,
    placed: Vec<PlacedTable>,
    entities: HashMap<&'static str, AuditEntity>,
    actions: HashMap<&'static str, &'static str>,
    routes: Vec<RouteInfo>,
    openapi: String,
    jobs: HashMap<&'static str, Arc<dyn JobHandler>>,
    imports: Vec<Arc<dyn ImportKind>>,
    person_roles: Vec<PersonRole>,
}

impl Registry {
    /// Gathers the declarations of `capabilities`, and their pages and API
    /// routes into one router (the API under `/api/v1`) with its OpenAPI
    /// document built from the handlers themselves.
    pub fn build(capabilities: &[Box<dyn Capability>], base: OpenApi) -> (Registry, Router<AppState>) {
        let mut registry = Registry::default();
        let mut pages = Router::new();
        let mut api = OpenApiRouter::with_openapi(base);
        for capability in capabilities {
            registry.names.push(capability.name());
            registry.nav.extend(capability.nav());
            registry.placed.extend(capability.placed_tables());
            for entity in capability.audit_entities() {
                registry.entities.insert(entity.entity, entity);
            }
            registry.actions.extend(capability.audit_actions());
            for handler in capability.jobs() {
                registry.jobs.insert(handler.kind(), handler);
            }
            registry.imports.extend(capability.import_kinds());
            registry.person_roles.extend(capability.person_roles());
            let (router, routes) = capability.pages().into_parts();
            pages = pages.merge(router);
            registry.routes.extend(routes);
            api = api.merge(capability.api());
        }
        registry.nav.sort_by_key(|n| n.order);
        let (api, doc) = api.split_for_parts();
        registry.routes.extend(api_routes(&doc));
        registry.openapi = doc.to_json().unwrap_or_else(|_| "{}".into());
        (registry, pages.nest("/api/v1", api))
    }

    pub fn job_handler(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.jobs.get(kind).cloned()
    }

    pub fn import_kind(&self, kind: &str) -> Option<Arc<dyn ImportKind>> {
        self.imports.iter().find(|k| k.kind() == kind).cloned()
    }

    pub fn person_roles(&self) -> &[PersonRole] {
        &self.person_roles
    }

    pub fn import_kinds(&self) -> &[Arc<dyn ImportKind>] {
        &self.imports
    }

    pub fn capability_names(&self) -> &[&'static str] {
        &self.names
    }

    pub fn nav(&self) -> &[NavEntry] {
        &self.nav
    }

    pub fn placed_tables(&self) -> &[PlacedTable] {
        &self.placed
    }

    pub fn counters(&self) -> Vec<Counter> {
        self.placed.iter().flat_map(|t| t.counters.iter().copied()).collect()
    }

    pub fn audit_entity(&self, entity: &str) -> Option<&AuditEntity> {
        self.entities.get(entity)
    }

    /// Catalogue key of an audit action's label.
    pub fn audit_action_key(&self, action: &str) -> &'static str {
        self.actions.get(action).copied().unwrap_or("audit.action.other")
    }

    /// Every audit action written, with its label key, by action name.
    pub fn audit_actions(&self) -> Vec<(&'static str, &'static str)> {
        let mut actions: Vec<(&'static str, &'static str)> = self.actions.iter().map(|(a, k)| (*a, *k)).collect();
        actions.sort();
        actions
    }

    /// Every route served (pages and API), for tests that cover them all.
    pub fn routes(&self) -> &[RouteInfo] {
        &self.routes
    }

    /// The OpenAPI document, as JSON.
    pub fn openapi_json(&self) -> &str {
        &self.openapi
    }
}

/// Extension marking an operation that acts on the caller's own session.
pub const OWN_SESSION: &str = "x-own-session";

/// The routes the OpenAPI document describes; an operation with an empty
/// security requirement (`security(())`) is public.
fn api_routes(doc: &OpenApi) -> Vec<RouteInfo> {
    let mut routes = Vec::new();
    for (path, item) in &doc.paths.paths {
        let operations = [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ];
        for (method, operation) in operations {
            if let Some(op) = operation {
                let public = op.security.as_ref().is_some_and(|s| s.iter().any(is_empty_requirement));
                let own = op.extensions.as_ref().is_some_and(|e| e.contains_key(OWN_SESSION));
                routes.push(RouteInfo {
                    method,
                    path: format!("/api/v1{path}"),
                    public,
                    own,
                });
            }
        }
    }
    routes
}

fn is_empty_requirement(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}
