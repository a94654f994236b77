//! Pages of the tree: the dashboard of the user's units, and each unit with
//! its children and their counts, plus the supervisors' changes to it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::demography::{band_label, Demography};
use super::manage;
use super::model::{BranchKind, Level, Unit};
use super::service::{self, count_key, Counts};
use super::Counter;
use crate::access::{Permission, Role};
use crate::text;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{Path, Query};
use crate::web::list::{window, with_query, Column, ListParams, Window};
use crate::web::page::{capitalised, number, render, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/", dashboard)
        .get("/units", home_unit)
        .get("/units/{unit}", unit_page)
        .get("/units/{unit}/children.xlsx", super::export::children_xlsx)
        .post("/units/{unit}/branches", manage::create_branch)
        .post("/units/{unit}/rename", manage::rename)
        .get("/units/{unit}/close", manage::close_confirm)
        .post("/units/{unit}/close", manage::close)
        .post("/units/{unit}/merge", manage::merge)
}

/// A count as a page shows it: label, number and where the records are listed.
pub struct CountCell {
    pub label: String,
    pub value: String,
    pub link: String,
}

/// Where a count's records are listed: its list in the unit, and for a
/// count of a year's events, narrowed to that year (`&year=`).
fn counter_link(counter: &Counter, code: &str, year: i64) -> String {
    let sep = if counter.list_path.contains('?') { '&' } else { '?' };
    let mut link = format!("{}{sep}unit={code}", counter.list_path);
    if counter.per_year() {
        link.push_str(&format!("&year={year}"));
    }
    link
}

/// A counter's name as pages and files show it: with the year for counts
/// of a year's events ("Hội viên mới năm 2025").
pub(super) fn counter_label(ctx: &PageCtx, counter: &Counter, year: i64) -> String {
    let what = capitalised(ctx.t(counter.label_key));
    if counter.per_year() {
        crate::i18n::t_with(
            ctx.lang,
            "counter.in_year",
            &[("what", &what), ("year", &year.to_string())],
        )
    } else {
        what
    }
}

fn cells(ctx: &PageCtx, counters: &[Counter], counts: &Counts, unit: &Unit, year: i64) -> Vec<CountCell> {
    counters
        .iter()
        .map(|c| CountCell {
            label: counter_label(ctx, c, year),
            value: number(counts.get(c.name, count_key(unit))),
            link: counter_link(c, &unit.code, year),
        })
        .collect()
}

/// The years offered for counts of events: the last ten, and the one
/// asked for when it is older (newest first).
fn years_offered(chosen: i64) -> Vec<i64> {
    let this_year = crate::calendar::this_year();
    let mut years: Vec<i64> = (0..10).map(|back| this_year - back).collect();
    if !years.contains(&chosen) {
        years.push(chosen);
    }
    years
}

/// The year whose events a unit's counts show.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct YearQuery {
    /// Counts of events (members who joined or left, cadres trained) are
    /// those of this year, 1900 to the current one; the current one when absent.
    pub year: String,
}

impl YearQuery {
    pub fn year(&self) -> Result<i64, AppError> {
        service::events_year(&self.year)
            .ok_or_else(|| AppError::Validation(crate::validation::field_error("year", "unit.error.year")))
    }

    /// The same for a page, whose error page tells what is wrong (no form
    /// field to mark).
    pub fn year_on_page(&self) -> Result<i64, AppError> {
        service::events_year(&self.year).ok_or_else(|| AppError::bad_request("unit.error.year"))
    }
}

/// A unit with its counts, as shown in the tree.
pub struct UnitRow {
    pub unit: Unit,
    /// "Đã giải thể", "Đã sáp nhập vào …"; none while active.
    pub status: Option<String>,
    pub branch_count: i64,
    pub branches: String,
    pub values: Vec<i64>,
    pub counts: Vec<CountCell>,
}

impl UnitRow {
    fn is_empty(&self) -> bool {
        self.branch_count == 0 && self.values.iter().all(|v| *v == 0)
    }
}

fn row(ctx: &PageCtx, counters: &[Counter], counts: &Counts, unit: Unit, merged: &[Unit], year: i64) -> UnitRow {
    let target = unit.merged_into_id.and_then(|id| merged.iter().find(|m| m.id == id));
    let branch_count = counts.branches(count_key(&unit));
    UnitRow {
        status: unit.status_text(ctx.lang, target),
        branches: number(branch_count),
        branch_count,
        values: counters.iter().map(|c| counts.get(c.name, count_key(&unit))).collect(),
        counts: cells(ctx, counters, counts, &unit, year),
        unit,
    }
}

#[derive(Template)]
#[template(path = "org/templates/dashboard.html")]
struct Dashboard {
    ctx: PageCtx,
    homes: Vec<(Role, UnitRow)>,
}

async fn dashboard(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    let counters = state.registry.counters();
    let mut homes = Vec::new();
    for grant in user.principal.grants() {
        let counts = service::counts_of(&state.db, &counters, &grant.unit).await?;
        let year = crate::calendar::this_year();
        homes.push((grant.role, row(&ctx, &counters, &counts, grant.unit.clone(), &[], year)));
    }
    Ok(render(&Dashboard { ctx, homes })?.into_response())
}

async fn home_unit(user: CurrentUser) -> Result<Response, AppError> {
    let home = user.principal.home().ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/units/{}", home.unit.code)).into_response())
}

#[derive(Template)]
#[template(path = "org/templates/unit.html")]
struct UnitPage {
    ctx: PageCtx,
    unit: Unit,
    status: Option<String>,
    parent: Option<Unit>,
    merged_into: Option<Unit>,
    absorbed: Vec<Unit>,
    counts: Vec<CountCell>,
    list: ListParams,
    children: Window<UnitRow>,
    can_add_branch: bool,
    can_manage: bool,
    /// Active children that may be merged into one another (two or more).
    mergeable: Vec<Unit>,
    branch_kinds: [BranchKind; 5],
    /// By sex and age band, per counter that declares it.
    demography: Vec<DemographyView>,
    /// The years a user may choose for counts of events (none without such counters).
    years: Vec<i64>,
    year: i64,
    /// `year` when it is not this one, for the page's own links and forms.
    year_param: Option<String>,
}

/// One counter's counts by sex and age band: the unit's pyramid, and a
/// row for the unit and for each child that holds any.
struct DemographyView {
    title: String,
    svg: String,
    bands: Vec<String>,
    rows: Vec<(Option<String>, String, Demography)>,
}

fn demography_views(
    ctx: &PageCtx,
    unit: &Unit,
    children: &[Unit],
    found: Vec<(Counter, HashMap<Option<i64>, Demography>)>,
) -> Vec<DemographyView> {
    found
        .into_iter()
        .map(|(counter, by_unit)| {
            let own = by_unit.get(&count_key(unit)).cloned().unwrap_or_default();
            let title = format!(
                "{} · {}",
                capitalised(ctx.t(counter.label_key)),
                ctx.t("demography.title")
            );
            let mut rows = vec![(None, unit.name.clone(), own.clone())];
            for child in children {
                if let Some(d) = by_unit.get(&count_key(child)).filter(|d| d.males() + d.females() > 0) {
                    rows.push((Some(child.code.clone()), child.name.clone(), d.clone()));
                }
            }
            DemographyView {
                svg: own.pyramid_svg(
                    &format!("{title}: {}", unit.name),
                    ctx.t("person.sex.male"),
                    ctx.t("person.sex.female"),
                ),
                title,
                bands: (0..8).map(band_label).collect(),
                rows,
            }
        })
        .collect()
}

impl UnitPage {
    fn n(&self, value: i64) -> String {
        number(value)
    }
    fn kind_label(&self, unit: &Unit) -> &'static str {
        self.ctx.t(&format!("unit.kind.{}", unit.kind))
    }
    fn branch_kind_label(&self, kind: &BranchKind) -> &'static str {
        self.ctx.t(&format!("unit.kind.{}", kind.as_str()))
    }
}

/// The columns of a unit's children: code, name, branches, then each counter.
fn child_columns(ctx: &PageCtx, counters: &[Counter], year: i64) -> Vec<Column<UnitRow>> {
    let mut columns: Vec<Column<UnitRow>> = vec![
        Column {
            key: "code",
            label: ctx.t("unit.code").to_owned(),
            numeric: false,
            compare: Box::new(|a: &UnitRow, b: &UnitRow| a.unit.code.cmp(&b.unit.code)),
        },
        Column {
            key: "name",
            label: ctx.t("unit.name").to_owned(),
            numeric: false,
            compare: Box::new(|a: &UnitRow, b: &UnitRow| {
                (text::fold(&a.unit.name), &a.unit.code).cmp(&(text::fold(&b.unit.name), &b.unit.code))
            }),
        },
        Column {
            key: "branches",
            label: capitalised(ctx.t("dashboard.branches")),
            numeric: true,
            compare: Box::new(|a: &UnitRow, b: &UnitRow| {
                (a.branch_count, &a.unit.code).cmp(&(b.branch_count, &b.unit.code))
            }),
        },
    ];
    for (i, counter) in counters.iter().enumerate() {
        columns.push(Column {
            key: counter.name,
            label: counter_label(ctx, counter, year),
            numeric: true,
            compare: Box::new(move |a: &UnitRow, b: &UnitRow| {
                (a.values.get(i), &a.unit.code).cmp(&(b.values.get(i), &b.unit.code))
            }),
        });
    }
    columns
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(list): Query<ListParams>,
    Query(when): Query<YearQuery>,
) -> Result<Response, AppError> {
    let year = when.year_on_page()?;
    let p = &user.principal;
    let unit = service::readable_unit(&state.db, p, &code).await?;
    let parent = match unit.parent_id {
        Some(id) => service::unit_by_id(&state.db, id)
            .await?
            .filter(|parent| p.may(Permission::Read, &parent.placement)),
        None => None,
    };
    let merged_into = match unit.merged_into_id {
        Some(id) => service::unit_by_id(&state.db, id).await?,
        None => None,
    };
    let absorbed = service::absorbed(&state.db, &unit).await?;
    let children = service::children(&state.db, &unit).await?;
    let targets: Vec<i64> = children.iter().filter_map(|c| c.merged_into_id).collect();
    let merged = service::units_by_ids(&state.db, &targets).await?;
    let counters = state.registry.counters();
    let counts = service::counts(&state.db, &counters, &unit, &children, year).await?;
    let found = service::demographics(&state.db, &counters, &unit, &children).await?;
    let demography = demography_views(&ctx, &unit, &children, found);
    let can_supervise = unit.level != Level::Branch && p.may(Permission::Supervise, &unit.placement);
    let mut mergeable: Vec<Unit> = children
        .iter()
        .filter(|c| can_supervise && c.is_active())
        .cloned()
        .collect();
    if mergeable.len() < 2 {
        mergeable.clear();
    }
    mergeable.sort_by_key(|u| text::fold(&u.name));
    let rows: Vec<UnitRow> = children
        .into_iter()
        .map(|child| row(&ctx, &counters, &counts, child, &merged, year))
        .collect();
    // Another year than this one is kept across sorting and paging.
    let year_param = (year != crate::calendar::this_year()).then(|| year.to_string());
    let base = with_query(
        &format!("/units/{}", unit.code),
        &[("year", year_param.as_deref().unwrap_or(""))],
    );
    let columns = child_columns(&ctx, &counters, year);
    let children = window(
        rows,
        &list,
        &base,
        &columns,
        |r| format!("{} {}", r.unit.code, r.unit.name),
        UnitRow::is_empty,
    );
    let page = UnitPage {
        status: unit.status_text(ctx.lang, merged_into.as_ref()),
        counts: cells(&ctx, &counters, &counts, &unit, year),
        years: if counters.iter().any(Counter::per_year) {
            years_offered(year)
        } else {
            Vec::new()
        },
        year,
        year_param,
        can_add_branch: unit.level == Level::Commune && unit.is_active() && p.may(Permission::Write, &unit.placement),
        can_manage: unit.is_active() && p.manage(&unit).is_some(),
        ctx,
        unit,
        parent,
        merged_into,
        absorbed,
        list,
        children,
        mergeable,
        branch_kinds: BranchKind::ALL,
        demography,
    };
    Ok(render(&page)?.into_response())
}
