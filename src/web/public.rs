//! The public layer: pages and forms anyone may open, without a login,
//! served by the same binary under `/p/` (`csrf::PUBLIC_PREFIX`). Used by
//! card verification and volunteer sign-up; the ledger and the portal
//! will publish through it.
//!
//! Its rules:
//! - a page is rendered with `PageCtx::anonymous`, whoever asks: nobody's
//!   session shows on it;
//! - what a page publishes comes from a view type of public fields only
//!   (`members::card::PublicCard` has a tier and a validity, nothing
//!   else): it cannot show personal data it is never given. A form shown
//!   again with its errors echoes only what the same visitor just sent,
//!   and is never stored by caches (`private`);
//! - anonymous forms refuse cross-site posts (`csrf`), are counted per
//!   address in the database (`toolkit::rate`), and carry a field hidden
//!   from people (`HONEYPOT`): a value there is a robot, told "received"
//!   while nothing is kept.

use axum::http::{header, HeaderValue};
use axum::response::Response;

/// The name of the field people never see on anonymous forms.
pub const HONEYPOT: &str = "website";

/// Public content: browsers and proxies may keep it for `seconds`.
pub fn cacheable(mut response: Response, seconds: u32) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={seconds}")) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

/// A public form and its answers: nothing is kept by any cache.
pub fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
