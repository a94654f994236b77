//! `/api/v1/session`: log in (returns the CSRF token), who am I, log out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, LoginOutcome};
use crate::access::Role;
use crate::web::auth::{ClientAddress, CurrentUser};
use crate::web::error::AppError;
use crate::web::extract::Json as JsonBody;
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::session;
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(log_in, who_am_i, log_out))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields, default)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
struct SignedIn {
    user_id: i64,
    /// Send it as `X-CSRF-Token` with every state-changing call.
    csrf_token: String,
}

#[derive(Serialize, ToSchema)]
struct GrantView {
    role: Role,
    unit: String,
    unit_name: String,
}

#[derive(Serialize, ToSchema)]
struct Me {
    user_id: i64,
    username: String,
    display_name: String,
    grants: Vec<GrantView>,
    csrf_token: String,
}

/// Log in. Throttled per username and address (429 with Retry-After).
#[utoipa::path(post, path = "/session", tag = "session", request_body = Credentials, security(()),
    responses((status = 200, description = "OK", body = SignedIn), WriteErrors))]
async fn log_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonBody(c): JsonBody<Credentials>,
) -> Result<Response, AppError> {
    match service::authenticate(&state.db, &c.username, &c.password, &address).await? {
        LoginOutcome::Success(user_id) => {
            let (cookie, csrf_token) = session::start(&state, user_id).await?;
            Ok((session::set_cookie(cookie), Json(SignedIn { user_id, csrf_token })).into_response())
        }
        LoginOutcome::Invalid => Err(AppError::InvalidCredentials),
        LoginOutcome::Throttled { seconds } => Err(AppError::Throttled {
            key: "error.throttled",
            seconds,
        }),
    }
}

/// The signed-in user, their roles and the session's CSRF token.
#[utoipa::path(get, path = "/session", tag = "session", responses((status = 200, description = "OK", body = Me), ReadErrors))]
async fn who_am_i(user: CurrentUser) -> Json<Me> {
    let p = &user.principal;
    Json(Me {
        user_id: p.user_id().unwrap_or_default(),
        username: p.username().to_owned(),
        display_name: p.display_name().to_owned(),
        grants: p
            .grants()
            .iter()
            .map(|g| GrantView {
                role: g.role,
                unit: g.unit.code.clone(),
                unit_name: g.unit.name.clone(),
            })
            .collect(),
        csrf_token: user.csrf.clone(),
    })
}

/// Log out (this session only).
#[utoipa::path(delete, path = "/session", tag = "session", extensions(("x-own-session" = json!(true))),
    responses((status = 204, description = "Done, nothing to return"), WriteErrors))]
async fn log_out(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
) -> Result<Response, AppError> {
    let cookie = super::routes::end_session(&state, &user, &address).await?;
    Ok((StatusCode::NO_CONTENT, session::set_cookie(cookie)).into_response())
}
