//! Pages: login, logout, own password, account administration.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use super::service::{self, LoginOutcome, NewAccount};
use super::storage::{self, Account};
use super::{Permission, Role};
use crate::i18n::Lang;
use crate::web::auth::{self, ClientAddress, CurrentUser};
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Query};
use crate::web::page::{render, render_status, safe_next, FormState, PageCtx};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account/password", get(password_page).post(change_password))
        .route("/accounts", get(list).post(create))
        .route("/accounts/new", get(new_page))
        .route("/accounts/{id}", get(detail))
        .route("/accounts/{id}/grants", post(add_grant))
        .route("/accounts/{id}/grants/{grant_id}/delete", post(revoke_grant))
        .route("/accounts/{id}/active", post(set_active))
        .route("/accounts/{id}/password", post(reset_password))
}

#[derive(Template)]
#[template(path = "accounts/templates/login.html")]
struct LoginPage {
    ctx: PageCtx,
    form: FormState,
    next: String,
}

#[derive(Deserialize)]
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

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    session: Session,
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
            auth::sign_in(&session, user_id).await?;
            Ok(Redirect::to(&next).into_response())
        }
        LoginOutcome::Invalid => refused(AppError::bad_request("login.invalid")),
        LoginOutcome::Throttled { minutes } => refused(AppError::Throttled { minutes }),
    }
}

async fn logout(session: Session) -> Result<Response, AppError> {
    auth::sign_out(&session).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Template)]
#[template(path = "accounts/templates/password.html")]
struct PasswordPage {
    ctx: PageCtx,
    form: FormState,
    done: bool,
}

async fn password_page(lang: Lang, user: CurrentUser) -> Result<Response, AppError> {
    let page = PasswordPage {
        ctx: PageCtx::new(lang, &user, "/account/password"),
        form: FormState::new(lang),
        done: false,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    password: String,
}

async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let result = service::change_own_password(&state.db, &user.principal, &form.current_password, &form.password).await;
    let (status, form_state, done) = match result {
        Ok(()) => (StatusCode::OK, FormState::new(lang), true),
        Err(e) => {
            let e = AppError::from(e);
            (e.status(), FormState::new(lang).with_error(&e), false)
        }
    };
    let page = PasswordPage {
        ctx: PageCtx::new(lang, &user, "/account/password"),
        form: form_state,
        done,
    };
    render_status(status, &page)
}

fn require_supervisor(user: &CurrentUser) -> Result<(), AppError> {
    if user.principal.scopes(Permission::Supervise).is_empty() {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

#[derive(Template)]
#[template(path = "accounts/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    accounts: Vec<Account>,
}

async fn list(State(state): State<AppState>, lang: Lang, user: CurrentUser) -> Result<Response, AppError> {
    require_supervisor(&user)?;
    let accounts = storage::list(&state.db, &user.principal.scopes(Permission::Supervise)).await?;
    Ok(render(&ListPage {
        ctx: PageCtx::new(lang, &user, "/accounts"),
        accounts,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "accounts/templates/new.html")]
struct NewPage {
    ctx: PageCtx,
    form: FormState,
    roles: [Role; 3],
}

async fn new_page(lang: Lang, user: CurrentUser) -> Result<Response, AppError> {
    require_supervisor(&user)?;
    let home = user.principal.home().map(|g| g.unit.code.clone()).unwrap_or_default();
    let form = FormState::new(lang).with_values([("role", "staff".to_owned()), ("unit_code", home)]);
    Ok(render(&NewPage {
        ctx: PageCtx::new(lang, &user, "/accounts/new"),
        form,
        roles: Role::ALL,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct CreateForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    unit_code: String,
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    require_supervisor(&user)?;
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
    match service::create(&state.db, Some(&user.principal), new).await {
        Ok(id) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let form = FormState::new(lang).with_values(values).with_error(&e);
            let page = NewPage {
                ctx: PageCtx::new(lang, &user, "/accounts/new"),
                form,
                roles: Role::ALL,
            };
            render_status(e.status(), &page)
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
}

async fn show_detail(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let account = service::manageable(&state.db, &user.principal, id).await?;
    let page = DetailPage {
        ctx: PageCtx::new(lang, user, &format!("/accounts/{id}")),
        account,
        form,
        roles: Role::ALL,
    };
    render_status(status, &page)
}

async fn detail(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_detail(
        &state,
        lang,
        &user,
        record_id(&id)?,
        FormState::new(lang),
        StatusCode::OK,
    )
    .await
}

/// After an account change: back to the account page, or the page again
/// with the message when the change was refused.
async fn after_change(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    result: Result<(), super::AccountError>,
) -> Result<Response, AppError> {
    match result.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => show_detail(state, lang, user, id, FormState::new(lang).with_error(&e), e.status()).await,
    }
}

#[derive(Deserialize)]
struct GrantForm {
    unit_code: String,
    role: String,
}

async fn add_grant(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::grant(&state.db, &user.principal, id, &f.unit_code, &f.role).await;
    after_change(&state, lang, &user, id, result).await
}

async fn revoke_grant(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::revoke(&state.db, &user.principal, id, record_id(&grant_id)?).await;
    after_change(&state, lang, &user, id, result).await
}

#[derive(Deserialize)]
struct ActiveForm {
    active: bool,
}

async fn set_active(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::set_active(&state.db, &user.principal, id, f.active).await;
    after_change(&state, lang, &user, id, result).await
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<ResetForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let result = service::reset_password(&state.db, &user.principal, id, &f.password).await;
    after_change(&state, lang, &user, id, result).await
}
