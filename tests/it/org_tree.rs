use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

fn official_units() -> Vec<(String, String, String)> {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/vn_units_2025.csv");
    let path = if std::path::Path::new(shared).exists() {
        shared
    } else {
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/vn_units_2025.csv")
    };
    let mut reader = csv::Reader::from_path(path).expect("official list");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_owned(), r[1].to_owned(), r[3].to_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_tree_has_34_provinces_and_3321_communes_with_official_codes() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("trunguong", "admin", TW).await;
    let provinces = admin.get(&format!("/api/v1/units/{TW}/children")).await.json();
    let provinces = provinces["items"].as_array().expect("items").clone();
    assert_eq!(provinces.len(), 34);

    let official = official_units();
    let mut seen_communes = Vec::new();
    for province in &provinces {
        let code = province["code"].as_str().expect("code");
        let expected_name = official.iter().find(|(c, _, _)| c == code).map(|(_, n, _)| n.clone());
        assert_eq!(
            province["name"].as_str().map(str::to_owned),
            expected_name,
            "province {code}"
        );
        let communes = admin.get(&format!("/api/v1/units/{code}/children")).await.json();
        for commune in communes["items"].as_array().expect("items") {
            let ccode = commune["code"].as_str().expect("code").to_owned();
            let official_row = official.iter().find(|(c, _, _)| *c == ccode).expect("official commune");
            assert_eq!(official_row.2, code, "commune {ccode} sits in its official province");
            assert_eq!(commune["name"].as_str(), Some(official_row.1.as_str()));
            seen_communes.push(ccode);
        }
    }
    seen_communes.sort();
    let mut expected: Vec<String> = official
        .iter()
        .filter(|(c, _, _)| c.len() == 5)
        .map(|(c, _, _)| c.clone())
        .collect();
    expected.sort();
    assert_eq!(seen_communes.len(), 3321);
    assert_eq!(seen_communes, expected);
}

fn count_of(children: &Value, code: &str) -> i64 {
    children["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["code"] == code)
        .map(|u| u["counts"]["persons"].as_i64().unwrap_or(-1))
        .unwrap_or(-1)
}

#[tokio::test]
async fn a_merge_moves_counts_to_the_new_unit_and_keeps_history() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let kept = add_person(&mut province, "Trần Văn Bình", BA_DINH, 1).await;
    let moved1 = add_person(&mut province, "Lê Thị Hoa", NGOC_HA, 2).await;
    let moved2 = add_person(&mut province, "Phạm Văn Nam", NGOC_HA, 3).await;

    let before = province.get(&format!("/api/v1/units/{HA_NOI}/children")).await.json();
    assert_eq!(count_of(&before, BA_DINH), 1);
    assert_eq!(count_of(&before, NGOC_HA), 2);

    let merged = province
        .post_form(
            &format!("/units/{HA_NOI}/merge"),
            &[("target", BA_DINH), ("sources", NGOC_HA), ("confirm", "1")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);

    let after = province.get(&format!("/api/v1/units/{HA_NOI}/children")).await.json();
    assert_eq!(count_of(&after, BA_DINH), 3, "everything is now counted under Ba Đình");
    assert_eq!(count_of(&after, NGOC_HA), 0);
    assert_eq!(
        province.get(&format!("/api/v1/units/{HA_NOI}")).await.json()["counts"]["persons"],
        json!(3)
    );

    let old = province.get(&format!("/api/v1/units/{NGOC_HA}")).await.json();
    assert_eq!(old["status"], "merged");
    assert_eq!(old["merged_into"], BA_DINH);
    let new = province.get(&format!("/api/v1/units/{BA_DINH}")).await.json();
    assert_eq!(new["merged_from"], json!([NGOC_HA]));

    // The record now belongs to the surviving unit (the unit page lists what it absorbed) …
    let person = province.get(&format!("/api/v1/persons/{moved1}")).await.json();
    assert_eq!(person["unit"]["code"], BA_DINH);
    assert_eq!(person["unit"]["active"], true);
    // … and the staff of the surviving commune now reach it.
    let mut commune = app.signed_in("badinh", "staff", BA_DINH).await;
    for id in [kept, moved1, moved2] {
        assert_eq!(
            commune.get(&format!("/api/v1/persons/{id}")).await.status,
            StatusCode::OK
        );
    }
    let page = commune.get(&format!("/units/{NGOC_HA}")).await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "the merged unit itself stays outside the commune's subtree"
    );
    // New records cannot be put under the closed unit.
    let refused = province
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Đỗ Văn Tâm", "sex": "M", "unit": NGOC_HA}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.json()["error"]["fields"]["unit"].is_string());
}

#[tokio::test]
async fn a_merge_needs_a_supervisor_of_both_units() {
    let app = TestApp::new().await;
    let mut commune_admin = app.signed_in("qtbadinh", "admin", BA_DINH).await;
    let refused = commune_admin
        .post_form(
            &format!("/units/{BA_DINH}/merge"),
            &[("target", BA_DINH), ("sources", NGOC_HA), ("confirm", "1")],
        )
        .await;
    assert!(
        refused.status == StatusCode::NOT_FOUND || refused.status == StatusCode::FORBIDDEN,
        "{}",
        refused.status
    );
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    assert_eq!(
        province.get(&format!("/api/v1/units/{NGOC_HA}")).await.json()["status"],
        "active"
    );
    let across = province
        .post_form(
            &format!("/units/{HA_NOI}/merge"),
            &[("target", BA_DINH), ("sources", THANH_DONG), ("confirm", "1")],
        )
        .await;
    assert_eq!(
        across.status,
        StatusCode::BAD_REQUEST,
        "a unit of another province is unknown to Hà Nội"
    );
}

#[tokio::test]
async fn branches_get_stable_codes_under_their_commune() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let first = staff
        .post_form(
            "/units/00004/branches",
            &[("name", "Chi hội Tổ dân phố số 1"), ("kind", "residential")],
        )
        .await;
    assert_eq!(first.location(), "/units/00004-001");
    let second = staff
        .post_form(
            "/units/00004/branches",
            &[("name", "Chi hội Trường THCS Ba Đình"), ("kind", "school")],
        )
        .await;
    assert_eq!(second.location(), "/units/00004-002");
    let children = staff.get(&format!("/api/v1/units/{BA_DINH}/children")).await.json();
    assert_eq!(children["items"][1]["kind"], "school");
    let elsewhere = staff
        .post_form(
            &format!("/units/{NGOC_HA}/branches"),
            &[("name", "Chi hội X"), ("kind", "school")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let bad_kind = staff
        .post_form(
            &format!("/units/{BA_DINH}/branches"),
            &[("name", "Chi hội Y"), ("kind", "casino")],
        )
        .await;
    assert_eq!(bad_kind.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pre_2025_commune_names_land_in_the_new_commune() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let resolved = staff
        .get("/api/v1/units/resolve?q=Ph%C6%B0%E1%BB%9Dng%20Tr%C3%BAc%20B%E1%BA%A1ch")
        .await
        .json();
    assert_eq!(resolved["outcome"], "reformed");
    assert_eq!(resolved["code"], BA_DINH);
    let unaccented = staff
        .get("/api/v1/units/resolve?q=quan%20thanh&province=01")
        .await
        .json();
    assert_eq!(unaccented["code"], BA_DINH);
    // Ngọc Hà is both today's ward (00008) and an old ward that was split: today's wins.
    let current = staff
        .get("/api/v1/units/resolve?q=P.%20Ng%E1%BB%8Dc%20H%C3%A0")
        .await
        .json();
    assert_eq!(current["outcome"], "current");
    assert_eq!(current["code"], NGOC_HA);

    let created = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Vũ Thị Lan", "sex": "F", "address_commune": "P. Trúc Bạch", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["address"]["commune"]["code"], BA_DINH);
}

#[tokio::test]
async fn units_are_renamed_and_closed_by_the_supervisor_of_their_parent() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    staff
        .post_form(
            "/units/00004/branches",
            &[("name", "Chi hội Tổ 1"), ("kind", "residential")],
        )
        .await;
    assert_eq!(
        staff
            .post_form(&format!("/units/{BA_DINH}/rename"), &[("name", "Phường Mới")])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "a commune does not rename itself"
    );
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let renamed = province
        .post_form(&format!("/units/{BA_DINH}/rename"), &[("name", "Phường Ba Đình  Mới")])
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        province.get(&format!("/api/v1/units/{BA_DINH}")).await.json()["name"],
        "Phường Ba Đình Mới"
    );
    let found = province.get("/api/v1/units/resolve?q=ba%20dinh%20moi").await.json();
    assert_eq!(found["code"], BA_DINH, "the new name is found");
    assert_eq!(
        province
            .post_form(&format!("/units/{BA_DINH}/rename"), &[("name", "  ")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let refused = province.post_form(&format!("/units/{BA_DINH}/close"), &[]).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "a commune with open branches stays open"
    );
    let mut commune_admin = app.signed_in("qtbadinh", "admin", BA_DINH).await;
    let closed = commune_admin
        .post_form(&format!("/units/{BA_DINH}-001/close"), &[])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    assert_eq!(
        province.get(&format!("/api/v1/units/{BA_DINH}-001")).await.json()["status"],
        "closed"
    );
    let new_person = json!({"full_name": "Đào Văn Tú", "sex": "M", "unit": "00004-001"});
    assert_eq!(
        commune_admin.post_json("/api/v1/persons", &new_person).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let audit = province.get("/api/v1/audit").await.json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["entity"] == "unit")
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["close", "rename", "create"]);
}

#[tokio::test]
async fn merges_rewrite_every_table_that_carries_a_placement() {
    use nhanai::db::{Backend, Sql};
    let app = TestApp::new().await;
    let query = match app.db.backend() {
        Backend::Sqlite => {
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'commune_id' ORDER BY m.name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name = 'commune_id' ORDER BY table_name"
        }
    };
    let rows = Sql::new(query).fetch_all(app.db.pool()).await.expect("schema");
    let mut placed: Vec<String> = rows.iter().map(|r| sqlx::Row::get::<String, _>(r, 0)).collect();
    // The audit trail keeps the placement a change had when it happened.
    placed.retain(|t| t != "audit_log");
    // The tree itself, and every table a capability declared.
    let mut listed: Vec<String> = nhanai::app::registry()
        .placed_tables()
        .iter()
        .map(|t| t.table.to_string())
        .chain(["units".to_string()])
        .collect();
    listed.sort();
    assert_eq!(placed, listed);
}

#[tokio::test]
async fn a_merge_moves_roles_only_when_asked() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let in_ba_dinh = add_person(&mut province, "Trần Văn Bình", BA_DINH, 1).await;
    let mut ngoc_ha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let mut giang_vo = app.signed_in("giangvo", "staff", GIANG_VO).await;

    let merged = province
        .post_form(
            "/units/01/merge",
            &[
                ("target", BA_DINH),
                ("sources", NGOC_HA),
                ("move_grants", "1"),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let me = ngoc_ha.get("/api/v1/session").await.json();
    assert_eq!(me["grants"][0]["unit"], BA_DINH, "Ngọc Hà's staff now work for Ba Đình");
    let log = province.get("/audit?action=merge").await.body;
    assert!(log.contains("ngocha (Cán bộ)"), "the moved role is in the audit view");
    assert_eq!(
        ngoc_ha.get(&format!("/api/v1/persons/{in_ba_dinh}")).await.status,
        StatusCode::OK
    );

    let merged = province
        .post_form(
            &format!("/units/{HA_NOI}/merge"),
            &[("target", BA_DINH), ("sources", GIANG_VO), ("confirm", "1")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(
        giang_vo.get("/api/v1/session").await.json()["grants"][0]["unit"],
        GIANG_VO
    );
    assert_eq!(
        giang_vo.get(&format!("/api/v1/persons/{in_ba_dinh}")).await.status,
        StatusCode::NOT_FOUND,
        "without moving, a role on a merged-away unit covers nothing"
    );
}

#[tokio::test]
async fn the_tree_is_managed_through_the_api_too() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = staff
        .post_json(
            "/api/v1/units/00004/branches",
            &json!({"name": "Chi hội Trường Tiểu học Ba Đình", "kind": "school"}),
        )
        .await;
    assert_eq!(branch.status, StatusCode::CREATED, "{}", branch.body);
    assert_eq!(branch.json()["code"], "00004-001");
    let bad = staff
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/branches"),
            &json!({"name": "X", "kind": "bar"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        staff
            .patch_json(&format!("/api/v1/units/{BA_DINH}"), &json!({"name": "Phường X"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let renamed = province
        .patch_json(
            &format!("/api/v1/units/{BA_DINH}-001"),
            &json!({"name": "Chi hội Trường TH Ba Đình"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.json()["name"], "Chi hội Trường TH Ba Đình");
    let merged = province
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/merge"),
            &json!({"sources": [NGOC_HA, GIANG_VO]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    assert_eq!(merged.json()["merged_from"], json!([NGOC_HA, GIANG_VO]));
    let closed = province
        .post_json(&format!("/api/v1/units/{BA_DINH}-001/close"), &json!({}))
        .await;
    assert_eq!(closed.json()["status"], "closed");
    let again = province
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/merge"),
            &json!({"sources": [NGOC_HA]}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "a merged unit cannot be merged again"
    );
}

#[tokio::test]
async fn a_branch_is_not_counted_as_a_branch_below_itself() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let branch = crate::support::units::open_branch(&mut admin, BA_DINH, "Chi hội Tổ 5").await;
    assert_eq!(
        admin.get(&format!("/api/v1/units/{branch}")).await.json()["branches"],
        0
    );
    assert_eq!(
        admin.get(&format!("/api/v1/units/{BA_DINH}")).await.json()["branches"],
        1
    );
}
