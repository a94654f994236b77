//! Sessions. The browser holds a random 256-bit token in an HttpOnly
//! cookie; the database holds only its SHA-256, with the user, the CSRF
//! token and the expiry (8 hours after log-in). Every server reads the
//! same rows, so any server serves any request.
//!
//! `load` runs once per request: one query finds the session, checks that
//! the account is still active, and reads the versions of the user's roles
//! and of the tree, which tell `auth::CurrentUser` whether a principal it
//! cached is still current. (tower-sessions, used before, loads a session
//! record and cannot join it with anything: three queries a request.)

mod storage;

use axum::extract::Request;
use axum::http::header;

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{AppState, Settings};

pub const COOKIE: &str = "nhanai_sid";
pub const LIFETIME: time::Duration = time::Duration::hours(8);

/// The session of this request, as `load` found it.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// SHA-256 of the cookie's token: the row's key.
    pub key: String,
    pub user_id: i64,
    pub csrf: String,
    /// Versions of the user's roles and standing, and of the tree.
    pub auth_version: i64,
    pub tree_version: i64,
}

/// A fresh random token, 256 bits as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

fn key_of(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The session token the request's cookie carries, if any.
fn token(request: &Request) -> Option<&str> {
    token_in(request.headers())
}

fn token_in(headers: &axum::http::HeaderMap) -> Option<&str> {
    super::extract::cookie(headers, COOKIE).filter(|t| t.len() == 64)
}

/// The live session the cookies in `headers` name, if any: for the rare
/// answer (an error page) that needs it after the request is gone.
pub async fn find(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Option<SessionInfo>, sqlx::Error> {
    match token_in(headers) {
        Some(token) => storage::find(&state.db, &key_of(token)).await,
        None => Ok(None),
    }
}

/// Finds the request's session (if it has a live one) and puts it into
/// the request's extensions. Runs once per request, in `web::pipeline`.
pub async fn attach(state: &AppState, request: &mut Request) -> Result<(), sqlx::Error> {
    if let Some(token) = token(request) {
        if let Some(info) = storage::find(&state.db, &key_of(token)).await? {
            request.extensions_mut().insert(info);
        }
    }
    Ok(())
}

/// A new session for `user_id`: the `Set-Cookie` value and the CSRF token.
/// A fresh token every time: a session id is never carried over a log-in.
pub async fn start(state: &AppState, user_id: i64) -> Result<(String, String), sqlx::Error> {
    let token = new_token();
    let csrf = new_token();
    let expires = time::OffsetDateTime::now_utc() + LIFETIME;
    storage::insert(&state.db, &key_of(&token), user_id, &csrf, expires).await?;
    Ok((cookie(&state.settings, &token, LIFETIME.whole_seconds()), csrf))
}

/// Ends the session: its row is deleted; the returned `Set-Cookie` value
/// clears the browser's cookie.
pub async fn end(state: &AppState, session: &SessionInfo) -> Result<String, sqlx::Error> {
    storage::delete(&state.db, &session.key).await?;
    Ok(cookie(&state.settings, "", 0))
}

fn cookie(settings: &Settings, token: &str, max_age: i64) -> String {
    let secure = if settings.secure_cookies { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// Deletes sessions that have run out (run now and then by every server).
pub async fn delete_expired(db: &crate::db::Db) -> Result<u64, sqlx::Error> {
    storage::delete_expired(db).await
}

/// Ends every session of `user_id` but the one keyed `keep` (a password
/// change keeps the session that made it), inside `tx`.
pub async fn end_all(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    storage::delete_for_user(tx, user_id, keep).await
}

/// A `Set-Cookie` header.
pub fn set_cookie(value: String) -> [(header::HeaderName, String); 1] {
    [(header::SET_COOKIE, value)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_never_sees_the_token() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(key_of(&token), token);
        assert_eq!(key_of(&token), key_of(&token));
    }

    #[test]
    fn keys_are_lowercase_sha256_hex() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(
            key_of("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn cookies_are_http_only_and_secure_when_asked() {
        let plain = cookie(&Settings::default(), "abc", 60);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax") && !plain.contains("Secure"));
        let secure = Settings {
            secure_cookies: true,
            ..Settings::default()
        };
        assert!(cookie(&secure, "abc", 60).ends_with("; Secure"));
    }
}
