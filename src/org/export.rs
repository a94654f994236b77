//! A unit's children as `.xlsx`: code, name, kind, status, branches, each
//! counter, and by sex and age band — what the unit page shows, for the
//! spreadsheets offices send upward.

use axum::extract::State;
use axum::response::Response;

use super::demography::band_label;
use super::routes::{counter_label, YearQuery};
use super::service::{self, count_key};
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{Path, Query};
use crate::web::page::{capitalised, PageCtx};
use crate::web::AppState;

pub(super) async fn children_xlsx(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(when): Query<YearQuery>,
) -> Result<Response, AppError> {
    let year = when.year_on_page()?;
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    let children = service::children(&state.db, &unit).await?;
    let counters = state.registry.counters();
    let counts = service::counts(&state.db, &counters, &unit, &children, year).await?;
    let demography = service::demographics(&state.db, &counters, &unit, &children).await?;
    let mut columns = vec![
        Column::new(ctx.t("unit.code"), ColumnType::Text, 10.0),
        Column::new(ctx.t("unit.name"), ColumnType::Text, 32.0),
        Column::new(ctx.t("unit.kind"), ColumnType::Text, 16.0),
        Column::new(ctx.t("unit.status"), ColumnType::Text, 20.0),
        Column::new(capitalised(ctx.t("dashboard.branches")), ColumnType::Number, 10.0),
    ];
    for counter in &counters {
        columns.push(Column::new(
            counter_label(&ctx, counter, year),
            ColumnType::Number,
            10.0,
        ));
    }
    for (counter, _) in &demography {
        let what = capitalised(ctx.t(counter.label_key));
        columns.push(Column::new(
            format!("{what}: {}", ctx.t("person.sex.male")),
            ColumnType::Number,
            10.0,
        ));
        columns.push(Column::new(
            format!("{what}: {}", ctx.t("person.sex.female")),
            ColumnType::Number,
            10.0,
        ));
        for band in 0..8 {
            columns.push(Column::new(
                format!("{what}: {}", band_label(band)),
                ColumnType::Number,
                10.0,
            ));
        }
        columns.push(Column::new(
            format!("{what}: {}", ctx.t("demography.unknown")),
            ColumnType::Number,
            12.0,
        ));
    }
    let targets: Vec<i64> = children.iter().filter_map(|c| c.merged_into_id).collect();
    let merged = service::units_by_ids(&state.db, &targets).await?;
    let rows: Vec<Vec<Value>> = children
        .iter()
        .map(|child| {
            let key = count_key(child);
            let into = child.merged_into_id.and_then(|id| merged.iter().find(|m| m.id == id));
            let mut row = vec![
                Value::from(child.code.clone()),
                Value::from(child.name.clone()),
                Value::from(ctx.t(&format!("unit.kind.{}", child.kind)).to_owned()),
                Value::from(child.status_text(ctx.lang, into).unwrap_or_default()),
                Value::Number(counts.branches(key) as f64),
            ];
            for counter in &counters {
                row.push(Value::Number(counts.get(counter.name, key) as f64));
            }
            for (_, by_unit) in &demography {
                let d = by_unit.get(&key).cloned().unwrap_or_default();
                row.push(Value::Number(d.males() as f64));
                row.push(Value::Number(d.females() as f64));
                for band in 0..8 {
                    row.push(Value::Number(d.band(band) as f64));
                }
                row.push(Value::Number(d.unknown() as f64));
            }
            row
        })
        .collect();
    let sheet: String = unit
        .name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let file = format!("don-vi-{}.xlsx", unit.code);
    xlsx::download(&file, move |path| xlsx::write(path, &sheet, &columns, rows.into_iter())).await
}
