//! Cadres and training: positions at units over terms, counted while in
//! office; courses with attendance and results make each cadre's training
//! record; those without training in the last years are listed.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::members::count_at;
use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::Client;
use crate::support::TestApp;

async fn appoint(client: &mut Client, person: i64, unit: &str, position: &str) -> serde_json::Value {
    let response = client
        .post_json(
            "/api/v1/cadres",
            &json!({"person": person.to_string(), "unit": unit, "position": position, "term_start": "01/10/2022"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn cadres_without_recent_training_are_listed_and_counted_while_in_office() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("hanoi", "staff", HA_NOI).await;
    let chair = add_person(&mut staff, "Nguyễn Thị Chủ", BA_DINH, 1).await;
    let deputy = add_person(&mut staff, "Trần Văn Phó", BA_DINH, 2).await;
    let clerk = add_person(&mut staff, "Lê Thị Văn", NGOC_HA, 3).await;
    let c1 = appoint(&mut staff, chair, BA_DINH, "chair").await;
    appoint(&mut staff, deputy, BA_DINH, "vice_chair").await;
    let c3 = appoint(&mut staff, clerk, NGOC_HA, "part_time").await;
    assert_eq!(count_at(&app, "cadres", BA_DINH).await, 2);
    assert_eq!(count_at(&app, "cadres", HA_NOI).await, 3);

    // A course: the chair passed it, the deputy failed, the clerk took one long ago.
    let course = staff
        .post_json(
            "/api/v1/courses",
            &json!({"title": "Tập huấn kỹ năng công tác Hội", "level": "province", "starts_on": "10/03/2025",
                    "ends_on": "12/03/2025", "organiser": "Thành Hội Hà Nội", "trainers": "Ths. Phạm Minh", "unit": HA_NOI}),
        )
        .await;
    assert_eq!(course.status, StatusCode::CREATED, "{}", course.body);
    let course = course.json()["id"].as_i64().expect("id");
    let old = staff
        .post_json(
            "/api/v1/courses",
            &json!({"title": "Lớp cũ", "level": "commune", "starts_on": "01/03/2015", "unit": NGOC_HA}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    for (course, person, result) in [
        (course, chair, "passed"),
        (course, deputy, "failed"),
        (old, clerk, "passed"),
    ] {
        let response = staff
            .post_json(
                &format!("/api/v1/courses/{course}/attendance"),
                &json!({"person": person.to_string(), "result": result}),
            )
            .await;
        assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.body);
    }
    let record = staff.get(&format!("/api/v1/cadres/{}", c1["id"])).await.json();
    assert_eq!(record["training"][0]["course_title"], "Tập huấn kỹ năng công tác Hội");
    assert_eq!(record["last_trained"], "2025-03-12");

    let untrained = staff.get("/api/v1/cadres/untrained?years=3").await.json();
    let names: Vec<&str> = untrained
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["full_name"].as_str())
        .collect();
    assert_eq!(names, vec!["Trần Văn Phó", "Lê Thị Văn"]);
    let longer = staff.get("/api/v1/cadres/untrained?years=20").await.json();
    assert_eq!(
        longer.as_array().map(Vec::len),
        Some(1),
        "the old course counts over 20 years"
    );
    let page = staff.get(&format!("/cadres/untrained?unit={BA_DINH}")).await;
    assert!(page.body.contains("Trần Văn Phó") && !page.body.contains("Lê Thị Văn"));
    assert!(staff.get("/cadres/untrained.xlsx").await.bytes.starts_with(b"PK"));

    // A cadre's person, or one with a training record, is not deleted.
    for person in [chair, clerk] {
        let refused = staff.delete(&format!("/api/v1/persons/{person}")).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    }
    // An edit of the person moves the count by sex and age with them.
    let before = app
        .count("SELECT COUNT(*) FROM unit_demographics WHERE counter = 'cadres' AND value <> 0")
        .await;
    assert!(before > 0);

    // Ending a term uncounts; a term cannot end before it began.
    let path = format!("/api/v1/cadres/{}/end", c3["id"]);
    let early = staff
        .post_json(&path, &json!({"on": "01/01/2020", "version": c3["version"]}))
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ended = staff
        .post_json(&path, &json!({"on": "30/06/2025", "version": c3["version"]}))
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(count_at(&app, "cadres", NGOC_HA).await, 0);
    assert_eq!(count_at(&app, "cadres", HA_NOI).await, 2);

    // Bad input is refused field by field; outsiders see nothing.
    let bad = staff
        .post_json(
            "/api/v1/courses",
            &json!({"title": "", "level": "galaxy", "starts_on": "12/03/2025", "ends_on": "10/03/2025", "unit": HA_NOI}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.json()["error"]["fields"];
    assert!(fields["title"].is_string() && fields["level"].is_string() && fields["ends_on"].is_string());
    let mut outsider = app.signed_in("ngoai", "staff", THANH_DONG).await;
    assert_eq!(
        outsider.get(&format!("/api/v1/cadres/{}", c1["id"])).await.status,
        StatusCode::NOT_FOUND
    );
    let stranger = outsider
        .post_json(
            "/api/v1/cadres",
            &json!({"person": chair.to_string(), "unit": THANH_DONG, "position": "chair", "term_start": "01/01/2024"}),
        )
        .await;
    assert_eq!(
        stranger.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a person out of reach is not found"
    );
}

#[tokio::test]
async fn cadres_trained_this_year_are_counted_and_follow_corrections() {
    let app = TestApp::new().await;
    let year = nhanai::calendar::this_year();
    let mut staff = app.signed_in("hanoi", "staff", HA_NOI).await;
    let chair = add_person(&mut staff, "Vũ Thị Tâm", BA_DINH, 11).await;
    let deputy = add_person(&mut staff, "Đỗ Văn Khải", BA_DINH, 12).await;
    appoint(&mut staff, chair, BA_DINH, "chair").await;
    appoint(&mut staff, deputy, BA_DINH, "vice_chair").await;
    let day = format!("01/01/{year}");
    let course = staff
        .post_json(
            "/api/v1/courses",
            &json!({"title": "Tập huấn đầu năm", "level": "commune", "starts_on": day, "ends_on": day, "unit": BA_DINH}),
        )
        .await;
    assert_eq!(course.status, StatusCode::CREATED, "{}", course.body);
    let course = course.json()["id"].as_i64().expect("id");
    let attend = |person: i64, result: &'static str| json!({"person": person.to_string(), "result": result});
    let path = format!("/api/v1/courses/{course}/attendance");
    let trained = |body: serde_json::Value| body["counts"]["cadres_trained"].as_i64();
    for (person, result, expected) in [
        (chair, "passed", 1),
        (deputy, "failed", 1),
        (chair, "failed", 0),
        (deputy, "attended", 1),
    ] {
        let response = staff.post_json(&path, &attend(person, result)).await;
        assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.body);
        for code in [BA_DINH, HA_NOI] {
            let unit = staff.get(&format!("/api/v1/units/{code}")).await.json();
            assert_eq!(trained(unit), Some(expected), "{code} after {person} {result}");
        }
    }
    assert_eq!(
        count_at(&app, "cadres", BA_DINH).await,
        2,
        "all in office are still cadres"
    );
    // The count links to those it counts: the deputy, whose last course ended this year.
    let page = staff.get(&format!("/units/{BA_DINH}")).await;
    let link = format!("/cadres?unit={BA_DINH}&#38;year={year}");
    assert!(page.body.contains(&link), "the count links to its cadres");
    let names = |body: serde_json::Value| -> Vec<String> {
        body.as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["full_name"].as_str().map(str::to_owned))
            .collect()
    };
    let trained = staff
        .get(&format!("/api/v1/cadres?unit={BA_DINH}&year={year}"))
        .await
        .json();
    assert_eq!(names(trained), vec!["Đỗ Văn Khải"]);
    let earlier = staff
        .get(&format!("/api/v1/cadres?unit={BA_DINH}&year=2000"))
        .await
        .json();
    assert!(names(earlier).is_empty());
    let bad = staff.get(&format!("/api/v1/cadres?unit={BA_DINH}&year=abc")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let blank = staff.get(&format!("/api/v1/cadres?unit={BA_DINH}&year=")).await;
    assert_eq!(names(blank.json()).len(), 2, "no year: everyone in office");
    let list = staff.get(&format!("/cadres?unit={BA_DINH}&year={year}")).await;
    assert!(list.body.contains("Đỗ Văn Khải") && !list.body.contains("Vũ Thị Tâm"));
}

/// A person recorded in a course by mistake is removed after a
/// confirmation: the course's list and the trained count follow, the audit
/// keeps the result, and a read-only or outside user cannot remove anyone.
#[tokio::test]
async fn a_person_recorded_in_a_course_by_mistake_is_removed() {
    let app = TestApp::new().await;
    let year = nhanai::calendar::this_year();
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let chair = add_person(&mut staff, "Vũ Thị Tâm", BA_DINH, 11).await;
    let other = add_person(&mut staff, "Phan Văn Lộc", BA_DINH, 12).await;
    appoint(&mut staff, chair, BA_DINH, "chair").await;
    let day = format!("01/01/{year}");
    let course = staff
        .post_json(
            "/api/v1/courses",
            &json!({"title": "Tập huấn đầu năm", "level": "commune", "starts_on": day, "ends_on": day, "unit": BA_DINH}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("course");
    for person in [chair, other] {
        let response = staff
            .post_json(
                &format!("/api/v1/courses/{course}/attendance"),
                &json!({"person": person.to_string(), "result": "passed"}),
            )
            .await;
        assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.body);
    }
    let trained = |body: serde_json::Value| body["counts"]["cadres_trained"].as_i64();
    assert_eq!(
        trained(staff.get(&format!("/api/v1/units/{BA_DINH}")).await.json()),
        Some(1)
    );

    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    assert!(!viewer.get(&format!("/courses/{course}")).await.body.contains("/remove"));
    let refused = viewer
        .delete(&format!("/api/v1/courses/{course}/attendance/{chair}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        viewer
            .get(&format!("/courses/{course}/attendance/{chair}/remove"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let hidden = neighbour
        .delete(&format!("/api/v1/courses/{course}/attendance/{chair}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    let link = format!("/courses/{course}/attendance/{chair}/remove");
    assert!(staff.get(&format!("/courses/{course}")).await.body.contains(&link));
    let ask = staff.get(&link).await;
    assert!(
        ask.body.contains("Vũ Thị Tâm") && ask.body.contains("Tập huấn đầu năm"),
        "{}",
        ask.body
    );
    let removed = staff.post_form(&link, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(
        trained(staff.get(&format!("/api/v1/units/{BA_DINH}")).await.json()),
        Some(0)
    );
    let left = staff.get(&format!("/api/v1/courses/{course}")).await.json();
    let names: Vec<&str> = left["attendance"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["full_name"].as_str())
        .collect();
    assert_eq!(names, vec!["Phan Văn Lộc"]);

    let removed = staff
        .delete(&format!("/api/v1/courses/{course}/attendance/{other}"))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let again = staff
        .delete(&format!("/api/v1/courses/{course}/attendance/{other}"))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'attendance_removed' AND before_json LIKE '%passed%'")
        .await;
    assert_eq!(audited, 2);
}
