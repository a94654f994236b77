//! Counts by sex and age band on unit pages, kept as records change, and
//! `nhanai check counts` finding a count changed behind the application.

use std::process::Command;

use serde_json::json;

use crate::support::units::*;
use crate::support::TestApp;

async fn add(client: &mut crate::support::Client, name: &str, sex: &str, birth: &str, unit: &str) -> i64 {
    let body = json!({"full_name": name, "sex": sex, "birth_date": birth, "unit": unit});
    let response = client.post_json("/api/v1/persons", &body).await;
    assert_eq!(response.status, axum::http::StatusCode::CREATED, "{}", response.body);
    response.json()["id"].as_i64().unwrap()
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .year()
}

#[tokio::test]
async fn unit_pages_count_by_sex_and_age_band_up_the_tree() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let y = this_year();
    add(&mut staff, "Lê Văn Bé", "M", &(y - 5).to_string(), BA_DINH).await;
    let teen = add(&mut staff, "Lê Thị Nhỏ", "F", &format!("01/01/{}", y - 15), BA_DINH).await;
    add(&mut staff, "Lê Văn Già", "M", &(y - 75).to_string(), BA_DINH).await;
    add(&mut staff, "Lê Thị Chưa", "F", "", BA_DINH).await;

    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let page = central.get(&format!("/units/{HA_NOI}")).await;
    assert!(page.body.contains("<svg class=\"pyramid\""), "the pyramid is drawn");
    let row = page
        .body
        .split("<a href=\"/units/00004\">Phường Ba Đình</a>")
        .nth(1)
        .expect("Ba Đình's row");
    let cells: Vec<&str> = row
        .split("</tr>")
        .next()
        .unwrap()
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    // Men, women, < 13, 13–17, 18–29 … 60–69, 70+, unknown.
    assert_eq!(cells, ["2", "2", "1", "1", "0", "0", "0", "0", "0", "1", "1"]);

    // An edit moves the count between bands, a delete removes it.
    let edit = staff
        .patch_json(
            &format!("/api/v1/persons/{teen}"),
            &json!({"birth_date": (y - 35).to_string()}),
        )
        .await;
    assert_eq!(edit.status, axum::http::StatusCode::OK);
    let page = central.get("/units/TW").await;
    assert!(page.body.contains("Thành phố Hà Nội"));
    let total = page.body.split("class=\"total\"").nth(1).expect("the country's row");
    let cells: Vec<&str> = total
        .split("</tr>")
        .next()
        .unwrap()
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(
        cells,
        ["2", "2", "1", "0", "0", "1", "0", "0", "0", "1", "1"],
        "the country is the sum of its provinces"
    );
}

#[tokio::test]
async fn check_counts_finds_a_count_changed_behind_the_applications_back() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add(&mut staff, "Vũ Văn Đếm", "M", "1980", BA_DINH).await;
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_nhanai"))
            .args(["--database-url", &app.url, "check", "counts"])
            .output()
            .expect("run nhanai")
    };
    let clean = check();
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    assert!(String::from_utf8_lossy(&clean.stdout).contains("persons: 0 difference(s)"));

    app.sql("UPDATE unit_demographics SET value = value + 1 WHERE birth_year = 1980 AND unit_id = (SELECT id FROM units WHERE code = '00004')")
        .await
        .unwrap();
    app.sql("UPDATE unit_counts SET value = 7 WHERE unit_id = (SELECT id FROM units WHERE code = '01')")
        .await
        .unwrap();
    let dirty = check();
    assert!(!dirty.status.success());
    let out = String::from_utf8_lossy(&dirty.stdout);
    assert!(out.contains("stored 7, counted 1"), "{out}");
    assert!(out.contains("born 1980: stored 2, counted 1"), "{out}");
}
