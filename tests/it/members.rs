//! Members: enrolment moves the person to the branch and numbers the
//! membership for good; status changes and transfers keep their history
//! and move the counts; nobody outside the branch's units sees or enrols.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::people::{add_person, cccd};
use crate::support::units::*;
use crate::support::{Client, TestApp};

async fn enrol(client: &mut Client, person: i64, branch: &str, joined_on: &str) -> (StatusCode, Value) {
    let response = client
        .post_json(
            "/api/v1/members",
            &json!({"person": person.to_string(), "branch": branch, "joined_on": joined_on}),
        )
        .await;
    let body = if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    };
    (response.status, body)
}

/// The stored count of `counter` at the unit `code`.
async fn count_at(app: &TestApp, counter: &str, code: &str) -> i64 {
    app.count(&format!(
        "SELECT CAST(COALESCE(SUM(c.value), 0) AS BIGINT) FROM unit_counts c JOIN units u ON u.id = c.unit_id \
         WHERE u.code = '{code}' AND c.counter = '{counter}'"
    ))
    .await
}

#[tokio::test]
async fn enrolment_numbers_the_member_and_moves_the_person_to_the_branch() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 1").await;
    let person = add_person(&mut staff, "Nguyễn Văn An", BA_DINH, 1).await;

    let (status, member) = enrol(&mut staff, person, &branch, "03/02/2020").await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    let number = member["member_no"].as_str().expect("number").to_owned();
    assert!(number.starts_with("HV") && number.len() == 10, "{number}");
    assert_eq!(member["joined_on"], "2020-02-03");
    assert_eq!(member["status"], "active");
    assert_eq!(member["branch_code"], branch.as_str());
    let person_now = staff.get(&format!("/api/v1/persons/{person}")).await.json();
    assert_eq!(
        person_now["unit"]["code"],
        branch.as_str(),
        "the person moved with the membership"
    );
    assert_eq!(count_at(&app, "members", &branch).await, 1);
    assert_eq!(count_at(&app, "members", BA_DINH).await, 1);
    assert_eq!(count_at(&app, "members", HA_NOI).await, 1);

    // One membership per person.
    let (status, again) = enrol(&mut staff, person, &branch, "03/02/2021").await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(count_at(&app, "members", BA_DINH).await, 1);

    // By CCCD too; a second member gets another number.
    let other = add_person(&mut staff, "Trần Thị Bình", BA_DINH, 2).await;
    let cccd = staff.get(&format!("/api/v1/persons/{other}")).await.json()["cccd"]
        .as_str()
        .expect("cccd")
        .to_owned();
    let response = staff
        .post_json(
            "/api/v1/members",
            &json!({"person": cccd, "branch": branch, "joined_on": "2021-05-19"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_ne!(response.json()["member_no"], number.as_str());
    assert_eq!(count_at(&app, "members", &branch).await, 2);
}

#[tokio::test]
async fn bad_enrolments_say_what_is_wrong_and_change_nothing() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 2").await;
    let person = add_person(&mut staff, "Lê Văn Cường", BA_DINH, 3).await;
    for (person, branch, joined, field, key) in [
        (person, branch.as_str(), "01/01/2099", "joined_on", "ngày"),
        (person, branch.as_str(), "2020", "joined_on", "ngày"),
        (person, BA_DINH, "01/01/2020", "branch", "chi hội"),
        (person, "99999-999", "01/01/2020", "branch", "chi hội"),
        (987_654, branch.as_str(), "01/01/2020", "person", "không tìm thấy"),
    ] {
        let (status, body) = enrol(&mut staff, person, branch, joined).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        let message = body["error"]["fields"][field]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(message.contains(key), "{field}: {body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
    assert_eq!(count_at(&app, "members", BA_DINH).await, 0);
}

#[tokio::test]
async fn a_transfer_keeps_the_number_and_history_and_moves_person_and_counts() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let from = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 3").await;
    let to = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 4").await;
    let person = add_person(&mut staff, "Phạm Thị Dung", BA_DINH, 4).await;
    let (_, member) = enrol(&mut staff, person, &from, "10/10/2019").await;
    let id = member["id"].as_i64().expect("id");

    let stale = staff
        .post_json(
            &format!("/api/v1/members/{id}/transfer"),
            &json!({"branch": to, "on": "01/06/2024", "reason": "Chuyển nhà", "version": 99}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let moved = staff
        .post_json(
            &format!("/api/v1/members/{id}/transfer"),
            &json!({"branch": to, "on": "01/06/2024", "reason": "Chuyển nhà", "version": member["version"]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["member_no"], member["member_no"], "the number never changes");
    assert_eq!(moved["branch_code"], to.as_str());
    assert_eq!(
        staff.get(&format!("/api/v1/persons/{person}")).await.json()["unit"]["code"],
        to.as_str()
    );
    assert_eq!(count_at(&app, "members", &from).await, 0);
    assert_eq!(count_at(&app, "members", &to).await, 1);
    assert_eq!(count_at(&app, "members", BA_DINH).await, 1);
    assert_eq!(count_at(&app, "persons", &to).await, 1);

    let shown = staff.get(&format!("/api/v1/members/{id}")).await.json();
    let kinds: Vec<&str> = shown["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["joined", "transfer"]);
    assert_eq!(shown["history"][1]["from_unit"], "Chi hội Tổ 3");
    assert_eq!(shown["history"][1]["to_unit"], "Chi hội Tổ 4");
    let page = staff.get(&format!("/members/{id}")).await;
    assert!(
        page.body.contains("Chi hội Tổ 3") && page.body.contains("01/06/2024"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn status_changes_need_a_reason_and_are_kept_in_order() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 5").await;
    let person = add_person(&mut staff, "Hoàng Văn Em", BA_DINH, 5).await;
    let (_, member) = enrol(&mut staff, person, &branch, "01/03/2018").await;
    let id = member["id"].as_i64().expect("id");
    let path = format!("/api/v1/members/{id}/status");

    let refused = staff
        .post_json(&path, &json!({"status": "left", "on": "01/01/2025", "version": 1}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["reason"].is_string());
    let before_joining = staff
        .post_json(
            &path,
            &json!({"status": "suspended", "on": "01/01/2017", "reason": "x", "version": 1}),
        )
        .await;
    assert_eq!(before_joining.status, StatusCode::UNPROCESSABLE_ENTITY);

    let left = staff
        .post_json(
            &path,
            &json!({"status": "left", "on": "01/01/2025", "reason": "Đi làm xa", "version": 1}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    assert_eq!(left.json()["status"], "left");
    let deceased = staff
        .post_json(&path, &json!({"status": "deceased", "on": "02/02/2025", "version": 2}))
        .await;
    assert_eq!(deceased.status, StatusCode::OK, "{}", deceased.body);
    let back = staff
        .post_json(&path, &json!({"status": "active", "on": "03/03/2025", "version": 3}))
        .await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "a death is final");

    let listed = staff
        .get(&format!("/api/v1/members?unit={branch}&status=deceased"))
        .await
        .json();
    assert_eq!(listed["total"], 1);
    let active = staff
        .get(&format!("/api/v1/members?unit={branch}&status=active"))
        .await
        .json();
    assert_eq!(active["total"], 0);
    let history = staff.get(&format!("/api/v1/members/{id}")).await.json()["history"].clone();
    let statuses: Vec<&str> = history
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert_eq!(statuses, ["active", "left", "deceased"]);
}

#[tokio::test]
async fn other_units_neither_see_nor_enrol_and_viewers_only_read() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 6").await;
    let person = add_person(&mut staff, "Vũ Thị Giang", BA_DINH, 6).await;
    let spare = add_person(&mut staff, "Vũ Văn Hải", BA_DINH, 7).await;
    let (_, member) = enrol(&mut staff, person, &branch, "05/05/2015").await;
    let id = member["id"].as_i64().expect("id");

    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let their_branch = open_branch(&mut neighbour, NGOC_HA, "Chi hội Tổ 9").await;
    assert_eq!(
        neighbour.get(&format!("/api/v1/members/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        neighbour.get(&format!("/members/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(neighbour.get("/api/v1/members").await.json()["total"], 0);
    // Enrolling someone registered elsewhere tells nothing about them.
    let (status, body) = enrol(&mut neighbour, spare, &their_branch, "01/01/2020").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, unknown) = enrol(&mut neighbour, 9_999_999, &their_branch, "01/01/2020").await;
    assert_eq!(body["error"]["fields"]["person"], unknown["error"]["fields"]["person"]);
    // Nor can a branch move a member into theirs.
    let moved = staff
        .post_json(
            &format!("/api/v1/members/{id}/transfer"),
            &json!({"branch": their_branch, "on": "01/01/2024", "version": 1}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", moved.body);

    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    assert_eq!(
        viewer.get(&format!("/api/v1/members/{id}")).await.status,
        StatusCode::OK
    );
    let page = viewer.get(&format!("/members/{id}")).await;
    assert!(!page.body.contains("status-form"), "a viewer gets no forms");
    let refused = viewer
        .post_json(
            &format!("/api/v1/members/{id}/status"),
            &json!({"status": "suspended", "on": "01/01/2024", "reason": "x", "version": 1}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (status, _) = enrol(&mut viewer, spare, &branch, "01/01/2020").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 1);
}

#[tokio::test]
async fn the_pages_enrol_list_and_export_members() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 7").await;
    let person = add_person(&mut staff, "Đỗ Văn Khoa", BA_DINH, 8).await;

    let refused = staff
        .post_form(
            "/members",
            &[
                ("person", &person.to_string()),
                ("branch", &branch),
                ("joined_on", "31/02/2020"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("31/02/2020"), "what was typed stays");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
    let done = staff
        .post_form(
            "/members",
            &[
                ("person", &person.to_string()),
                ("branch", &branch),
                ("joined_on", "28/02/2020"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = staff.get(&done.location()).await;
    assert!(page.body.contains("Đỗ Văn Khoa") && page.body.contains("28/02/2020"));

    let list = staff.get(&format!("/members?unit={branch}")).await;
    assert!(list.body.contains("Đỗ Văn Khoa"), "{}", list.body);
    let file = staff.get(&format!("/members/export.xlsx?unit={branch}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"PK"), "an .xlsx is a zip");
}

#[tokio::test]
async fn a_member_is_not_moved_or_deleted_from_the_person_page() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 8").await;
    let person = add_person(&mut staff, "Ngô Thị Lan", BA_DINH, 9).await;
    enrol(&mut staff, person, &branch, "01/01/2010").await;

    let moved = staff
        .patch_json(&format!("/api/v1/persons/{person}"), &json!({"unit": BA_DINH}))
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.body);
    let deleted = staff.delete(&format!("/api/v1/persons/{person}")).await;
    assert_eq!(deleted.status, StatusCode::CONFLICT, "{}", deleted.body);
    // Other fields still change.
    let renamed = staff
        .patch_json(&format!("/api/v1/persons/{person}"), &json!({"phone": "0912000111"}))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(count_at(&app, "persons", &branch).await, 1);
    assert_eq!(count_at(&app, "members", &branch).await, 1);
}

#[tokio::test]
async fn dues_follow_the_nearest_rate_and_arrears_list_who_owes() {
    let app = TestApp::new().await;
    let year = time::OffsetDateTime::now_utc().year();
    let last = year - 1;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 10").await;
    let (a, b) = (
        add_person(&mut staff, "An Văn Một", BA_DINH, 11).await,
        add_person(&mut staff, "Bùi Thị Hai", BA_DINH, 12).await,
    );
    let a = enrol(&mut staff, a, &branch, "01/01/2020").await.1["id"]
        .as_i64()
        .expect("id");
    let b = enrol(&mut staff, b, &branch, "01/01/2020").await.1["id"]
        .as_i64()
        .expect("id");

    // The centre sets this year's rate; Hà Nội sets last year's for its members.
    for (unit, y, amount) in [(TW, year, "60.000"), (HA_NOI, last, "50000 đ")] {
        let set = central
            .post_json(
                &format!("/api/v1/units/{unit}/dues"),
                &json!({"year": y.to_string(), "amount": amount}),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    }
    // Staff do not set rates; a branch has none; amounts are read strictly.
    let refused = staff
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/dues"),
            &json!({"year": year.to_string(), "amount": "1"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for (unit, body, field) in [
        (
            branch.as_str(),
            json!({"year": year.to_string(), "amount": "1"}),
            "unit",
        ),
        (BA_DINH, json!({"year": "1999", "amount": "1"}), "year"),
        (BA_DINH, json!({"year": year.to_string(), "amount": "1,5"}), "amount"),
    ] {
        let bad = central.post_json(&format!("/api/v1/units/{unit}/dues"), &body).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", bad.body);
        assert!(
            bad.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            bad.body
        );
    }

    let paid = staff
        .post_json(
            &format!("/api/v1/members/{a}/dues"),
            &json!({"year": year.to_string(), "amount": "60.000", "paid_on": format!("02/01/{year}")}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let partly = staff
        .post_json(
            &format!("/api/v1/members/{b}/dues"),
            &json!({"year": last.to_string(), "amount": "20.000", "paid_on": format!("15/06/{last}")}),
        )
        .await;
    assert_eq!(partly.status, StatusCode::CREATED, "{}", partly.body);
    let zero = staff
        .post_json(
            &format!("/api/v1/members/{b}/dues"),
            &json!({"year": year.to_string(), "amount": "0", "paid_on": format!("02/01/{year}")}),
        )
        .await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);

    let owing = |v: &Value| -> Vec<(String, i64)> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|x| {
                (
                    x["member"]["full_name"].as_str().unwrap_or("").to_owned(),
                    x["owed"].as_i64().unwrap_or(-1),
                )
            })
            .collect()
    };
    let now = staff
        .get(&format!("/api/v1/members/arrears?unit={BA_DINH}"))
        .await
        .json();
    assert_eq!(owing(&now), [("Bùi Thị Hai".to_owned(), 60_000)]);
    let before = staff
        .get(&format!("/api/v1/members/arrears?unit={branch}&year={last}"))
        .await
        .json();
    assert_eq!(
        owing(&before),
        // By given name, as every list of persons.
        [("Bùi Thị Hai".to_owned(), 30_000), ("An Văn Một".to_owned(), 50_000)]
    );
    let dues = staff.get(&format!("/api/v1/members/{b}/dues")).await.json();
    assert_eq!(dues["years"][0]["year"], year);
    assert_eq!(dues["years"][0]["owed"], 60_000);
    assert_eq!(dues["payments"][0]["amount"], 20_000);

    // Outside the unit nothing shows; the pages say it in đồng.
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    assert_eq!(neighbour.get("/api/v1/members/arrears").await.json(), json!([]));
    assert_eq!(
        neighbour.get(&format!("/api/v1/members/{b}/dues")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = staff.get(&format!("/members/arrears?unit={BA_DINH}")).await;
    assert!(
        page.body.contains("Bùi Thị Hai") && page.body.contains("60.000\u{a0}₫"),
        "{}",
        page.body
    );
    let member_page = staff.get(&format!("/members/{b}")).await;
    assert!(member_page.body.contains("30.000\u{a0}₫"), "{}", member_page.body);
    let file = staff.get(&format!("/members/arrears.xlsx?unit={BA_DINH}")).await;
    assert_eq!(file.status, StatusCode::OK);
    let rates = staff.get(&format!("/units/{BA_DINH}/dues")).await;
    assert!(rates.body.contains("50.000\u{a0}₫") && !rates.body.contains("rate-form"));
}

#[tokio::test]
async fn members_are_counted_by_their_persons_sex_and_age_through_edits_transfers_and_merges() {
    let app = TestApp::new().await;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let (one, two) = (
        open_branch(&mut staff, BA_DINH, "Chi hội Tổ 12").await,
        open_branch(&mut staff, BA_DINH, "Chi hội Tổ 13").await,
    );
    let person = add_person(&mut staff, "Mai Văn Tuổi", BA_DINH, 31).await;
    let (_, member) = enrol(&mut staff, person, &one, "01/01/2010").await;
    let by_sex = |sex: &'static str, code: String| {
        let app = app.clone();
        async move {
            app.count(&format!(
                "SELECT CAST(COALESCE(SUM(d.value), 0) AS BIGINT) FROM unit_demographics d JOIN units u ON u.id = d.unit_id \
                 WHERE u.code = '{code}' AND d.counter = 'members' AND d.sex = '{sex}' AND d.birth_year = 1980"
            ))
            .await
        }
    };
    assert_eq!(by_sex("M", one.clone()).await, 1);
    assert_eq!(by_sex("M", HA_NOI.to_owned()).await, 1);

    // The person's sex is corrected: the member's count follows.
    let edited = staff
        .patch_json(
            &format!("/api/v1/persons/{person}"),
            &json!({"sex": "F", "cccd": cccd(true, 1980, 31)}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(by_sex("M", BA_DINH.to_owned()).await, 0);
    assert_eq!(by_sex("F", BA_DINH.to_owned()).await, 1);

    let moved = staff
        .post_json(
            &format!("/api/v1/members/{}/transfer", member["id"]),
            &json!({"branch": two, "on": "01/01/2024", "version": member["version"]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(by_sex("F", one.clone()).await, 0);
    assert_eq!(by_sex("F", two.clone()).await, 1);

    // Ba Đình merges into Ngọc Hà: its members are counted there.
    let merged = central
        .post_json(
            &format!("/api/v1/units/{NGOC_HA}/merge"),
            &json!({"sources": [BA_DINH]}),
        )
        .await;
    assert!(merged.status.is_success(), "{}", merged.body);
    assert_eq!(by_sex("F", NGOC_HA.to_owned()).await, 1);
    let drift = nhanai::org::service::demographic_drift(&app.db, &nhanai::members::MEMBERS)
        .await
        .expect("drift");
    assert!(drift.is_empty(), "{drift:?}");
    let counts = nhanai::org::service::counter_drift(&app.db, &nhanai::members::MEMBERS)
        .await
        .expect("drift");
    assert!(counts.is_empty(), "{counts:?}");
}

#[tokio::test]
async fn a_branch_asks_for_someone_registered_elsewhere_and_learns_nothing_until_accepted() {
    let app = TestApp::new().await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut ngocha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let home = open_branch(&mut badinh, BA_DINH, "Chi hội Tổ 14").await;
    let asking = open_branch(&mut ngocha, NGOC_HA, "Chi hội Tổ 15").await;
    let person = add_person(&mut badinh, "Quách Văn Chuyển", BA_DINH, 41).await;
    let (_, member) = enrol(&mut badinh, person, &home, "01/01/2012").await;
    let stranger = add_person(&mut badinh, "Lưu Thị Mới", BA_DINH, 42).await;

    let ask = |cccd: String| json!({"branch": asking, "cccd": cccd, "joined_on": "01/02/2024", "note": "Chuyển về ở"});
    // The same answer whether anyone holds the number or not.
    let held = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 41)))
        .await;
    let nobody = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 99)))
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(nobody.status, StatusCode::CREATED, "{}", nobody.body);
    let (held, nobody) = (held.json(), nobody.json());
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&held), keys(&nobody));
    assert_eq!(held["status"], nobody["status"]);
    let sent = ngocha.get("/api/v1/members/requests").await;
    assert!(!sent.body.contains("Quách"), "no name before acceptance: {}", sent.body);
    assert_eq!(
        ngocha.get(&format!("/api/v1/persons/{person}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Someone of one's own units is enrolled, not asked for.
    let own = badinh
        .post_json(
            "/api/v1/members/requests",
            &json!({"branch": home, "cccd": cccd(false, 1980, 42), "joined_on": "01/02/2024"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.body);

    // Ba Đình sees who is asked for; a viewer cannot decide.
    let waiting = badinh.get("/api/v1/members/requests").await.json();
    let incoming = waiting["incoming"].as_array().expect("incoming");
    assert_eq!(incoming.len(), 1, "{waiting}");
    assert_eq!(incoming[0]["full_name"], "Quách Văn Chuyển");
    let id = incoming[0]["id"].as_i64().expect("id");
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    assert_eq!(
        viewer
            .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ngocha
            .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the asker cannot accept its own request"
    );

    let accepted = badinh
        .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json()["member_id"], member["id"]);
    let moved = ngocha.get(&format!("/api/v1/members/{}", member["id"])).await;
    assert_eq!(moved.status, StatusCode::OK, "now theirs: {}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["member_no"], member["member_no"]);
    assert_eq!(moved["branch_code"], asking.as_str());
    assert_eq!(moved["history"][1]["kind"], "transfer");
    assert_eq!(
        ngocha.get(&format!("/api/v1/persons/{person}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        badinh.get(&format!("/api/v1/persons/{person}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(count_at(&app, "members", &home).await, 0);
    assert_eq!(count_at(&app, "members", &asking).await, 1);
    let again = badinh
        .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "decided, and no longer theirs");

    // A declined request says why, and moves no one.
    let second = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 42)))
        .await
        .json();
    let declined = badinh
        .post_json(
            &format!("/api/v1/members/requests/{}/decline", second["id"]),
            &json!({"reason": "Không đúng người"}),
        )
        .await;
    assert_eq!(declined.status, StatusCode::NO_CONTENT, "{}", declined.body);
    let outgoing = ngocha.get("/api/v1/members/requests").await.json()["outgoing"].clone();
    let statuses: Vec<&str> = outgoing
        .as_array()
        .expect("outgoing")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["declined", "pending", "accepted"]);
    assert_eq!(
        badinh.get(&format!("/api/v1/persons/{stranger}")).await.status,
        StatusCode::OK,
        "still Ba Đình's"
    );
    let page = ngocha.get("/members/requests").await;
    assert!(
        page.body.contains("Không đúng người") && page.body.contains("ask-form"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_member_card_prints_with_a_public_address_that_tells_only_validity_and_tier() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 16").await;
    let person = add_person(&mut staff, "Kiều Thị Thẻ", BA_DINH, 51).await;
    let (_, member) = enrol(&mut staff, person, &branch, "01/01/2012").await;
    let id = member["id"].as_i64().expect("id");

    let pdf = staff.get(&format!("/members/{id}/card.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let text = crate::print::pdftotext(&pdf.bytes);
    for expected in [
        "THẺ HỘI VIÊN",
        "Kiều Thị Thẻ",
        member["member_no"].as_str().expect("no"),
        "Hạng Vàng",
        "/p/the/",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The same card prints again with the same address.
    let again = crate::print::pdftotext(&staff.get(&format!("/members/{id}/card.pdf")).await.bytes);
    let address = |t: &str| t.split_whitespace().find(|w| w.contains("/p/the/")).map(str::to_owned);
    let (first, second) = (address(&text).expect("address"), address(&again).expect("address"));
    assert_eq!(first, second);
    let path = &first[first.find("/p/the/").expect("path")..];

    let mut public = app.client();
    let page = public.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {:?} {}", page.headers, page.body);
    assert!(
        page.body.contains("hợp lệ") && page.body.contains("Hạng Vàng"),
        "{}",
        page.body
    );
    for private in ["Kiều", "HV", &cccd(false, 1980, 51), "0912345678", "Tổ 16"] {
        assert!(!page.body.contains(private), "{private} shown publicly");
    }
    let cache = page
        .headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cache.starts_with("public"), "{cache}");
    let unknown = public.get("/p/the/0123456789abcdef0123456789abcdef").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get("/p/the/..%2F..%2Fetc").await.status, StatusCode::NOT_FOUND);

    // The centre changes the rules: 15 years for gold makes this card silver.
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let refused = staff
        .send(
            axum::http::Method::PUT,
            "/api/v1/members/tiers",
            Some("application/json"),
            r#"{"silver":5,"gold":15,"platinum":25}"#,
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let set = central
        .send(
            axum::http::Method::PUT,
            "/api/v1/members/tiers",
            Some("application/json"),
            r#"{"silver":5,"gold":15,"platinum":25}"#,
            true,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let backwards = central
        .send(
            axum::http::Method::PUT,
            "/api/v1/members/tiers",
            Some("application/json"),
            r#"{"silver":9,"gold":8,"platinum":25}"#,
            true,
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(public.get(path).await.body.contains("Hạng Bạc"));

    // A member who left holds a card that is no longer valid.
    let left = staff
        .post_json(
            &format!("/api/v1/members/{id}/status"),
            &json!({"status": "left", "on": "01/01/2025", "reason": "Chuyển đi", "version": member["version"]}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    let page = public.get(path).await;
    assert!(page.body.contains("không còn hiệu lực"), "{}", page.body);
    assert!(!page.body.contains("Hạng"), "{}", page.body);
}
