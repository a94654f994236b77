//! The organisations registry and collective members: an organisation is
//! registered once (its tax code nationally), joins a branch as a
//! collective member, and is counted once at every level while its
//! head-count is summed apart; a province's counts are its communes'.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::members::count_at;
use crate::support::units::*;
use crate::support::{Client, TestApp};

async fn organisation(client: &mut Client, name: &str, unit: &str, tax_code: &str) -> Value {
    let response = client
        .post_json(
            "/api/v1/organisations",
            &json!({"name": name, "kind": "school", "unit": unit, "tax_code": tax_code,
                    "representative": "Hiệu trưởng Lê Văn Học", "phone": "0912345678"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

async fn join(client: &mut Client, organisation: &Value, branch: &str, head_count: &str) -> (StatusCode, Value) {
    let response = client
        .post_json(
            "/api/v1/members/collective",
            &json!({"organisation": organisation["id"].to_string(), "branch": branch,
                    "joined_on": "05/09/2023", "head_count": head_count}),
        )
        .await;
    let body = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    (response.status, body)
}

#[tokio::test]
async fn an_organisation_is_registered_once_and_found_without_accents() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let school = organisation(&mut staff, "Trường THPT Phan Đình Phùng", BA_DINH, "0101234567").await;
    assert_eq!(school["tax_code"], "0101234567");
    assert_eq!(school["phone"], "0912345678");

    // The same tax code again is refused and points to the first.
    let again = staff
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "Trùng", "kind": "enterprise", "unit": BA_DINH, "tax_code": "0101234567"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    // Bad input names its fields and changes nothing.
    let bad = staff
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "", "kind": "club", "unit": BA_DINH, "tax_code": "123", "email": "x"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.json()["error"]["fields"];
    for field in ["name", "kind", "tax_code", "email"] {
        assert!(fields[field].is_string(), "{field}: {fields}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM organisations").await, 1);

    let found = staff.get("/api/v1/organisations?q=phan%20dinh").await.json();
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    let page = staff.get("/organisations?q=PHUNG").await;
    assert!(page.body.contains("Phan Đình Phùng"));
    let file = staff.get("/organisations/export.xlsx").await;
    assert!(file.bytes.starts_with(b"PK"));

    // A change needs the version read; outside the commune it is not found.
    let path = format!("/api/v1/organisations/{}", school["id"]);
    let changed = staff
        .put_json(
            &path,
            &json!({"name": "Trường THPT Phan Đình Phùng", "kind": "school", "representative": "Cô Hạnh", "version": school["version"]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let stale = staff
        .put_json(
            &path,
            &json!({"name": "X", "kind": "school", "version": school["version"]}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let mut outsider = app.signed_in("ngocha", "staff", NGOC_HA).await;
    assert_eq!(outsider.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(outsider
        .get("/api/v1/organisations")
        .await
        .json()
        .as_array()
        .expect("list")
        .is_empty());
}

#[tokio::test]
async fn a_collective_member_counts_once_and_its_head_count_apart() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("hanoi", "staff", HA_NOI).await;
    let first = open_branch(&mut staff, BA_DINH, "Chi hội Trường học").await;
    let second = open_branch(&mut staff, NGOC_HA, "Chi hội Doanh nghiệp").await;
    let school = organisation(&mut staff, "Trường Tiểu học Kim Đồng", BA_DINH, "").await;
    let firm = organisation(&mut staff, "Công ty May Hồng Hà", NGOC_HA, "0109876543").await;

    let (status, c1) = join(&mut staff, &school, &first, "45").await;
    assert_eq!(status, StatusCode::CREATED, "{c1}");
    let (status, c2) = join(&mut staff, &firm, &second, "1.200").await;
    assert_eq!(status, StatusCode::CREATED, "{c2}");
    assert_eq!(c2["head_count"], 1200);

    assert_eq!(count_at(&app, "collective_members", &first).await, 1);
    assert_eq!(count_at(&app, "collective_headcount", &first).await, 45);
    assert_eq!(count_at(&app, "collective_members", BA_DINH).await, 1);
    assert_eq!(count_at(&app, "collective_members", HA_NOI).await, 2);
    assert_eq!(count_at(&app, "collective_headcount", HA_NOI).await, 1245);
    // The province's counts are the sum of its communes'.
    for counter in ["collective_members", "collective_headcount"] {
        let communes = count_at(&app, counter, BA_DINH).await + count_at(&app, counter, NGOC_HA).await;
        assert_eq!(count_at(&app, counter, HA_NOI).await, communes, "{counter}");
    }
    // Individual members are not touched.
    assert_eq!(count_at(&app, "members", HA_NOI).await, 0);

    // One membership per organisation; bad head-counts are refused.
    let (status, again) = join(&mut staff, &school, &second, "10").await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(
        again["error"]["existing"],
        format!("/members/collective/{}", c1["id"]),
        "{again}"
    );
    let other = organisation(&mut staff, "Hội Người cao tuổi", BA_DINH, "").await;
    let (status, body) = join(&mut staff, &other, &first, "-3").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["head_count"].is_string());

    // A new head-count moves the sum, not the count; leaving takes both away.
    let path = format!("/api/v1/members/collective/{}", c1["id"]);
    let grown = staff
        .put_json(
            &path,
            &json!({"head_count": "60", "status": "active", "version": c1["version"]}),
        )
        .await;
    assert_eq!(grown.status, StatusCode::OK, "{}", grown.body);
    assert_eq!(count_at(&app, "collective_members", HA_NOI).await, 2);
    assert_eq!(count_at(&app, "collective_headcount", HA_NOI).await, 1260);
    let no_reason = staff
        .put_json(
            &path,
            &json!({"head_count": "60", "status": "left", "on": "01/01/2025", "version": grown.json()["version"]}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let left = staff
        .put_json(
            &path,
            &json!({"head_count": "60", "status": "left", "on": "01/01/2025", "reason": "Sáp nhập trường", "version": grown.json()["version"]}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    assert_eq!(count_at(&app, "collective_members", HA_NOI).await, 1);
    assert_eq!(count_at(&app, "collective_headcount", HA_NOI).await, 1200);

    let page = staff.get(&format!("/members/collective?unit={HA_NOI}")).await;
    assert!(page.body.contains("Công ty May Hồng Hà") && page.body.contains("1.200"));
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    let denied = viewer
        .put_json(&path, &json!({"head_count": "1", "status": "left", "version": 1}))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}
