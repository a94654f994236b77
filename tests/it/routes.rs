//! Every registered route — pages and API, of every capability — is walked
//! with the same checks: no login, no CSRF token, a caller outside the
//! record's units, and a read-only caller. A new capability's routes are
//! covered without anyone listing them; a path parameter without a fixture
//! here fails the test until one is added.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use nhanai::web::routes::RouteInfo;

use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::{Client, Response, TestApp};

/// Values for each kind of path parameter, all placed in Ba Đình.
async fn fixtures(app: &TestApp) -> HashMap<&'static str, String> {
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let person = add_person(&mut central, "Đinh Văn Mẫu", BA_DINH, 1).await;
    let account = app.user("mau.badinh", "staff", BA_DINH).await;
    let grant = app
        .count(&format!("SELECT id FROM grants WHERE user_id = {account}"))
        .await;
    let file = b"Ho ten;Nam sinh;Gioi tinh\nAn;1980;Nam\n";
    let import = central
        .upload(
            "/api/v1/imports",
            &[("kind", "persons"), ("unit", BA_DINH)],
            "a.csv",
            file,
        )
        .await
        .json();
    let branch = open_branch(&mut central, BA_DINH, "Chi hội Tổ 1").await;
    let enrolled = add_person(&mut central, "Đinh Thị Hội", BA_DINH, 2).await;
    let member = central
        .post_json(
            "/api/v1/members",
            &serde_json::json!({"person": enrolled.to_string(), "branch": branch, "joined_on": "03/02/2020"}),
        )
        .await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    // A branch of Ngọc Hà asks for a person of Ba Đình.
    let mut ngoc_ha = app.signed_in("xin.ngocha", "staff", NGOC_HA).await;
    let asking_branch = open_branch(&mut ngoc_ha, NGOC_HA, "Chi hội Tổ 2").await;
    let request = ngoc_ha
        .post_json(
            "/api/v1/members/requests",
            &serde_json::json!({"branch": asking_branch, "cccd": crate::support::people::cccd(false, 1980, 1), "joined_on": "01/01/2021"}),
        )
        .await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.body);
    // The fixture member's card, printed once, has a public address.
    let member_id = member.json()["id"].to_string();
    let card = central.get(&format!("/members/{member_id}/card.pdf")).await;
    assert_eq!(card.status, StatusCode::OK);
    let token: String = sqlx::Row::try_get(
        &nhanai::db::Sql::new(&format!("SELECT card_token FROM members WHERE id = {member_id}"))
            .fetch_optional(app.db.pool())
            .await
            .expect("query")
            .expect("row"),
        0,
    )
    .expect("token");
    let volunteer = central
        .post_json(
            "/api/v1/volunteers",
            &serde_json::json!({"person": person.to_string(), "skills": ["first_aid"]}),
        )
        .await;
    assert_eq!(volunteer.status, StatusCode::CREATED, "{}", volunteer.body);
    let certificate = central
        .post_json(
            &format!("/api/v1/volunteers/{}/certificates", volunteer.json()["id"]),
            &serde_json::json!({"skill": "first_aid", "title": "Sơ cấp cứu cơ bản", "issued_on": "01/03/2024"}),
        )
        .await;
    assert_eq!(certificate.status, StatusCode::CREATED, "{}", certificate.body);
    let hours = central
        .post_json(
            &format!("/api/v1/volunteers/{}/hours", volunteer.json()["id"]),
            &serde_json::json!({"on_date": "02/03/2024", "activity": "Hiến máu", "hours": "3"}),
        )
        .await;
    assert_eq!(hours.status, StatusCode::CREATED, "{}", hours.body);
    let mut visitor = app.client();
    let signup = visitor
        .send(
            Method::POST,
            "/p/tinh-nguyen",
            Some("application/x-www-form-urlencoded"),
            "commune=00004&full_name=Ng%C3%B4+Lan&sex=F&birth_date=2000&phone=0912345678&consent=yes",
            false,
        )
        .await;
    assert_eq!(signup.status, StatusCode::SEE_OTHER, "{}", signup.body);
    let signup = app.count("SELECT MAX(id) FROM volunteer_signups").await;
    let team = central
        .post_json(
            "/api/v1/teams",
            &serde_json::json!({"name": "Đội sơ cấp cứu", "kind": "first_aid", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(team.status, StatusCode::CREATED, "{}", team.body);
    let added = central
        .post_json(
            &format!("/api/v1/teams/{}/members", team.json()["id"]),
            &serde_json::json!({"volunteer": volunteer.json()["id"].to_string()}),
        )
        .await;
    assert_eq!(added.status, StatusCode::NO_CONTENT, "{}", added.body);
    let organisation = central
        .post_json(
            "/api/v1/organisations",
            &serde_json::json!({"name": "Trường Mẫu", "kind": "school", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(organisation.status, StatusCode::CREATED, "{}", organisation.body);
    let collective = central
        .post_json(
            "/api/v1/members/collective",
            &serde_json::json!({"organisation": organisation.json()["id"].to_string(), "branch": branch,
                                "joined_on": "01/09/2024", "head_count": "30"}),
        )
        .await;
    assert_eq!(collective.status, StatusCode::CREATED, "{}", collective.body);
    let cadre = central
        .post_json(
            "/api/v1/cadres",
            &serde_json::json!({"person": person.to_string(), "unit": BA_DINH, "position": "chair", "term_start": "01/10/2022"}),
        )
        .await;
    assert_eq!(cadre.status, StatusCode::CREATED, "{}", cadre.body);
    let course = central
        .post_json(
            "/api/v1/courses",
            &serde_json::json!({"title": "Tập huấn", "level": "commune", "starts_on": "01/03/2025", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(course.status, StatusCode::CREATED, "{}", course.body);
    let school = crate::support::units::open_branch_of(&mut central, BA_DINH, "Chi hội Trường Mẫu", "school").await;
    let pupil = add_person(&mut central, "Đinh Văn Học", BA_DINH, 3).await;
    let youth = central
        .post_json(
            "/api/v1/youth",
            &serde_json::json!({"person": pupil.to_string(), "branch": school, "class_name": "6A"}),
        )
        .await;
    assert_eq!(youth.status, StatusCode::CREATED, "{}", youth.body);
    let ledger_account = central
        .post_json(
            "/api/v1/ledger/accounts",
            &serde_json::json!({"kind": "bank", "name": "TK", "bank_name": "Vietcombank", "bank_bin": "970436",
                                "account_no": "1017595600", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(ledger_account.status, StatusCode::CREATED, "{}", ledger_account.body);
    let fund = central
        .post_json(
            "/api/v1/ledger/funds",
            &serde_json::json!({"kind": "appeal", "name": "Bão Yagi", "purpose": "Cứu trợ", "opens_on": "01/09/2024",
                                "account_id": ledger_account.json()["id"], "unit": BA_DINH}),
        )
        .await;
    assert_eq!(fund.status, StatusCode::CREATED, "{}", fund.body);
    let entry = central
        .post_json(
            &format!("/api/v1/ledger/funds/{}/entries", fund.json()["id"]),
            &serde_json::json!({"kind": "donation", "on_date": "02/09/2024", "amount": "100.000", "counterparty": "An"}),
        )
        .await;
    assert_eq!(entry.status, StatusCode::CREATED, "{}", entry.body);
    // A transaction of an imported statement no fund was told for.
    app.sql(&format!(
        "INSERT INTO ledger_unmatched (unit_id, account_id, on_date, reference, debit, credit, description, donor, created_at) \
         SELECT unit_id, id, '2024-09-02', '1', 0, 5000, 'ung ho', '', '2024-09-02T00:00:00.000Z' FROM ledger_accounts WHERE id = {}",
        ledger_account.json()["id"]
    ))
    .await
    .expect("queued line");
    let line = app.count("SELECT MAX(id) FROM ledger_unmatched").await;
    // An entry waiting for a second person's approval.
    app.sql("UPDATE ledger_policy SET approval_above = 1000")
        .await
        .expect("policy");
    let draft = central
        .post_json(
            &format!("/api/v1/ledger/funds/{}/entries", fund.json()["id"]),
            &serde_json::json!({"kind": "donation", "on_date": "02/09/2024", "amount": "100.000", "counterparty": "Bình"}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::ACCEPTED, "{}", draft.body);
    HashMap::from([
        ("fund", fund.json()["id"].to_string()),
        ("ledger_account", ledger_account.json()["id"].to_string()),
        ("line", line.to_string()),
        ("draft", draft.json()["draft"].to_string()),
        ("entry", entry.json()["id"].to_string()),
        ("youth", youth.json()["id"].to_string()),
        ("cadre", cadre.json()["id"].to_string()),
        ("course", course.json()["id"].to_string()),
        ("organisation", organisation.json()["id"].to_string()),
        ("collective", collective.json()["id"].to_string()),
        ("volunteer", volunteer.json()["id"].to_string()),
        ("certificate", certificate.json()["id"].to_string()),
        ("hours", hours.json()["id"].to_string()),
        ("signup", signup.to_string()),
        ("team", team.json()["id"].to_string()),
        ("token", token),
        ("request", request.json()["id"].to_string()),
        ("unit", BA_DINH.to_owned()),
        ("member", member.json()["id"].to_string()),
        ("person", person.to_string()),
        ("account", account.to_string()),
        ("grant", grant.to_string()),
        ("import", import["id"].to_string()),
        ("job", import["job"]["id"].to_string()),
        ("code", "vi".to_owned()),
        ("file", "app.css".to_owned()),
    ])
}

fn concrete(route: &RouteInfo, values: &HashMap<&'static str, String>) -> String {
    let mut path = route.path.clone();
    while let Some(start) = path.find('{') {
        let end = path[start..].find('}').map(|e| start + e).expect("closing brace");
        let name = path[start + 1..end].to_owned();
        let value = values.get(name.as_str()).unwrap_or_else(|| {
            panic!(
                "{} {}: add a fixture for the path parameter {{{name}}}",
                route.method, route.path
            )
        });
        path.replace_range(start..=end, value);
    }
    path
}

fn has_parameters(route: &RouteInfo) -> bool {
    route.path.contains('{')
}

async fn call(client: &mut Client, route: &RouteInfo, path: &str, csrf: bool) -> Response {
    let is_api = route.path.starts_with("/api/");
    match (route.method.clone(), is_api) {
        (Method::GET, _) => client.get(path).await,
        (method, true) => client.send(method, path, Some("application/json"), "{}", csrf).await,
        (method, false) if csrf => {
            assert_eq!(method, Method::POST, "pages take forms");
            client.post_form(path, &[]).await
        }
        (method, false) => {
            client
                .send(
                    method,
                    path,
                    Some("application/x-www-form-urlencoded"),
                    String::new(),
                    false,
                )
                .await
        }
    }
}

#[tokio::test]
async fn every_route_checks_login_csrf_scope_and_write_access() {
    let app = TestApp::new().await;
    let values = fixtures(&app).await;
    let routes = nhanai::app::registry().routes().to_vec();
    assert!(routes.len() > 30, "the registry lists the routes: {}", routes.len());
    let mut anonymous = app.client();
    let mut outsider = app.signed_in("ngoai", "staff", THANH_DONG).await;
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    let audit_count = "SELECT COUNT(*) FROM audit_log";

    for route in &routes {
        let path = concrete(route, &values);
        let what = format!("{} {}", route.method, route.path);
        if route.public {
            if route.method == Method::GET {
                let response = anonymous.get(&path).await;
                let status = response.status;
                assert!(status.is_success() || status.is_redirection(), "{what}: {status}");
                // A public page never sends its visitor to log in.
                assert!(
                    !(status.is_redirection() && response.location().starts_with("/login")),
                    "{what} asks for a login"
                );
            }
            continue;
        }

        let response = call(&mut anonymous, route, &path, true).await;
        let refused = response.status == StatusCode::UNAUTHORIZED
            || response.status == StatusCode::FORBIDDEN
            || (response.status == StatusCode::SEE_OTHER && response.location().starts_with("/login"));
        assert!(refused, "{what} without login: {} {}", response.status, response.body);

        if route.method != Method::GET {
            let before = app.count(audit_count).await;
            let response = call(&mut viewer, route, &path, false).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{what} without CSRF token");
            assert!(
                response.body.contains("csrf") || response.body.contains("Phiên làm việc"),
                "{what}"
            );
            assert_eq!(
                app.count(audit_count).await,
                before,
                "{what} without CSRF token changed something"
            );
        }

        if has_parameters(route) && !route.own {
            let response = call(&mut outsider, route, &path, true).await;
            assert_eq!(
                response.status,
                StatusCode::NOT_FOUND,
                "{what} from outside: {}",
                response.body
            );
        }

        if route.method != Method::GET && !route.own {
            let before = app.count(audit_count).await;
            let response = call(&mut viewer, route, &path, true).await;
            assert!(
                response.status.is_client_error(),
                "{what} by a viewer: {} {}",
                response.status,
                response.body
            );
            assert_eq!(
                app.count(audit_count).await,
                before,
                "{what} by a viewer changed something"
            );
        }
    }
    // The viewer is still signed in: no route above ended its session.
    assert_eq!(viewer.get("/api/v1/session").await.status, StatusCode::OK);
}
