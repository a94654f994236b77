//! Pages of the tree: the dashboard of the user's units, and each unit with
//! its children and their counts, plus the supervisors' changes to it.

use crate::web::extract::Path;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{BranchKind, Level, Unit};
use super::service::{self, count_key, Counts, MergeOptions};
use super::{Counter, OrgError};
use crate::access::{Permission, Role};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::page::{number, render, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/", dashboard)
        .get("/units", home_unit)
        .get("/units/{unit}", unit_page)
        .post("/units/{unit}/branches", create_branch)
        .post("/units/{unit}/rename", rename)
        .post("/units/{unit}/close", close)
        .post("/units/{unit}/merge", merge)
}

/// A count as a page shows it: label, number and where the records are listed.
pub struct CountCell {
    pub label: &'static str,
    pub value: String,
    pub link: String,
}

fn cells(ctx: &PageCtx, counters: &[Counter], counts: &Counts, unit: &Unit) -> Vec<CountCell> {
    counters
        .iter()
        .map(|c| CountCell {
            label: ctx.t(c.label_key),
            value: number(counts.get(c.name, count_key(unit))),
            link: format!("{}?unit={}", c.list_path, unit.code),
        })
        .collect()
}

/// A unit with its counts, as shown in the tree.
pub struct UnitRow {
    pub unit: Unit,
    pub branches: String,
    pub counts: Vec<CountCell>,
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
        homes.push((
            grant.role,
            UnitRow {
                branches: number(counts.branches(count_key(&grant.unit))),
                counts: cells(&ctx, &counters, &counts, &grant.unit),
                unit: grant.unit.clone(),
            },
        ));
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
    parent: Option<Unit>,
    merged_into: Option<Unit>,
    absorbed: Vec<Unit>,
    counts: Vec<CountCell>,
    counter_labels: Vec<&'static str>,
    children: Vec<UnitRow>,
    can_add_branch: bool,
    can_manage: bool,
    can_merge_children: bool,
    branch_kinds: [BranchKind; 5],
}

impl UnitPage {
    fn kind_label(&self, unit: &Unit) -> &'static str {
        self.ctx.t(&format!("unit.kind.{}", unit.kind))
    }
    fn branch_kind_label(&self, kind: &BranchKind) -> &'static str {
        self.ctx.t(&format!("unit.kind.{}", kind.as_str()))
    }
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
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
    let counters = state.registry.counters();
    let counts = service::counts(&state.db, &counters, &unit, &children).await?;
    let rows = children
        .into_iter()
        .map(|child| UnitRow {
            branches: number(counts.branches(count_key(&child))),
            counts: cells(&ctx, &counters, &counts, &child),
            unit: child,
        })
        .collect();
    let page = UnitPage {
        counts: cells(&ctx, &counters, &counts, &unit),
        counter_labels: counters.iter().map(|c| ctx.t(c.label_key)).collect(),
        can_add_branch: unit.level == Level::Commune && unit.is_active() && p.may(Permission::Write, &unit.placement),
        can_manage: unit.is_active() && p.manage(&unit).is_some(),
        can_merge_children: unit.level != Level::Branch && p.may(Permission::Supervise, &unit.placement),
        ctx,
        unit,
        parent,
        merged_into,
        absorbed,
        children: rows,
        branch_kinds: BranchKind::ALL,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct BranchForm {
    name: String,
    kind: String,
}

async fn create_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<BranchForm>,
) -> Result<Response, AppError> {
    let commune = service::readable_unit(&state.db, &user.principal, &code).await?;
    let branch = service::create_branch(&state.db, &user.principal, &commune, &f.name, &f.kind).await?;
    Ok(Redirect::to(&format!("/units/{}", branch.code)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RenameForm {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<RenameForm>,
) -> Result<Response, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    service::rename(&state.db, &user.principal, &unit, &f.name).await?;
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    service::close(&state.db, &user.principal, &unit).await?;
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct MergeForm {
    /// The unit that remains.
    target: String,
    /// Codes of the units merged into it, separated by commas or spaces.
    sources: String,
    /// A checkbox: present when roles move to the surviving unit.
    move_grants: Option<String>,
}

async fn merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    service::readable_unit(&state.db, &user.principal, &code).await?;
    let target = match service::readable_unit(&state.db, &user.principal, f.target.trim()).await {
        Err(OrgError::NotFound) => Err(AppError::bad_request_with(
            "error.unknown_unit",
            &[("code", f.target.trim())],
        )),
        other => other.map_err(AppError::from),
    }?;
    let sources: Vec<String> = f.sources.split([',', ' ', ';']).map(str::to_owned).collect();
    let options = MergeOptions {
        move_grants: f.move_grants.is_some(),
    };
    service::merge(
        &state.db,
        &user.principal,
        state.registry.placed_tables(),
        &target,
        &sources,
        options,
    )
    .await?;
    Ok(Redirect::to(&format!("/units/{}", target.code)).into_response())
}
