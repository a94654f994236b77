//! Changes to the tree that race each other: whichever commits first wins,
//! and the other is refused — never both half-done, never a server error.
//! Which interleaving a run gets depends on timing, so these guard against
//! regressions; the locking rules themselves are in ARCHITECTURE.md
//! ("Placement, merges, counters").

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::units::open_branch;
use crate::support::units::*;
use crate::support::{Client, TestApp, PASSWORD};

async fn two_sessions(app: &TestApp) -> (Client, Client) {
    let first = app.signed_in("hanoi", "admin", HA_NOI).await;
    let mut second = app.client();
    second.login("hanoi", PASSWORD).await;
    (first, second)
}

async fn unit(client: &mut Client, code: &str) -> Value {
    client.get(&format!("/api/v1/units/{code}")).await.json()
}

#[tokio::test]
async fn a_commune_closed_while_a_branch_opens_in_it_ends_one_way_or_the_other() {
    let app = TestApp::new().await;
    let (mut first, mut second) = two_sessions(&app).await;
    for commune in [BA_DINH, NGOC_HA, GIANG_VO] {
        let (close, open) = (
            format!("/api/v1/units/{commune}/close"),
            format!("/api/v1/units/{commune}/branches"),
        );
        let branch = json!({"name": "Chi hội Tổ 1", "kind": "residential"});
        let nothing = json!({});
        let (closed, opened) = tokio::join!(first.post_json(&close, &nothing), second.post_json(&open, &branch));
        let both = closed.status == StatusCode::OK && opened.status == StatusCode::CREATED;
        assert!(!both, "{commune}: closed and opened a branch in it");
        assert!(closed.status == StatusCode::OK || opened.status == StatusCode::CREATED);
        let status = unit(&mut first, commune).await["status"].clone();
        let children = first.get(&format!("/api/v1/units/{commune}/children")).await.json();
        let active_children = children["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|c| c["status"] == "active")
            .count();
        assert!(
            !(status == "closed" && active_children > 0),
            "{commune} is closed with {active_children} active branches"
        );
    }
}

#[tokio::test]
async fn a_branch_closed_while_it_is_merged_is_either_closed_or_merged() {
    let app = TestApp::new().await;
    let (mut first, mut second) = two_sessions(&app).await;
    let survivor = open_branch(&mut first, BA_DINH, "Chi hội giữ lại").await;
    for round in 0..3 {
        let branch = open_branch(&mut first, BA_DINH, &format!("Chi hội sáp nhập {round}")).await;
        let (close, merge) = (
            format!("/api/v1/units/{branch}/close"),
            format!("/api/v1/units/{survivor}/merge"),
        );
        let sources = json!({"sources": [branch]});
        let nothing = json!({});
        let (closed, merged) = tokio::join!(first.post_json(&close, &nothing), second.post_json(&merge, &sources));
        let done = [closed.status, merged.status]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(done, 1, "close {} / merge {}", closed.status, merged.status);
        let after = unit(&mut first, &branch).await;
        match after["status"].as_str() {
            Some("closed") => assert!(after["merged_into"].is_null(), "{after}"),
            Some("merged") => assert_eq!(after["merged_into"], survivor.as_str()),
            other => panic!("{branch} ended {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_closed_or_merged_unit_is_not_renamed() {
    let app = TestApp::new().await;
    let (mut admin, _) = two_sessions(&app).await;
    let branch = open_branch(&mut admin, BA_DINH, "Chi hội cũ").await;
    let closed = admin
        .post_json(&format!("/api/v1/units/{branch}/close"), &json!({}))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let renamed = admin
        .patch_json(&format!("/api/v1/units/{branch}"), &json!({"name": "Tên mới"}))
        .await;
    assert_eq!(renamed.status, StatusCode::BAD_REQUEST, "{}", renamed.body);
    assert_eq!(unit(&mut admin, &branch).await["name"], "Chi hội cũ");
}

#[tokio::test]
async fn persons_registered_while_their_commune_is_merged_are_counted_once_and_never_fail() {
    let app = TestApp::new().await;
    let (mut first, mut second) = two_sessions(&app).await;
    let mut registered = 0;
    for (round, commune) in [NGOC_HA, GIANG_VO].into_iter().enumerate() {
        let branch = open_branch(&mut first, commune, "Chi hội Tổ 9").await;
        let body = crate::support::people::person_body("Phạm Thị Hoa", &branch, 40 + round as u32);
        let sources = json!({"sources": [commune]});
        let merge = format!("/api/v1/units/{BA_DINH}/merge");
        let (created, merged) = tokio::join!(
            second.post_json("/api/v1/persons", &body),
            first.post_json(&merge, &sources)
        );
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
        // Either registered (before or after the merge) or refused as a
        // change of the tree meanwhile: never a server error.
        assert!(
            [StatusCode::CREATED, StatusCode::CONFLICT].contains(&created.status),
            "{}: {}",
            created.status,
            created.body
        );
        if created.status == StatusCode::CREATED {
            registered += 1;
        }
    }
    let listed = first.get(&format!("/api/v1/persons?unit={BA_DINH}")).await.json();
    let listed = listed["items"].as_array().map_or(0, Vec::len);
    assert_eq!(listed, registered);
    assert_eq!(unit(&mut first, BA_DINH).await["counts"]["persons"], registered);
    assert_eq!(unit(&mut first, HA_NOI).await["counts"]["persons"], registered);
}

#[tokio::test]
async fn a_role_revoked_while_its_unit_absorbs_another_leaves_the_account_a_role() {
    let app = TestApp::new().await;
    let (mut first, mut second) = two_sessions(&app).await;
    let survivor = open_branch(&mut first, BA_DINH, "Chi hội A").await;
    let absorbed = open_branch(&mut first, BA_DINH, "Chi hội B").await;
    let staff = app.user("nhanvien", "staff", &survivor).await;
    let grant_on = |code: &str| {
        format!(
            "SELECT g.id FROM grants g JOIN units u ON u.id = g.unit_id \
             WHERE g.user_id = {staff} AND u.code = '{code}'"
        )
    };
    let also = first
        .post_form(
            &format!("/accounts/{staff}/grants"),
            &[("unit_code", absorbed.as_str()), ("role", "staff")],
        )
        .await;
    assert_eq!(also.status, StatusCode::SEE_OTHER, "{}", also.body);
    let grant = app.count(&grant_on(&survivor)).await;
    let revoke = format!("/accounts/{staff}/grants/{grant}/delete");
    let merge = format!("/api/v1/units/{survivor}/merge");
    let sources = json!({"sources": [absorbed], "move_grants": true});
    let (_, merged) = tokio::join!(second.post_form(&revoke, &[]), first.post_json(&merge, &sources));
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    let roles = app
        .count(&format!("SELECT COUNT(*) FROM grants WHERE user_id = {staff}"))
        .await;
    assert!(roles >= 1, "the account was left without a role");
}
