//! Members: enrolment moves the person to the branch and numbers the
//! membership for good; status changes and transfers keep their history
//! and move the counts; nobody outside the branch's units sees or enrols.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::members::{count_at, enrol};
use crate::support::people::{add_person, cccd};
use crate::support::units::*;
use crate::support::TestApp;

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
    let page = staff.get(&format!("/persons/{person}")).await;
    assert!(
        page.body.contains(&format!("href=\"/members/{}\"", member["id"])),
        "the person's page links to the membership"
    );

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
    // Who left is no longer counted, and cannot be transferred.
    assert_eq!(count_at(&app, "members", &branch).await, 0);
    assert_eq!(count_at(&app, "members", BA_DINH).await, 0);
    let other = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 5b").await;
    let moved = staff
        .post_json(
            &format!("/api/v1/members/{id}/transfer"),
            &json!({"branch": other, "on": "01/02/2025", "version": 2}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", moved.body);
    let deceased = staff
        .post_json(&path, &json!({"status": "deceased", "on": "02/02/2025", "version": 2}))
        .await;
    assert_eq!(deceased.status, StatusCode::OK, "{}", deceased.body);
    let back = staff
        .post_json(&path, &json!({"status": "active", "on": "03/03/2025", "version": 3}))
        .await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "a death is final");

    for bad in ["status=gone", "offset=9223372036854775807"] {
        let page = staff.get(&format!("/members?unit={branch}&{bad}")).await;
        assert!(
            page.status.is_success() || page.status.is_client_error(),
            "{bad}: {}",
            page.status
        );
        assert_ne!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(
        staff.get("/api/v1/members?status=gone").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let drift = nhanai::org::service::counter_drift(&app.db, &nhanai::members::MEMBERS)
        .await
        .expect("drift");
    assert!(drift.is_empty(), "{drift:?}");
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

/// This year's new and leaving members of a unit, as its API reads them.
async fn this_year(client: &mut crate::support::Client, code: &str) -> (i64, i64, i64) {
    let unit = client.get(&format!("/api/v1/units/{code}")).await.json();
    let count = |name: &str| unit["counts"][name].as_i64().unwrap_or(-1);
    (count("members"), count("members_joined"), count("members_left"))
}

#[tokio::test]
async fn new_and_leaving_members_of_this_year_are_counted_up_the_tree() {
    let app = TestApp::new().await;
    let year = nhanai::calendar::this_year();
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 9").await;
    let veteran = add_person(&mut staff, "Ngô Văn Giáp", BA_DINH, 8).await;
    let newcomer = add_person(&mut staff, "Đinh Thị Hoa", BA_DINH, 9).await;
    let (_, old) = enrol(&mut staff, veteran, &branch, "01/03/2018").await;
    let (status, _) = enrol(&mut staff, newcomer, &branch, &format!("01/01/{year}")).await;
    assert_eq!(status, StatusCode::CREATED);
    for code in [branch.as_str(), BA_DINH] {
        assert_eq!(this_year(&mut staff, code).await, (2, 1, 0), "{code}");
    }
    for code in [HA_NOI, TW] {
        assert_eq!(this_year(&mut central, code).await, (2, 1, 0), "{code}");
    }

    let left = staff
        .post_json(
            &format!("/api/v1/members/{}/status", old["id"]),
            &json!({"status": "left", "on": format!("01/01/{year}"), "reason": "Chuyển đi", "version": old["version"]}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    for code in [branch.as_str(), BA_DINH] {
        assert_eq!(this_year(&mut staff, code).await, (1, 1, 1), "{code}");
    }
    for code in [HA_NOI, TW] {
        assert_eq!(this_year(&mut central, code).await, (1, 1, 1), "{code}");
    }
    let page = staff.get(&format!("/units/{BA_DINH}")).await;
    assert!(
        page.body.contains(&format!("Hội viên mới năm {year}"))
            && page.body.contains(&format!("Hội viên ra khỏi Hội năm {year}")),
        "the unit page shows this year's flows"
    );
    assert!(
        page.body
            .contains(&format!("/members?flow=left&#38;unit={BA_DINH}&#38;year={year}")),
        "the count of leavers links to them: {}",
        page.body
            .split("flow")
            .nth(2)
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect::<String>()
    );
    // Another year is chosen on the page and in the API: 2018's newcomer.
    let in_2018 = staff.get(&format!("/api/v1/units/{BA_DINH}?year=2018")).await.json();
    assert_eq!(
        (
            in_2018["counts"]["members_joined"].as_i64(),
            in_2018["counts"]["members_left"].as_i64()
        ),
        (Some(1), Some(0)),
        "{in_2018}"
    );
    assert_eq!(in_2018["year"], 2018, "the API names the year its counts are of");
    let page = central.get(&format!("/units/{HA_NOI}?year=2018")).await;
    assert!(page.body.contains("Hội viên mới năm 2018"), "the year is named");
    assert!(
        page.body
            .contains(&format!("/members?flow=joined&#38;unit={HA_NOI}&#38;year=2018")),
        "the count links to that year's newcomers"
    );
    assert!(
        page.body.contains("<option value=\"2018\" selected>"),
        "the year is chosen"
    );
    assert!(
        page.body.contains(&format!("/units/{HA_NOI}?year=2018&#38;sort="))
            && page.body.contains(&format!("/units/{HA_NOI}/children.xlsx?year=2018")),
        "sorting the communes and their file keep the year"
    );
    for bad in ["1899", "abc", &(year + 1).to_string()] {
        let refused = staff.get(&format!("/api/v1/units/{BA_DINH}?year={bad}")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let refused = staff.get(&format!("/units/{BA_DINH}?year=1899")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("1900"),
        "the page tells which years: {}",
        refused.body
    );
    let leavers = staff
        .get(&format!("/api/v1/members?flow=left&unit={BA_DINH}"))
        .await
        .json();
    assert_eq!(leavers["total"], 1, "{leavers}");
}

#[tokio::test]
async fn members_are_found_by_name_without_marks_or_by_number() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 10").await;
    let hoa = add_person(&mut staff, "Đặng Thị Hoà", BA_DINH, 10).await;
    let hoang = add_person(&mut staff, "Đặng Văn Hoàng", BA_DINH, 11).await;
    let (_, first) = enrol(&mut staff, hoa, &branch, "01/03/2018").await;
    enrol(&mut staff, hoang, &branch, "01/03/2019").await;
    let found = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["full_name"].as_str().map(str::to_owned))
            .collect()
    };
    let both = staff.get("/api/v1/members?q=dang").await.json();
    assert_eq!(found(both), vec!["Đặng Thị Hoà", "Đặng Văn Hoàng"]);
    let one = staff.get("/api/v1/members?q=dang%20hoa").await.json();
    assert_eq!(one["total"], 2, "hoa begins both given names: {one}");
    let one = staff.get("/api/v1/members?q=hoang").await.json();
    assert_eq!(found(one), vec!["Đặng Văn Hoàng"]);
    let number = first["member_no"].as_str().expect("number").to_lowercase();
    let by_number = staff.get(&format!("/api/v1/members?q={number}")).await.json();
    assert_eq!(found(by_number), vec!["Đặng Thị Hoà"]);
    let none = staff.get("/api/v1/members?q=h%25ng").await.json();
    assert_eq!(none["total"], 0, "a % is no wildcard: {none}");
    // A year's newcomers, as the unit page links to them.
    let joined = staff.get("/api/v1/members?flow=joined&year=2019").await.json();
    assert_eq!(found(joined), vec!["Đặng Văn Hoàng"]);
    let bad = staff.get("/api/v1/members?flow=joined&year=12").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = staff.get("/api/v1/members?flow=sideways").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = staff.get("/members?q=hoang").await;
    assert!(page.body.contains("Đặng Văn Hoàng") && !page.body.contains("Đặng Thị Hoà"));
}

/// A caller gives a number: the member is found by CCCD or by phone in any
/// spelling (a household sharing a phone comes up together), only within
/// the user's units.
#[tokio::test]
async fn members_are_found_by_cccd_or_phone_in_any_spelling() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 11").await;
    let hoa = add_person(&mut staff, "Đặng Thị Hoà", BA_DINH, 10).await;
    let hoang = add_person(&mut staff, "Đặng Văn Hoàng", BA_DINH, 11).await;
    enrol(&mut staff, hoa, &branch, "01/03/2018").await;
    enrol(&mut staff, hoang, &branch, "01/03/2019").await;
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let other_branch = open_branch(&mut neighbour, NGOC_HA, "Chi hội Tổ 12").await;
    let elsewhere = add_person(&mut neighbour, "Đặng Văn Khác", NGOC_HA, 12).await;
    enrol(&mut neighbour, elsewhere, &other_branch, "01/03/2019").await;
    let found = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["full_name"].as_str().map(str::to_owned))
            .collect()
    };
    let by_cccd = staff
        .get(&format!("/api/v1/members?q={}", cccd(false, 1980, 11)))
        .await
        .json();
    assert_eq!(found(by_cccd), vec!["Đặng Văn Hoàng"]);
    for typed in [
        "0912345678",
        "0912%20345%20678",
        "%2B84%20912%20345%20678",
        "0912.345.678",
    ] {
        let by_phone = staff.get(&format!("/api/v1/members?q={typed}")).await.json();
        assert_eq!(found(by_phone), vec!["Đặng Thị Hoà", "Đặng Văn Hoàng"], "{typed}");
    }
    let page = staff.get("/members?q=0912+345+678").await;
    assert!(page.body.contains("Đặng Văn Hoàng") && !page.body.contains("Đặng Văn Khác"));
    let theirs = neighbour.get("/api/v1/members?q=0912345678").await.json();
    assert_eq!(found(theirs), vec!["Đặng Văn Khác"]);
    let nobody = staff.get("/api/v1/members?q=0987654321").await.json();
    assert_eq!(nobody["total"], 0);
}
