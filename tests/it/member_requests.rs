//! Requests between units: asking for someone registered elsewhere tells
//! nothing until the holding unit accepts or declines.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::members::{count_at, enrol};
use crate::support::people::{add_person, cccd};
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn a_branch_asks_for_someone_registered_elsewhere_and_learns_nothing_until_accepted() {
    let app = TestApp::new().await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut ngocha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let home = open_branch(&mut badinh, BA_DINH, "Chi hội Tổ 14").await;
    let asking = open_branch(&mut ngocha, NGOC_HA, "Chi hội Tổ 15").await;
    let person = add_person(&mut badinh, "Quách Văn Chuyển", BA_DINH, 41).await;
    let (_, member) = enrol(&mut badinh, person, &home, "01/01/2012").await;
    let stranger = add_person(&mut badinh, "Lưu Thị Mới", BA_DINH, 42).await;

    let ask = |cccd: String| json!({"branch": asking, "cccd": cccd, "joined_on": "01/02/2024", "note": "Chuyển về ở"});
    // The same answer whether anyone holds the number or not.
    let held = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 41)))
        .await;
    let nobody = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 99)))
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(nobody.status, StatusCode::CREATED, "{}", nobody.body);
    let (held, nobody) = (held.json(), nobody.json());
    let twice = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 41)))
        .await
        .json();
    assert_eq!(twice["id"], held["id"], "asking again adds nothing");
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&held), keys(&nobody));
    assert_eq!(held["status"], nobody["status"]);
    let sent = ngocha.get("/api/v1/members/requests").await;
    assert!(!sent.body.contains("Quách"), "no name before acceptance: {}", sent.body);
    assert_eq!(
        ngocha.get(&format!("/api/v1/persons/{person}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Someone of one's own units is enrolled, not asked for.
    let own = badinh
        .post_json(
            "/api/v1/members/requests",
            &json!({"branch": home, "cccd": cccd(false, 1980, 42), "joined_on": "01/02/2024"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.body);

    // Ba Đình sees who is asked for; a viewer cannot decide.
    let waiting = badinh.get("/api/v1/members/requests").await.json();
    let incoming = waiting["incoming"].as_array().expect("incoming");
    assert_eq!(incoming.len(), 1, "{waiting}");
    assert_eq!(incoming[0]["full_name"], "Quách Văn Chuyển");
    let id = incoming[0]["id"].as_i64().expect("id");
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    assert_eq!(
        viewer
            .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ngocha
            .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the asker cannot accept its own request"
    );

    let accepted = badinh
        .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json()["member_id"], member["id"]);
    let moved = ngocha.get(&format!("/api/v1/members/{}", member["id"])).await;
    assert_eq!(moved.status, StatusCode::OK, "now theirs: {}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["member_no"], member["member_no"]);
    assert_eq!(moved["branch_code"], asking.as_str());
    assert_eq!(moved["history"][1]["kind"], "transfer");
    assert_eq!(
        ngocha.get(&format!("/api/v1/persons/{person}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        badinh.get(&format!("/api/v1/persons/{person}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(count_at(&app, "members", &home).await, 0);
    assert_eq!(count_at(&app, "members", &asking).await, 1);
    let again = badinh
        .post_json(&format!("/api/v1/members/requests/{id}/accept"), &json!({}))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "decided, and no longer theirs");

    // A declined request says why, and moves no one.
    let second = ngocha
        .post_json("/api/v1/members/requests", &ask(cccd(false, 1980, 42)))
        .await
        .json();
    let declined = badinh
        .post_json(
            &format!("/api/v1/members/requests/{}/decline", second["id"]),
            &json!({"reason": "Không đúng người"}),
        )
        .await;
    assert_eq!(declined.status, StatusCode::NO_CONTENT, "{}", declined.body);
    let outgoing = ngocha.get("/api/v1/members/requests").await.json()["outgoing"].clone();
    let statuses: Vec<&str> = outgoing
        .as_array()
        .expect("outgoing")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["declined", "pending", "accepted"]);
    assert_eq!(
        badinh.get(&format!("/api/v1/persons/{stranger}")).await.status,
        StatusCode::OK,
        "still Ba Đình's"
    );
    let page = ngocha.get("/members/requests").await;
    // The asker sees the decision, not the holder's words about the person.
    assert!(
        !page.body.contains("Không đúng người") && page.body.contains("ask-form"),
        "{}",
        page.body
    );

    // Ngọc Hà merges into Giảng Võ: its requests are Giảng Võ's now.
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let merged = central
        .post_json(
            &format!("/api/v1/units/{GIANG_VO}/merge"),
            &json!({"sources": [NGOC_HA]}),
        )
        .await;
    assert!(merged.status.is_success(), "{}", merged.body);
    let mut giangvo = app.signed_in("giangvo", "staff", GIANG_VO).await;
    let theirs = giangvo.get("/api/v1/members/requests").await.json();
    assert_eq!(theirs["outgoing"].as_array().map(Vec::len), Some(3), "{theirs}");
}
