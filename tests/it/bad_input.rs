use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

async fn person_count(client: &mut crate::support::Client) -> usize {
    client.get("/api/v1/persons").await.json()["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0)
}

#[tokio::test]
async fn malformed_requests_get_a_clear_4xx_and_change_nothing() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Lý Văn Phúc", BA_DINH, 1).await;

    let broken = staff
        .send(
            Method::POST,
            "/api/v1/persons",
            Some("application/json"),
            "{\"full_name\": ",
            true,
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.json()["error"]["code"], "bad_request");
    assert!(broken.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("JSON"));

    let not_json = staff
        .send(Method::POST, "/api/v1/persons", Some("text/plain"), "hello", true)
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);

    let unknown_field = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Lý Văn Lộc", "sex": "M", "unit": BA_DINH, "salary": 5}),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    assert!(unknown_field.body.contains("salary"));

    let wrong_type = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": 12, "sex": "M", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);

    let cases = [
        (
            json!({"full_name": "A".repeat(101), "sex": "M", "unit": BA_DINH}),
            "full_name",
        ),
        (json!({"full_name": "Lý Văn Lộc", "sex": "M", "unit": "99999"}), "unit"),
        (
            json!({"full_name": "Lý Văn Lộc", "sex": "M", "unit": BA_DINH, "birth_date": "32/01/1990"}),
            "birth_date",
        ),
        (
            json!({"full_name": "Lý Văn Lộc", "sex": "M", "unit": BA_DINH, "birth_date": "01/01/2990"}),
            "birth_date",
        ),
        (
            json!({"full_name": "Robert'); DROP TABLE persons;--", "sex": "M", "unit": BA_DINH}),
            "full_name",
        ),
        (
            json!({"full_name": "Lý Văn Lộc", "sex": "M", "unit": BA_DINH, "address_detail": "x".repeat(5000)}),
            "address_detail",
        ),
        (
            json!({"full_name": "Lý Văn Lộc", "sex": "M", "unit": BA_DINH, "address_commune": "Xã Không Có Thật"}),
            "address_commune",
        ),
        (json!({"full_name": "Lý Văn Lộc", "sex": "?", "unit": BA_DINH}), "sex"),
    ];
    for (body, field) in cases {
        let response = staff.post_json("/api/v1/persons", &body).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            response.body
        );
        let error = response.json();
        assert!(
            error["error"]["fields"][field].as_str().is_some_and(|m| !m.is_empty()),
            "{field}: {error}"
        );
    }
    let bad_patch = staff
        .patch_json(&format!("/api/v1/persons/{id}"), &json!({"cccd": "999999999999"}))
        .await;
    assert_eq!(bad_patch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(staff.get("/api/v1/persons/abc").await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.get("/api/v1/persons/-1").await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.get("/api/v1/units/99999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        staff.get("/api/v1/persons?q=%27%20OR%201%3D1%20--").await.status,
        StatusCode::OK
    );
    assert_eq!(
        staff.get("/api/v1/persons?q=%22nguyen*%20NEAR").await.status,
        StatusCode::OK,
        "search syntax is not passed through"
    );

    assert_eq!(person_count(&mut staff).await, 1);
    let unchanged = staff.get(&format!("/api/v1/persons/{id}")).await.json();
    assert_eq!(unchanged["version"], 1);
    assert_eq!(staff.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn english_is_one_switch_away() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let switched = staff.get("/lang/en?next=/persons").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location(), "/persons");
    let page = staff.get("/persons").await;
    assert!(page.body.contains("Add a person"), "English page");
    let error = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "", "sex": "M", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(error.json()["error"]["fields"]["full_name"], "Enter the full name.");
    assert_eq!(staff.get("/lang/vi?next=//evil.example").await.location(), "/");
}

#[tokio::test]
async fn a_cursor_that_was_edited_is_refused_not_read_as_the_first_page() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    add_person(&mut admin, "Trần Văn Bình", BA_DINH, 1).await;
    for path in [
        "/api/v1/persons?after=abc",
        "/api/v1/persons?q=binh&after=~~~~",
        "/api/v1/audit?after=abc",
    ] {
        let answer = admin.get(path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {}", answer.body);
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(message.contains("Trang tiếp theo"), "{path}: {message}");
    }
    let page = admin.get("/persons?q=binh&after=abc").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Trang tiếp theo không hợp lệ"), "{}", page.body);
    assert_eq!(admin.get("/api/v1/persons?after=").await.status, StatusCode::OK);
}

#[tokio::test]
async fn oversized_bodies_hidden_characters_and_unknown_form_fields_are_refused() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let before = person_count(&mut admin).await;

    let huge = json!({"full_name": "A".repeat(5 * 1024 * 1024), "sex": "F", "unit": BA_DINH});
    let answer = admin.post_json("/api/v1/persons", &huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", answer.body);
    assert_eq!(answer.json()["error"]["code"], "too_large");

    let reversed = admin
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/branches"),
            &json!({"name": "Chi hội \u{202E}1 ổT", "kind": "residential"}),
        )
        .await;
    assert_eq!(reversed.status, StatusCode::BAD_REQUEST, "{}", reversed.body);

    let misspelt = admin
        .post_form(
            &format!("/units/{BA_DINH}/branches"),
            &[("name", "Chi hội Tổ 2"), ("knd", "residential")],
        )
        .await;
    assert_eq!(misspelt.status, StatusCode::BAD_REQUEST, "{}", misspelt.body);
    let children = admin.get(&format!("/api/v1/units/{BA_DINH}/children")).await.json();
    assert_eq!(children["items"].as_array().map(Vec::len), Some(0), "no branch opened");
    assert_eq!(person_count(&mut admin).await, before);

    // A path that does not decode names nothing: the usual 404, as JSON
    // under /api/ and as a page elsewhere.
    let api = admin.get("/api/v1/units/%ff").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"]["code"], "not_found");
    let page = admin.get("/persons/%ff%fe").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<html"), "{}", page.body);
}
