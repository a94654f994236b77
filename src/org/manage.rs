//! The supervisors' forms on a unit page: open a branch, rename, close and
//! merge. Closing and merging first show a confirmation that names the
//! units and what they hold (`web::confirm`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::Unit;
use super::service::{self, count_key, MergeOptions};
use super::OrgError;
use crate::i18n;
use crate::web::auth::CurrentUser;
use crate::web::confirm::{self, Confirm};
use crate::web::error::AppError;
use crate::web::extract::{Form, Path};
use crate::web::page::{number, PageCtx};
use crate::web::AppState;

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(super) struct BranchForm {
    name: String,
    kind: String,
}

pub(super) async fn create_branch(
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
pub(super) struct RenameForm {
    name: String,
}

pub(super) async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(f): Form<RenameForm>,
) -> Result<Response, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    service::rename(&state.db, &user.principal, &unit, &f.name).await?;
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

/// What the records below `units` amount to, one line per counter and one
/// for their branches ("1.234 người", "12 chi hội").
async fn holdings(state: &AppState, ctx: &PageCtx, units: &[Unit]) -> Result<Vec<String>, AppError> {
    let counters = state.registry.counters();
    let mut totals = vec![0i64; counters.len()];
    let mut branches = 0;
    for unit in units {
        let counts = service::counts_of(&state.db, &counters, unit).await?;
        for (total, counter) in totals.iter_mut().zip(&counters) {
            *total += counts.get(counter.name, count_key(unit));
        }
        branches += counts.branches(count_key(unit));
    }
    // Counts of a year's events are not records the unit holds.
    let mut lines: Vec<String> = counters
        .iter()
        .zip(totals)
        .filter(|(c, _)| !c.per_year())
        .map(|(c, n)| format!("{} {}", number(n), ctx.t(c.label_key)))
        .collect();
    if branches > 0 {
        lines.push(format!("{} {}", number(branches), ctx.t("dashboard.branches")));
    }
    Ok(lines)
}

/// "Giải thể Chi hội Tổ 5?": what closing touches, or why it cannot be done.
pub(super) async fn close_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    if user.principal.manage(&unit).is_none() {
        return Err(OrgError::Forbidden.into());
    }
    if !unit.is_active() {
        return Err(OrgError::Inactive(unit.code).into());
    }
    let active_children = service::children(&state.db, &unit)
        .await?
        .iter()
        .filter(|c| c.is_active())
        .count();
    let held = holdings(&state, &ctx, std::slice::from_ref(&unit)).await?;
    let mut consequences = vec![i18n::t_with(
        ctx.lang,
        "unit.close_holds",
        &[("what", &held.join(", "))],
    )];
    consequences.push(ctx.t("unit.close_hint").to_owned());
    let blocked = (active_children > 0).then(|| {
        i18n::t_with(
            ctx.lang,
            "unit.close_blocked",
            &[("count", &number(active_children as i64))],
        )
    });
    let question = i18n::t_with(ctx.lang, "unit.close_question", &[("name", &unit.name)]);
    let confirm_label = ctx.t("unit.close_confirm").to_owned();
    confirm::page(
        ctx,
        Confirm {
            question,
            consequences,
            blocked,
            action: format!("/units/{}/close", unit.code),
            fields: Vec::new(),
            confirm_label,
            cancel: format!("/units/{}", unit.code),
        },
    )
}

pub(super) async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    service::close(&state.db, &user.principal, &unit).await?;
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

/// The merge form: the unit that remains (`target`), the units merged
/// into it (`sources`: ticked boxes, each a code, or codes separated by
/// commas or spaces), `move_grants` when roles move to the survivor, and
/// `confirm` once the user has seen the confirmation.
struct MergeForm {
    target: String,
    sources: Vec<String>,
    move_grants: bool,
    confirm: bool,
}

impl MergeForm {
    fn read(pairs: Vec<(String, String)>) -> Result<MergeForm, AppError> {
        let mut form = MergeForm {
            target: String::new(),
            sources: Vec::new(),
            move_grants: false,
            confirm: false,
        };
        for (name, value) in pairs {
            match name.as_str() {
                "target" => form.target = value,
                "sources" => form.sources.extend(
                    value
                        .split([',', ' ', ';'])
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned),
                ),
                "move_grants" => form.move_grants = true,
                "confirm" => form.confirm = true,
                other => {
                    return Err(AppError::bad_request_with(
                        "error.form",
                        &[("detail", &format!("unknown field `{other}`"))],
                    ))
                }
            }
        }
        Ok(form)
    }
}

pub(super) async fn merge(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = MergeForm::read(pairs)?;
    let here = service::readable_unit(&state.db, &user.principal, &code).await?;
    let options = MergeOptions {
        move_grants: f.move_grants,
    };
    let codes = f.sources;
    let checked = async {
        let target = match service::readable_unit(&state.db, &user.principal, f.target.trim()).await {
            Err(OrgError::NotFound) if f.target.trim().is_empty() => {
                Err(AppError::bad_request("error.merge_no_target"))
            }
            Err(OrgError::NotFound) => Err(AppError::bad_request_with(
                "error.unknown_unit",
                &[("code", f.target.trim())],
            )),
            other => other.map_err(AppError::from),
        }?;
        let sources = service::merge_sources(&state.db, &user.principal, &target, &codes).await?;
        Ok::<_, AppError>((target, sources))
    };
    let (target, sources) = match checked.await {
        Ok(found) => found,
        // A choice the user can fix: said on the merge's own page, with
        // the way back to the form.
        Err(e @ AppError::BadRequest { .. }) => return merge_refused(ctx, &here, &e),
        Err(e) => return Err(e),
    };
    if !f.confirm {
        return merge_confirm(&state, ctx, &here, &target, &sources, options).await;
    }
    service::merge(
        &state.db,
        &user.principal,
        state.registry.placed_tables(),
        &target,
        &codes,
        options,
    )
    .await?;
    Ok(Redirect::to(&format!("/units/{}", target.code)).into_response())
}

/// The merge cannot be done as chosen: why, and the way back.
fn merge_refused(ctx: PageCtx, here: &Unit, error: &AppError) -> Result<Response, AppError> {
    let blocked = Some(error.message(ctx.lang));
    let question = ctx.t("unit.merge").to_owned();
    let mut page = confirm::page(
        ctx,
        Confirm {
            question,
            consequences: Vec::new(),
            blocked,
            action: String::new(),
            fields: Vec::new(),
            confirm_label: String::new(),
            cancel: format!("/units/{}#merge", here.code),
        },
    )?;
    *page.status_mut() = error.status();
    Ok(page)
}

/// "Sáp nhập Phường A, Phường B vào Phường C?" with what moves.
async fn merge_confirm(
    state: &AppState,
    ctx: PageCtx,
    here: &Unit,
    target: &Unit,
    sources: &[Unit],
    options: MergeOptions,
) -> Result<Response, AppError> {
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    let held = holdings(state, &ctx, sources).await?;
    let question = i18n::t_with(
        ctx.lang,
        "unit.merge_question",
        &[("sources", &names.join(", ")), ("target", &target.name)],
    );
    let grants_key = if options.move_grants {
        "unit.merge_grants_move"
    } else {
        "unit.merge_grants_stay"
    };
    let consequences = vec![
        i18n::t_with(
            ctx.lang,
            "unit.merge_moves",
            &[("what", &held.join(", ")), ("target", &target.name)],
        ),
        ctx.t("unit.merge_hint").to_owned(),
        ctx.t(grants_key).to_owned(),
    ];
    let mut fields: Vec<(String, String)> = sources.iter().map(|s| ("sources".to_owned(), s.code.clone())).collect();
    fields.push(("target".to_owned(), target.code.clone()));
    if options.move_grants {
        fields.push(("move_grants".to_owned(), "1".to_owned()));
    }
    fields.push(("confirm".to_owned(), "1".to_owned()));
    let confirm_label = ctx.t("unit.merge_confirm").to_owned();
    confirm::page(
        ctx,
        Confirm {
            question,
            consequences,
            blocked: None,
            action: format!("/units/{}/merge", here.code),
            fields,
            confirm_label,
            cancel: format!("/units/{}", here.code),
        },
    )
}
