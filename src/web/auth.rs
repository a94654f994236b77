//! Who is asking: the signed-in user, loaded fresh from the database on
//! every request (a revoked grant takes effect at once, on every server).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use rand::RngCore;
use tower_sessions::Session;

use super::error::AppError;
use super::AppState;
use crate::accounts::{storage, Principal};

pub const SESSION_USER: &str = "user_id";
pub const SESSION_CSRF: &str = "csrf";

pub struct CurrentUser {
    pub principal: Principal,
    pub csrf: String,
}

fn session_error(err: tower_sessions::session::Error) -> AppError {
    AppError::Internal(format!("session: {err}"))
}

async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Session, AppError> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, msg)| AppError::Internal(format!("session layer missing: {msg}")))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<CurrentUser, AppError> {
        let session = session_of(parts, state).await?;
        let user_id: Option<i64> = session.get(SESSION_USER).await.map_err(session_error)?;
        let user_id = user_id.ok_or(AppError::Unauthenticated)?;
        let principal = storage::load_principal(&state.db, user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let csrf = session
            .get(SESSION_CSRF)
            .await
            .map_err(session_error)?
            .unwrap_or_default();
        Ok(CurrentUser { principal, csrf })
    }
}

/// A fresh random token (CSRF), 256 bits as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Binds the session to `user_id` under a new session id (no fixation) and
/// returns the CSRF token that state-changing requests must carry.
pub async fn sign_in(session: &Session, user_id: i64) -> Result<String, AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(SESSION_USER, user_id).await.map_err(session_error)?;
    let csrf = new_token();
    session
        .insert(SESSION_CSRF, csrf.clone())
        .await
        .map_err(session_error)?;
    Ok(csrf)
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The client address used for login throttling. `X-Forwarded-For` is only
/// believed when the operator says a trusted proxy sets it.
pub fn client_address(parts: &Parts, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return first.trim().to_owned();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "local".to_owned())
}

/// The client address as an extractor.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ClientAddress, Self::Rejection> {
        Ok(ClientAddress(client_address(parts, state.settings.trust_forwarded_for)))
    }
}
