//! In headless Chromium, on a phone-sized window: a branch imports its
//! Excel list of members from the members page, reads the error of a bad
//! row, uploads the corrected list and commits; opens a member and prints
//! the member card; the card's public address shows validity and tier.

use fantoccini::Locator;

use crate::browser::{browser_at, serve, submit_login, text_once};
use crate::browser_import::send_file;
use crate::imports::{workbook, X};
use crate::support::units::*;
use crate::support::TestApp;

fn list(joined: &'static str) -> Vec<u8> {
    let row = |n: f64, name: &'static str, birth: &'static str, sex: &'static str, joined: &'static str| {
        vec![X::N(n), X::T(name), X::T(birth), X::T(sex), X::T(joined)]
    };
    workbook(&[
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày vào Hội"]
            .into_iter()
            .map(X::T)
            .collect(),
        row(1.0, "Nguyễn Thị Hoa", "12/03/1970", "Nữ", "05/05/2005"),
        row(2.0, "Trần Văn Bình", "1985", "Nam", joined),
    ])
}

async fn fetch(c: &fantoccini::Client, href: &str) -> serde_json::Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer().then(b => \
         done([r.status, r.headers.get('content-type'), b.byteLength])));",
        vec![serde_json::json!(href)],
    )
    .await
    .expect("fetch")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_imports_its_members_and_prints_a_card() {
    let app = TestApp::new().await;
    let mut api = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut api, BA_DINH, "Chi hội Tổ dân phố 7").await;
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("hoi-vien.xlsx");
    std::fs::write(&bad, list("31/13/2010")).unwrap();
    let good = files.path().join("hoi-vien-da-sua.xlsx");
    std::fs::write(&good, list("31/12/2010")).unwrap();
    let addr = serve(&app).await;
    let (c, _driver, _profile) = browser_at(412, 900).await;
    let base = format!("http://{addr}");
    c.goto(&format!("{base}/login")).await.expect("open");
    submit_login(&c, "badinh").await;
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .expect("logged in");

    for (file, wanted) in [(&bad, "Nhập đủ ngày/tháng/năm"), (&good, "0 lỗi")] {
        c.goto(&format!("{base}/members?unit={branch}")).await.expect("members");
        c.find(Locator::LinkText("Nhập từ Excel"))
            .await
            .expect("import link")
            .click()
            .await
            .expect("import page");
        send_file(&c, file).await;
        let shown = text_once(&c, "main", wanted).await;
        assert!(shown.contains(wanted), "{shown}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM members").await,
        0,
        "nothing before the commit"
    );
    c.find(Locator::Css("form[action$='/commit'] button"))
        .await
        .expect("commit")
        .click()
        .await
        .expect("commit");
    let done = text_once(&c, "main", "kết nạp 2 hội viên").await;
    assert!(done.contains("kết nạp 2 hội viên"), "{done}");

    c.goto(&format!("{base}/members?unit={branch}")).await.expect("members");
    c.find(Locator::LinkText("Nguyễn Thị Hoa"))
        .await
        .expect("member link")
        .click()
        .await
        .expect("member page");
    let page = text_once(&c, "main", "HV").await;
    assert!(
        page.contains("05/05/2005") && page.contains("Chi hội Tổ dân phố 7"),
        "{page}"
    );
    let card = c
        .find(Locator::LinkText("In thẻ hội viên (PDF)"))
        .await
        .expect("card link")
        .attr("href")
        .await
        .unwrap()
        .expect("href");
    let fetched = fetch(&c, &card).await;
    assert_eq!(fetched[0], 200, "{fetched}");
    assert_eq!(fetched[1], "application/pdf", "{fetched}");

    // A member since 2005: over twenty years, a platinum card.
    let token: String = sqlx::Row::try_get(
        &nhanai::db::Sql::new("SELECT card_token FROM members WHERE card_token IS NOT NULL")
            .fetch_optional(app.db.pool())
            .await
            .expect("query")
            .expect("a printed card"),
        0,
    )
    .expect("token");
    c.goto(&format!("{base}/p/the/{token}")).await.expect("public page");
    let public = text_once(&c, "main", "hợp lệ").await;
    assert!(public.contains("hợp lệ") && public.contains("Bạch kim"), "{public}");
    assert!(!public.contains("Hoa"), "{public}");
}
