//! The audit view for supervisors: every change in their subtree, newest
//! first, narrowed by user, unit, dates and action; and the history part
//! of every record page. Values read as a user reads them (`Nữ`,
//! `15/08/1985`, unit names), as each capability declared its fields.
//! Read-only: there is no route that changes an entry.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::service::{self, Wanted};
use super::shown::{shown_rows, ShownRow};
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::org::service as org;
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::list::with_query;
use crate::web::page::{render, render_status, PageCtx};
use crate::web::AppState;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Only entries made by this username.
    pub user: String,
    /// Only entries about records in this unit's subtree (its code).
    pub unit: String,
    /// From this day on (`dd/mm/yyyy` or `yyyy-mm-dd`, Vietnam time).
    pub from: String,
    /// Up to and including this day.
    pub to: String,
    /// Only this action (`create`, `update`, `merge` …).
    pub action: String,
}

impl AuditQuery {
    pub(super) fn wanted(&self) -> Wanted<'_> {
        Wanted {
            user: &self.user,
            action: &self.action,
            from: &self.from,
            to: &self.to,
        }
    }
}

/// The unit a list is narrowed to, by its code. Whether the user
/// supervises it is `service::list`'s to check (an unknown code and a
/// unit outside the user's supervision are alike not found).
pub(super) async fn unit_filter(state: &AppState, code: &str) -> Result<Option<Unit>, AppError> {
    match code.trim() {
        "" => Ok(None),
        code => match org::unit_by_code(&state.db, code).await? {
            Some(unit) => Ok(Some(unit)),
            None => Err(AppError::NotFound),
        },
    }
}

#[derive(Template)]
#[template(path = "audit/templates/list.html")]
struct AuditPage {
    ctx: PageCtx,
    rows: Vec<ShownRow>,
    params: AuditQuery,
    actions: Vec<(&'static str, &'static str)>,
    units: Vec<Choice>,
    /// The unit filter as the field shows it: `Phường Ba Đình (00004)`.
    unit_shown: String,
    older: Option<String>,
    newest: Option<String>,
    filtered: bool,
    /// The same entries as `.xlsx`.
    export: String,
    /// Why the filters were refused: the form is shown again with it.
    notice: Option<&'static str>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let mut actions = state.registry.audit_actions();
    // The select lists actions by their label, as the user reads them.
    actions.sort_by_cached_key(|(_, key)| crate::text::fold(ctx.t(key)));
    let names: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
    if user.principal.scope(Permission::Supervise).is_empty() {
        return Err(AppError::NotFound);
    }
    let units = picker::choices(&state.db, &user.principal, Permission::Supervise).await?;
    // A filter that does not read shows the form again with what to fix,
    // rather than an error page. An unknown unit and one outside the
    // user's supervision read alike.
    let refused = |ctx: PageCtx, p: AuditQuery, actions, units, key: &str| {
        let page = AuditPage {
            notice: Some(ctx.t(key)),
            ctx,
            rows: Vec::new(),
            unit_shown: p.unit.clone(),
            params: p,
            actions,
            units,
            older: None,
            newest: None,
            filtered: true,
            export: String::new(),
        };
        render_status(StatusCode::BAD_REQUEST, &page)
    };
    let filter = match service::filter(&p.wanted(), &names) {
        Ok(filter) => filter,
        Err(service::AuditError::BadFilter(key)) => return refused(ctx, p, actions, units, key),
        Err(other) => return Err(other.into()),
    };
    let unit_code = picker::code_of(&p.unit, &units);
    let unit = match unit_filter(&state, &unit_code).await {
        Err(AppError::NotFound) => return refused(ctx, p, actions, units, "audit.error.unit"),
        other => other?,
    };
    let page = match service::list(&state.db, &user.principal, unit.as_ref(), &filter, p.after.as_deref()).await {
        Err(service::AuditError::NotFound) if unit.is_some() => {
            return refused(ctx, p, actions, units, "audit.error.unit")
        }
        other => other?,
    };
    // Paging links keep every filter; the unit by its code.
    let unit_param = unit.as_ref().map(|u| u.code.as_str()).unwrap_or_default();
    let link = |after: &str| {
        with_query(
            "/audit",
            &[
                ("user", &p.user),
                ("unit", unit_param),
                ("from", &p.from),
                ("to", &p.to),
                ("action", &p.action),
                ("after", after),
            ],
        )
    };
    let older = page.next.as_deref().map(link);
    let export = with_query(
        "/audit/export.xlsx",
        &[
            ("user", &p.user),
            ("unit", unit_param),
            ("from", &p.from),
            ("to", &p.to),
            ("action", &p.action),
        ],
    );
    let newest = p.after.as_deref().filter(|a| !a.is_empty()).map(|_| link(""));
    let rows = shown_rows(&state, &ctx, page.items).await?;
    let filtered = [&p.user, &p.unit, &p.from, &p.to, &p.action]
        .iter()
        .any(|v| !v.trim().is_empty());
    let unit_shown = match &unit {
        Some(unit) => Choice {
            code: unit.code.clone(),
            name: unit.name.clone(),
            level: unit.level,
            placement: unit.placement,
        }
        .label(),
        None => p.unit.clone(),
    };
    Ok(render(&AuditPage {
        ctx,
        rows,
        params: p,
        actions,
        units,
        unit_shown,
        older,
        newest,
        filtered,
        export,
        notice: None,
    })?
    .into_response())
}
