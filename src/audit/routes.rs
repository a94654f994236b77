//! The audit view for supervisors: every change in their subtree, newest
//! first. Read-only: there is no route that changes an entry.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{Entry, FieldChange};
use super::service;
use crate::web::auth::CurrentUser;
use crate::web::capability::Registry;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::page::{datetime_vi, render, url_encode, PageCtx};
use crate::web::AppState;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// An entry as the page shows it: labels in the user's language.
pub struct ShownRow {
    pub entry: Entry,
    pub when: String,
    pub action: &'static str,
    pub entity: &'static str,
    pub link: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// Entries with their labels and links, for pages (here and record pages).
pub fn shown_rows(ctx: &PageCtx, registry: &Registry, entries: Vec<Entry>) -> Vec<ShownRow> {
    entries
        .into_iter()
        .map(|entry| {
            let kind = registry.audit_entity(&entry.entity);
            let link = kind
                .and_then(|k| k.link_prefix)
                .zip(entry.entity_id)
                .map(|(prefix, id)| format!("{prefix}{id}"));
            let (entry, changes) = entry.shown();
            ShownRow {
                when: datetime_vi(&entry.at),
                action: ctx.t(registry.audit_action_key(&entry.action)),
                entity: kind.map(|k| ctx.t(k.label_key)).unwrap_or("—"),
                link,
                changes,
                entry,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit/templates/list.html")]
struct AuditPage {
    ctx: PageCtx,
    rows: Vec<ShownRow>,
    older: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Result<Response, AppError> {
    let page = service::list(&state.db, &user.principal, p.after.as_deref()).await?;
    let older = page.next.map(|n| format!("/audit?after={}", url_encode(&n)));
    let rows = shown_rows(&ctx, &state.registry, page.items);
    Ok(render(&AuditPage { ctx, rows, older })?.into_response())
}
