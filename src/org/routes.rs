//! Pages of the tree: the dashboard of the user's units, and each unit with
//! its children and their counts, plus the supervisors' changes to it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::model::{BranchKind, Level, Unit, UnitCounts};
use super::{service, storage};
use crate::accounts::Permission;
use crate::i18n::Lang;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::page::{number, render, PageCtx};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/units", get(home_unit))
        .route("/units/{code}", get(unit_page))
        .route("/units/{code}/branches", post(create_branch))
        .route("/units/{code}/rename", post(rename))
        .route("/units/{code}/close", post(close))
        .route("/units/{code}/merge", post(merge))
}

/// A unit the user may read; every other code does not exist for them.
pub async fn readable_unit(state: &AppState, user: &CurrentUser, code: &str) -> Result<Unit, AppError> {
    let unit = storage::by_code(&state.db, code).await?.ok_or(AppError::NotFound)?;
    if user.principal.may(Permission::Read, &unit.placement) {
        Ok(unit)
    } else {
        Err(AppError::NotFound)
    }
}

/// A unit with its counts, as shown in the tree.
pub struct UnitRow {
    pub unit: Unit,
    pub counts: UnitCounts,
}

impl UnitRow {
    pub fn branches(&self) -> String {
        number(self.counts.branches)
    }
    pub fn persons(&self) -> String {
        number(self.counts.persons)
    }
}

pub async fn children_with_counts(state: &AppState, unit: &Unit) -> Result<Vec<UnitRow>, AppError> {
    let children = storage::children(&state.db, unit.id).await?;
    let branches = storage::branch_counts_by_child(&state.db, unit).await?;
    let persons = crate::people::storage::counts_by_child(&state.db, unit).await?;
    Ok(children
        .into_iter()
        .map(|child| {
            let counts = UnitCounts {
                branches: branches.get(&child.id).copied().unwrap_or(0),
                persons: persons.get(&child.id).copied().unwrap_or(0),
            };
            UnitRow { unit: child, counts }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "org/templates/dashboard.html")]
struct Dashboard {
    ctx: PageCtx,
    homes: Vec<(crate::accounts::Role, UnitRow)>,
}

async fn dashboard(State(state): State<AppState>, lang: Lang, user: CurrentUser) -> Result<Response, AppError> {
    let mut homes = Vec::new();
    for grant in &user.principal.grants {
        let persons = crate::people::storage::count_in(&state.db, grant.scope()).await?;
        let branches = storage::active_branches_in(&state.db, grant.scope()).await?;
        homes.push((
            grant.role,
            UnitRow {
                unit: grant.unit.clone(),
                counts: UnitCounts { branches, persons },
            },
        ));
    }
    Ok(render(&Dashboard {
        ctx: PageCtx::new(lang, &user, "/"),
        homes,
    })?
    .into_response())
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
    children: Vec<UnitRow>,
    persons: String,
    can_add_branch: bool,
    can_manage: bool,
    can_merge_children: bool,
    branch_kinds: [BranchKind; 5],
}

impl UnitPage {
    fn kind_key(&self, unit: &Unit) -> String {
        format!("unit.kind.{}", unit.kind)
    }
    fn kind_label(&self, unit: &Unit) -> &'static str {
        self.ctx.t(&self.kind_key(unit))
    }
    fn branch_kind_label(&self, kind: &BranchKind) -> &'static str {
        self.ctx.t(&format!("unit.kind.{}", kind.as_str()))
    }
}

async fn unit_page(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    let parent = match unit.parent_id {
        Some(id) => storage::by_id(&state.db, id)
            .await?
            .filter(|p| user.principal.may(Permission::Read, &p.placement)),
        None => None,
    };
    let merged_into = match unit.merged_into_id {
        Some(id) => storage::by_id(&state.db, id).await?,
        None => None,
    };
    let absorbed = storage::merged_into(&state.db, unit.id).await?;
    let children = children_with_counts(&state, &unit).await?;
    let persons = number(crate::people::storage::count_in(&state.db, unit.scope()).await?);
    let p = &user.principal;
    let page = UnitPage {
        ctx: PageCtx::new(lang, &user, &format!("/units/{}", unit.code)),
        can_add_branch: unit.level == Level::Commune && unit.is_active() && p.may(Permission::Write, &unit.placement),
        can_manage: unit.is_active() && p.may_manage_unit(&unit),
        can_merge_children: unit.level != Level::Commune && p.may(Permission::Supervise, &unit.placement),
        unit,
        parent,
        merged_into,
        absorbed,
        children,
        persons,
        branch_kinds: BranchKind::ALL,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
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
    let commune = readable_unit(&state, &user, &code).await?;
    let branch = service::create_branch(&state.db, &user.principal, &commune, &f.name, &f.kind).await?;
    Ok(Redirect::to(&format!("/units/{}", branch.code)).into_response())
}

#[derive(Deserialize)]
struct RenameForm {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<RenameForm>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    service::rename(&state.db, &user.principal, &unit, &f.name).await?;
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    service::close(&state.db, &user.principal, &unit).await?;
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

#[derive(Deserialize)]
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
    readable_unit(&state, &user, &code).await?;
    let target = readable_unit(&state, &user, f.target.trim()).await?;
    let sources: Vec<String> = f.sources.split([',', ' ', ';']).map(str::to_owned).collect();
    let options = service::MergeOptions {
        move_grants: f.move_grants.is_some(),
    };
    service::merge(&state.db, &user.principal, &target, &sources, options).await?;
    Ok(Redirect::to(&format!("/units/{}", target.code)).into_response())
}
