//! In headless Chromium: upload an Excel list with a bad row, read the
//! error, upload the corrected file, watch the progress bar, commit, find
//! a new person without diacritics, and download the list as `.xlsx`.

use std::time::Duration;

use fantoccini::Locator;

use crate::browser::{browser_at, serve, submit_login, text_once};
use crate::crash::list;
use crate::support::units::*;
use crate::support::TestApp;

const ROWS: usize = 20_000;

/// The list with row 6 of the sheet (the 5th person) born on 31/02.
fn with_a_bad_row() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (name, birth)) in [
        ("An", "1980"),
        ("Bình", "1981"),
        ("Chi", "1982"),
        ("Dung", "1983"),
        ("Em", "31/02/1990"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(i as u32 + 1, 0, format!("Lê Thị {name}")).unwrap();
        sheet.write_string(i as u32 + 1, 1, *birth).unwrap();
        sheet.write_string(i as u32 + 1, 2, "Nữ").unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn upload(c: &fantoccini::Client, base: &str, file: &std::path::Path) {
    c.goto(&format!("{base}/imports/new?kind=persons&unit={BA_DINH}"))
        .await
        .expect("upload page");
    send_file(c, file).await;
}

/// Chooses `file` in the upload form being shown (or about to be) and sends it.
pub async fn send_file(c: &fantoccini::Client, file: &std::path::Path) {
    c.wait()
        .for_element(Locator::Css("input[type=file]"))
        .await
        .expect("file input")
        .send_keys(&file.display().to_string())
        .await
        .expect("choose file");
    c.find(Locator::Css("form[enctype] button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("upload");
}

/// Waits until the page shows the progress bar, then until it has gone
/// (the script reloads the page when the job is over).
async fn watch_progress(c: &fantoccini::Client) -> bool {
    let mut seen = false;
    for _ in 0..600 {
        let bar = c.find(Locator::Css("progress")).await.is_ok();
        seen |= bar;
        if seen && !bar {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_imports_its_excel_list_through_the_preview() {
    let app = TestApp::new().await;
    app.user("badinh", "staff", BA_DINH).await;
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("danh-sach.xlsx");
    std::fs::write(&bad, with_a_bad_row()).unwrap();
    let good = files.path().join("danh-sach-da-sua.xlsx");
    std::fs::write(&good, list(ROWS)).unwrap();
    let addr = serve(&app).await;
    let (c, _driver, _profile) = browser_at(412, 900).await;
    let base = format!("http://{addr}");
    c.goto(&format!("{base}/login")).await.expect("open");
    submit_login(&c, "badinh").await;
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .expect("logged in");

    upload(&c, &base, &bad).await;
    let errors = text_once(&c, "main", "Ngày sinh không có thật").await;
    assert!(
        errors.contains("Ngày sinh không có thật") && errors.contains('6'),
        "row 6, birth date: {errors}"
    );
    let commit = c
        .find(Locator::Css("form[action$='/commit'] button"))
        .await
        .expect("commit button");
    assert!(
        commit.attr("disabled").await.unwrap().is_some(),
        "no commit while errors remain"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM persons").await, 0);

    upload(&c, &base, &good).await;
    assert!(watch_progress(&c).await, "the check shows a progress bar");
    let summary = text_once(&c, "main", "0 lỗi").await;
    assert!(summary.contains("20.000 dòng: 0 lỗi"), "{summary}");
    c.find(Locator::Css("form[action$='/commit'] button"))
        .await
        .expect("commit")
        .click()
        .await
        .expect("commit");
    assert!(watch_progress(&c).await, "the commit shows a progress bar");
    let done = text_once(&c, "main", "thêm 20.000 người").await;
    assert!(done.contains("thêm 20.000 người"), "{done}");
    assert_eq!(app.count("SELECT COUNT(*) FROM persons").await, ROWS as i64);

    c.find(Locator::LinkText("Xem danh sách"))
        .await
        .expect("list link")
        .click()
        .await
        .expect("list");
    c.wait().for_element(Locator::Css("input[name=q]")).await.expect("list");
    crate::browser::type_into(&c, "input[name=q]", "nguyen van an").await;
    c.find(Locator::Css("form[role=search] button"))
        .await
        .expect("search")
        .click()
        .await
        .expect("search");
    let results = text_once(&c, "table tbody", "Nguyễn Văn An").await;
    assert!(results.contains("Nguyễn Văn An"), "{results}");

    // The list downloads as .xlsx in the browser's session.
    let link = c
        .find(Locator::LinkText("Tải xuống Excel (.xlsx)"))
        .await
        .expect("xlsx link");
    let href = link.attr("href").await.unwrap().expect("href");
    let fetched = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer().then(b => \
             done([r.status, r.headers.get('content-type'), b.byteLength])));",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("fetch");
    assert_eq!(fetched[0], 200, "{fetched}");
    assert!(
        fetched[1].as_str().unwrap_or_default().contains("spreadsheetml"),
        "{fetched}"
    );
    assert!(fetched[2].as_u64().unwrap_or(0) > 1000, "{fetched}");
}
