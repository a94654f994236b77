//! The audit view as supervisors read it: values as a user reads them,
//! records and units linked, creations as values, and the filters by user,
//! unit, dates and action — none reaching outside the supervised subtree.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::people::{add_hang, add_person};
use crate::support::units::*;
use crate::support::{encode, TestApp};

fn ids(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["username"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The day of the entries written now, in Vietnam time, as `dd/mm/yyyy`.
fn today() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    format!("{:02}/{:02}/{}", now.day(), u8::from(now.month()), now.year())
}

#[tokio::test]
async fn entries_read_as_a_user_reads_them() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_hang(&mut staff, BA_DINH).await;
    let patched = staff
        .patch_json(&format!("/api/v1/persons/{id}"), &json!({"birth_date": "16/08/1985"}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);

    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let page = province.get("/audit").await.body;
    assert!(
        page.contains(&format!("href=\"/persons/{id}\">Đỗ Thị Hằng</a>")),
        "the record is linked by name"
    );
    assert!(
        page.contains("<del>15/08/1985</del>") && page.contains("<ins>16/08/1985</ins>"),
        "dates day first"
    );
    assert!(page.contains("Nữ"), "the sex reads as a word");
    assert!(!page.contains(">F<") && !page.contains("1985-08-15"), "no stored codes");
    assert!(
        page.contains("href=\"/units/00004\">Phường Ba Đình</a>"),
        "units by name, linked"
    );
    // The creation lists the record's values, not a diff against nothing.
    let detail = province.get(&format!("/persons/{id}")).await.body;
    let history = &detail[detail.find("id=\"history\"").expect("history")..];
    assert!(!history.contains("<del>—</del>"), "{history}");
    assert!(history.contains("Tạo mới"));

    // A unit change reads as words too.
    let branch = open_branch_of(&mut province, BA_DINH, "Chi hội Tổ 9", "agency").await;
    let closed = province
        .post_json(&format!("/api/v1/units/{branch}/close"), &json!({}))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let page = province.get("/audit").await.body;
    assert!(page.contains("Chi hội cơ quan"), "the branch kind by its name");
    assert!(page.contains("<del>Đang hoạt động</del>") && page.contains("<ins>Đã giải thể</ins>"));
    assert!(
        page.contains(&format!("href=\"/units/{branch}\">")),
        "the unit is linked"
    );
}

#[tokio::test]
async fn a_record_without_history_says_so() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_person(&mut staff, "Lý Văn Tư", BA_DINH, 8).await;
    // Its history starts when it was created: make it look older than its entry.
    app.sql(&format!(
        "UPDATE persons SET created_at = '2999-01-01T00:00:00.000Z' WHERE id = {id}"
    ))
    .await
    .expect("update");
    let page = staff.get(&format!("/persons/{id}")).await.body;
    assert!(page.contains("chưa có thay đổi nào được ghi lại"), "{page}");
}

#[tokio::test]
async fn filters_narrow_the_entries_and_never_widen_the_scope() {
    let app = TestApp::new().await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut giangvo = app.signed_in("giangvo", "staff", GIANG_VO).await;
    let mut haiphong = app.signed_in("hp.staff", "staff", HAI_PHONG).await;
    let a = add_person(&mut badinh, "Ngô Văn Lâm", BA_DINH, 1).await;
    add_person(&mut giangvo, "Vũ Thị Lan", GIANG_VO, 2).await;
    add_person(&mut haiphong, "Phan Văn Hải", HAI_PHONG, 3).await;
    badinh
        .patch_json(&format!("/api/v1/persons/{a}"), &json!({"phone": "0987000111"}))
        .await;
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;

    let by_user = hanoi.get("/api/v1/audit?user=badinh").await.json();
    assert!(!ids(&by_user).is_empty());
    assert!(ids(&by_user).iter().all(|(u, _)| u == "badinh"));

    let updates = hanoi.get("/api/v1/audit?action=update").await.json();
    assert_eq!(ids(&updates), vec![("badinh".to_owned(), "update".to_owned())]);

    let in_giang_vo = hanoi.get(&format!("/api/v1/audit?unit={GIANG_VO}")).await.json();
    assert!(in_giang_vo.to_string().contains("Vũ Thị Lan"));
    assert!(!ids(&in_giang_vo).iter().any(|(u, _)| u == "badinh"), "{in_giang_vo}");
    assert!(!in_giang_vo.to_string().contains("Ngô Văn Lâm"));

    let today = today();
    let dated = hanoi
        .get(&format!("/api/v1/audit?from={today}&to={today}"))
        .await
        .json();
    assert!(dated.to_string().contains("Ngô Văn Lâm"));
    let long_ago = hanoi.get("/api/v1/audit?from=01/01/2020&to=31/12/2020").await.json();
    assert_eq!(ids(&long_ago), Vec::<(String, String)>::new());

    // The page keeps its filters on the form and in the paging links.
    let page = hanoi.get("/audit?user=badinh&action=update").await.body;
    assert!(page.contains("value=\"badinh\"") && page.contains("value=\"update\" selected"));
    // The form sent as it is, without scripts: empty fields filter nothing.
    let blank = hanoi.get("/audit?user=&unit=&from=&to=&action=").await;
    assert_eq!(blank.status, StatusCode::OK);
    assert!(blank.body.contains("Ngô Văn Lâm") && blank.body.contains("Vũ Thị Lan"));
    // The unit is picked by its name, accents optional, and shown by name.
    for typed in ["Phường Giảng Võ (00025)", "phuong giang vo", GIANG_VO] {
        let page = hanoi.get(&format!("/audit?unit={}", encode(typed))).await;
        assert_eq!(page.status, StatusCode::OK, "{typed}");
        assert!(
            page.body.contains("Vũ Thị Lan") && !page.body.contains("Ngô Văn Lâm"),
            "{typed}"
        );
        assert!(page.body.contains("value=\"Phường Giảng Võ (00025)\""), "{typed}");
    }

    // Hải Phòng's entries stay out of Hà Nội's view whatever the filter.
    let theirs = hanoi.get("/api/v1/audit?user=hp.staff").await.json();
    assert_eq!(ids(&theirs), Vec::<(String, String)>::new());
    assert_eq!(
        hanoi.get(&format!("/api/v1/audit?unit={HAI_PHONG}")).await.status,
        StatusCode::NOT_FOUND
    );
    let refused = hanoi.get(&format!("/audit?unit={HAI_PHONG}")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Không tìm thấy đơn vị này") && !refused.body.contains("Phan Văn Hải"));

    // Filters that do not read are refused with a clear message.
    for bad in [
        "from=31/02/2026",
        "to=tomorrow",
        "from=02/01/2026&to=01/01/2026",
        "action=drop_table",
    ] {
        let refused = hanoi.get(&format!("/api/v1/audit?{bad}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(!refused.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty());
        let page = hanoi.get(&format!("/audit?{bad}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            page.body.contains("class=\"flash error\"") && page.body.contains("name=\"from\""),
            "{bad}: the form again, with what to fix"
        );
    }
}

/// The entries of an audit page, newest first, as their HTML.
fn articles(page: &str) -> Vec<&str> {
    page.split("<article class=\"audit-entry\">")
        .skip(1)
        .map(|a| a.split("</article>").next().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn creations_show_values_and_deletions_what_was_removed_unlinked() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_hang(&mut staff, BA_DINH).await;
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;

    let page = hanoi.get("/audit?action=create").await.body;
    let created = articles(&page)
        .into_iter()
        .find(|a| a.contains("Đỗ Thị Hằng"))
        .expect("the creation");
    assert!(
        created.contains(&format!("href=\"/persons/{id}\">Đỗ Thị Hằng</a>")),
        "{created}"
    );
    assert!(
        created.contains("Giới tính:</span>") && created.contains("Nữ"),
        "{created}"
    );
    assert!(created.contains("Ngày sinh:</span>") && created.contains("15/08/1985"));
    assert!(
        !created.contains("<del>") && !created.contains("<ins>") && !created.contains('→'),
        "a creation is its values, not a diff against nothing: {created}"
    );

    let deleted = staff.delete(&format!("/api/v1/persons/{id}")).await;
    assert!(deleted.status.is_success(), "{}", deleted.body);
    let page = hanoi.get("/audit").await.body;
    let entries = articles(&page);
    let removal = entries[0];
    assert!(removal.contains("Xóa") && removal.contains("Đỗ Thị Hằng"), "{removal}");
    assert!(
        removal.contains("Nữ") && removal.contains("15/08/1985"),
        "what was removed: {removal}"
    );
    assert!(!removal.contains("<del>") && !removal.contains("<ins>"));
    assert!(
        removal.contains("href=\"/units/00004\">Phường Ba Đình</a>"),
        "its unit still has a page: {removal}"
    );
    assert!(
        !page.contains(&format!("href=\"/persons/{id}\"")),
        "no entry links to the deleted record's page any more"
    );
    assert!(
        entries
            .iter()
            .any(|a| a.contains("Tạo mới") && a.contains("Đỗ Thị Hằng")),
        "its creation is still listed"
    );
}
