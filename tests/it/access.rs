use axum::http::StatusCode;
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

/// Ba Đình (00004) and its neighbour Ngọc Hà (00008) in Hà Nội (01), and
/// Phường Thành Đông (10507) in Hải Phòng (31).
async fn three_people(app: &TestApp) -> (i64, i64, i64) {
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let here = add_person(&mut central, "Nguyễn Văn Hùng", BA_DINH, 11).await;
    let neighbour = add_person(&mut central, "Trần Văn Khoa", NGOC_HA, 12).await;
    let other_province = add_person(&mut central, "Lê Văn Quang", THANH_DONG, 13).await;
    (here, neighbour, other_province)
}

#[tokio::test]
async fn commune_staff_work_in_their_commune_and_never_see_the_neighbour() {
    let app = TestApp::new().await;
    let (here, neighbour, _) = three_people(&app).await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;

    // Their own commune: read and change.
    assert_eq!(
        staff.get(&format!("/api/v1/persons/{here}")).await.status,
        StatusCode::OK
    );
    let changed = staff
        .patch_json(&format!("/api/v1/persons/{here}"), &json!({"phone": "0987 654 321"}))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json()["phone"], "0987654321");
    assert_eq!(staff.get(&format!("/persons/{here}")).await.status, StatusCode::OK);

    // The neighbour: not found by URL, API, search or export.
    assert_eq!(
        staff.get(&format!("/persons/{neighbour}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.get(&format!("/persons/{neighbour}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    let api = staff.get(&format!("/api/v1/persons/{neighbour}")).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"]["code"], "not_found");
    let patch = staff
        .patch_json(&format!("/api/v1/persons/{neighbour}"), &json!({"phone": "0987654321"}))
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(
        staff.delete(&format!("/api/v1/persons/{neighbour}")).await.status,
        StatusCode::NOT_FOUND
    );

    let search = staff.get("/api/v1/persons?q=tran%20van%20khoa").await.json();
    assert_eq!(search["items"].as_array().map(Vec::len), Some(0));
    let by_cccd = staff.get("/api/v1/persons?q=001080000012").await.json();
    assert_eq!(by_cccd["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        staff.get(&format!("/api/v1/persons?unit={NGOC_HA}")).await.status,
        StatusCode::NOT_FOUND
    );
    let html = staff.get("/persons?q=Tr%E1%BA%A7n").await;
    assert!(!html.body.contains("Trần Văn Khoa"));

    let export = staff.get("/persons/export.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.body.contains("Nguyễn Văn Hùng"));
    assert!(!export.body.contains("Trần Văn Khoa"));
    assert_eq!(
        staff.get(&format!("/persons/export.csv?unit={NGOC_HA}")).await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        staff.get(&format!("/api/v1/units/{NGOC_HA}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.get(&format!("/units/{NGOC_HA}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Moving a person into the neighbour is refused as an unknown unit.
    let moved = staff
        .patch_json(&format!("/api/v1/persons/{here}"), &json!({"unit": NGOC_HA}))
        .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_province_account_sees_its_whole_province_and_nothing_of_another() {
    let app = TestApp::new().await;
    let (here, neighbour, other_province) = three_people(&app).await;
    let mut province = app.signed_in("hanoi.xem", "viewer", HA_NOI).await;
    for id in [here, neighbour] {
        assert_eq!(
            province.get(&format!("/api/v1/persons/{id}")).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        province.get(&format!("/api/v1/persons/{other_province}")).await.status,
        StatusCode::NOT_FOUND
    );
    let all = province.get("/api/v1/persons").await.json();
    let names: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["full_name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&"Lê Văn Quang"));
    let communes = province.get(&format!("/api/v1/units/{HA_NOI}/children")).await.json();
    assert_eq!(communes["items"].as_array().map(Vec::len), Some(126));
    assert_eq!(
        province.get(&format!("/api/v1/units/{HAI_PHONG}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        province
            .get(&format!("/api/v1/units/{THANH_DONG}/children"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        province.get("/api/v1/persons?q=le%20van%20quang").await.json()["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[tokio::test]
async fn a_viewer_cannot_write() {
    let app = TestApp::new().await;
    let (here, _, _) = three_people(&app).await;
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    let body = json!({"full_name": "Hoàng Văn Sơn", "sex": "M", "unit": BA_DINH});
    assert_eq!(
        viewer.post_json("/api/v1/persons", &body).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer
            .patch_json(&format!("/api/v1/persons/{here}"), &json!({"phone": "0987654321"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.delete(&format!("/api/v1/persons/{here}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.get(&format!("/persons/{here}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let form = viewer.post_form(&format!("/persons/{here}/delete"), &[]).await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    let person = viewer.get(&format!("/api/v1/persons/{here}")).await.json();
    assert_eq!(person["phone"], "0912345678", "nothing changed");
    assert_eq!(person["version"], 1);
    let page = viewer.get(&format!("/persons/{here}")).await;
    assert!(!page.body.contains("/edit"), "no edit button for a viewer");
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let token = staff.csrf.take();
    let body = json!({"full_name": "Hoàng Văn Sơn", "sex": "M", "unit": BA_DINH});
    let refused = staff.post_json("/api/v1/persons", &body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"]["code"], "csrf");
    let form = staff
        .post_form(
            "/persons",
            &[("full_name", "Hoàng Văn Sơn"), ("sex", "M"), ("unit", BA_DINH)],
        )
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    staff.csrf = Some("0".repeat(64));
    assert_eq!(
        staff.post_json("/api/v1/persons", &body).await.status,
        StatusCode::FORBIDDEN
    );
    staff.csrf = token;
    let list = staff.get("/api/v1/persons").await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing was created");
    assert_eq!(
        staff.post_json("/api/v1/persons", &body).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn nothing_is_served_without_login() {
    let app = TestApp::new().await;
    let mut anonymous = app.client();
    let api = anonymous.get("/api/v1/persons").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["error"]["code"], "unauthenticated");
    let page = anonymous.get("/persons?q=an").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fpersons%3Fq%3Dan");
    assert_eq!(
        anonymous.get(&format!("/api/v1/units/{TW}")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(anonymous.get("/healthz").await.body, "ok");
}
