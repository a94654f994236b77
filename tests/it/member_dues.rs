//! Dues: the nearest rate up the tree applies, payments per year, and the
//! arrears of a unit.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::members::enrol;
use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn dues_follow_the_nearest_rate_and_arrears_list_who_owes() {
    let app = TestApp::new().await;
    let year = time::OffsetDateTime::now_utc().year();
    let last = year - 1;
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 10").await;
    let (a, b) = (
        add_person(&mut staff, "An Văn Một", BA_DINH, 11).await,
        add_person(&mut staff, "Bùi Thị Hai", BA_DINH, 12).await,
    );
    let a = enrol(&mut staff, a, &branch, "01/01/2020").await.1["id"]
        .as_i64()
        .expect("id");
    let b = enrol(&mut staff, b, &branch, "01/01/2020").await.1["id"]
        .as_i64()
        .expect("id");

    // The centre sets this year's rate; Hà Nội sets last year's for its members.
    for (unit, y, amount) in [(TW, year, "60.000"), (HA_NOI, last, "50000 đ")] {
        let set = central
            .post_json(
                &format!("/api/v1/units/{unit}/dues"),
                &json!({"year": y.to_string(), "amount": amount}),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    }
    // Staff do not set rates; a branch has none; amounts are read strictly.
    let refused = staff
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/dues"),
            &json!({"year": year.to_string(), "amount": "1"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for (unit, body, field) in [
        (
            branch.as_str(),
            json!({"year": year.to_string(), "amount": "1"}),
            "unit",
        ),
        (BA_DINH, json!({"year": "1999", "amount": "1"}), "year"),
        (BA_DINH, json!({"year": year.to_string(), "amount": "1,5"}), "amount"),
    ] {
        let bad = central.post_json(&format!("/api/v1/units/{unit}/dues"), &body).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", bad.body);
        assert!(
            bad.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            bad.body
        );
    }

    let paid = staff
        .post_json(
            &format!("/api/v1/members/{a}/dues"),
            &json!({"year": year.to_string(), "amount": "60.000", "paid_on": format!("02/01/{year}")}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let partly = staff
        .post_json(
            &format!("/api/v1/members/{b}/dues"),
            &json!({"year": last.to_string(), "amount": "20.000", "paid_on": format!("15/06/{last}")}),
        )
        .await;
    assert_eq!(partly.status, StatusCode::CREATED, "{}", partly.body);
    let zero = staff
        .post_json(
            &format!("/api/v1/members/{b}/dues"),
            &json!({"year": year.to_string(), "amount": "0", "paid_on": format!("02/01/{year}")}),
        )
        .await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);

    let owing = |v: &Value| -> Vec<(String, i64)> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|x| {
                (
                    x["member"]["full_name"].as_str().unwrap_or("").to_owned(),
                    x["owed"].as_i64().unwrap_or(-1),
                )
            })
            .collect()
    };
    let now = staff
        .get(&format!("/api/v1/members/arrears?unit={BA_DINH}"))
        .await
        .json();
    assert_eq!(owing(&now), [("Bùi Thị Hai".to_owned(), 60_000)]);
    let before = staff
        .get(&format!("/api/v1/members/arrears?unit={branch}&year={last}"))
        .await
        .json();
    assert_eq!(
        owing(&before),
        // By given name, as every list of persons.
        [("Bùi Thị Hai".to_owned(), 30_000), ("An Văn Một".to_owned(), 50_000)]
    );
    let dues = staff.get(&format!("/api/v1/members/{b}/dues")).await.json();
    assert_eq!(dues["years"][0]["year"], year);
    assert_eq!(dues["years"][0]["owed"], 60_000);
    assert_eq!(dues["payments"][0]["amount"], 20_000);

    // Outside the unit nothing shows; the pages say it in đồng.
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    assert_eq!(neighbour.get("/api/v1/members/arrears").await.json(), json!([]));
    assert_eq!(
        neighbour.get(&format!("/api/v1/members/{b}/dues")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = staff.get(&format!("/members/arrears?unit={BA_DINH}")).await;
    assert!(
        page.body.contains("Bùi Thị Hai") && page.body.contains("60.000\u{a0}₫"),
        "{}",
        page.body
    );
    let member_page = staff.get(&format!("/members/{b}")).await;
    assert!(member_page.body.contains("30.000\u{a0}₫"), "{}", member_page.body);
    let file = staff.get(&format!("/members/arrears.xlsx?unit={BA_DINH}")).await;
    assert_eq!(file.status, StatusCode::OK);
    let rates = staff.get(&format!("/units/{BA_DINH}/dues")).await;
    assert!(rates.body.contains("50.000\u{a0}₫") && !rates.body.contains("rate-form"));
}
