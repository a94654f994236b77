//! Corrections of what volunteers prove and give: a certificate or hours
//! entered by mistake are removed, by someone who may change the volunteer.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;
use crate::volunteers::{day, register};

/// A certificate or hours entered by mistake are removed after a
/// confirmation by someone who may change the volunteer; the total follows,
/// the audit keeps what was removed, and nobody else can remove them.
#[tokio::test]
async fn certificates_and_hours_entered_by_mistake_are_removed_and_audited() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let person = add_person(&mut staff, "Lý Thị Thu", BA_DINH, 5).await;
    let (_, v) = register(
        &mut staff,
        json!({"person": person.to_string(), "skills": ["first_aid"]}),
    )
    .await;
    let id = v["id"].as_i64().expect("id");
    let other = add_person(&mut staff, "Lý Văn Nam", BA_DINH, 6).await;
    let (_, w) = register(&mut staff, json!({"person": other.to_string(), "skills": ["driving"]})).await;
    let other_id = w["id"].as_i64().expect("id");
    let certificate = staff
        .post_json(
            &format!("/api/v1/volunteers/{id}/certificates"),
            &json!({"skill": "first_aid", "title": "Nhập nhầm", "issued_on": day(-10), "expires_on": day(20)}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("certificate");
    let mut entries = Vec::new();
    for hours in ["2", "4,5"] {
        let response = staff
            .post_json(
                &format!("/api/v1/volunteers/{id}/hours"),
                &json!({"on_date": day(-2), "activity": "Trực cấp cứu", "hours": hours}),
            )
            .await;
        entries.push(response.json()["id"].as_i64().expect("hours"));
    }

    // Read-only, elsewhere, or through another volunteer: refused, nothing removed.
    let mut viewer = app.signed_in("xem.badinh", "viewer", BA_DINH).await;
    let page = viewer.get(&format!("/volunteers/{id}")).await;
    assert!(
        page.body.contains("Nhập nhầm") && !page.body.contains("/remove"),
        "{}",
        page.body
    );
    let refused = viewer
        .delete(&format!("/api/v1/volunteers/{id}/certificates/{certificate}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let hidden = neighbour
        .delete(&format!("/api/v1/volunteers/{id}/hours/{}", entries[0]))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let crossed = staff
        .delete(&format!("/api/v1/volunteers/{other_id}/certificates/{certificate}"))
        .await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
    assert_eq!(
        staff.get(&format!("/api/v1/volunteers/{id}")).await.json()["tenths"],
        65
    );

    // The page asks first, naming what goes, then removes it.
    let page = staff.get(&format!("/volunteers/{id}")).await;
    let link = format!("/volunteers/{id}/certificates/{certificate}/remove");
    assert!(page.body.contains(&link), "{}", page.body);
    let ask = staff.get(&link).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.body.contains("Nhập nhầm") && ask.body.contains("Lý Thị Thu"),
        "{}",
        ask.body
    );
    let removed = staff.post_form(&link, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let details = staff.get(&format!("/api/v1/volunteers/{id}")).await.json();
    assert!(
        details["certificates"].as_array().expect("list").is_empty(),
        "{details}"
    );
    let expiring = staff
        .get("/api/v1/volunteers/certificates/expiring?days=60")
        .await
        .json();
    assert!(expiring.as_array().expect("list").is_empty(), "{expiring}");

    let removed = staff
        .delete(&format!("/api/v1/volunteers/{id}/hours/{}", entries[1]))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let again = staff
        .delete(&format!("/api/v1/volunteers/{id}/hours/{}", entries[1]))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let details = staff.get(&format!("/api/v1/volunteers/{id}")).await.json();
    assert_eq!(details["tenths"], 20);
    assert_eq!(details["hours"].as_array().map(Vec::len), Some(1));

    let audited = app
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE (action = 'certificate_removed' AND before_json LIKE '%Nhập nhầm%') \
             OR (action = 'hours_removed' AND before_json LIKE '%4,5%')",
        )
        .await;
    assert_eq!(audited, 2);
    let mut admin = app.signed_in("qtri.badinh", "admin", BA_DINH).await;
    let log = admin.get("/audit?action=certificate_removed").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(
        log.body.contains("Xóa chứng chỉ") && log.body.contains("Nhập nhầm"),
        "{}",
        log.body
    );
}
