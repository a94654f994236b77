//! Who is asking: the signed-in user, checked against the database on
//! every request (a revoked grant takes effect at once, on every server),
//! and the client's address as far as trusted proxies vouch for it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;
use rand::RngCore;
use tower_sessions::Session;

use super::error::AppError;
use super::AppState;
use crate::access::{storage, Principal};

pub const SESSION_USER: &str = "user_id";
pub const SESSION_CSRF: &str = "csrf";

/// The signed-in user of this request.
#[derive(Clone)]
pub struct CurrentUser {
    pub principal: Arc<Principal>,
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
        // Several extractors of one request (the page context, the handler)
        // share one look-up.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
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
        let user = CurrentUser {
            principal: Arc::new(principal),
            csrf,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// A fresh random token (CSRF, session ids), 256 bits as hex.
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

/// The session id of this request, if it has one.
pub fn session_id(session: &Session) -> Option<String> {
    session.id().map(|id| id.to_string())
}

/// The client's address. `X-Forwarded-For` is read only when the direct
/// peer is a trusted proxy, and then from the right: the first hop that is
/// not itself a trusted proxy is the client (entries further left were
/// written by the client and prove nothing).
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return Some(ip),
            // A hop we cannot read: the last trusted one is as far as we know.
            Err(_) => return Some(client),
        }
    }
    Some(client)
}

/// The client address used for throttling and the audit trail.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ClientAddress, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddress(
            client_ip(peer, &forwarded, &state.settings.trusted_proxies)
                .map(|ip| ip.to_string())
                .unwrap_or_else(|| "local".to_owned()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &["1.2.3.4"], &[]), Some(ip("10.0.0.2")));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        // The client forged "6.6.6.6"; the proxy appended the real address.
        let header = ["6.6.6.6, 198.51.100.7, 10.0.0.3"];
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &header, &trusted),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &["garbage, 10.0.0.3"], &trusted),
            Some(ip("10.0.0.3"))
        );
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &[], &trusted), Some(ip("10.0.0.2")));
    }
}
