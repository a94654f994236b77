//! Approving a public sign-up: registered persons who may be the one who
//! signed up are shown, with why, so that staff reuse a record rather than
//! create a duplicate — only persons the staff may read.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;
use crate::volunteers::{send_signup, signup_form};

#[tokio::test]
async fn the_queue_shows_who_may_already_be_registered_and_approval_reuses_them() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    // Registered: the same woman (name and birth year), her husband on the
    // household's phone, and someone elsewhere on that phone too.
    let same = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Lý Thu Trang", "sex": "F", "birth_date": "2001", "unit": NGOC_HA}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    let husband = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Đào Văn Hùng", "sex": "M", "birth_date": "1999", "phone": "0987654321", "unit": NGOC_HA}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    let mut far = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    let stranger = add_person(&mut far, "Người Ở Xa", HAI_PHONG, 7).await;
    let moved = far
        .patch_json(&format!("/api/v1/persons/{stranger}"), &json!({"phone": "0987654321"}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

    let mut visitor = app.client().at_address("203.0.113.11");
    let sent = send_signup(&mut visitor, &signup_form(NGOC_HA, "Lý Thu Trang")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let queue = staff.get("/volunteers/signups").await;
    assert!(queue.body.contains("Có thể đã có trong hệ thống"), "{}", queue.body);
    let likely = queue.body.split("class=\"likely\"").nth(1).expect("likely block");
    let likely = likely.split("</div>").next().unwrap_or_default();
    assert!(likely.contains(&format!("/persons/{same}")) && likely.contains("cùng họ tên và năm sinh"));
    assert!(likely.contains(&format!("/persons/{husband}")) && likely.contains("cùng số điện thoại"));
    assert!(!likely.contains("Người Ở Xa"), "nobody outside the staff's units");

    // The API tells the same, the likeliest first; others may not ask.
    let signup = app.count("SELECT MAX(id) FROM volunteer_signups").await;
    let api = staff.get(&format!("/api/v1/volunteer-signups/{signup}/likely")).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let found: Vec<(i64, String)> = api
        .json()
        .as_array()
        .expect("list")
        .iter()
        .map(|m| {
            (
                m["person_id"].as_i64().unwrap_or(0),
                m["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![(same, "same_name_birth".to_owned()), (husband, "same_phone".to_owned())]
    );
    let mut elsewhere = app.signed_in("badinh", "staff", BA_DINH).await;
    let hidden = elsewhere
        .get(&format!("/api/v1/volunteer-signups/{signup}/likely"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // Approved with her record, by its own button: no second person.
    let button = format!("form=\"approve-{signup}\" name=\"use_person\" value=\"{same}\"");
    assert!(likely.contains(&button), "{likely}");
    let persons = app.count("SELECT COUNT(*) FROM persons").await;
    let approved = staff
        .post_form(
            &format!("/volunteers/signups/{signup}/approve"),
            &[("unit", NGOC_HA), ("person", ""), ("use_person", &same.to_string())],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM persons").await, persons);
    let volunteer = app.count("SELECT MAX(id) FROM volunteers").await;
    let v = staff.get(&format!("/api/v1/volunteers/{volunteer}")).await.json();
    assert_eq!(v["person_id"], same);
}

#[tokio::test]
async fn a_long_queue_pages_oldest_first_and_every_page_shows_its_likely_matches() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let registered = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Lý Thu Trang", "sex": "F", "birth_date": "2001", "unit": NGOC_HA}),
        )
        .await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
    let mut visitor = app.client().at_address("203.0.113.12");
    let sent = send_signup(&mut visitor, &signup_form(NGOC_HA, "Lý Thu Trang")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // 104 more of the same, as a busy week of a flood appeal would bring.
    let columns = "unit_id, province_id, commune_id, branch_id, full_name, sex, birth_date, phone, address_detail, \
                   skills, availability, emergency_name, emergency_phone, note, status, received_at";
    app.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 104) \
         INSERT INTO volunteer_signups ({columns}) SELECT {columns} FROM volunteer_signups, n"
    ))
    .await
    .unwrap();
    let first = app.count("SELECT MIN(id) FROM volunteer_signups").await;
    let last = app.count("SELECT MAX(id) FROM volunteer_signups").await;

    let page = staff.get("/volunteers/signups").await;
    assert_eq!(page.body.matches("class=\"card signup\"").count(), 100);
    assert_eq!(page.body.matches("class=\"likely\"").count(), 100);
    assert!(
        page.body.contains(&format!("id=\"signup-{first}\"")),
        "the oldest first"
    );
    let more = page
        .body
        .split("id=\"signups-more\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next page")
        .replace("&#38;", "&");
    let rest = staff.get(&more).await;
    assert_eq!(rest.status, StatusCode::OK);
    assert_eq!(rest.body.matches("class=\"card signup\"").count(), 5);
    assert_eq!(
        rest.body.matches("class=\"likely\"").count(),
        5,
        "no sign-up shown without its matches"
    );
    assert!(rest.body.contains(&format!("id=\"signup-{last}\"")));
    assert!(!rest.body.contains("signups-more"));

    // The API pages the same way; decided ones come the latest first.
    let api = staff.get("/api/v1/volunteer-signups").await.json();
    let ids: Vec<i64> = api["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    assert_eq!((ids.len(), ids[0]), (100, first));
    let after = api["next"].as_str().expect("a full page says where the next starts");
    let next = staff
        .get(&format!("/api/v1/volunteer-signups?after={after}"))
        .await
        .json();
    assert_eq!(next["items"].as_array().map(Vec::len), Some(5));
    assert!(next["next"].is_null(), "the last page has no next: {next}");
    // A refused approval is shown on its sign-up, even one past the first page.
    let refused = staff
        .post_form(
            &format!("/volunteers/signups/{last}/approve"),
            &[("unit", "không có"), ("person", "")],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let card = refused
        .body
        .split(&format!("id=\"signup-{last}\""))
        .nth(1)
        .expect("the refused sign-up is on the page");
    let card = card.split("</section>").next().unwrap_or_default();
    let errors: Vec<&str> = card
        .split("class=\"field-error\">")
        .skip(1)
        .filter_map(|e| e.split("</span>").next())
        .filter(|e| !e.trim().is_empty())
        .collect();
    assert!(!errors.is_empty(), "the refusal is said on its sign-up: {card}");

    // Decided ones page the other way: the latest received first.
    app.sql("UPDATE volunteer_signups SET status = 'declined', decided_by = 'ngocha', decided_at = received_at")
        .await
        .unwrap();
    let declined = staff.get("/api/v1/volunteer-signups?status=declined").await.json();
    let ids: Vec<i64> = declined["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    assert_eq!((ids.len(), ids[0]), (100, last));
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    let older = staff
        .get(&format!("/api/v1/volunteer-signups?status=declined&after={}", ids[99]))
        .await
        .json();
    let older: Vec<i64> = older["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    assert_eq!(older.len(), 5);
    assert_eq!(older.last(), Some(&first));
    let bad = staff.get("/volunteers/signups?after=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
