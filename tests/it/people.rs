use axum::http::StatusCode;
use serde_json::json;

use crate::support::people::{add_person, cccd, names};
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn names_are_found_without_diacritics() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut staff, "Nguyễn Văn An", BA_DINH, 1).await;
    add_person(&mut staff, "Nguyễn Văn Anh", BA_DINH, 2).await;
    add_person(&mut staff, "Đặng Thị Huệ", BA_DINH, 3).await;
    add_person(&mut staff, "Trần Minh Đức", BA_DINH, 4).await;

    assert_eq!(
        names(&staff.get("/api/v1/persons?q=nguyen%20van%20an").await.json()),
        vec!["Nguyễn Văn An"]
    );
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=NGUYEN%20VAN%20ANH").await.json()),
        vec!["Nguyễn Văn Anh"]
    );
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=dang%20thi%20hue").await.json()),
        vec!["Đặng Thị Huệ"]
    );
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=%C4%91%E1%BA%B7ng").await.json()),
        vec!["Đặng Thị Huệ"],
        "đặng"
    );
    // d finds đ: "duc" is Đức, and typing Đ finds the same person.
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=tran%20minh%20duc").await.json()),
        vec!["Trần Minh Đức"]
    );
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=%C4%90%E1%BB%A8C").await.json()),
        vec!["Trần Minh Đức"],
        "ĐỨC"
    );
    assert_eq!(names(&staff.get("/api/v1/persons?q=van").await.json()).len(), 2);
    assert_eq!(
        names(
            &staff
                .get(&format!("/api/v1/persons?q={}", cccd(false, 1980, 3)))
                .await
                .json()
        ),
        vec!["Đặng Thị Huệ"]
    );
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=%2B84%20912%20345%20678").await.json()).len(),
        4,
        "by phone, any format"
    );
    let page = staff.get("/persons?q=nguyen+van+an").await;
    assert!(page.body.contains("Nguyễn Văn An"));
}

/// A renamed person is found by the new name's words, pairs of words and
/// exact name, and no longer by the old one's (on PostgreSQL the index's
/// terms are written by the application on every insert and update).
#[tokio::test]
async fn a_renamed_person_is_found_by_the_new_name_only() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Lê Thị Mai", BA_DINH, 1).await;
    add_person(&mut staff, "Phạm Văn Bình", BA_DINH, 2).await;
    assert_eq!(
        names(&staff.get("/api/v1/persons?q=le%20mai").await.json()),
        vec!["Lê Thị Mai"]
    );

    let renamed = staff
        .patch_json(
            &format!("/api/v1/persons/{id}"),
            &json!({"full_name": "Lê Thị Hồng Nhung"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    for q in ["le%20mai", "mai", "le%20thi%20mai"] {
        assert!(
            names(&staff.get(&format!("/api/v1/persons?q={q}")).await.json()).is_empty(),
            "{q}"
        );
    }
    for q in ["nhung", "hong%20le", "le%20thi%20hong%20nhung", "NHUNG%20L%C3%8A"] {
        assert_eq!(
            names(&staff.get(&format!("/api/v1/persons?q={q}")).await.json()),
            vec!["Lê Thị Hồng Nhung"],
            "{q}"
        );
    }
    if crate::support::backend() == "postgres" {
        // What the migration fills existing rows with is what the application writes.
        let differing = app
            .count("SELECT count(*) FROM persons WHERE array_to_tsvector(string_to_array(name_terms, ' ')) <> array_to_tsvector(person_name_terms(name_folded))")
            .await;
        assert_eq!(differing, 0);
    }
}

#[tokio::test]
async fn a_second_person_with_the_same_cccd_is_refused() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let first = add_person(&mut staff, "Nguyễn Văn An", BA_DINH, 7).await;
    let again = json!({"full_name": "Nguyễn Văn Ân", "sex": "M", "birth_date": "1980", "cccd": cccd(false, 1980, 7), "unit": BA_DINH});
    let refused = staff.post_json("/api/v1/persons", &again).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.json()["error"]["existing"], format!("/persons/{first}"));

    // Registered elsewhere: refused, and nothing about the other record leaks.
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let there = json!({"full_name": "Nguyễn Văn An", "sex": "M", "birth_date": "1980", "cccd": cccd(false, 1980, 7), "unit": NGOC_HA});
    let refused = neighbour.post_json("/api/v1/persons", &there).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let error = refused.json()["error"].clone();
    assert!(error.get("existing").is_none());
    assert!(!refused.body.contains(&first.to_string()) && !refused.body.contains("Ba Đình"));

    let form = staff
        .post_form(
            "/persons",
            &[
                ("full_name", "Trần Văn Bảy"),
                ("sex", "M"),
                ("birth_date", "1980"),
                ("cccd", &cccd(false, 1980, 7)),
                ("unit", BA_DINH),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::CONFLICT);
    assert!(
        form.body.contains(&format!("/persons/{first}")),
        "the form points to the existing record"
    );
    assert_eq!(names(&staff.get("/api/v1/persons").await.json()).len(), 1);
}

#[tokio::test]
async fn the_form_reports_errors_field_by_field_and_keeps_the_input() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let page = staff
        .post_form(
            "/persons",
            &[
                ("full_name", "Lê Văn Tám"),
                ("sex", "M"),
                ("birth_date", "31/02/1990"),
                ("cccd", "001090"),
                ("phone", "12345"),
                ("unit", BA_DINH),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Ngày sinh không có thật"));
    assert!(page.body.contains("Số CCCD gồm đúng 12 chữ số"));
    assert!(page.body.contains("Số điện thoại không đúng dạng"));
    assert!(
        page.body.contains("value=\"Lê Văn Tám\""),
        "what was typed stays in the form"
    );
    assert_eq!(names(&staff.get("/api/v1/persons").await.json()).len(), 0);
}

#[tokio::test]
async fn editing_through_the_form_respects_concurrent_changes() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Phan Văn Đức", BA_DINH, 9).await;
    let edit = staff.get(&format!("/persons/{id}/edit")).await;
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    let fields = [
        ("full_name", "Phan Văn Đức"),
        ("sex", "M"),
        ("birth_date", "15/06/1980"),
        ("cccd", ""),
        ("phone", "0987 111 222"),
        ("unit", BA_DINH),
        ("version", "1"),
    ];
    let saved = staff.post_form(&format!("/persons/{id}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = staff.post_form(&format!("/persons/{id}"), &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let person = staff.get(&format!("/api/v1/persons/{id}")).await.json();
    assert_eq!(person["phone"], "0987111222");
    assert_eq!(person["cccd"], serde_json::Value::Null, "an emptied field is cleared");
    assert_eq!(person["version"], 2);
}

#[tokio::test]
async fn markup_in_free_text_is_shown_as_text() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let body = json!({"full_name": "Võ Thị Sáu", "sex": "F", "address_detail": "<script>alert('x')</script> & \"ngõ\"", "unit": BA_DINH});
    let created = staff.post_json("/api/v1/persons", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("id");
    let page = staff.get(&format!("/persons/{id}")).await;
    assert!(!page.body.contains("<script>alert"), "markup is escaped");
    assert!(page.body.contains("&#60;script&#62;alert("), "shown as text");

    let refused = staff
        .post_form(
            "/persons",
            &[
                ("full_name", "<script>alert(1)</script>"),
                ("sex", "M"),
                ("unit", BA_DINH),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Họ tên chỉ gồm chữ cái"));
    assert!(!refused.body.contains("<script>alert(1)"));
    assert!(
        refused.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "the typed text is echoed back escaped"
    );
}

#[tokio::test]
async fn deleting_removes_the_person_and_keeps_the_audit() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Bùi Thị Mai", BA_DINH, 4).await;
    assert_eq!(
        staff.delete(&format!("/api/v1/persons/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        staff.get(&format!("/api/v1/persons/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let audit = admin.get("/api/v1/audit").await.json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["entity"] == "person")
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["delete", "create"]);
}

#[tokio::test]
async fn lists_page_through_a_unit_in_name_order() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let given = ["Yến", "An", "Bình", "Chi", "Dũng"];
    for (i, g) in given.iter().enumerate() {
        add_person(&mut staff, &format!("Nguyễn Thị {g}"), BA_DINH, 20 + i as u32).await;
    }
    let all = names(&staff.get(&format!("/api/v1/persons?unit={BA_DINH}")).await.json());
    assert_eq!(
        all,
        vec![
            "Nguyễn Thị An",
            "Nguyễn Thị Bình",
            "Nguyễn Thị Chi",
            "Nguyễn Thị Dũng",
            "Nguyễn Thị Yến"
        ],
        "sorted by given name"
    );
}

#[tokio::test]
async fn every_person_appears_once_across_pages() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    for i in 0..55u32 {
        let given = ["An", "Bình", "Chi", "Dũng", "Hà"][i as usize % 5];
        add_person(&mut staff, &format!("Nguyễn Văn {given}"), BA_DINH, 100 + i).await;
    }
    for query in ["unit=00004", "q=nguyen%20van"] {
        let first = staff.get(&format!("/api/v1/persons?{query}")).await.json();
        let cursor = first["next"].as_str().expect("a second page").to_owned();
        let second = staff
            .get(&format!(
                "/api/v1/persons?{query}&after={}",
                crate::support::encode(&cursor)
            ))
            .await
            .json();
        assert!(second["next"].is_null(), "{query}: two pages");
        let mut ids: Vec<i64> = [&first, &second]
            .iter()
            .flat_map(|page| page["items"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p["id"].as_i64())
            .collect();
        assert_eq!(ids.len(), 55, "{query}");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 55, "{query}: no person twice");
    }
}

#[tokio::test]
async fn exact_names_and_partial_matches_page_together_once_each() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut expected = Vec::new();
    for i in 0..30u32 {
        let name = ["Nguyễn Thị Hà", "Nguyễn Thị Thu Hà", "Hà Thị Nguyễn"][i as usize % 3];
        expected.push(add_person(&mut staff, name, BA_DINH, 200 + i).await);
    }
    add_person(&mut staff, "Nguyễn Văn Hà", BA_DINH, 300).await;
    for scope in ["", "&unit=00004"] {
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let page = staff
                .get(&format!("/api/v1/persons?q=nguyen%20thi%20ha{scope}{after}"))
                .await
                .json();
            seen.extend(
                page["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .filter_map(|p| p["id"].as_i64()),
            );
            match page["next"].as_str() {
                Some(next) => after = format!("&after={}", crate::support::encode(next)),
                None => break,
            }
        }
        // The whole name first (in registration order), then the others
        // by given name; every match once, nobody else.
        let exact: Vec<i64> = expected.iter().step_by(3).copied().collect();
        assert_eq!(seen[..exact.len()], exact[..], "{scope}: exact names first");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(
            sorted, expected,
            "{scope}: every exact and partial match once, nobody else"
        );
    }
}
