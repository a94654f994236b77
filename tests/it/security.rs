//! The security findings of the review, each closed and kept closed.

use axum::http::{Method, StatusCode};
use nhanai::db::Backend;
use nhanai::web::Settings;
use serde_json::json;

use crate::support::people::{add_person, cccd, person_body};
use crate::support::units::*;
use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn no_id_is_ever_handed_out_twice() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let first = add_person(&mut staff, "Trần Thị Cúc", BA_DINH, 1).await;
    staff
        .patch_json(&format!("/api/v1/persons/{first}"), &json!({"phone": "0987654321"}))
        .await;
    assert_eq!(
        staff.delete(&format!("/api/v1/persons/{first}")).await.status,
        StatusCode::NO_CONTENT
    );
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let second = add_person(&mut neighbour, "Lê Văn Tèo", NGOC_HA, 2).await;
    assert!(second > first, "the newest id ({first}) was deleted; {second} is new");
    let page = neighbour.get(&format!("/persons/{second}")).await;
    assert!(
        !page.body.contains("Trần Thị Cúc") && !page.body.contains("0987654321"),
        "no borrowed history"
    );
}

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let app = TestApp::new().await;
    let mut anonymous = app.client();
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
        "/%0A/evil.example",
    ] {
        let switched = anonymous.get(&format!("/lang/vi?next={next}")).await;
        assert_eq!(switched.location(), "/", "{next}");
        let form = anonymous.get(&format!("/login?next={next}")).await;
        assert!(form.body.contains("name=\"next\" value=\"/\""), "{next}");
    }
    app.user("badinh", "staff", BA_DINH).await;
    let login = anonymous
        .post_form(
            "/login",
            &[
                ("username", "badinh"),
                ("password", PASSWORD),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(login.location(), "/");
    let here = anonymous.get("/lang/en?next=/persons%3Fq%3DL%C3%AA").await;
    assert_eq!(here.location(), "/persons?q=L%C3%AA", "local paths keep their query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_all_counted() {
    let app = TestApp::new().await;
    app.user("badinh", "staff", BA_DINH).await;
    let guesses = (0..50).map(|i| {
        let mut client = app.client().at_address("198.51.100.7");
        async move { client.login("badinh", &format!("sai-{i}")).await.status }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 45), "{statuses:?}");
    let mut attacker = app.client().at_address("198.51.100.7");
    assert_eq!(
        attacker.login("badinh", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut owner = app.client().at_address("192.0.2.10");
    assert_eq!(
        owner.login("badinh", PASSWORD).await.status,
        StatusCode::OK,
        "the owner is not locked out"
    );
}

#[tokio::test]
async fn forged_forwarded_for_entries_change_nothing() {
    let settings = Settings {
        trusted_proxies: vec!["10.0.0.0/8".parse().expect("net")],
        ..Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    app.user("badinh", "staff", BA_DINH).await;
    for i in 0..5 {
        let mut client = app.client().at_address("10.0.0.2");
        client
            .headers
            .push(("x-forwarded-for".into(), format!("6.6.6.{i}, 198.51.100.7")));
        assert_eq!(client.login("badinh", "sai").await.status, StatusCode::UNAUTHORIZED);
    }
    let mut behind_proxy = app.client().at_address("10.0.0.2");
    behind_proxy
        .headers
        .push(("x-forwarded-for".into(), "7.7.7.7, 198.51.100.7".into()));
    assert_eq!(
        behind_proxy.login("badinh", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the client is the right-most untrusted hop, whatever it writes to the left"
    );
    let mut direct = app.client().at_address("203.0.113.5");
    direct.headers.push(("x-forwarded-for".into(), "198.51.100.7".into()));
    assert_eq!(
        direct.login("badinh", PASSWORD).await.status,
        StatusCode::OK,
        "a client that is not a trusted proxy cannot claim another address"
    );
}

#[tokio::test]
async fn guessing_from_everywhere_slows_an_account_down_and_an_administrator_releases_it() {
    let app = TestApp::new().await;
    let target = app.user("badinh", "staff", BA_DINH).await;
    let mut owner = app.client().at_address("192.0.2.10");
    assert_eq!(owner.login("badinh", PASSWORD).await.status, StatusCode::OK);
    for i in 0..20 {
        let mut bot = app.client().at_address(&format!("198.51.100.{}", i / 5));
        assert_eq!(bot.login("badinh", "sai").await.status, StatusCode::UNAUTHORIZED);
    }
    let mut bot = app.client().at_address("198.51.100.50");
    assert_eq!(
        bot.login("badinh", "sai").await.status,
        StatusCode::UNAUTHORIZED,
        "its turn"
    );
    let mut next = app.client().at_address("198.51.100.51");
    let slowed = next.login("badinh", "sai").await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS, "one attempt per turn");
    let wait: i64 = slowed.headers["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&wait), "{wait}");
    let mut owner_again = app.client().at_address("192.0.2.10");
    assert_eq!(
        owner_again.login("badinh", PASSWORD).await.status,
        StatusCode::OK,
        "a known address is not slowed"
    );

    for i in 0..21 {
        let mut bot = app.client().at_address(&format!("198.51.100.{}", 100 + i / 5));
        bot.login("badinh", "sai").await;
    }
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    let page = admin.get(&format!("/accounts/{target}")).await;
    assert!(page.body.contains("/unlock"), "the account page offers the release");
    let released = admin.post_form(&format!("/accounts/{target}/unlock"), &[]).await;
    assert_eq!(released.status, StatusCode::SEE_OTHER, "{}", released.body);
    let mut new_place = app.client().at_address("192.0.2.99");
    assert_eq!(new_place.login("badinh", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn long_usernames_are_never_stored_and_old_counts_are_purged() {
    let app = TestApp::new().await;
    let mut client = app.client();
    assert_eq!(
        client.login(&"a".repeat(10_000), "sai").await.status,
        StatusCode::UNAUTHORIZED
    );
    let longest = app
        .count("SELECT COALESCE(MAX(LENGTH(throttle_key)), 0) FROM login_throttle")
        .await;
    assert!(longest < 200, "{longest}");
    app.sql("INSERT INTO login_throttle (throttle_key, failures, window_start) VALUES ('user:cu', 3, '2020-01-01T00:00:00.000Z')")
        .await
        .expect("old row");
    nhanai::accounts::throttle::purge(&app.db).await.expect("purge");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_throttle WHERE throttle_key = 'user:cu'")
            .await,
        0
    );
    assert!(
        app.count("SELECT COUNT(*) FROM login_throttle").await > 0,
        "recent counts stay"
    );
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_is_throttled() {
    let app = TestApp::new().await;
    let mut here = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut elsewhere = app.client();
    elsewhere.login("badinh", PASSWORD).await;
    let changed = here
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("password", "mat-khau-moi-2026")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(elsewhere.get("/api/v1/session").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        here.get("/api/v1/session").await.status,
        StatusCode::OK,
        "this session stays"
    );
    for _ in 0..5 {
        let wrong = here
            .post_form(
                "/account/password",
                &[("current_password", "doan-thu"), ("password", "mat-khau-khac-2026")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let held = here
        .post_form(
            "/account/password",
            &[
                ("current_password", "mat-khau-moi-2026"),
                ("password", "mat-khau-khac-2026"),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::with_settings(Settings {
        secure_cookies: true,
        ..Settings::default()
    })
    .await;
    app.user("badinh", "staff", BA_DINH).await;
    let mut client = app.client();
    let login = client.login("badinh", PASSWORD).await;
    let cookie = login.headers["set-cookie"].to_str().expect("cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(login.headers["strict-transport-security"]
        .to_str()
        .expect("hsts")
        .contains("max-age"));
}

fn form<'a>(username: &'a str, role: &'a str, unit: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("username", username),
        ("display_name", "Cán bộ mới"),
        ("password", "mot-mat-khau-dai"),
        ("role", role),
        ("unit_code", unit),
    ]
}

#[tokio::test]
async fn administrators_are_managed_from_the_unit_above() {
    let app = TestApp::new().await;
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;
    let peer = app.user("hanoi2", "admin", HA_NOI).await;
    let refused = hanoi.post_form("/accounts", &form("hanoi3", "admin", HA_NOI)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("cấp trên"), "the form says why");
    let below = hanoi.post_form("/accounts", &form("qtbadinh", "admin", BA_DINH)).await;
    assert_eq!(below.status, StatusCode::SEE_OTHER, "{}", below.body);
    let staff = hanoi
        .post_form("/accounts", &form("canbo.hanoi", "staff", HA_NOI))
        .await;
    assert_eq!(
        staff.status,
        StatusCode::SEE_OTHER,
        "the province's own staff: {}",
        staff.body
    );
    assert_eq!(
        hanoi.get(&format!("/accounts/{peer}")).await.status,
        StatusCode::NOT_FOUND
    );
    let reset = hanoi
        .post_form(
            &format!("/accounts/{peer}/password"),
            &[("password", "mat-khau-cua-toi")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::NOT_FOUND);
    let off = hanoi
        .post_form(&format!("/accounts/{peer}/active"), &[("active", "false")])
        .await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    let mut peer_client = app.client();
    assert_eq!(
        peer_client.login("hanoi2", PASSWORD).await.status,
        StatusCode::OK,
        "untouched"
    );

    // An account that also holds a role outside Hà Nội is not Hà Nội's to manage, or to see.
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let both = central.post_form("/accounts", &form("hai.noi", "staff", BA_DINH)).await;
    let both_id = both.location().trim_start_matches("/accounts/").to_owned();
    central
        .post_form(
            &format!("/accounts/{both_id}/grants"),
            &[("unit_code", THANH_DONG), ("role", "viewer")],
        )
        .await;
    let list = hanoi.get("/accounts").await;
    assert!(list.body.contains("qtbadinh") && !list.body.contains("hai.noi") && !list.body.contains("Thành Đông"));
    assert_eq!(
        hanoi.get(&format!("/accounts/{both_id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // A closed unit elsewhere is just unknown.
    let branch = crate::support::units::open_branch(&mut central, THANH_DONG, "Chi hội X").await;
    central
        .post_json(&format!("/api/v1/units/{branch}/close"), &json!({}))
        .await;
    let elsewhere = hanoi.post_form("/accounts", &form("x.y", "staff", &branch)).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere.body.contains("phạm vi") && !elsewhere.body.contains("không còn hoạt động"));
}

#[tokio::test]
async fn refusing_a_cccd_registered_elsewhere_is_audited_and_limited() {
    let app = TestApp::new().await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut badinh, "Trần Văn Một", BA_DINH, 1).await;
    let mut ngoc_ha = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let mut body = person_body("Trần Văn Một", NGOC_HA, 1);
    for attempt in 1..=21 {
        body["cccd"] = json!(cccd(false, 1980, 1));
        let refused = ngoc_ha.post_json("/api/v1/persons", &body).await;
        let wanted = if attempt <= 20 {
            StatusCode::CONFLICT
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(refused.status, wanted, "attempt {attempt}");
    }
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;
    let audit = hanoi.get("/api/v1/audit").await.json();
    let refusals = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "cccd_refused" && e["username"] == "ngocha")
        .count();
    assert_eq!(refusals, 21, "every refusal is recorded");
}

#[tokio::test]
async fn the_audit_keeps_moves_sessions_and_moved_roles() {
    let app = TestApp::new().await;
    let mut hanoi = app.signed_in("hanoi", "admin", HA_NOI).await;
    let id = add_person(&mut hanoi, "Phạm Thị Hoa", BA_DINH, 1).await;
    let moved = hanoi
        .patch_json(&format!("/api/v1/persons/{id}"), &json!({"unit": NGOC_HA}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let mut ba_dinh_admin = app.signed_in("qtbadinh", "admin", BA_DINH).await;
    let theirs = ba_dinh_admin.get("/api/v1/audit").await.json();
    assert!(
        theirs["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["action"] == "update" && e["entity_id"] == id),
        "the old unit's supervisors see the record leave"
    );

    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    staff.delete("/api/v1/session").await;
    app.client().login("badinh", "sai-roi").await;
    let audit = ba_dinh_admin.get("/api/v1/audit").await.json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["username"] == "badinh")
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["login_refused", "logout", "login"]);

    app.user("ngocha", "staff", NGOC_HA).await;
    hanoi
        .post_json(
            &format!("/api/v1/units/{BA_DINH}/merge"),
            &json!({"sources": [NGOC_HA], "move_grants": true}),
        )
        .await;
    let audit = hanoi.get("/api/v1/audit").await.json();
    let merge = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "merge" && e["after"]["merged_into"] == BA_DINH)
        .expect("merge entry")
        .clone();
    assert_eq!(
        merge["after"]["grants_moved"],
        json!([{"username": "ngocha", "role": "staff"}])
    );

    let wiped = match app.db.backend() {
        Backend::Postgres => app.sql("TRUNCATE audit_log").await,
        Backend::Sqlite => app.sql("DELETE FROM audit_log").await,
    };
    assert!(wiped.is_err(), "the audit trail cannot be wiped");
}

#[tokio::test]
async fn exports_stream_everything_and_a_server_runs_few_at_once() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    for i in 0..120u32 {
        add_person(
            &mut staff,
            &format!("Nguyễn Văn Số {}", ["Một", "Hai", "Ba"][i as usize % 3]),
            BA_DINH,
            i + 1,
        )
        .await;
    }
    let csv = staff.get("/persons/export.csv").await;
    assert_eq!(
        csv.body.lines().count(),
        121,
        "a header and every person, past any page size"
    );
    let first = staff
        .open(Method::GET, "/persons/export.csv", None, String::new(), false)
        .await;
    let second = staff
        .open(Method::GET, "/persons/export.csv", None, String::new(), false)
        .await;
    assert_eq!((first.status(), second.status()), (StatusCode::OK, StatusCode::OK));
    let third = staff.get("/persons/export.csv").await;
    assert_eq!(third.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(third.headers.contains_key("retry-after"));
    drop((first, second));
    assert_eq!(
        staff.get("/persons/export.csv").await.status,
        StatusCode::OK,
        "free again"
    );
}

#[tokio::test]
async fn refusals_and_missing_pages_carry_the_security_headers() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut anonymous = app.client();
    let answers = [
        staff.get("/khong-co-trang-nay").await,
        staff.get("/api/v1/persons/999999999").await,
        staff.get(&format!("/units/{HAI_PHONG}")).await,
        anonymous.post_json("/api/v1/persons", &serde_json::json!({})).await,
    ];
    for answer in answers {
        assert!(answer.status.is_client_error(), "{}", answer.status);
        for name in [
            "content-security-policy",
            "x-content-type-options",
            "x-frame-options",
            "cache-control",
        ] {
            assert!(answer.headers.contains_key(name), "{} lacks {name}", answer.status);
        }
    }
}
