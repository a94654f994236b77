//! Named units of the official 2025 tree, as the tests use them, and
//! opening branches under them.

use axum::http::StatusCode;
use serde_json::json;

use super::Client;

/// Opens a branch of `kind` under `commune` and returns its code.
pub async fn open_branch_of(client: &mut Client, commune: &str, name: &str, kind: &str) -> String {
    let created = client
        .post_json(
            &format!("/api/v1/units/{commune}/branches"),
            &json!({"name": name, "kind": kind}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json()["code"].as_str().expect("code").to_owned()
}

/// Opens a residential branch under `commune` and returns its code.
pub async fn open_branch(client: &mut Client, commune: &str, name: &str) -> String {
    open_branch_of(client, commune, name, "residential").await
}

/// The central office.
pub const TW: &str = "TW";
/// Thành phố Hà Nội.
pub const HA_NOI: &str = "01";
/// Phường Ba Đình, Hà Nội.
pub const BA_DINH: &str = "00004";
/// Phường Ngọc Hà, Hà Nội (Ba Đình's neighbour).
pub const NGOC_HA: &str = "00008";
/// Phường Giảng Võ, Hà Nội.
pub const GIANG_VO: &str = "00025";
/// Thành phố Hải Phòng.
pub const HAI_PHONG: &str = "31";
/// Phường Thành Đông, Hải Phòng.
pub const THANH_DONG: &str = "10507";
/// Phường Hải Dương, Hải Phòng.
pub const HAI_DUONG: &str = "10525";
