//! Pages and API of member requests: one page with the requests waiting
//! for the user's units and those they made, the form to ask, and accept
//! or decline.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AskInput, DeclineInput, Incoming, Outgoing};
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Json as JsonBody, Path};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::page::{render_status, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/members/requests", page)
        .post("/members/requests", ask)
        .post("/members/requests/{request}/accept", accept)
        .post("/members/requests/{request}/decline", decline)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, ask_request))
        .routes(routes!(accept_request))
        .routes(routes!(decline_request))
}

#[derive(Template)]
#[template(path = "members/templates/requests.html")]
struct RequestsPage {
    ctx: PageCtx,
    incoming: Vec<Incoming>,
    outgoing: Vec<Outgoing>,
    branches: Vec<Choice>,
    form: FormState,
    /// The request whose decision was refused, with why.
    refused: Option<(i64, String)>,
}

async fn show(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    asked: Option<(AppError, AskInput)>,
    refused: Option<(i64, AppError)>,
) -> Result<Response, AppError> {
    let (incoming, outgoing) = super::lists(&state.db, &user.principal).await?;
    let branches: Vec<Choice> = picker::choices(&state.db, &user.principal, Permission::Write)
        .await?
        .into_iter()
        .filter(|c| c.level == crate::org::Level::Branch)
        .collect();
    let mut form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = asked {
        status = e.status();
        form = form
            .with_values([
                ("branch", picker::shown(&input.branch, &branches)),
                ("cccd", input.cccd),
                ("joined_on", input.joined_on),
                ("note", input.note),
            ])
            .with_error(&e);
    }
    let refused = refused.map(|(id, e)| {
        status = e.status();
        (id, FormState::new(ctx.lang).with_error(&e).notice.unwrap_or_default())
    });
    let page = RequestsPage {
        ctx,
        incoming,
        outgoing,
        branches,
        form,
        refused,
    };
    render_status(status, &page)
}

async fn page(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    show(&state, ctx, &user, None, None).await
}

fn about_the_form(error: AppError) -> Result<AppError, AppError> {
    match error {
        AppError::Internal(_) | AppError::NotFound | AppError::Forbidden => Err(error),
        other => Ok(other),
    }
}

async fn ask(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<AskInput>,
) -> Result<Response, AppError> {
    let branches = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    input.branch = picker::code_of(&input.branch, &branches);
    match super::ask(&state.db, &user.principal, &input).await {
        Ok(_) => Ok(Redirect::to("/members/requests?sent=1").into_response()),
        Err(e) => show(&state, ctx, &user, Some((about_the_form(e.into())?, input)), None).await,
    }
}

async fn accept(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match super::accept(&state.db, state.registry.placed_tables(), &user.principal, id).await {
        Ok(member) => Ok(Redirect::to(&format!("/members/{member}")).into_response()),
        Err(e) => show(&state, ctx, &user, None, Some((id, about_the_form(e.into())?))).await,
    }
}

async fn decline(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<DeclineInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match super::decline(&state.db, &user.principal, id, &input).await {
        Ok(()) => Ok(Redirect::to("/members/requests").into_response()),
        Err(e) => show(&state, ctx, &user, None, Some((id, about_the_form(e.into())?))).await,
    }
}

/// Requests waiting for the caller's units, and those they made.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RequestLists {
    pub incoming: Vec<Incoming>,
    pub outgoing: Vec<Outgoing>,
}

#[utoipa::path(get, path = "/members/requests", tag = "members",
    responses((status = 200, description = "OK", body = RequestLists), ReadErrors))]
async fn list_requests(State(state): State<AppState>, user: CurrentUser) -> Result<Json<RequestLists>, AppError> {
    let (incoming, outgoing) = super::lists(&state.db, &user.principal).await?;
    Ok(Json(RequestLists { incoming, outgoing }))
}

/// Ask the unit holding a person (by CCCD) to let them join or transfer
/// to a branch of the caller. The answer is the same whether anyone holds
/// the number.
#[utoipa::path(post, path = "/members/requests", tag = "members", request_body = AskInput,
    responses((status = 201, description = "Created", body = Outgoing), WriteErrors))]
async fn ask_request(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<AskInput>,
) -> Result<Response, AppError> {
    let sent = super::ask(&state.db, &user.principal, &input).await?;
    Ok((StatusCode::CREATED, Json(sent)).into_response())
}

/// The id of the membership an accepted request made or moved.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub member_id: i64,
}

/// Accept a request about a person of the caller's units: they move, with
/// their membership or a new one, to the asking branch.
#[utoipa::path(post, path = "/members/requests/{request}/accept", tag = "members",
    params(("request" = i64, Path, description = "Request id")),
    responses((status = 200, description = "OK", body = Accepted), WriteErrors))]
async fn accept_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Accepted>, AppError> {
    let member_id = super::accept(
        &state.db,
        state.registry.placed_tables(),
        &user.principal,
        record_id(&id)?,
    )
    .await?;
    Ok(Json(Accepted { member_id }))
}

/// Decline a request about a person of the caller's units, with a reason.
#[utoipa::path(post, path = "/members/requests/{request}/decline", tag = "members",
    params(("request" = i64, Path, description = "Request id")), request_body = DeclineInput,
    responses((status = 204, description = "Done, nothing to return"), WriteErrors))]
async fn decline_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DeclineInput>,
) -> Result<Response, AppError> {
    super::decline(&state.db, &user.principal, record_id(&id)?, &input).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
