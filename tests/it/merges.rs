//! Merges never change who can see a record: every record below a merged
//! unit is re-placed in all its placement columns, edits keep stored
//! references by identity, and the old unit's roles cover nothing.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::people::{add_person, person_body};
use crate::support::units::*;
use crate::support::{Client, TestApp};

/// `nhanai check placement` on the test database.
fn check_placement(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nhanai"))
        .args(["--database-url", &app.url, "check", "placement"])
        .output()
        .expect("run nhanai")
}

async fn status(client: &mut Client, path: &str) -> StatusCode {
    client.get(path).await.status
}

#[tokio::test]
async fn an_edit_after_a_merge_keeps_the_record_where_the_merge_put_it() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let mut body = person_body("Đỗ Văn Hải", GIANG_VO, 1);
    body["address_commune"] = json!(GIANG_VO);
    let created = province.post_json("/api/v1/persons", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("id");
    let mut old_staff = app.signed_in("giangvo", "staff", GIANG_VO).await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;

    let merged = province
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/merge"),
            &json!({"sources": [GIANG_VO]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    let path = format!("/api/v1/persons/{id}");
    assert_eq!(status(&mut badinh, &path).await, StatusCode::OK);
    assert_eq!(status(&mut old_staff, &path).await, StatusCode::NOT_FOUND);

    // The edit of the review: answered and applied, and the record stays.
    let edited = badinh
        .patch_json(&path, &json!({"address_detail": "Số 1", "address_commune": BA_DINH}))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["unit"]["code"], BA_DINH);
    assert_eq!(status(&mut badinh, &path).await, StatusCode::OK);
    assert_eq!(status(&mut old_staff, &path).await, StatusCode::NOT_FOUND);
    let refused = old_staff.patch_json(&path, &json!({"address_detail": "Số 2"})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(old_staff.delete(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(badinh.get(&path).await.json()["address"]["detail"], "Số 1");
}

#[tokio::test]
async fn a_stored_commune_of_residence_is_kept_by_identity() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let mut body = person_body("Đỗ Văn Hải", GIANG_VO, 1);
    body["address_commune"] = json!(GIANG_VO);
    let id = province.post_json("/api/v1/persons", &body).await.json()["id"]
        .as_i64()
        .expect("id");
    province
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/merge"),
            &json!({"sources": [GIANG_VO]}),
        )
        .await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    let path = format!("/api/v1/persons/{id}");
    // Giảng Võ is no longer an active unit, and its old name maps to
    // several new wards: re-resolving it would fail. It is not re-resolved.
    let edited = badinh.patch_json(&path, &json!({"address_detail": "Số 1"})).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["address"]["commune"]["code"], GIANG_VO);
    // The form sends the whole record back, the commune as "Name (code)".
    let form_page = badinh.get(&format!("/persons/{id}/edit")).await;
    assert!(
        form_page.body.contains(&format!("({GIANG_VO})")),
        "the form shows the stored commune"
    );
    let version = badinh.get(&path).await.json()["version"]
        .as_i64()
        .expect("version")
        .to_string();
    let shown = format!("Phường Giảng Võ ({GIANG_VO})");
    let saved = badinh
        .post_form(
            &format!("/persons/{id}"),
            &[
                ("full_name", "Đỗ Văn Hải"),
                ("sex", "M"),
                ("birth_date", "15/06/1980"),
                ("address_commune", &shown),
                ("address_detail", "Số 3"),
                ("unit", BA_DINH),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(badinh.get(&path).await.json()["address"]["commune"]["code"], GIANG_VO);
}

#[tokio::test]
async fn a_commune_merged_across_provinces_moves_all_its_records() {
    let app = TestApp::new().await;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let at_commune = add_person(&mut central, "Vũ Văn Long", NGOC_HA, 1).await;
    let branch = open_branch(&mut central, NGOC_HA, "Chi hội 1").await;
    let at_branch = add_person(&mut central, "Vũ Thị Lan", &branch, 2).await;
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;
    let mut haiphong = app.signed_in("haiphong", "admin", HAI_PHONG).await;
    let mut ngoc_ha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let mut thanh_dong = app.signed_in("thanhdong", "staff", THANH_DONG).await;

    let merged = central
        .post_json(
            &format!("/api/v1/units/{THANH_DONG}/merge"),
            &json!({"sources": [NGOC_HA]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);

    for id in [at_commune, at_branch] {
        let path = format!("/api/v1/persons/{id}");
        assert_eq!(
            status(&mut thanh_dong, &path).await,
            StatusCode::OK,
            "the survivor's staff"
        );
        assert_eq!(
            status(&mut haiphong, &path).await,
            StatusCode::OK,
            "the survivor's province"
        );
        assert_eq!(
            status(&mut hanoi, &path).await,
            StatusCode::NOT_FOUND,
            "the old province"
        );
        assert_eq!(
            status(&mut ngoc_ha, &path).await,
            StatusCode::NOT_FOUND,
            "the merged unit's staff"
        );
        let changed = thanh_dong.patch_json(&path, &json!({"phone": "0987654321"})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    }
    // Lists and counts agree with reads.
    let listed = thanh_dong
        .get(&format!("/api/v1/persons?unit={THANH_DONG}"))
        .await
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    let unit = haiphong.get(&format!("/api/v1/units/{THANH_DONG}")).await.json();
    assert_eq!(unit["counts"]["persons"], 2);
    assert_eq!(
        haiphong.get(&format!("/api/v1/units/{HAI_PHONG}")).await.json()["counts"]["persons"],
        2
    );
    assert_eq!(
        hanoi.get(&format!("/api/v1/units/{HA_NOI}")).await.json()["counts"]["persons"],
        0
    );
    let moved_branch = haiphong.get(&format!("/api/v1/units/{branch}")).await.json();
    assert_eq!(moved_branch["parent"], THANH_DONG, "the branch moved with its commune");
    assert_eq!(moved_branch["counts"]["persons"], 1);
    assert_eq!(
        status(&mut hanoi, &format!("/api/v1/units/{branch}")).await,
        StatusCode::NOT_FOUND
    );

    // Every placement copy agrees with its unit; a copy changed behind the
    // application's back is reported (PostgreSQL keeps no key on them).
    let check = || check_placement(&app);
    let clean = check();
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stdout));
    assert!(String::from_utf8_lossy(&clean.stdout).contains("persons: 0 misplaced"));
    app.sql(&format!(
        "UPDATE persons SET province_id = (SELECT id FROM units WHERE code = '{HA_NOI}') WHERE id = {at_branch}"
    ))
    .await
    .unwrap();
    // A copy emptied is a difference too, not an unknown.
    app.sql(&format!("UPDATE persons SET commune_id = NULL WHERE id = {at_commune}"))
        .await
        .unwrap();
    let dirty = check();
    assert!(!dirty.status.success());
    let out = String::from_utf8_lossy(&dirty.stdout);
    assert!(out.contains(&format!("persons #{at_branch}: province ")), "{out}");
    assert!(
        out.contains(&format!("persons #{at_commune}: commune none where unit ")),
        "{out}"
    );
    assert!(out.contains("persons: 2 misplaced"), "{out}");
}

#[tokio::test]
async fn a_branch_merged_into_another_communes_branch_moves_its_records() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let from = open_branch(&mut province, BA_DINH, "Chi hội A").await;
    let into = open_branch(&mut province, NGOC_HA, "Chi hội B").await;
    let id = add_person(&mut province, "Hồ Thị Xuân", &from, 3).await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut ngoc_ha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let merged = province
        .post_json(&format!("/api/v1/units/{into}/merge"), &json!({"sources": [from]}))
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    let path = format!("/api/v1/persons/{id}");
    assert_eq!(status(&mut ngoc_ha, &path).await, StatusCode::OK);
    assert_eq!(status(&mut badinh, &path).await, StatusCode::NOT_FOUND);
    let listed = ngoc_ha.get(&format!("/api/v1/persons?unit={NGOC_HA}")).await.json();
    assert_eq!(listed["items"][0]["unit"]["code"], into.as_str());
    assert!(
        badinh.get(&format!("/api/v1/persons?unit={BA_DINH}")).await.json()["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert_eq!(
        province.get(&format!("/api/v1/units/{BA_DINH}")).await.json()["counts"]["persons"],
        0
    );
    assert_eq!(
        province.get(&format!("/api/v1/units/{NGOC_HA}")).await.json()["counts"]["persons"],
        1
    );
}

#[tokio::test]
async fn the_audit_of_a_merged_unit_stays_with_its_survivor() {
    let app = TestApp::new().await;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    add_person(&mut central, "Vũ Văn Long", NGOC_HA, 1).await;
    central
        .post_json(
            &format!("/api/v1/units/{THANH_DONG}/merge"),
            &json!({"sources": [NGOC_HA]}),
        )
        .await;
    let mut haiphong = app.signed_in("haiphong", "admin", HAI_PHONG).await;
    let audit = haiphong.get("/api/v1/audit").await.json();
    assert!(
        audit.to_string().contains("Vũ Văn Long"),
        "the survivor's province reads the history of what it absorbed"
    );
}

#[tokio::test]
async fn a_membership_away_from_its_person_is_reported_by_the_placement_check() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let first = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 1").await;
    let second = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 2").await;
    let person = add_person(&mut staff, "Nguyễn Văn An", BA_DINH, 1).await;
    let (status, member) = crate::support::members::enrol(&mut staff, person, &first, "03/02/2020").await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    let check = || check_placement(&app);
    assert!(check().status.success());
    // Placed exactly like the second branch, but its person is at the first.
    app.sql(&format!(
        "UPDATE members SET unit_id = u.id, province_id = u.province_id, commune_id = u.commune_id, \
         branch_id = u.branch_id FROM (SELECT id, province_id, commune_id, branch_id FROM units WHERE code = '{second}') u \
         WHERE members.id = {}",
        member["id"]
    ))
    .await
    .unwrap();
    let dirty = check();
    assert!(!dirty.status.success());
    let out = String::from_utf8_lossy(&dirty.stdout);
    assert!(out.contains(&format!("members #{}: at unit ", member["id"])), "{out}");
    assert!(out.contains("but its record is at unit"), "{out}");
    assert!(out.contains("members: 1 misplaced"), "{out}");
}
