//! The `nhanai` binary itself: migrate, user add (password on stdin), demo.

use std::io::Write;
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use nhanai::db::Sql;

use crate::support::units::*;
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
        &["user", "add", "canbo.ngocha", "--role", "staff", "--unit", NGOC_HA],
        "mat-khau-dai-2026\n",
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let mut client = app.client();
    assert_eq!(
        client.login("canbo.ngocha", "mat-khau-dai-2026").await.status,
        StatusCode::OK
    );
    let me = client.get("/api/v1/session").await.json();
    assert_eq!(me["grants"][0]["unit"], NGOC_HA);

    let bad_unit = nhanai(
        &url,
        &["user", "add", "someone", "--role", "staff", "--unit", "99999"],
        "mat-khau-dai-2026\n",
    );
    assert!(!bad_unit.status.success());
    assert!(String::from_utf8_lossy(&bad_unit.stderr).contains("unit_code"));
    let short = nhanai(
        &url,
        &["user", "add", "someone", "--role", "staff", "--unit", NGOC_HA],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let taken = nhanai(
        &url,
        &["user", "add", "canbo.ngocha", "--role", "viewer", "--unit", NGOC_HA],
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
    let members = count(&app, "members").await;
    assert!(persons > 30_000, "{persons} persons");
    assert!(branches > 400, "{branches} branches");
    assert!(
        members > persons / 6 && members < persons / 2,
        "{members} members of {persons}"
    );
    assert_eq!(count(&app, "members WHERE member_no NOT LIKE 'HV%'").await, 0);
    assert_eq!(count(&app, "member_events WHERE kind = 'joined'").await, members);
    // The Society's other people: volunteers with certificates, teams,
    // pupils, cadres with their courses, organisations as collective members.
    let others = [
        "volunteers",
        "volunteer_certificates",
        "teams",
        "team_members",
        "youth_members",
        "cadre_positions",
        "training_courses",
        "course_attendance",
        "organisations",
        "collective_members",
    ];
    let mut seeded = Vec::new();
    for table in others {
        let n = count(&app, table).await;
        assert!(n > 0, "the demo fills {table}");
        seeded.push(n);
    }
    assert!(
        count(&app, "volunteers").await > persons / 40,
        "one in nine adults of working age at a branch volunteers"
    );
    let again = nhanai(&app.url, &["demo", "--scale", "small"], "");
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(count(&app, "persons").await, persons, "a second run adds nothing");
    assert_eq!(count(&app, "members").await, members, "nor members");
    for (table, before) in others.iter().zip(&seeded) {
        assert_eq!(count(&app, table).await, *before, "a second run adds no {table}");
    }
    for table in nhanai::app::registry().placed_tables() {
        let counts = nhanai::org::service::counter_drift(&app.db, table)
            .await
            .expect("drift");
        let ages = nhanai::org::service::demographic_drift(&app.db, table)
            .await
            .expect("drift");
        assert!(counts.is_empty() && ages.is_empty(), "{counts:?} {ages:?}");
    }
    let drift = nhanai::org::service::counter_drift(&app.db, &nhanai::people::PERSONS)
        .await
        .expect("drift");
    assert!(drift.is_empty(), "every unit's count equals its persons: {drift:?}");
    assert_eq!(count(&app, "units WHERE level = 'branch'").await, branches);

    let mut commune = app.client();
    assert_eq!(
        commune.login("badinh", nhanai::demo::DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    let page = commune.get(&format!("/api/v1/persons?unit={BA_DINH}")).await.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(50));
    // The name index was built by the load: every name on the page is
    // found by an unaccented search, inside the commune's scope.
    for person in page["items"].as_array().into_iter().flatten().take(5) {
        let name = person["full_name"].as_str().expect("name");
        let q = crate::support::encode(name);
        let found = commune
            .get(&format!("/api/v1/persons?q={q}&unit={BA_DINH}"))
            .await
            .json();
        assert!(
            found["items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["id"] == person["id"]),
            "{name} is found by name"
        );
    }
    let mut outside = commune.get(&format!("/api/v1/units/{HA_NOI}/children")).await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    outside = commune.get(&format!("/api/v1/units/{BA_DINH}/children")).await;
    assert!(outside.json()["items"].as_array().is_some_and(|b| b.len() >= 2));
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_describes_the_api() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let response = client.get("/api/v1/openapi.json").await;
    let doc = response.json();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/session", &["post", "get", "delete"][..]),
        ("/units/{unit}", &["get", "patch"][..]),
        ("/units/{unit}/branches", &["post"][..]),
        ("/units/{unit}/close", &["post"][..]),
        ("/units/{unit}/merge", &["post"][..]),
        ("/units/{unit}/children", &["get"][..]),
        ("/units/resolve", &["get"][..]),
        ("/persons", &["get", "post"][..]),
        ("/persons/{person}", &["get", "patch", "delete"][..]),
        ("/audit", &["get"][..]),
    ] {
        for method in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path} is documented"
            );
        }
    }
    assert_eq!(
        doc["paths"]["/session"]["post"]["security"],
        serde_json::json!([{}]),
        "log-in is public"
    );
    // The official validator (openapi-spec-validator, installed by scripts/test).
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &response.body).expect("write");
    let checked = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(file.path())
        .output()
        .expect("python3 runs");
    assert!(
        checked.status.success(),
        "the document is valid OpenAPI (pip install openapi-spec-validator):\n{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[tokio::test]
async fn the_benchmark_prints_its_figures_as_one_json_line_last() {
    let app = TestApp::new().await;
    let run = nhanai(
        &app.url,
        &[
            "bench",
            "persons",
            "--count",
            "3000",
            "--samples",
            "20",
            "--seconds",
            "1",
        ],
        "",
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["count"], 3000);
    for key in [
        "name_search_ms",
        "name_search_country_ms",
        "cccd_lookup_ms",
        "list_page_ms",
        "point_read_ms",
        "login_burst_search_ms",
    ] {
        assert!(last[key]["p99"].as_f64().is_some_and(|ms| ms > 0.0), "{key}: {last}");
    }
    assert!(
        last["point_read_requests_per_s"].as_f64().is_some_and(|r| r > 0.0),
        "{last}"
    );
    assert!(last["login_burst_logins"].as_u64().is_some_and(|n| n > 0), "{last}");
}

#[tokio::test]
async fn the_members_benchmark_prints_its_figures_as_one_json_line_last() {
    let app = TestApp::new().await;
    let run = nhanai(
        &app.url,
        &[
            "bench",
            "members",
            "--members",
            "3000",
            "--volunteers",
            "1000",
            "--rows",
            "200",
            "--samples",
            "10",
        ],
        "",
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().expect("a line")).expect("JSON");
    // Three in four persons are members, the rest volunteers; the import adds its rows.
    assert_eq!(last["members"], 3000, "{last}");
    assert_eq!(last["volunteers"], 1000, "{last}");
    assert!(last["import_rows_per_s"].as_f64().is_some_and(|r| r > 0.0), "{last}");
    for key in ["member_list_ms", "rollup_ms", "callout_ms"] {
        assert!(last[key]["p99"].as_f64().is_some_and(|ms| ms > 0.0), "{key}: {last}");
    }
}
