//! Pages: log-in, log-out, one's own password; account administration
//! is in `admin.rs`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admin;
use super::service::{self, LoginOutcome};
use crate::i18n::Lang;
use crate::web::auth::{ClientAddress, CurrentUser};
use crate::web::error::AppError;
use crate::web::extract::{Form, Query};
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
        .get("/accounts", admin::list)
        .post("/accounts", admin::create)
        .get("/accounts/new", admin::new_page)
        .get("/accounts/{account}", admin::detail)
        .post("/accounts/{account}/grants", admin::add_grant)
        .get("/accounts/{account}/grants/{grant}/delete", admin::revoke_confirm)
        .post("/accounts/{account}/grants/{grant}/delete", admin::revoke_grant)
        .post("/accounts/{account}/active", admin::set_active)
        .post("/accounts/{account}/password", admin::reset_password)
        .post("/accounts/{account}/unlock", admin::unlock)
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
