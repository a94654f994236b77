use axum::http::StatusCode;
use nhanai::db::Sql;
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn a_change_is_audited_with_who_where_and_before_after() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Ngô Văn Lâm", BA_DINH, 5).await;
    let changed = staff
        .patch_json(&format!("/api/v1/persons/{id}"), &json!({"phone": "0987654321"}))
        .await;
    assert_eq!(changed.status, StatusCode::OK);

    let mut supervisor = app.signed_in("hanoi", "admin", HA_NOI).await;
    let audit = supervisor.get("/api/v1/audit").await.json();
    let update = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "update")
        .expect("update entry")
        .clone();
    assert_eq!(update["username"], "badinh");
    assert_eq!(update["actor_unit_name"], "Phường Ba Đình");
    assert_eq!(update["entity_id"], id);
    assert_eq!(update["before"]["phone"], "0912345678");
    assert_eq!(update["after"]["phone"], "0987654321");
    let page = supervisor.get("/audit").await;
    assert!(page.body.contains("0987654321") && page.body.contains("Ngô Văn Lâm"));
}

#[tokio::test]
async fn only_supervisors_of_the_subtree_read_the_audit() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut staff, "Ngô Văn Lâm", BA_DINH, 5).await;
    assert_eq!(staff.get("/audit").await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.get("/api/v1/audit").await.status, StatusCode::NOT_FOUND);
    let mut other = app.signed_in("haiphong", "admin", HAI_PHONG).await;
    let theirs = other.get("/api/v1/audit").await.json();
    assert!(
        !theirs.to_string().contains("Ngô Văn Lâm"),
        "Hải Phòng does not read Hà Nội's audit"
    );
}

#[tokio::test]
async fn the_audit_trail_cannot_be_edited() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut staff, "Ngô Văn Lâm", BA_DINH, 5).await;
    let update = Sql::new("UPDATE audit_log SET username = 'someone-else'")
        .execute(app.db.pool())
        .await;
    assert!(update.is_err(), "UPDATE on audit_log must fail");
    let delete = Sql::new("DELETE FROM audit_log").execute(app.db.pool()).await;
    assert!(delete.is_err(), "DELETE on audit_log must fail");
    let count = Sql::new("SELECT COUNT(*) FROM audit_log WHERE username = 'badinh' AND entity = 'person'")
        .fetch_optional(app.db.pool())
        .await
        .expect("count");
    assert_eq!(count.map(|r| nhanai::db::int(&r, 0)), Some(1));
    for method in [
        axum::http::Method::DELETE,
        axum::http::Method::PATCH,
        axum::http::Method::PUT,
    ] {
        let response = staff.send(method, "/api/v1/audit", None, String::new(), true).await;
        assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.json()["error"]["code"], "method_not_allowed");
    }
}
