//! The pages on a 375 px phone in headless Chromium: long lists paged and
//! filtered, tap targets measured, a compact header, readable history,
//! confirmations that name what they affect, safe defaults, and error
//! pages that keep the layout.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::browser::{browser_at, serve, submit_login, text_once, type_into, Driver};
use crate::support::people::{add_hang, add_person};
use crate::support::units::*;
use crate::support::TestApp;

async fn log_in(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/login")).await.expect("login page");
    submit_login(c, username).await;
    c.wait().for_element(Locator::Css("h1")).await.expect("dashboard");
}

/// A 375 px browser signed in as `username` on a server of `app`: the
/// client, the server's base address, and what keeps the browser alive.
async fn phone_as(app: &TestApp, username: &str) -> (Client, String, (Driver, tempfile::TempDir)) {
    let addr = serve(app).await;
    let base = format!("http://{addr}");
    let (c, driver, profile) = browser_at(375, 812).await;
    log_in(&c, &base, username).await;
    (c, base, (driver, profile))
}

async fn open(c: &Client, url: &str) {
    c.goto(url).await.expect("open");
    c.wait().for_element(Locator::Css("footer")).await.expect("page loaded");
}

async fn run(c: &Client, script: &str) -> Value {
    c.execute(script, Vec::new()).await.expect("script")
}

/// Every visible link, button and field shorter than 44 px, and whether the
/// page is wider than the screen.
const MEASURE: &str = r#"
const small = [];
for (const el of document.querySelectorAll('a, button, summary, select, input:not([type=hidden]):not([type=checkbox]), label.check')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.height < 43.5) small.push(el.outerHTML.slice(0, 90) + ' → ' + r.height.toFixed(1));
}
return { small, overflow: document.documentElement.scrollWidth > window.innerWidth };
"#;

/// The rows the header's own links and buttons sit on.
const HEADER_ROWS: &str = r#"
const tops = [];
for (const el of document.querySelectorAll('header.top a, header.top button')) {
  const r = el.getBoundingClientRect();
  if (r.height === 0) continue;
  if (!tops.some(t => Math.abs(t - r.top) < 20)) tops.push(r.top);
}
return tops.length;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_every_main_page_has_big_tap_targets_and_a_two_row_header() {
    let app = TestApp::new().await;
    let mut setup = app.signed_in("hanoi", "admin", HA_NOI).await;
    let person = add_person(&mut setup, "Nguyễn Thị Ánh", BA_DINH, 41).await;
    let account = app.user("canbo.badinh", "staff", BA_DINH).await;
    let (c, base, _browser) = phone_as(&app, "hanoi").await;
    let pages = [
        "/".to_owned(),
        format!("/units/{HA_NOI}"),
        format!("/units/{BA_DINH}"),
        "/persons".to_owned(),
        "/persons?q=nguyen".to_owned(),
        format!("/persons/{person}"),
        format!("/persons/{person}/edit"),
        format!("/persons/{person}/delete"),
        "/persons/new".to_owned(),
        "/audit".to_owned(),
        "/accounts".to_owned(),
        format!("/accounts/{account}"),
        "/account/password".to_owned(),
    ];
    for page in &pages {
        open(&c, &format!("{base}{page}")).await;
        let measured = run(&c, MEASURE).await;
        assert_eq!(measured["small"], json!([]), "{page}: tap targets under 44 px");
        assert_eq!(measured["overflow"], json!(false), "{page}: wider than the phone");
        let rows = run(&c, HEADER_ROWS).await.as_u64().unwrap_or(99);
        assert!(rows <= 2, "{page}: the header takes {rows} rows");
        if let Ok(dir) = std::env::var("NHANAI_SCREENSHOTS") {
            let shot = c.screenshot().await.expect("screenshot");
            let name = page.replace(['/', '?', '='], "_");
            let _ = std::fs::write(format!("{dir}/{name}.png"), shot);
        }
    }
    // The navigation marks where the user is.
    open(&c, &format!("{base}/persons")).await;
    let current = c
        .find(Locator::Css("header nav a[aria-current=page]"))
        .await
        .expect("current page marked");
    assert_eq!(current.text().await.expect("text"), "Người");
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_province_of_126_communes_is_paged_and_filterable() {
    let app = TestApp::new().await;
    let mut setup = app.signed_in("hanoi", "admin", HA_NOI).await;
    add_person(&mut setup, "Trần Văn Bình", BA_DINH, 42).await;
    let (c, base, _browser) = phone_as(&app, "hanoi").await;

    open(&c, &format!("{base}/units/{HA_NOI}")).await;
    let rows = c.find_all(Locator::Css("#children tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), 50, "one page of 50");
    let info = c
        .find(Locator::Css(".pager-info"))
        .await
        .expect("pager")
        .text()
        .await
        .expect("text");
    assert_eq!(info, "1–50 / 126");
    c.find(Locator::Css(".pager a[rel=next]"))
        .await
        .expect("next page")
        .click()
        .await
        .expect("click");
    assert_eq!(text_once(&c, ".pager-info", "51–100").await, "51–100 / 126");

    // Unaccented filter: "ba dinh" finds Phường Ba Đình.
    type_into(&c, "input[name=q]", "ba dinh").await;
    c.find(Locator::Css("form.filters button"))
        .await
        .expect("apply")
        .click()
        .await
        .expect("filter");
    let table = text_once(&c, "#children", "Ba Đình").await;
    assert!(table.contains("Phường Ba Đình"), "{table}");
    assert_eq!(text_once(&c, ".pager-info", "/ ").await, "1–1 / 1");

    // Hiding empty units leaves the one commune with a person.
    open(&c, &format!("{base}/units/{HA_NOI}?hide_empty=1")).await;
    let rows = c.find_all(Locator::Css("#children tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), 1);
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_name_what_they_affect_and_defaults_are_safe() {
    let app = TestApp::new().await;
    let mut setup = app.signed_in("hanoi", "admin", HA_NOI).await;
    add_person(&mut setup, "Lê Văn Tám", BA_DINH, 43).await;
    let branch = open_branch_of(&mut setup, BA_DINH, "Chi hội Tổ 5", "residential").await;
    let account = app.user("xem.hanoi", "viewer", BA_DINH).await;
    let (c, base, _browser) = phone_as(&app, "hanoi").await;

    // Closing a commune with an active branch names it and is refused.
    open(&c, &format!("{base}/units/{BA_DINH}")).await;
    c.find(Locator::Css(".danger-zone a"))
        .await
        .expect("dissolve link")
        .click()
        .await
        .expect("click");
    let confirm = text_once(&c, "#confirm", "Phường Ba Đình").await;
    assert!(confirm.contains("Giải thể Phường Ba Đình?"), "{confirm}");
    assert!(confirm.contains("1 người"), "what it holds: {confirm}");
    assert!(confirm.contains("1 đơn vị trực thuộc"), "why not now: {confirm}");
    assert!(
        c.find(Locator::Css("#confirm button")).await.is_err(),
        "no button while blocked"
    );

    // The branch itself can be dissolved, after naming it.
    open(&c, &format!("{base}/units/{branch}/close")).await;
    let confirm = text_once(&c, "#confirm", "Tổ 5").await;
    assert!(confirm.contains("Giải thể Chi hội Tổ 5?"), "{confirm}");
    c.find(Locator::Css("#confirm button.danger"))
        .await
        .expect("confirm")
        .click()
        .await
        .expect("click");
    let badge = text_once(&c, "h1", "Đã giải thể").await;
    assert!(badge.contains("Đã giải thể"), "{badge}");

    // Granting a role offers the least one first.
    open(&c, &format!("{base}/accounts/{account}")).await;
    let role = c
        .find(Locator::Css("select[name=role] option:checked"))
        .await
        .expect("selected role")
        .text()
        .await
        .expect("text");
    assert_eq!(role, "Chỉ xem");
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_out_of_scope_record_keeps_the_layout_without_telling_it_exists() {
    let app = TestApp::new().await;
    let mut other = app.signed_in("giangvo", "staff", GIANG_VO).await;
    let elsewhere = add_person(&mut other, "Phạm Thị Lan", GIANG_VO, 44).await;
    app.user("badinh", "staff", BA_DINH).await;
    let (c, base, _browser) = phone_as(&app, "badinh").await;
    open(&c, &format!("{base}/persons/{elsewhere}")).await;
    let body = c
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert!(body.contains("404") && body.contains("Không tìm thấy"), "{body}");
    assert!(!body.contains("Phạm Thị Lan"));
    c.find(Locator::Css("header nav a[href='/persons']"))
        .await
        .expect("the navigation is still there");
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .expect("and the log-out button");
    // The same page for an id that never existed.
    open(&c, &format!("{base}/persons/999999")).await;
    let missing = c
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert_eq!(missing, body);
    tokio::time::sleep(Duration::from_millis(10)).await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_audit_view_reads_like_the_record_and_links_to_it() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = add_hang(&mut staff, BA_DINH).await;
    staff
        .patch_json(&format!("/api/v1/persons/{id}"), &json!({"birth_date": "16/08/1985"}))
        .await;
    app.user("hanoi", "admin", HA_NOI).await;
    let (c, base, _browser) = phone_as(&app, "hanoi").await;
    open(&c, &format!("{base}/audit")).await;
    let log = text_once(&c, "#audit", "16/08/1985").await;
    assert!(log.contains("15/08/1985 → 16/08/1985"), "{log}");
    assert!(log.contains("Giới tính: Nữ"), "the creation lists its values: {log}");
    assert!(
        log.contains("Phường Ba Đình") && !log.contains("Đơn vị quản lý: 00004"),
        "{log}"
    );
    if let Ok(dir) = std::env::var("NHANAI_SCREENSHOTS") {
        let _ = std::fs::write(format!("{dir}/audit.png"), c.screenshot().await.expect("screenshot"));
    }
    c.find(Locator::LinkText("Đỗ Thị Hằng"))
        .await
        .expect("the record is linked")
        .click()
        .await
        .expect("open");
    let title = text_once(&c, "h1", "Đỗ Thị Hằng").await;
    assert_eq!(title, "Đỗ Thị Hằng");
    assert!(c
        .current_url()
        .await
        .expect("url")
        .path()
        .ends_with(&format!("/persons/{id}")));
    c.close().await.expect("close");
}
