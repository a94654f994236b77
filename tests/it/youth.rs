//! Youth Red Cross: pupils of school branches with their class and school
//! year, counted while active, moving with their person like any role.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::members::{count_at, enrol};
use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn pupils_join_school_branches_with_class_and_year_and_are_counted() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let school = open_branch_of(&mut staff, BA_DINH, "Chi hội Trường THCS Giảng Võ", "school").await;
    let street = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 3").await;
    let pupil = add_person(&mut staff, "Phan Minh Khôi", BA_DINH, 1).await;

    let response = staff
        .post_json(
            "/api/v1/youth",
            &json!({"person": pupil.to_string(), "branch": school, "class_name": "8A2", "school_year": "2025 – 2026"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let youth = response.json();
    assert_eq!(youth["school_year"], "2025-2026");
    assert_eq!(youth["branch_code"], school.as_str());
    assert_eq!(count_at(&app, "youth_members", &school).await, 1);
    assert_eq!(count_at(&app, "youth_members", HA_NOI).await, 1);
    let person = staff.get(&format!("/api/v1/persons/{pupil}")).await.json();
    assert_eq!(
        person["unit"]["code"],
        school.as_str(),
        "the pupil moved to the school branch"
    );

    // Only school branches; years are two years in a row; once per person.
    let other = add_person(&mut staff, "Đào Thu Hà", BA_DINH, 2).await;
    for (body, field) in [
        (
            json!({"person": other.to_string(), "branch": street, "class_name": "6A"}),
            "branch",
        ),
        (
            json!({"person": other.to_string(), "branch": school, "class_name": "6A", "school_year": "2025-2027"}),
            "school_year",
        ),
        (
            json!({"person": other.to_string(), "branch": school, "class_name": ""}),
            "class_name",
        ),
        (
            json!({"person": pupil.to_string(), "branch": school, "class_name": "9A"}),
            "person",
        ),
    ] {
        let refused = staff.post_json("/api/v1/youth", &body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            refused.body
        );
        assert!(
            refused.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            refused.body
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM youth_members").await, 1);

    // Leaving uncounts; the list filters by school year.
    let path = format!("/api/v1/youth/{}", youth["id"]);
    let moved_up = staff
        .put_json(
            &path,
            &json!({"class_name": "9A2", "school_year": "2026-2027", "status": "active", "version": youth["version"]}),
        )
        .await;
    assert_eq!(moved_up.status, StatusCode::OK, "{}", moved_up.body);
    assert_eq!(
        staff
            .get("/api/v1/youth?year=2026-2027")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        staff
            .get("/api/v1/youth?year=2025-2026")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // A pupil does not move to a residential branch with a membership
    // while at school; once they left school, they may.
    let (status, refused) = enrol(&mut staff, pupil, &street, "01/09/2025").await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("trường học"),
        "{refused}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
    let left = staff
        .put_json(&path, &json!({"class_name": "9A2", "school_year": "2026-2027", "status": "left", "version": moved_up.json()["version"]}))
        .await;
    assert_eq!(left.status, StatusCode::OK);
    let (status, member) = enrol(&mut staff, pupil, &street, "01/09/2025").await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(count_at(&app, "youth_members", HA_NOI).await, 0);
    assert!(staff.get("/youth").await.body.contains("Phan Minh Khôi"));
    let mut outsider = app.signed_in("ngocha", "staff", NGOC_HA).await;
    assert_eq!(outsider.get(&path).await.status, StatusCode::NOT_FOUND);
}

/// A school branch with pupils is not merged into a branch of another
/// kind (its pupils would sit outside a school); into a school, it is.
#[tokio::test]
async fn a_school_branch_with_pupils_merges_only_into_a_school() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut admin = app.signed_in("qtri", "admin", BA_DINH).await;
    let school = open_branch_of(&mut staff, BA_DINH, "Chi hội Trường THCS Kim Mã", "school").await;
    let other_school = open_branch_of(&mut staff, BA_DINH, "Chi hội Trường THCS Thủ Lệ", "school").await;
    let street = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 8").await;
    let pupil = add_person(&mut staff, "Lê Gia Bảo", BA_DINH, 3).await;
    let joined = staff
        .post_json(
            "/api/v1/youth",
            &json!({"person": pupil.to_string(), "branch": school, "class_name": "7A"}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);

    let refused = admin
        .post_json(&format!("/api/v1/units/{street}/merge"), &json!({"sources": [school]}))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("trường học"), "{}", refused.body);
    let still = admin.get(&format!("/api/v1/units/{school}")).await.json();
    assert_eq!(still["status"], "active", "nothing changed");
    assert_eq!(count_at(&app, "youth_members", &school).await, 1);

    let merged = admin
        .post_json(
            &format!("/api/v1/units/{other_school}/merge"),
            &json!({"sources": [school]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    assert_eq!(count_at(&app, "youth_members", &other_school).await, 1);
}
