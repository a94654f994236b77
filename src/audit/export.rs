//! The audit view as `.xlsx`: the entries the supervisor sees with the
//! same filters, newest first, read as the page reads them (one row per
//! entry: when, who, from which unit, action, record, what changed).

use axum::extract::State;
use axum::response::Response;

use super::routes::{unit_filter, AuditQuery};
use super::service;
use super::shown::{shown_rows, ShownRow};
use crate::access::Permission;
use crate::org::picker;
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::page::PageCtx;
use crate::web::AppState;

/// Entries of one export at most.
const EXPORT_LIMIT: usize = 200_000;

fn values(text: &[super::model::ShownValue]) -> String {
    text.iter().map(|v| v.text.as_str()).collect::<Vec<_>>().join(", ")
}

fn changes(row: &ShownRow) -> String {
    row.fields
        .iter()
        .map(|f| match (f.old.is_empty(), f.new.is_empty()) {
            (true, _) => format!("{}: {}", f.label, values(&f.new)),
            (false, true) => format!("{}: {}", f.label, values(&f.old)),
            (false, false) => format!("{}: {} → {}", f.label, values(&f.old), values(&f.new)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) async fn xlsx(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let actions = state.registry.audit_actions();
    let names: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
    let filter = service::filter(&p.wanted(), &names)?;
    let units = picker::choices(&state.db, &user.principal, Permission::Supervise).await?;
    let unit = unit_filter(&state, &picker::code_of(&p.unit, &units)).await?;
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = service::list(&state.db, &user.principal, unit.as_ref(), &filter, after.as_deref()).await?;
        for row in shown_rows(&state, &ctx, page.items).await? {
            rows.push(vec![
                Value::from(row.when.clone()),
                Value::from(row.entry.username.clone()),
                Value::from(row.entry.actor_unit_name.clone()),
                Value::from(ctx.t(row.action).to_owned()),
                Value::from(crate::web::page::capitalised(ctx.t(row.entity))),
                Value::from(row.record.text.clone()),
                Value::from(changes(&row)),
            ]);
        }
        match page.next {
            Some(next) if rows.len() < EXPORT_LIMIT => after = Some(next),
            _ => break,
        }
    }
    let columns = vec![
        Column::new(ctx.t("audit.when"), ColumnType::Text, 17.0),
        Column::new(ctx.t("audit.who"), ColumnType::Text, 16.0),
        Column::new(ctx.t("audit.unit"), ColumnType::Text, 24.0),
        Column::new(ctx.t("audit.action"), ColumnType::Text, 16.0),
        Column::new(ctx.t("audit.entity"), ColumnType::Text, 14.0),
        Column::new(ctx.t("audit.record"), ColumnType::Text, 28.0),
        Column::new(ctx.t("audit.changes"), ColumnType::Text, 80.0),
    ];
    let sheet = ctx.t("audit.sheet");
    xlsx::download("nhat-ky.xlsx", move |path| {
        xlsx::write(path, sheet, &columns, rows.into_iter())
    })
    .await
}
