//! In headless Chromium: an accountant uploads the bank statement of an
//! appeal's account from the ledger page, commits it after the preview;
//! a donor opens the appeal's public page without logging in, finds their
//! gift by an unaccented name, and the downloaded ledger verifies.

use fantoccini::Locator;

use crate::browser::{browser_at, serve, submit_login, text_once, type_into};
use crate::support::units::*;
use crate::support::TestApp;

const STATEMENT: &str = "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM\n\
Ngày GD,Số CT,Ghi nợ,Ghi có,Nội dung\n\
01/09/2024,5241.83107,,29.000,MBVCB.6916176124.CAO VIET TUAN chuyen tien\n\
,,,,.CT tu 0101001222009 CAO VIET TUAN toi 1017595600\n\
01/09/2024,5218.87149,,3.000,272986.010924.101858.DO DUC LOI chuyen tien\n\
02/09/2024,5213.45946,,50.000,292976.010924.013647.xin cam on\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accountant_imports_a_statement_and_a_donor_finds_the_gift() {
    let app = TestApp::new().await;
    let mut setup = app.signed_in("ngocha.ketoan", "staff", NGOC_HA).await;
    let (account, fund) = crate::support::ledger::open_appeal(&mut setup, NGOC_HA).await;
    let files = tempfile::tempdir().unwrap();
    let statement = files.path().join("sao-ke.csv");
    std::fs::write(&statement, STATEMENT).unwrap();
    let addr = serve(&app).await;
    let (c, _driver, _profile) = browser_at(412, 900).await;
    let base = format!("http://{addr}");
    c.goto(&format!("{base}/login")).await.expect("open");
    submit_login(&c, "ngocha.ketoan").await;
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .expect("logged in");

    c.goto(&format!("{base}/ledger?unit={NGOC_HA}"))
        .await
        .expect("ledger page");
    let form = format!("#account-{account} form");
    c.wait()
        .for_element(Locator::Css(&format!("{form} input[type=file]")))
        .await
        .expect("statement form")
        .send_keys(&statement.display().to_string())
        .await
        .expect("choose file");
    c.find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .expect("upload button")
        .click()
        .await
        .expect("upload");
    let preview = text_once(&c, "main", "0 lỗi").await;
    assert!(preview.contains("0 lỗi"), "{preview}");
    c.wait()
        .for_element(Locator::Css("form[action$='/commit'] button:not([disabled])"))
        .await
        .expect("commit button")
        .click()
        .await
        .expect("commit");
    let done = text_once(&c, "main", "Đã nhập xong").await;
    assert!(done.contains("3 giao dịch mới"), "{done}");

    // The donor, on the public page (what it shows does not depend on the session).
    c.goto(&format!("{base}/p/quyen-gop/{fund}"))
        .await
        .expect("public page");
    c.wait()
        .for_element(Locator::Css("#appeal-search input[name=q]"))
        .await
        .expect("search");
    type_into(&c, "#appeal-search input[name=q]", "cao viet tuan").await;
    c.find(Locator::Css("#appeal-search button[type=submit]"))
        .await
        .expect("search button")
        .click()
        .await
        .expect("search");
    let rows = text_once(&c, "#appeal-rows", "CAO VIET TUAN").await;
    assert!(rows.contains("CAO VIET TUAN") && rows.contains("29.000"), "{rows}");
    assert!(
        !rows.contains("DO DUC LOI") && !rows.contains("0101001222009"),
        "{rows}"
    );
    let totals = text_once(&c, "#appeal-totals", "82.000").await;
    assert!(totals.contains("82.000"), "{totals}");

    // The ledger downloads in the browser and verifies offline.
    let href = c
        .find(Locator::Css("#appeal-downloads a[href$='ledger.json']"))
        .await
        .expect("download link")
        .attr("href")
        .await
        .unwrap()
        .expect("href");
    let body = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text().then(done));",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("fetch");
    let path = files.path().join("so-cai.json");
    std::fs::write(&path, body.as_str().unwrap_or_default()).unwrap();
    let verified = std::process::Command::new(env!("CARGO_BIN_EXE_nhanai"))
        .args(["ledger", "verify"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}
