//! A real headless Chromium (Debian `chromium` + `chromium-driver`) driving
//! the real server: log in, find a person without accents, edit a field,
//! see the audit entry.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use nhanai::web::Settings;
use serde_json::json;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::{TestApp, PASSWORD};

/// chromedriver in a process group of its own: dropping it ends the driver
/// and every Chromium process it started, even when the test failed midway.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--"])
            .arg(format!("-{}", self.0.id()))
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn browser() -> (fantoccini::Client, Driver, tempfile::TempDir) {
    browser_at(412, 900).await
}

/// A browser whose window is `width` × `height` CSS pixels (375 is a cheap
/// Android phone).
pub async fn browser_at(width: u32, height: u32) -> (fantoccini::Client, Driver, tempfile::TempDir) {
    let port = free_port();
    let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (Debian package chromium-driver)");
    let driver = Driver(driver);
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--window-size={width},{height}"), format!("--user-data-dir={}", profile.path().display())],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for attempt in 0.. {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (client, driver, profile),
            Err(e) if attempt < 150 => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start Chromium through chromedriver: {e}"),
        }
    }
    unreachable!()
}

/// The text of `css` once it contains `needle` (pages are still loading
/// after a click, and an element of the previous page goes stale).
pub async fn text_once(c: &fantoccini::Client, css: &str, needle: &str) -> String {
    let mut text = String::new();
    for _ in 0..300 {
        if let Ok(element) = c.find(Locator::Css(css)).await {
            text = element.text().await.unwrap_or_default();
            if text.contains(needle) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    text
}

/// Types `text` into the field `css`.
pub async fn type_into(c: &fantoccini::Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .expect(css)
        .send_keys(text)
        .await
        .expect("type");
}

/// Fills in the log-in page being shown and sends it.
pub async fn submit_login(c: &fantoccini::Client, username: &str) {
    type_into(c, "input[name=username]", username).await;
    type_into(c, "input[name=password]", PASSWORD).await;
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("log in");
}

pub async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = nhanai::app::router(app.db.clone(), Settings::default());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_find_a_person_without_accents_edit_a_field_and_see_the_audit() {
    let app = TestApp::new().await;
    let mut setup = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut setup, "Nguyễn Thị Ánh", BA_DINH, 31).await;
    let body = json!({
        "full_name": "Nguyễn Thị Anh", "sex": "F", "birth_date": "02/09/1985", "phone": "0912345678",
        "address_commune": "Phường Trúc Bạch", "address_detail": "Số 7, ngõ 4", "unit": BA_DINH,
    });
    let created = setup.post_json("/api/v1/persons", &body).await;
    assert_eq!(created.status, axum::http::StatusCode::CREATED, "{}", created.body);
    let anh = created.json()["id"].as_i64().expect("id");
    add_person(&mut setup, "Trần Văn Bình", BA_DINH, 33).await;
    let addr = serve(&app).await;
    let (c, _driver, _profile) = browser().await;
    let base = format!("http://{addr}");

    c.goto(&format!("{base}/persons")).await.expect("open");
    assert!(
        c.current_url().await.expect("url").as_str().contains("/login"),
        "redirected to login"
    );
    submit_login(&c, "badinh").await;
    c.wait()
        .for_element(Locator::Css("input[name=q]"))
        .await
        .expect("search page after login");

    type_into(&c, "input[name=q]", "nguyen thi anh").await;
    c.find(Locator::Css("form[role=search] button"))
        .await
        .expect("search")
        .click()
        .await
        .expect("search");
    for _ in 0..100 {
        if c.current_url()
            .await
            .map(|u| u.as_str().contains("q="))
            .unwrap_or(false)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let results = text_once(&c, "table tbody", "Nguyễn Thị Ánh").await;
    assert!(!results.contains("Trần Văn Bình"), "only matching names: {results}");
    // Unaccented, "anh" is both Anh and Ánh.
    assert!(
        results.contains("Nguyễn Thị Anh") && results.contains("Nguyễn Thị Ánh"),
        "{results}"
    );
    c.find(Locator::LinkText("Nguyễn Thị Anh"))
        .await
        .expect("link")
        .click()
        .await
        .expect("open person");

    c.wait()
        .for_element(Locator::LinkText("Sửa thông tin"))
        .await
        .expect("edit link")
        .click()
        .await
        .expect("edit");
    let phone = c
        .wait()
        .for_element(Locator::Css("input[name=phone]"))
        .await
        .expect("phone field");
    phone.clear().await.expect("clear");
    phone.send_keys("0987 654 321").await.expect("type");
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("save");

    // The save redirects to the person's page; read its history once loaded.
    let history = text_once(&c, "#history", "0987654321").await;
    assert!(
        history.contains("0912345678") && history.contains("0987654321"),
        "{history}"
    );
    assert!(history.contains("badinh") && history.contains("Sửa"), "{history}");
    // Nothing else changed: the commune of residence went through the form unchanged.
    let saved = setup.get(&format!("/api/v1/persons/{anh}")).await.json();
    assert_eq!(saved["address"]["commune"]["code"], BA_DINH);
    assert_eq!(saved["address"]["detail"], "Số 7, ngõ 4");
    assert_eq!(saved["phone"], "0987654321");
    let shot = c.screenshot().await.expect("screenshot");
    let _ = std::fs::write(std::env::temp_dir().join("nhanai-browser-test.png"), shot);
    c.close().await.expect("close");
}
