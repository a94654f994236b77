//! The stylesheet, the icon and the progress script, compiled into the binary. Pages link them
//! with a hash of their content in the name (`app.3f9c2a1b7e.css`), so a
//! browser keeps them for a year and still sees a new version at once. A
//! name with another hash (a server of the previous release behind the
//! same load balancer) still gets the current content, just not cached.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::AppError;
use super::extract::Path;

struct Asset {
    /// `app.css`: stem and extension.
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: [Asset; 3] = [
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("app.css"),
    },
    Asset {
        name: "icon.svg",
        content_type: "image/svg+xml",
        body: include_str!("icon.svg"),
    },
    Asset {
        name: "progress.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("progress.js"),
    },
];

const FOREVER: &str = "public, max-age=31536000, immutable";
const BRIEFLY: &str = "public, max-age=300";

/// The hashed name of each asset, computed once.
fn hashed() -> &'static [String; 3] {
    static NAMES: OnceLock<[String; 3]> = OnceLock::new();
    NAMES.get_or_init(|| ASSETS.map(|a| hashed_name(a.name, a.body)))
}

fn hashed_name(name: &str, body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// The address pages link an asset by: `/assets/app.<hash>.css`.
pub fn url(name: &str) -> String {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => format!("/assets/{}", hashed()[i]),
        None => format!("/assets/{name}"),
    }
}

/// `/assets/{file}`: the asset by its hashed name (kept a year), its plain
/// name or a stale hash (kept briefly).
pub async fn serve(Path(file): Path<String>) -> Result<Response, AppError> {
    let names = hashed();
    if let Some(i) = names.iter().position(|n| *n == file) {
        return Ok(answer(&ASSETS[i], FOREVER));
    }
    let (stem, ext) = file.split_once('.').ok_or(AppError::NotFound)?;
    let ext = ext.rsplit('.').next().unwrap_or(ext);
    let asset = ASSETS
        .iter()
        .find(|a| a.name == format!("{stem}.{ext}"))
        .ok_or(AppError::NotFound)?;
    Ok(answer(asset, BRIEFLY))
}

/// `/favicon.ico`, asked for by browsers on their own: the icon.
pub async fn favicon() -> Response {
    answer(&ASSETS[1], "public, max-age=86400")
}

fn answer(asset: &Asset, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_a_hash_of_the_content() {
        let a = hashed_name("app.css", "body { }");
        let b = hashed_name("app.css", "body { color: red }");
        assert!(a.starts_with("app.") && a.ends_with(".css") && a.len() == "app..css".len() + 10);
        assert_ne!(a, b);
        assert!(url("app.css").starts_with("/assets/app."));
    }
}
