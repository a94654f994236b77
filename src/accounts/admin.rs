//! Account administration pages: the list, a new account, an account's
//! roles (granted by picking a unit by name; revoked after a
//! confirmation), its state, password and held log-ins.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::service::{self, NewAccount};
use super::{Account, AccountError};
use crate::access::{Permission, Role};
use crate::i18n;
use crate::org::picker::{self, Choice};
use crate::text;
use crate::web::auth::CurrentUser;
use crate::web::confirm::{self, Confirm};
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::list::{window, Column, ListParams, Window};
use crate::web::page::{render, render_status, FormState, PageCtx};
use crate::web::AppState;

/// Units an administrator may name in a role: where they supervise.
async fn unit_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    Ok(picker::choices(&state.db, &user.principal, Permission::Supervise).await?)
}

#[derive(Template)]
#[template(path = "accounts/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListParams,
    accounts: Window<Account>,
}

/// Accounts sort by username, display name or state.
fn columns(ctx: &PageCtx) -> Vec<Column<Account>> {
    vec![
        Column {
            key: "username",
            label: ctx.t("login.username").to_owned(),
            numeric: false,
            compare: Box::new(|a: &Account, b: &Account| a.username.cmp(&b.username)),
        },
        Column {
            key: "name",
            label: ctx.t("accounts.display_name").to_owned(),
            numeric: false,
            compare: Box::new(|a: &Account, b: &Account| {
                (text::fold(&a.display_name), &a.username).cmp(&(text::fold(&b.display_name), &b.username))
            }),
        },
        Column {
            key: "status",
            label: ctx.t("accounts.status").to_owned(),
            numeric: false,
            compare: Box::new(|a: &Account, b: &Account| (!a.active, &a.username).cmp(&(!b.active, &b.username))),
        },
    ]
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(list): Query<ListParams>,
) -> Result<Response, AppError> {
    let all = service::list(&state.db, &user.principal).await?;
    let haystack = |a: &Account| {
        let units: Vec<&str> = a.grants.iter().map(|g| g.unit.name.as_str()).collect();
        format!("{} {} {}", a.username, a.display_name, units.join(" "))
    };
    let accounts = window(all, &list, "/accounts", &columns(&ctx), haystack, |_| false);
    Ok(render(&ListPage { ctx, list, accounts })?.into_response())
}

#[derive(Template)]
#[template(path = "accounts/templates/new.html")]
struct NewPage {
    ctx: PageCtx,
    form: FormState,
    roles: [Role; 3],
    units: Vec<Choice>,
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<Response, AppError> {
    service::list(&state.db, &user.principal).await?;
    let units = unit_choices(&state, &user).await?;
    let home = user.principal.home().map(|g| g.unit.code.clone()).unwrap_or_default();
    let form = FormState::new(ctx.lang).with_values([
        ("role", Role::Viewer.as_str().to_owned()),
        ("unit_code", picker::shown(&home, &units)),
    ]);
    Ok(render(&NewPage {
        ctx,
        form,
        roles: Role::ALL,
        units,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(super) struct CreateForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    unit_code: String,
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    service::list(&state.db, &user.principal).await?;
    let units = unit_choices(&state, &user).await?;
    let values = [
        ("username", f.username.clone()),
        ("display_name", f.display_name.clone()),
        ("role", f.role.clone()),
        ("unit_code", f.unit_code.clone()),
    ];
    let new = NewAccount {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        role: f.role,
        unit_code: picker::code_of(&f.unit_code, &units),
    };
    match service::create(&state.db, &user.principal, new).await {
        Ok(id) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let form = FormState::new(ctx.lang).with_values(values).with_error(&e);
            render_status(
                e.status(),
                &NewPage {
                    ctx,
                    form,
                    roles: Role::ALL,
                    units,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    account: Account,
    form: FormState,
    roles: [Role; 3],
    units: Vec<Choice>,
    held: bool,
}

pub(super) async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let account = service::manageable(&state.db, &user.principal, id).await?;
    let held = service::logins_held(&state.db, &account).await?;
    let page = DetailPage {
        ctx,
        account,
        form,
        roles: Role::ALL,
        units: unit_choices(state, user).await?,
        held,
    };
    render_status(status, &page)
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let form = FormState::new(ctx.lang);
    show_detail(&state, ctx, &user, record_id(&id)?, form, StatusCode::OK).await
}

/// After an account change: back to the account page, or the page again
/// with the message when the change was refused.
pub(super) async fn after_change(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    result: Result<(), AccountError>,
) -> Result<Response, AppError> {
    match result.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(e @ (AppError::NotFound | AppError::Internal(_))) => Err(e),
        Err(e) => {
            let form = FormState::new(ctx.lang).with_error(&e);
            show_detail(state, ctx, user, id, form, e.status()).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(super) struct GrantForm {
    unit_code: String,
    role: String,
}

pub(super) async fn add_grant(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let unit_code = picker::code_of(&f.unit_code, &unit_choices(&state, &user).await?);
    let result = service::grant(&state.db, &user.principal, id, &unit_code, &f.role).await;
    after_change(&state, ctx, &user, id, result).await
}

/// "Thu hồi quyền Cán bộ tại Phường Ba Đình của Nguyễn Văn An?"
pub(super) async fn revoke_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let account = service::manageable(&state.db, &user.principal, record_id(&id)?).await?;
    let grant_id = record_id(&grant_id)?;
    let grant = account
        .grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or(AppError::NotFound)?;
    let question = i18n::t_with(
        ctx.lang,
        "accounts.revoke_question",
        &[
            ("role", ctx.t(grant.role.label_key())),
            ("unit", &grant.unit.name),
            ("name", &account.display_name),
        ],
    );
    let blocked = (account.grants.len() == 1).then(|| ctx.t("error.last_role").to_owned());
    let confirm_label = ctx.t("accounts.revoke").to_owned();
    confirm::page(
        ctx,
        Confirm {
            question,
            consequences: Vec::new(),
            blocked,
            action: format!("/accounts/{}/grants/{}/delete", account.id, grant.id),
            fields: Vec::new(),
            confirm_label,
            cancel: format!("/accounts/{}", account.id),
        },
    )
}

pub(super) async fn revoke_grant(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::revoke(&state.db, &user.principal, id, record_id(&grant_id)?).await;
    after_change(&state, ctx, &user, id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ActiveForm {
    active: bool,
}

pub(super) async fn set_active(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::set_active(&state.db, &user.principal, id, f.active).await;
    after_change(&state, ctx, &user, id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ResetForm {
    password: String,
}

pub(super) async fn reset_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<ResetForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::reset_password(&state.db, &user.principal, id, &f.password).await;
    after_change(&state, ctx, &user, id, result).await
}

pub(super) async fn unlock(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::unlock_logins(&state.db, &user.principal, id).await;
    after_change(&state, ctx, &user, id, result).await
}
