//! Pages: log-in, log-out, one's own password, account administration.

use crate::web::extract::Path;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::service::{self, LoginOutcome, NewAccount};
use super::{Account, AccountError};
use crate::access::Role;
use crate::i18n::Lang;
use crate::web::auth::{ClientAddress, CurrentUser};
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Query};
use crate::web::page::{render, render_status, safe_next, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::session;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .public_get("/login", login_page)
        .public_post("/login", login)
        .own_post("/logout", logout)
        .get("/account/password", password_page)
        .own_post("/account/password", change_password)
        .get("/accounts", list)
        .post("/accounts", create)
        .get("/accounts/new", new_page)
        .get("/accounts/{account}", detail)
        .post("/accounts/{account}/grants", add_grant)
        .post("/accounts/{account}/grants/{grant}/delete", revoke_grant)
        .post("/accounts/{account}/active", set_active)
        .post("/accounts/{account}/password", reset_password)
        .post("/accounts/{account}/unlock", unlock)
}

#[derive(Template)]
#[template(path = "accounts/templates/login.html")]
struct LoginPage {
    ctx: PageCtx,
    form: FormState,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(lang: Lang, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    let page = LoginPage {
        ctx: PageCtx::anonymous(lang, "/login"),
        form: FormState::new(lang),
        next: safe_next(q.next.as_deref()),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let refused = |error: AppError| -> Result<Response, AppError> {
        let page = LoginPage {
            ctx: PageCtx::anonymous(lang, "/login"),
            form: FormState::new(lang)
                .with_values([("username", form.username.clone())])
                .with_error(&error),
            next: next.clone(),
        };
        render_status(error.status(), &page)
    };
    match service::authenticate(&state.db, &form.username, &form.password, &address).await? {
        LoginOutcome::Success(user_id) => {
            let (cookie, _) = session::start(&state, user_id).await?;
            Ok((session::set_cookie(cookie), Redirect::to(&next)).into_response())
        }
        LoginOutcome::Invalid => refused(AppError::bad_request("login.invalid")),
        LoginOutcome::Throttled { seconds } => refused(AppError::Throttled {
            key: "error.throttled",
            seconds,
        }),
    }
}

/// Ends this session (page or API), recorded in the audit trail; the
/// `Set-Cookie` value that clears the browser's cookie.
pub(super) async fn end_session(state: &AppState, user: &CurrentUser, address: &str) -> Result<String, AppError> {
    service::logged_out(&state.db, &user.principal, address).await?;
    Ok(session::end(state, &user.session).await?)
}

async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
) -> Result<Response, AppError> {
    let cookie = end_session(&state, &user, &address).await?;
    Ok((session::set_cookie(cookie), Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/templates/password.html")]
struct PasswordPage {
    ctx: PageCtx,
    form: FormState,
    done: bool,
}

async fn password_page(ctx: PageCtx) -> Result<Response, AppError> {
    let form = FormState::new(ctx.lang);
    Ok(render(&PasswordPage { ctx, form, done: false })?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct PasswordForm {
    current_password: String,
    password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let result = service::change_own_password(
        &state.db,
        &user.principal,
        &form.current_password,
        &form.password,
        &address,
        Some(&user.session.key),
    )
    .await;
    let lang = ctx.lang;
    let (status, form, done) = match result {
        Ok(()) => (StatusCode::OK, FormState::new(lang), true),
        Err(e) => {
            let e = AppError::from(e);
            (e.status(), FormState::new(lang).with_error(&e), false)
        }
    };
    render_status(status, &PasswordPage { ctx, form, done })
}

#[derive(Template)]
#[template(path = "accounts/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    accounts: Vec<Account>,
}

async fn list(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    let accounts = service::list(&state.db, &user.principal).await?;
    Ok(render(&ListPage { ctx, accounts })?.into_response())
}

#[derive(Template)]
#[template(path = "accounts/templates/new.html")]
struct NewPage {
    ctx: PageCtx,
    form: FormState,
    roles: [Role; 3],
}

async fn new_page(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    service::list(&state.db, &user.principal).await?;
    let home = user.principal.home().map(|g| g.unit.code.clone()).unwrap_or_default();
    let form = FormState::new(ctx.lang).with_values([("role", Role::Viewer.as_str().to_owned()), ("unit_code", home)]);
    Ok(render(&NewPage {
        ctx,
        form,
        roles: Role::ALL,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct CreateForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    unit_code: String,
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    service::list(&state.db, &user.principal).await?;
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
        unit_code: f.unit_code,
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
    held: bool,
}

async fn show_detail(
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
        held,
    };
    render_status(status, &page)
}

async fn detail(
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
async fn after_change(
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
struct GrantForm {
    unit_code: String,
    role: String,
}

async fn add_grant(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::grant(&state.db, &user.principal, id, &f.unit_code, &f.role).await;
    after_change(&state, ctx, &user, id, result).await
}

async fn revoke_grant(
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
struct ActiveForm {
    active: bool,
}

async fn set_active(
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
struct ResetForm {
    password: String,
}

async fn reset_password(
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

async fn unlock(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::unlock_logins(&state.db, &user.principal, id).await;
    after_change(&state, ctx, &user, id, result).await
}
