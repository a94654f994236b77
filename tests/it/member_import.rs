//! Importing a branch's list of members: registered persons are enrolled
//! rather than registered twice, someone registered in another unit is
//! refused by name of the column, members already are skipped, a bad row
//! imports nothing, and the same file twice enrols nobody again.

use axum::http::StatusCode;
use serde_json::Value;

use crate::imports::{commit, wait_for, workbook, X};
use crate::support::people::{add_person, cccd};
use crate::support::units::*;
use crate::support::{Client, TestApp};

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn header() -> Vec<X> {
    [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Ngày vào Hội",
        "Số thẻ",
    ]
    .into_iter()
    .map(X::T)
    .collect()
}

fn row(
    n: f64,
    name: &'static str,
    birth: &'static str,
    sex: &'static str,
    id: &'static str,
    joined: &'static str,
    card: &'static str,
) -> Vec<X> {
    vec![
        X::N(n),
        X::T(name),
        X::T(birth),
        X::T(sex),
        X::T(id),
        X::T(joined),
        X::T(card),
    ]
}

async fn upload(client: &mut Client, unit: &str, file: &[u8]) -> (StatusCode, Value) {
    let response = client
        .upload(
            "/api/v1/imports",
            &[("kind", "members"), ("unit", unit)],
            "hoivien.xlsx",
            file,
        )
        .await;
    let status = response.status;
    let body = response.json();
    if status != StatusCode::CREATED {
        return (status, body);
    }
    let id = body["id"].as_i64().expect("id");
    (status, wait_for(client, id, "preview").await)
}

#[tokio::test]
async fn a_branch_list_enrols_registered_persons_and_registers_the_others_once() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 11").await;
    // Registered in the commune, not yet a member.
    add_person(&mut staff, "Phan Văn Cũ", BA_DINH, 21).await;
    // Already a member.
    let member = add_person(&mut staff, "Tạ Thị Hội", BA_DINH, 22).await;
    let enrolled = staff
        .post_json(
            "/api/v1/members",
            &serde_json::json!({"person": member.to_string(), "branch": branch, "joined_on": "01/01/2015"}),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::CREATED);
    // Registered by the neighbouring ward.
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    add_person(&mut neighbour, "Hà Văn Xa", NGOC_HA, 23).await;

    let (old, held, far) = (
        leak(cccd(false, 1980, 21)),
        leak(cccd(false, 1980, 22)),
        leak(cccd(false, 1980, 23)),
    );
    let mut rows = vec![
        header(),
        row(1.0, "Phan Văn Cũ", "15/06/1980", "Nam", old, "03/02/2020", ""),
        row(2.0, "Lý Văn Mới", "1990", "Nam", "", "01/01/2021", "HN-001"),
        row(3.0, "Tạ Thị Hội", "15/06/1980", "Nam", held, "01/01/2015", ""),
        row(4.0, "Hà Văn Xa", "15/06/1980", "Nam", far, "01/01/2021", ""),
        row(5.0, "Đào Thị Sai", "1970", "Nữ", "", "31/13/2020", ""),
    ];
    let file = workbook(&rows);
    let persons_before = app.count("SELECT COUNT(*) FROM persons").await;

    // Members go into a branch, not a ward.
    let (status, body) = upload(&mut staff, BA_DINH, &file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (_, view) = upload(&mut staff, &branch, &file).await;
    let errors: Vec<(i64, String)> = view["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(errors, [(8, "cccd".to_owned()), (9, "joined_on".to_owned())], "{view}");
    let id = view["id"].as_i64().expect("id");
    let refused = staff
        .post_json(&format!("/api/v1/imports/{id}/commit"), &serde_json::json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 1, "nothing written");

    // Fixed: the far person dropped (their ward transfers them), the date corrected.
    rows.remove(4);
    rows[4] = row(5.0, "Đào Thị Sai", "1970", "Nữ", "", "31/12/2020", "");
    let file = workbook(&rows);
    let (_, view) = upload(&mut staff, &branch, &file).await;
    assert_eq!(view["error_count"], 0, "{view}");
    assert_eq!(view["duplicate_count"], 1, "Tạ Thị Hội is a member already: {view}");
    let done = commit(&mut staff, view["id"].as_i64().expect("id")).await;
    assert_eq!(done["created_count"], 3, "{done}");

    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 4);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons").await,
        persons_before + 2,
        "Phan Văn Cũ was enrolled, not registered again"
    );
    let listed = staff.get(&format!("/api/v1/members?unit={branch}")).await.json();
    assert_eq!(listed["total"], 4, "{listed}");
    let numbers: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["member_no"].as_str())
        .collect();
    assert!(
        numbers.contains(&"HN-001"),
        "the branch's card number is kept: {numbers:?}"
    );
    // Members listed without a card number carry the system's number of
    // their id; records made one at a time afterwards come after them.
    let mut last_member = 0;
    let mut last_person = 0;
    for item in listed["items"].as_array().expect("items") {
        let (id, person) = (
            item["id"].as_i64().expect("id"),
            item["person_id"].as_i64().expect("person"),
        );
        if item["member_no"] != "HN-001" {
            assert_eq!(item["member_no"], format!("HV{id:08}"), "{item}");
        }
        last_member = last_member.max(id);
        last_person = last_person.max(person);
    }
    if crate::support::backend() == "sqlite" {
        // The AUTOINCREMENT marks moved past the reserved ids, so they
        // are never handed out again even if those rows went away.
        for (table, last) in [("persons", last_person), ("members", last_member)] {
            let marked = app
                .count(&format!(
                    "SELECT COUNT(*) FROM sqlite_sequence WHERE name = '{table}' AND seq >= {last}"
                ))
                .await;
            assert_eq!(marked, 1, "{table}");
        }
    }
    let later = add_person(&mut staff, "Vũ Thị Sau", &branch, 24).await;
    assert!(later > last_person, "person ids go on after the imported ones");
    let enrolled = staff
        .post_json(
            "/api/v1/members",
            &serde_json::json!({"person": later.to_string(), "branch": branch, "joined_on": "01/02/2021"}),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.body);
    let later_member = enrolled.json()["id"].as_i64().expect("id");
    assert!(
        later_member > last_member,
        "membership ids go on after the imported ones"
    );
    let listed = staff.get(&format!("/api/v1/members?unit={branch}")).await.json();
    assert_eq!(listed["total"], 5, "{listed}");

    let old_person = staff.get(&format!("/api/v1/persons?q={old}")).await.json();
    assert_eq!(
        old_person["items"][0]["unit"]["code"],
        branch.as_str(),
        "moved to the branch"
    );

    // The same file again enrols nobody.
    let (_, again) = upload(&mut staff, &branch, &file).await;
    let again = commit(&mut staff, again["id"].as_i64().expect("id")).await;
    assert_eq!(again["created_count"], 0, "{again}");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 5);

    // The exported list imports back without errors, adding nobody.
    let exported = staff.get(&format!("/members/export.xlsx?unit={branch}")).await;
    assert_eq!(exported.status, StatusCode::OK);
    let (_, back) = upload(&mut staff, &branch, &exported.bytes).await;
    assert_eq!(back["error_count"], 0, "{back}");
    assert_eq!(back["duplicate_count"], 5, "{back}");
}

#[tokio::test]
async fn a_pupil_at_school_is_refused_on_their_row_of_a_residential_list() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let street = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 12").await;
    let school = open_branch_of(&mut staff, BA_DINH, "Chi hội Trường THCS Ba Đình", "school").await;
    add_person(&mut staff, "Phan Văn Cũ", BA_DINH, 31).await;
    let pupil = staff
        .post_json(
            "/api/v1/youth",
            &serde_json::json!({"person": cccd(false, 1980, 31), "branch": school, "class_name": "9A"}),
        )
        .await;
    assert_eq!(pupil.status, StatusCode::CREATED, "{}", pupil.body);
    let number = leak(cccd(false, 1980, 31));
    let rows = vec![
        header(),
        row(1.0, "Phan Văn Cũ", "15/06/1980", "Nam", number, "03/02/2020", ""),
    ];
    let (_, view) = upload(&mut staff, &street, &workbook(&rows)).await;
    assert_eq!(view["error_count"], 1, "{view}");
    assert_eq!(view["errors"][0]["message"], "youth.error.stays_at_school", "{view}");
    let (_, view) = upload(&mut staff, &school, &workbook(&rows)).await;
    assert_eq!(view["error_count"], 0, "a school branch takes them: {view}");
}

#[tokio::test]
async fn a_registered_person_named_twice_far_apart_is_an_error_on_the_later_row() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 12").await;
    add_person(&mut staff, "Phan Văn Cũ", BA_DINH, 31).await;
    let registered = leak(cccd(false, 1980, 31));
    let mut rows = vec![
        header(),
        row(1.0, "Phan Văn Cũ", "15/06/1980", "Nam", registered, "03/02/2020", ""),
    ];
    // More rows than the check takes at a time, so the two land apart.
    for i in 0..1_100u32 {
        let birth = leak(format!("{:02}/{:02}/{}", 1 + i % 28, 1 + (i / 28) % 12, 1950 + i / 336));
        rows.push(row(f64::from(i + 2), "Lê Văn Mới", birth, "Nam", "", "01/01/2021", ""));
    }
    rows.push(row(1_102.0, "Phan Văn Cũ", "15/06/1980", "Nam", "", "03/02/2020", ""));
    let (_, view) = upload(&mut staff, &branch, &workbook(&rows)).await;
    let errors: Vec<(i64, &str, &str)> = view["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // Sheet rows as Excel numbers them: the data starts below the header.
    let last_row = view["header_row"].as_i64().expect("header row") + i64::try_from(rows.len() - 1).expect("rows");
    assert_eq!(errors, [(last_row, "full_name", "import.error.same_person")], "{view}");
    let members = app.count("SELECT COUNT(*) FROM members").await;
    let refused = staff
        .post_json(
            &format!("/api/v1/imports/{}/commit", view["id"]),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, members);
}
