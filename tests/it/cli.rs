//! The `nhanai` binary itself: migrate, user add (password on stdin), demo.

use std::io::Write;
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use nhanai::db::Sql;

use crate::support::TestApp;

fn nhanai(url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nhanai"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nhanai");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("nhanai finished")
}

#[tokio::test]
async fn user_add_creates_an_account_that_can_log_in() {
    let app = TestApp::new().await;
    let url = app.url.clone();
    let ok = nhanai(
        &url,
        &["user", "add", "canbo.ngocha", "--role", "staff", "--unit", "00008"],
        "mat-khau-dai-2026\n",
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let mut client = app.client();
    assert_eq!(
        client.login("canbo.ngocha", "mat-khau-dai-2026").await.status,
        StatusCode::OK
    );
    let me = client.get("/api/v1/session").await.json();
    assert_eq!(me["grants"][0]["unit"], "00008");

    let bad_unit = nhanai(
        &url,
        &["user", "add", "someone", "--role", "staff", "--unit", "99999"],
        "mat-khau-dai-2026\n",
    );
    assert!(!bad_unit.status.success());
    assert!(String::from_utf8_lossy(&bad_unit.stderr).contains("unit_code"));
    let short = nhanai(
        &url,
        &["user", "add", "someone", "--role", "staff", "--unit", "00008"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let taken = nhanai(
        &url,
        &["user", "add", "canbo.ngocha", "--role", "viewer", "--unit", "00008"],
        "mat-khau-dai-2026\n",
    );
    assert!(!taken.status.success());
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let row = Sql::new(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_optional(app.db.pool())
        .await
        .expect("count");
    row.map(|r| nhanai::db::int(&r, 0)).unwrap_or(0)
}

#[tokio::test]
async fn demo_data_loads_once_and_logs_in() {
    let app = TestApp::new().await;
    let first = nhanai(&app.url, &["demo", "--scale", "small"], "");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let persons = count(&app, "persons").await;
    let branches = count(&app, "units WHERE level = 'branch'").await;
    assert!(persons > 30_000, "{persons} persons");
    assert!(branches > 400, "{branches} branches");
    let again = nhanai(&app.url, &["demo", "--scale", "small"], "");
    assert!(again.status.success());
    assert_eq!(count(&app, "persons").await, persons, "a second run adds nothing");
    assert_eq!(count(&app, "units WHERE level = 'branch'").await, branches);

    let mut commune = app.client();
    assert_eq!(
        commune.login("badinh", nhanai::demo::DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    let page = commune.get("/api/v1/persons?unit=00004").await.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(50));
    let mut outside = commune.get("/api/v1/units/01/children").await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    outside = commune.get("/api/v1/units/00004/children").await;
    assert!(outside.json()["items"].as_array().is_some_and(|b| b.len() >= 2));
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let doc = client.get("/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/session", &["post", "get", "delete"][..]),
        ("/units/{code}", &["get", "patch"][..]),
        ("/units/{code}/branches", &["post"][..]),
        ("/units/{code}/close", &["post"][..]),
        ("/units/{code}/merge", &["post"][..]),
        ("/units/{code}/children", &["get"][..]),
        ("/units/resolve", &["get"][..]),
        ("/persons", &["get", "post"][..]),
        ("/persons/{id}", &["get", "patch", "delete"][..]),
        ("/audit", &["get"][..]),
    ] {
        for method in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path} is documented"
            );
        }
    }
    // Every documented route answers (401 without a session, not 404/405).
    for path in [
        "/persons",
        "/persons/1",
        "/units/TW",
        "/units/TW/children",
        "/units/resolve?q=x",
        "/audit",
        "/session",
    ] {
        let status = client.get(&format!("/api/v1{path}")).await.status;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
}
