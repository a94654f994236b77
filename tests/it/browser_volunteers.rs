//! In headless Chromium, on a phone-sized window: someone signs up as a
//! volunteer through the public form (no login), choosing their province
//! and commune; the commune's staff approve the sign-up; a team with that
//! volunteer is called out and lists them with their phone.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{browser_at, serve, submit_login, text_once, type_into};
use crate::support::units::*;
use crate::support::TestApp;

async fn click(c: &fantoccini::Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .expect(css)
        .click()
        .await
        .expect("click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_sign_up_is_approved_and_called_out_with_a_team() {
    let app = TestApp::new().await;
    let mut api = app.signed_in("badinh", "staff", BA_DINH).await;
    let addr = serve(&app).await;
    let base = format!("http://{addr}");
    let (c, _driver, _profile) = browser_at(412, 900).await;

    // The public form: a name typed first, then a province and one of its
    // communes — showing the communes keeps what was typed.
    c.goto(&format!("{base}/p/tinh-nguyen")).await.expect("open");
    type_into(&c, "input[name=full_name]", "Lương Thị Tình").await;
    click(&c, "select[name=province] option[value='01']").await;
    click(&c, "#province-pick button").await;
    text_once(&c, "#signup-form", "Phường Ba Đình").await;
    let kept = c
        .find(Locator::Css("input[name=full_name]"))
        .await
        .expect("name field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("Lương Thị Tình"));
    click(&c, &format!("select[name=commune] option[value='{BA_DINH}']")).await;
    click(&c, "select[name=sex] option[value=F]").await;
    type_into(&c, "input[name=birth_date]", "14/02/2000").await;
    type_into(&c, "input[name=phone]", "0987 111 222").await;
    click(&c, "input[name=skills][value=first_aid]").await;
    click(&c, "input[name=availability][value=emergencies]").await;
    click(&c, "input[name=consent]").await;
    // Enter in a field sends the form (not the button that shows communes).
    type_into(&c, "input[name=full_name]", "\u{E007}").await;
    let sent = text_once(&c, "main", "Cảm ơn").await;
    assert!(sent.contains("Cảm ơn"), "{sent}");
    assert_eq!(app.count("SELECT COUNT(*) FROM volunteer_signups").await, 1);

    // The commune's staff approve it.
    c.goto(&format!("{base}/login")).await.expect("login");
    submit_login(&c, "badinh").await;
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .expect("logged in");
    c.goto(&format!("{base}/volunteers/signups")).await.expect("queue");
    let queue = text_once(&c, "main", "Lương Thị Tình").await;
    assert!(queue.contains("0987111222"), "{queue}");
    click(&c, "form.approve button[type=submit]").await;
    let page = text_once(&c, "main", "Sơ cấp cứu").await;
    assert!(page.contains("Lương Thị Tình"), "{page}");
    let volunteer = app.count("SELECT MAX(id) FROM volunteers").await;

    // A first-aid team with her, her certificate valid: the call-out lists her.
    let certificate = api
        .post_json(
            &format!("/api/v1/volunteers/{volunteer}/certificates"),
            &json!({"skill": "first_aid", "title": "Sơ cấp cứu cơ bản", "issued_on": "01/03/2025", "expires_on": "01/03/2030"}),
        )
        .await;
    assert_eq!(
        certificate.status,
        axum::http::StatusCode::CREATED,
        "{}",
        certificate.body
    );
    let team = api
        .post_json(
            "/api/v1/teams",
            &json!({"name": "Đội sơ cấp cứu Ba Đình", "kind": "first_aid", "unit": BA_DINH}),
        )
        .await
        .json();
    let added = api
        .post_json(
            &format!("/api/v1/teams/{}/members", team["id"]),
            &json!({"volunteer": volunteer.to_string()}),
        )
        .await;
    assert_eq!(added.status, axum::http::StatusCode::NO_CONTENT);
    c.goto(&format!("{base}/teams/{}", team["id"])).await.expect("team");
    click(&c, "#team-callout").await;
    let callout = text_once(&c, "#callout", "Lương Thị Tình").await;
    assert!(callout.contains("0987111222"), "staff see the phone: {callout}");
}
