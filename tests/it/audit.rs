use axum::http::StatusCode;
use nhanai::db::Sql;
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn a_change_is_audited_with_who_where_and_before_after() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Ngô Văn Lâm", BA_DINH, 5).await;
    let changed = staff
        .patch_json(&format!("/api/v1/persons/{id}"), &json!({"phone": "0987654321"}))
        .await;
    assert_eq!(changed.status, StatusCode::OK);

    let mut supervisor = app.signed_in("hanoi", "admin", HA_NOI).await;
    let audit = supervisor.get("/api/v1/audit").await.json();
    let update = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "update")
        .expect("update entry")
        .clone();
    assert_eq!(update["username"], "badinh");
    assert_eq!(update["actor_unit_name"], "Phường Ba Đình");
    assert_eq!(update["entity_id"], id);
    assert_eq!(update["before"]["phone"], "0912345678");
    assert_eq!(update["after"]["phone"], "0987654321");
    let page = supervisor.get("/audit").await;
    assert!(page.body.contains("0987654321") && page.body.contains("Ngô Văn Lâm"));
}

#[tokio::test]
async fn only_supervisors_of_the_subtree_read_the_audit() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut staff, "Ngô Văn Lâm", BA_DINH, 5).await;
    assert_eq!(staff.get("/audit").await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.get("/api/v1/audit").await.status, StatusCode::NOT_FOUND);
    let mut other = app.signed_in("haiphong", "admin", HAI_PHONG).await;
    let theirs = other.get("/api/v1/audit").await.json();
    assert!(
        !theirs.to_string().contains("Ngô Văn Lâm"),
        "Hải Phòng does not read Hà Nội's audit"
    );
}

#[tokio::test]
async fn the_audit_trail_cannot_be_edited() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut staff, "Ngô Văn Lâm", BA_DINH, 5).await;
    let update = Sql::new("UPDATE audit_log SET username = 'someone-else'")
        .execute(app.db.pool())
        .await;
    assert!(update.is_err(), "UPDATE on audit_log must fail");
    let delete = Sql::new("DELETE FROM audit_log").execute(app.db.pool()).await;
    assert!(delete.is_err(), "DELETE on audit_log must fail");
    let count = Sql::new("SELECT COUNT(*) FROM audit_log WHERE username = 'badinh' AND entity = 'person'")
        .fetch_optional(app.db.pool())
        .await
        .expect("count");
    assert_eq!(count.map(|r| nhanai::db::int(&r, 0)), Some(1));
    for method in [
        axum::http::Method::DELETE,
        axum::http::Method::PATCH,
        axum::http::Method::PUT,
    ] {
        let response = staff.send(method, "/api/v1/audit", None, String::new(), true).await;
        assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.json()["error"]["code"], "method_not_allowed");
    }
}

/// Writes an entry made at `at` (UTC) by `username` about a record of Ba
/// Đình: entries from another day than today cannot be made otherwise.
async fn entry_at(app: &TestApp, at: &str, username: &str, summary: &str) {
    app.sql(&format!(
        "INSERT INTO audit_log (at, username, action, entity, entity_id, summary, province_id, commune_id) \
         SELECT '{at}', '{username}', 'update', 'person', 0, '{summary}', province_id, commune_id \
         FROM units WHERE code = '{BA_DINH}'"
    ))
    .await
    .expect("insert entry");
}

fn summaries(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["summary"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_day_in_the_filter_is_a_day_in_vietnam() {
    let app = TestApp::new().await;
    entry_at(&app, "2026-08-14T16:59:59.999Z", "badinh", "late on the 14th").await;
    entry_at(&app, "2026-08-14T17:00:00.000Z", "badinh", "first thing on the 15th").await;
    entry_at(&app, "2026-08-15T16:59:59.999Z", "badinh", "last thing on the 15th").await;
    entry_at(&app, "2026-08-15T17:00:00.000Z", "badinh", "first thing on the 16th").await;
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;

    let the_15th = vec!["last thing on the 15th", "first thing on the 15th"];
    for (from, to) in [
        ("15/08/2026", "15/08/2026"),
        ("2026-08-15", "2026-08-15"),
        ("15.08.2026", "15-08-2026"),
    ] {
        let page = hanoi.get(&format!("/api/v1/audit?from={from}&to={to}")).await;
        assert_eq!(page.status, StatusCode::OK, "{from} {to}: {}", page.body);
        assert_eq!(summaries(&page.json()), the_15th, "{from} – {to}");
    }
    let since = hanoi.get("/api/v1/audit?from=16/08/2026&to=16/08/2026").await.json();
    assert_eq!(summaries(&since), vec!["first thing on the 16th"]);
    let until = hanoi.get("/api/v1/audit?to=14/08/2026").await.json();
    assert_eq!(summaries(&until), vec!["late on the 14th"]);

    // The page shows the same entries, at their Vietnam time.
    let page = hanoi.get("/audit?from=15/08/2026&to=15/08/2026").await.body;
    assert!(
        page.contains("15/08/2026 00:00") && page.contains("15/08/2026 23:59"),
        "{page}"
    );
    assert!(!page.contains("14/08/2026 23:59") && !page.contains("16/08/2026 00:00"));
    assert!(page.contains("value=\"15/08/2026\""), "the form keeps the dates");
}

#[tokio::test]
async fn older_pages_keep_the_filters() {
    let app = TestApp::new().await;
    for i in 0..60 {
        entry_at(
            &app,
            &format!("2026-08-15T01:{i:02}:00.000Z"),
            "badinh",
            &format!("change {i}"),
        )
        .await;
        if i % 10 == 0 {
            entry_at(
                &app,
                &format!("2026-08-15T01:{i:02}:30.000Z"),
                "giangvo",
                "someone else",
            )
            .await;
        }
    }
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;

    let first = hanoi.get("/audit?user=badinh&action=update&from=15/08/2026").await.body;
    assert_eq!(first.matches("class=\"audit-entry\"").count(), 50);
    assert!(
        first.contains("Số mục trên trang: 50"),
        "the page says how many it shows"
    );
    let older = first
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("after="))
        .expect("a link to older entries")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    for kept in ["user=badinh", "action=update", "from=15%2F08%2F2026"] {
        assert!(older.contains(kept), "{older} keeps {kept}");
    }
    let second = hanoi.get(&older).await.body;
    assert_eq!(second.matches("class=\"audit-entry\"").count(), 10);
    assert!(second.contains("change 0") && !second.contains("someone else"));
    assert!(!second.contains("rel=\"next\""), "nothing older");

    // The API pages the same way.
    let page = hanoi.get("/api/v1/audit?user=badinh").await.json();
    assert_eq!(summaries(&page).len(), 50);
    let next = page["next"].as_str().expect("next").to_owned();
    let rest = hanoi
        .get(&format!("/api/v1/audit?user=badinh&after={next}"))
        .await
        .json();
    assert_eq!(summaries(&rest).len(), 10);
    assert_eq!(summaries(&rest).last().map(String::as_str), Some("change 0"));
}

#[tokio::test]
async fn the_unit_filter_follows_records_into_the_unit_they_were_merged_into() {
    let app = TestApp::new().await;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let moved = add_person(&mut central, "Vũ Văn Long", NGOC_HA, 1).await;
    add_person(&mut central, "Đào Thị Mai", BA_DINH, 2).await;
    let merged = central
        .post_json(
            &format!("/api/v1/units/{THANH_DONG}/merge"),
            &json!({"sources": [NGOC_HA]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    // Hải Phòng edits the person it received: Hà Nội does not read that.
    let mut hp_staff = app.signed_in("hp.staff", "staff", HAI_PHONG).await;
    let edited = hp_staff
        .patch_json(&format!("/api/v1/persons/{moved}"), &json!({"phone": "0987000222"}))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);

    let mut thanh_dong = app.signed_in("thanhdong", "admin", THANH_DONG).await;
    let absorbed = thanh_dong.get(&format!("/api/v1/audit?unit={NGOC_HA}")).await.json();
    let text = absorbed.to_string();
    assert!(
        text.contains("Vũ Văn Long"),
        "the merged unit's history came along: {text}"
    );
    assert!(
        !text.contains("0987000222"),
        "what happened after the merge is not Ngọc Hà's"
    );
    let survivor = thanh_dong.get(&format!("/api/v1/audit?unit={THANH_DONG}")).await.json();
    assert!(survivor.to_string().contains("0987000222"));
    assert!(!survivor.to_string().contains("Đào Thị Mai"));

    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;
    let before_merge = hanoi.get(&format!("/api/v1/audit?unit={NGOC_HA}")).await.json();
    assert!(before_merge.to_string().contains("Vũ Văn Long"));
    assert!(!before_merge.to_string().contains("0987000222"), "{before_merge}");
    let page = hanoi.get(&format!("/audit?unit={NGOC_HA}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Vũ Văn Long") && !page.body.contains("Đào Thị Mai"));

    // A unit outside the supervision and a unit that does not exist are
    // refused alike: nothing tells them apart.
    let outside = thanh_dong.get(&format!("/api/v1/audit?unit={BA_DINH}")).await;
    let unknown = thanh_dong.get("/api/v1/audit?unit=99999").await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    assert_eq!(outside.body, unknown.body);
    let outside = thanh_dong.get(&format!("/audit?unit={BA_DINH}")).await;
    let unknown = thanh_dong.get("/audit?unit=99999").await;
    // The page shows the form again, saying the same for both.
    assert_eq!(
        (outside.status, unknown.status),
        (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST)
    );
    let notice = |body: &str| {
        body.split("class=\"flash error\"")
            .nth(1)
            .map(|r| r.split("</p>").next().unwrap_or_default().to_owned())
    };
    assert!(notice(&outside.body).is_some());
    assert_eq!(notice(&outside.body), notice(&unknown.body));
}
