//! `/api/v1/audit`: the entries of the supervised subtree.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::Entry;
use super::routes::AuditQuery;
use super::service;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::openapi::ReadErrors;
use crate::web::paging::Page;
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// The audit entries of the units the caller supervises, newest first
/// (administrators only; others get 404), narrowed by `user`, `unit`,
/// `from`/`to` and `action`; a filter that does not read is a 400.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "OK", body = Page<Entry>), ReadErrors))]
async fn list_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<AuditQuery>,
) -> Result<Json<Page<Entry>>, AppError> {
    let actions = state.registry.audit_actions();
    let names: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
    let filter = service::filter(&p.wanted(), &names)?;
    let unit = super::routes::unit_filter(&state, &p.unit).await?;
    Ok(Json(
        service::list(&state.db, &user.principal, unit.as_ref(), &filter, p.after.as_deref()).await?,
    ))
}
