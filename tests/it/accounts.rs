use axum::http::StatusCode;
use serde_json::json;

use crate::support::units::*;
use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let app = TestApp::new().await;
    app.user("badinh", "staff", BA_DINH).await;
    let mut client = app.client();
    for _ in 0..5 {
        let wrong = client.login("badinh", "wrong-password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = client.login("badinh", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
    assert!(client.csrf.is_none());
    // Another account is not affected.
    app.user("ngocha", "staff", NGOC_HA).await;
    assert_eq!(client.login("ngocha", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn login_form_sets_a_session_and_logout_ends_it() {
    let app = TestApp::new().await;
    app.user("badinh", "staff", BA_DINH).await;
    let mut browser = app.client();
    let login = browser
        .post_form(
            "/login",
            &[("username", "BaDinh"), ("password", PASSWORD), ("next", "/persons")],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert_eq!(login.location(), "/persons");
    let cookie = login
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let dashboard = browser.get("/").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Phường Ba Đình"));
    let wrong = browser
        .post_form("/login", &[("username", "badinh"), ("password", "sai-mat-khau")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("không đúng"));

    let mut api = app.client();
    api.login("badinh", PASSWORD).await;
    assert_eq!(api.get("/api/v1/session").await.status, StatusCode::OK);
    assert_eq!(api.delete("/api/v1/session").await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/session").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let app = TestApp::new().await;
    let mut user = app.signed_in("badinh", "staff", BA_DINH).await;
    let wrong = user
        .post_form(
            "/account/password",
            &[("current_password", "khong-phai"), ("password", "mat-khau-moi-2026")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = user
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("password", "mat-khau-moi-2026")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let mut again = app.client();
    assert_eq!(again.login("badinh", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.login("badinh", "mat-khau-moi-2026").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_province_admin_manages_accounts_inside_the_province_only() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let created = admin
        .post_form(
            "/accounts",
            &[
                ("username", "canbo.badinh"),
                ("display_name", "Cán bộ Ba Đình"),
                ("password", "mot-mat-khau-dai"),
                ("role", "staff"),
                ("unit_code", BA_DINH),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let outside = admin
        .post_form(
            "/accounts",
            &[
                ("username", "canbo.haiphong"),
                ("display_name", "Cán bộ Hải Phòng"),
                ("password", "mot-mat-khau-dai"),
                ("role", "staff"),
                ("unit_code", THANH_DONG),
            ],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(outside.body.contains("phạm vi"), "the field says why");
    let list = admin.get("/accounts").await;
    assert!(list.body.contains("canbo.badinh"));
    assert!(!list.body.contains("canbo.haiphong"));

    let central_admin = app.user("trunguong", "admin", TW).await;
    assert_eq!(
        admin.get(&format!("/accounts/{central_admin}")).await.status,
        StatusCode::NOT_FOUND
    );

    let mut new_user = app.client();
    assert_eq!(
        new_user.login("canbo.badinh", "mot-mat-khau-dai").await.status,
        StatusCode::OK
    );
    let me = new_user.get("/api/v1/session").await.json();
    assert_eq!(
        me["grants"],
        json!([{"role": "staff", "unit": BA_DINH, "unit_name": "Phường Ba Đình"}])
    );
    assert_eq!(
        new_user.get("/accounts").await.status,
        StatusCode::NOT_FOUND,
        "staff do not manage accounts"
    );
}

#[tokio::test]
async fn a_deactivated_account_loses_its_sessions() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let id = staff.get("/api/v1/session").await.json()["user_id"]
        .as_i64()
        .expect("id");
    let off = admin
        .post_form(&format!("/accounts/{id}/active"), &[("active", "false")])
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    assert_eq!(staff.get("/api/v1/persons").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(staff.login("badinh", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_and_throttling_hold_across_servers() {
    let app = TestApp::new().await;
    let other = app.second_server().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    staff.switch_to(&other);
    assert_eq!(
        staff.get("/api/v1/session").await.status,
        StatusCode::OK,
        "a session made on one server works on the other"
    );
    let created = staff
        .post_json(
            "/api/v1/persons",
            &json!({"full_name": "Hồ Văn Tư", "sex": "M", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "and so does its CSRF token");

    app.user("ngocha", "staff", NGOC_HA).await;
    let mut attacker = app.client();
    for _ in 0..5 {
        attacker.login("ngocha", "wrong-password").await;
    }
    attacker.switch_to(&other);
    assert_eq!(
        attacker.login("ngocha", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "failures count on every server"
    );
    staff.delete("/api/v1/session").await;
    staff.switch_to(&app);
    assert_eq!(
        staff.get("/api/v1/session").await.status,
        StatusCode::UNAUTHORIZED,
        "logging out on one ends it everywhere"
    );
}

#[tokio::test]
async fn a_password_reset_ends_the_users_sessions() {
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let id = staff.get("/api/v1/session").await.json()["user_id"]
        .as_i64()
        .expect("id");
    let reset = admin
        .post_form(&format!("/accounts/{id}/password"), &[("password", "mat-khau-moi-dai")])
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    assert_eq!(
        staff.get("/api/v1/session").await.status,
        StatusCode::UNAUTHORIZED,
        "the old session is gone"
    );
    assert_eq!(
        neighbour.get("/api/v1/session").await.status,
        StatusCode::OK,
        "other users stay signed in"
    );
    assert_eq!(staff.login("badinh", "mat-khau-moi-dai").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_changed_role_takes_effect_on_the_next_request_on_every_server() {
    let app = TestApp::new().await;
    let other = app.second_server().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let id = crate::support::people::add_person(&mut admin, "Lê Văn Một", BA_DINH, 1).await;
    let mut staff = app.signed_in("badinh", "viewer", BA_DINH).await;
    let path = format!("/api/v1/persons/{id}");
    staff.switch_to(&other);
    assert_eq!(
        staff.get(&path).await.status,
        StatusCode::OK,
        "cached on the other server"
    );
    let account = staff.get("/api/v1/session").await.json()["user_id"]
        .as_i64()
        .expect("id");

    // Promoted on the first server: the second knows at once.
    let promoted = admin
        .post_form(
            &format!("/accounts/{account}/grants"),
            &[("unit_code", BA_DINH), ("role", "staff")],
        )
        .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER, "{}", promoted.body);
    let edit = staff.patch_json(&path, &json!({"phone": "0987654321"})).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);

    // Revoked (a role elsewhere granted first: the last role is replaced,
    // never just taken away): the next request is refused.
    let elsewhere = admin
        .post_form(
            &format!("/accounts/{account}/grants"),
            &[("unit_code", GIANG_VO), ("role", "viewer")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER, "{}", elsewhere.body);
    let grant_on = |code: &str| {
        format!(
            "SELECT g.id FROM grants g JOIN units u ON u.id = g.unit_id \
             WHERE g.user_id = {account} AND u.code = '{code}'"
        )
    };
    let grant = app.count(&grant_on(BA_DINH)).await;
    let revoked = admin
        .post_form(&format!("/accounts/{account}/grants/{grant}/delete"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(staff.get(&path).await.status, StatusCode::NOT_FOUND);

    // The last role stays until another replaces it: the account would
    // otherwise slip out of reach of the administrator who manages it.
    let last = app.count(&grant_on(GIANG_VO)).await;
    let refused = admin
        .post_form(&format!("/accounts/{account}/grants/{last}/delete"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("quyền cuối cùng"), "{}", refused.body);
    assert_eq!(app.count(&grant_on(GIANG_VO)).await, last);

    // A renamed unit shows under its new name at once, too.
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let renamed = central
        .patch_json(
            &format!("/api/v1/units/{GIANG_VO}"),
            &json!({"name": "Phường Giảng Võ Mới"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let me = staff.get("/api/v1/session").await.json();
    assert_eq!(me["grants"][0]["unit_name"], "Phường Giảng Võ Mới");
}
