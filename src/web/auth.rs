//! Who is asking: the signed-in user, checked against the database on
//! every request (a revoked grant takes effect at once, on every server),
//! and the client's address as far as trusted proxies vouch for it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;

use super::error::AppError;
use super::session::SessionInfo;
use super::AppState;
use crate::access::{storage, Principal};

/// The signed-in user of this request.
#[derive(Clone)]
pub struct CurrentUser {
    pub principal: Arc<Principal>,
    pub csrf: String,
    /// The session, to end it or keep it when others end.
    pub session: SessionInfo,
}

/// Principals already loaded, each with the versions it was loaded at.
/// The session query reads the current versions on every request, so a
/// cached principal is used only while nothing it depends on has changed:
/// a revoked role still takes effect on the very next request, on every
/// server. Only a cache: any server may start empty.
#[derive(Default)]
pub struct PrincipalCache {
    entries: Mutex<HashMap<i64, Cached>>,
}

/// (auth version, tree version) a principal was loaded at, and the principal.
type Cached = ((i64, i64), Arc<Principal>);

/// Entries kept at most; past it the cache starts over.
const CACHE_LIMIT: usize = 20_000;

impl PrincipalCache {
    fn get(&self, user_id: i64, versions: (i64, i64)) -> Option<Arc<Principal>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&user_id)
            .filter(|(at, _)| *at == versions)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, user_id: i64, versions: (i64, i64), principal: Arc<Principal>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_LIMIT {
                entries.clear();
            }
            entries.insert(user_id, (versions, principal));
        }
    }
}

impl CurrentUser {
    /// The user of a live session, with the principal from this server's
    /// cache when it was loaded at the session's versions.
    pub async fn of_session(state: &AppState, session: SessionInfo) -> Result<CurrentUser, AppError> {
        let versions = (session.auth_version, session.tree_version);
        let principal = match state.principals.get(session.user_id, versions) {
            Some(principal) => principal,
            None => {
                let loaded = storage::load_principal(&state.db, session.user_id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                let loaded = Arc::new(loaded);
                state.principals.put(session.user_id, versions, loaded.clone());
                loaded
            }
        };
        Ok(CurrentUser {
            principal,
            csrf: session.csrf.clone(),
            session,
        })
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<CurrentUser, AppError> {
        // Several extractors of one request (the page context, the handler)
        // share one look-up.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let session = parts
            .extensions
            .get::<SessionInfo>()
            .cloned()
            .ok_or(AppError::Unauthenticated)?;
        let user = CurrentUser::of_session(state, session).await?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
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
