//! `/api/v1/session`: log in (returns the CSRF token), who am I, log out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::service::{self, LoginOutcome};
use crate::web::auth::{self, ClientAddress, CurrentUser};
use crate::web::error::AppError;
use crate::web::extract::Json;
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", post(login).get(whoami).delete(logout))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    Json(c): Json<Credentials>,
) -> Result<Response, AppError> {
    match service::authenticate(&state.db, &c.username, &c.password, &address).await? {
        LoginOutcome::Success(user_id) => {
            let csrf = auth::sign_in(&session, user_id).await?;
            Ok(axum::Json(json!({ "csrf_token": csrf, "user_id": user_id })).into_response())
        }
        LoginOutcome::Invalid => Err(AppError::InvalidCredentials),
        LoginOutcome::Throttled { minutes } => Err(AppError::Throttled { minutes }),
    }
}

async fn whoami(user: CurrentUser) -> Response {
    let p = &user.principal;
    axum::Json(json!({
        "user_id": p.user_id,
        "username": p.username,
        "display_name": p.display_name,
        "grants": p.grants.iter().map(|g| json!({"role": g.role, "unit": g.unit.code, "unit_name": g.unit.name})).collect::<Vec<_>>(),
        "csrf_token": user.csrf,
    }))
    .into_response()
}

async fn logout(_user: CurrentUser, session: Session) -> Result<Response, AppError> {
    auth::sign_out(&session).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
