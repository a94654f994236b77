//! The JSON API's shared parts: its OpenAPI document. Each domain serves
//! its own endpoints under `/api/v1` (see `web::router`).

use axum::http::header;
use axum::response::IntoResponse;

pub const OPENAPI: &str = include_str!("openapi.json");

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
