//! Volunteers: registration by staff counts up the tree and follows the
//! person; certificates expire and are listed ahead; hours add up; a
//! public sign-up lands only in the chosen commune's queue, and the public
//! form is guarded against robots, floods and cross-site posts.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::members::{count_at, enrol};
use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::{Client, TestApp};

pub async fn register(client: &mut Client, body: Value) -> (StatusCode, Value) {
    let response = client.post_json("/api/v1/volunteers", &body).await;
    let value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    (response.status, value)
}

pub fn day(offset_days: i64) -> String {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let d = today + time::Duration::days(offset_days);
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

#[tokio::test]
async fn a_registered_volunteer_counts_up_the_tree_until_they_leave() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let person = add_person(&mut staff, "Phạm Thị Lan", BA_DINH, 1).await;
    let (status, v) = register(
        &mut staff,
        json!({"person": person.to_string(), "skills": ["first_aid", "cooking"], "availability": ["weekends"],
               "emergency_name": "Phạm Văn Nam", "emergency_phone": "0912345678"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["skills"], json!(["first_aid", "cooking"]));
    assert_eq!(v["unit_code"], BA_DINH, "registered where the person is");
    assert_eq!(count_at(&app, "volunteers", BA_DINH).await, 1);
    assert_eq!(count_at(&app, "volunteers", HA_NOI).await, 1);

    // One record per person.
    let (status, again) = register(&mut staff, json!({"person": person.to_string()})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    // Bad input names its field and changes nothing.
    let other = add_person(&mut staff, "Hồ Văn Tâm", BA_DINH, 2).await;
    for (body, field) in [
        (json!({"person": other.to_string(), "skills": ["flying"]}), "skills"),
        (
            json!({"person": other.to_string(), "emergency_name": "Bà Tư"}),
            "emergency_phone",
        ),
        (json!({"person": other.to_string(), "unit": HA_NOI}), "unit"),
        (
            json!({"person": other.to_string(), "joined_on": "01/01/2099"}),
            "joined_on",
        ),
    ] {
        let (status, refused) = register(&mut staff, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {refused}");
        assert!(refused["error"]["fields"][field].is_string(), "{field}: {refused}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM volunteers").await, 1);

    // Leaving uncounts; the list filters by skill.
    let id = v["id"].as_i64().expect("id");
    let listed = staff.get("/api/v1/volunteers?skill=first_aid").await.json();
    assert_eq!(listed["total"], 1);
    assert_eq!(staff.get("/api/v1/volunteers?skill=driving").await.json()["total"], 0);
    let changed = staff
        .put_json(
            &format!("/api/v1/volunteers/{id}"),
            &json!({"status": "left", "skills": ["cooking"], "version": v["version"]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(count_at(&app, "volunteers", BA_DINH).await, 0);
    // A stale version is refused.
    let stale = staff
        .put_json(
            &format!("/api/v1/volunteers/{id}"),
            &json!({"status": "active", "version": v["version"]}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    // Outside the commune nobody sees or changes the volunteer.
    let mut outsider = app.signed_in("ngocha", "staff", NGOC_HA).await;
    assert_eq!(
        outsider.get(&format!("/api/v1/volunteers/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(outsider.get("/api/v1/volunteers").await.json()["total"], 0);
}

#[tokio::test]
async fn a_transferred_member_takes_their_volunteer_record_along() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", HA_NOI).await;
    let first = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 1").await;
    let second = open_branch(&mut staff, NGOC_HA, "Chi hội Tổ 5").await;
    let person = add_person(&mut staff, "Vũ Minh Châu", BA_DINH, 3).await;
    let (status, member) = enrol(&mut staff, person, &first, "01/01/2020").await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    // A member is a volunteer where they are, not in another commune.
    let (status, refused) = register(&mut staff, json!({"person": person.to_string(), "unit": NGOC_HA})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, v) = register(&mut staff, json!({"person": person.to_string()})).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["unit_code"], first.as_str());

    let transfer = staff
        .post_json(
            &format!("/api/v1/members/{}/transfer", member["id"]),
            &json!({"branch": second, "on": "01/06/2024", "version": member["version"]}),
        )
        .await;
    assert_eq!(transfer.status, StatusCode::OK, "{}", transfer.body);
    let moved = staff.get(&format!("/api/v1/volunteers/{}", v["id"])).await.json();
    assert_eq!(
        moved["unit_code"],
        second.as_str(),
        "the volunteer record followed the person"
    );
    assert_eq!(count_at(&app, "volunteers", BA_DINH).await, 0);
    assert_eq!(count_at(&app, "volunteers", NGOC_HA).await, 1);
    assert_eq!(count_at(&app, "volunteers", HA_NOI).await, 1);
}

#[tokio::test]
async fn certificates_expiring_ahead_are_listed_and_hours_add_up() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let person = add_person(&mut staff, "Đỗ Văn Hùng", BA_DINH, 4).await;
    let (_, v) = register(
        &mut staff,
        json!({"person": person.to_string(), "skills": ["first_aid"]}),
    )
    .await;
    let id = v["id"].as_i64().expect("id");
    let path = format!("/api/v1/volunteers/{id}/certificates");
    for (skill, title, expires) in [
        ("first_aid", "Sắp hết", day(10)),
        ("water_rescue", "Còn lâu", day(400)),
        ("driving", "Vĩnh viễn", String::new()),
    ] {
        let response = staff
            .post_json(
                &path,
                &json!({"skill": skill, "title": title, "issued_on": day(-300), "expires_on": expires}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    let refused = staff
        .post_json(
            &path,
            &json!({"skill": "first_aid", "title": "Ngược", "issued_on": day(-3), "expires_on": day(-30)}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["expires_on"].is_string());

    let expiring = staff
        .get("/api/v1/volunteers/certificates/expiring?days=60")
        .await
        .json();
    let titles: Vec<&str> = expiring
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["title"].as_str())
        .collect();
    assert_eq!(titles, vec!["Sắp hết"]);
    let page = staff.get("/volunteers/certificates?days=60").await;
    assert!(page.body.contains("Sắp hết") && !page.body.contains("Còn lâu"));
    let file = staff.get("/volunteers/certificates.xlsx?days=60").await;
    assert_eq!(file.status, StatusCode::OK);
    // Renewed, it is off the list.
    let renewed = staff
        .post_json(
            &path,
            &json!({"skill": "first_aid", "title": "Gia hạn", "issued_on": day(-1), "expires_on": day(730)}),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::CREATED);
    let expiring = staff
        .get("/api/v1/volunteers/certificates/expiring?days=60")
        .await
        .json();
    assert!(expiring.as_array().expect("list").is_empty(), "{expiring}");

    for hours in ["2,5", "3"] {
        let response = staff
            .post_json(
                &format!("/api/v1/volunteers/{id}/hours"),
                &json!({"on_date": day(-1), "activity": "Hiến máu", "hours": hours}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    let bad = staff
        .post_json(
            &format!("/api/v1/volunteers/{id}/hours"),
            &json!({"on_date": day(-1), "activity": "Trực", "hours": "30"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = staff.get(&format!("/api/v1/volunteers/{id}")).await.json();
    assert_eq!(details["tenths"], 55);
    assert_eq!(details["hours"].as_array().map(Vec::len), Some(2));
    assert!(staff.get(&format!("/volunteers/{id}")).await.body.contains("5,5"));
}

pub fn signup_form<'a>(commune: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("commune", commune),
        ("full_name", name),
        ("sex", "F"),
        ("birth_date", "12/05/2001"),
        ("phone", "0987 654 321"),
        ("skills", "first_aid"),
        ("skills", "water_rescue"),
        ("availability", "emergencies"),
        ("consent", "yes"),
        ("website", ""),
    ]
}

pub async fn send_signup(client: &mut Client, fields: &[(&str, &str)]) -> crate::support::Response {
    let body = serde_urlencoded::to_string(fields).expect("form");
    client
        .send(
            Method::POST,
            "/p/tinh-nguyen",
            Some("application/x-www-form-urlencoded"),
            body,
            false,
        )
        .await
}

#[tokio::test]
async fn a_public_sign_up_lands_only_in_the_chosen_communes_queue() {
    let app = TestApp::new().await;
    let mut visitor = app.client().at_address("203.0.113.7");
    let form = visitor.get("/p/tinh-nguyen?province=01").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Phường Ngọc Hà"),
        "the province's communes are offered"
    );
    assert_eq!(form.headers["cache-control"], "no-store");

    let sent = send_signup(&mut visitor, &signup_form(NGOC_HA, "Lý Thu Trang")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), "/p/tinh-nguyen/da-gui");

    let mut ba_dinh = app.signed_in("badinh", "staff", BA_DINH).await;
    assert!(ba_dinh.get("/api/v1/volunteer-signups").await.json()["items"]
        .as_array()
        .expect("list")
        .is_empty());
    assert!(!ba_dinh.get("/volunteers/signups").await.body.contains("Lý Thu Trang"));
    let mut ngoc_ha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let queue = ngoc_ha.get("/api/v1/volunteer-signups").await.json();
    let signup = &queue["items"].as_array().expect("list")[0];
    assert_eq!(signup["full_name"], "Lý Thu Trang");
    assert_eq!(signup["phone"], "0987654321");
    assert_eq!(signup["skills"], json!(["first_aid", "water_rescue"]));

    // Staff of another commune cannot approve it; its own staff can.
    let approve = format!("/api/v1/volunteer-signups/{}/approve", signup["id"]);
    assert_eq!(
        ba_dinh.post_json(&approve, &json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let approved = ngoc_ha.post_json(&approve, &json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let volunteer = approved.json()["volunteer_id"].as_i64().expect("id");
    let v = ngoc_ha.get(&format!("/api/v1/volunteers/{volunteer}")).await.json();
    assert_eq!(v["full_name"], "Lý Thu Trang");
    assert_eq!(v["unit_code"], NGOC_HA);
    assert_eq!(count_at(&app, "volunteers", NGOC_HA).await, 1);
    assert_eq!(count_at(&app, "persons", NGOC_HA).await, 1);
    // Decided once.
    assert_eq!(
        ngoc_ha.post_json(&approve, &json!({})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// Choosing another province shows its communes and keeps what was typed;
/// nothing is sent or kept until the form itself is sent.
#[tokio::test]
async fn showing_a_provinces_communes_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let mut visitor = app.client().at_address("203.0.113.9");
    let mut fields = signup_form("", "Trịnh Văn Giữ");
    fields.push(("province", "01"));
    fields.push(("show_communes", "1"));
    let shown = send_signup(&mut visitor, &fields).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    for kept in ["Trịnh Văn Giữ", "0987 654 321", "12/05/2001", "Phường Ngọc Hà"] {
        assert!(shown.body.contains(kept), "{kept}");
    }
    assert!(!shown.body.contains("flash error"), "no errors are told yet");
    assert_eq!(app.count("SELECT COUNT(*) FROM volunteer_signups").await, 0);
}

#[tokio::test]
async fn the_public_form_refuses_bad_input_robots_floods_and_other_sites() {
    let app = TestApp::new().await;
    let signups = "SELECT COUNT(*) FROM volunteer_signups";
    let mut visitor = app.client().at_address("198.51.100.4");

    let mut missing = signup_form(NGOC_HA, "Mai Anh");
    missing.retain(|(k, _)| *k != "consent" && *k != "phone");
    let refused = send_signup(&mut visitor, &missing).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Mai Anh"),
        "the visitor's form comes back filled in"
    );
    assert_eq!(refused.headers["cache-control"], "no-store");
    let unknown = send_signup(&mut visitor, &signup_form("99999", "Mai Anh")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count(signups).await, 0);

    // A robot fills the hidden field: told "sent", nothing kept.
    let mut robot = signup_form(NGOC_HA, "Bot");
    robot.retain(|(k, _)| *k != "website");
    robot.push(("website", "http://spam.example"));
    let fooled = send_signup(&mut visitor, &robot).await;
    assert_eq!(fooled.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(signups).await, 0);

    // Another site cannot post the form.
    let mut cross = app.client().at_address("198.51.100.9");
    cross.headers.push(("origin".into(), "https://evil.example".into()));
    cross.headers.push(("host".into(), "nhanai.example".into()));
    let forged = send_signup(&mut cross, &signup_form(NGOC_HA, "Giả Mạo")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count(signups).await, 0);

    // Five sends an hour from one address; the sixth waits (on every server).
    let mut flood = app.client().at_address("198.51.100.77");
    for _ in 0..5 {
        let ok = send_signup(&mut flood, &signup_form(NGOC_HA, "Lặp Lại")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
    }
    flood.switch_to(&app.second_server().await);
    let throttled = send_signup(&mut flood, &signup_form(NGOC_HA, "Lặp Lại")).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count(signups).await, 5);
}

#[tokio::test]
async fn the_volunteer_pages_register_and_change_a_volunteer() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let person = add_person(&mut staff, "Tạ Quang Minh", BA_DINH, 5).await;
    let reference = person.to_string();
    let form = staff.get("/volunteers/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let refused = staff
        .post_form(
            "/volunteers",
            &[
                ("person", &reference),
                ("skills", "driving"),
                ("emergency_phone", "0912345678"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("checked"), "the ticked box stays ticked");
    let created = staff
        .post_form(
            "/volunteers",
            &[
                ("person", &reference),
                ("skills", "driving"),
                ("skills", "it"),
                ("availability", "evenings"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = staff.get(&created.location()).await;
    assert!(page.body.contains("Lái xe") && page.body.contains("Công nghệ thông tin"));
    let list = staff.get("/volunteers").await;
    assert!(list.body.contains("Tạ Quang Minh"));
    let file = staff.get("/volunteers/export.xlsx?skill=driving").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"PK"));
}
