//! Call-outs and teams: who can be called on a day is filtered by skill,
//! certificate validity on that day, absence and area; a team gathers
//! volunteers of its area under a leader and is called out with who
//! cannot come and why. Phone numbers are for staff only.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::members::count_at;
use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::{Client, TestApp};

fn day(offset_days: i64) -> String {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let d = today + time::Duration::days(offset_days);
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// A volunteer at `unit` with `skills` and a first-aid certificate
/// expiring `expires_in` days from today, if any; away until `away`.
async fn volunteer(
    client: &mut Client,
    name: &str,
    unit: &str,
    serial: u32,
    skills: &[&str],
    expires_in: Option<i64>,
    away: Option<i64>,
) -> i64 {
    let person = add_person(client, name, unit, serial).await;
    let away = away.map(day).unwrap_or_default();
    let response = client
        .post_json(
            "/api/v1/volunteers",
            &json!({"person": person.to_string(), "skills": skills, "away_until": away}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let id = response.json()["id"].as_i64().expect("id");
    if let Some(days) = expires_in {
        let response = client
            .post_json(
                &format!("/api/v1/volunteers/{id}/certificates"),
                &json!({"skill": "first_aid", "title": "Sơ cấp cứu cơ bản", "issued_on": day(-400), "expires_on": day(days)}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    id
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|r| r["full_name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn a_call_out_by_skill_takes_the_certified_present_volunteers_of_the_area() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("hanoi", "staff", HA_NOI).await;
    volunteer(&mut staff, "An Certified", BA_DINH, 1, &["first_aid"], Some(300), None).await;
    volunteer(&mut staff, "Bình Expired", BA_DINH, 2, &["first_aid"], Some(-5), None).await;
    volunteer(&mut staff, "Chi Uncertified", BA_DINH, 3, &["first_aid"], None, None).await;
    volunteer(&mut staff, "Dũng Away", BA_DINH, 4, &["first_aid"], Some(300), Some(3)).await;
    volunteer(&mut staff, "Em Cook", BA_DINH, 5, &["cooking"], None, None).await;
    volunteer(
        &mut staff,
        "Phúc Elsewhere",
        NGOC_HA,
        6,
        &["first_aid"],
        Some(300),
        None,
    )
    .await;

    let today = staff
        .get(&format!("/api/v1/volunteers/callout?unit={BA_DINH}&skill=first_aid"))
        .await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    let today = today.json();
    assert_eq!(names(&today["available"]), vec!["An Certified"]);
    assert_eq!(
        today["available"][0]["phone"].as_str().map(str::len),
        Some(10),
        "staff see phones"
    );

    // On a day after the absence, the one who was away comes back; on a
    // day past the certificates, nobody certified is left.
    let later = staff
        .get(&format!(
            "/api/v1/volunteers/callout?unit={BA_DINH}&skill=first_aid&date={}",
            day(10)
        ))
        .await
        .json();
    // Ordered by given name, the Vietnamese way.
    assert_eq!(names(&later["available"]), vec!["Dũng Away", "An Certified"]);
    let too_late = staff
        .get(&format!(
            "/api/v1/volunteers/callout?unit={BA_DINH}&skill=first_aid&date={}",
            day(400)
        ))
        .await
        .json();
    assert!(names(&too_late["available"]).is_empty());

    // A skill without certificates takes whoever has it; a province spans its communes.
    let cooks = staff
        .get(&format!("/api/v1/volunteers/callout?unit={BA_DINH}&skill=cooking"))
        .await
        .json();
    assert_eq!(names(&cooks["available"]), vec!["Em Cook"]);
    let province = staff
        .get(&format!("/api/v1/volunteers/callout?unit={HA_NOI}&skill=first_aid"))
        .await
        .json();
    assert_eq!(names(&province["available"]), vec!["An Certified", "Phúc Elsewhere"]);

    // Viewers see who, not their phones; the page and the file say the same.
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    let seen = viewer
        .get(&format!("/api/v1/volunteers/callout?unit={BA_DINH}&skill=first_aid"))
        .await
        .json();
    assert_eq!(names(&seen["available"]), vec!["An Certified"]);
    assert_eq!(seen["available"][0]["phone"], "");
    let page = staff
        .get(&format!("/volunteers/callout?unit={BA_DINH}&skill=first_aid"))
        .await;
    assert!(page.body.contains("An Certified") && !page.body.contains("Bình Expired"));
    let file = staff
        .get(&format!("/volunteers/callout.xlsx?unit={BA_DINH}&skill=first_aid"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"PK"));

    // Out of reach, an area is not found; a bad skill or day is refused.
    let mut outsider = app.signed_in("ngoai", "staff", THANH_DONG).await;
    let refused = outsider
        .get(&format!("/api/v1/volunteers/callout?unit={BA_DINH}&skill=first_aid"))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    for query in ["skill=flying", "skill=first_aid&date=31/02/2026"] {
        let bad = staff
            .get(&format!("/api/v1/volunteers/callout?unit={BA_DINH}&{query}"))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", bad.body);
    }
}

/// Cooks named in order by their given names: Lê Thị Aa, Lê Thị Ab, …
fn cook(serial: u32) -> String {
    let letter = |n: u32| char::from(b'a' + u8::try_from(n).expect("letter"));
    format!(
        "Lê Thị {}{}",
        letter(serial / 26).to_ascii_uppercase(),
        letter(serial % 26)
    )
}

#[tokio::test]
async fn a_large_call_out_comes_a_page_at_a_time_by_name_and_follows_renames() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut first = 0;
    for serial in 0..201u32 {
        let id = volunteer(
            &mut staff,
            &cook(serial),
            BA_DINH,
            100 + serial,
            &["cooking"],
            None,
            None,
        )
        .await;
        if serial == 0 {
            first = id;
        }
    }
    let path = format!("/api/v1/volunteers/callout?unit={BA_DINH}&skill=cooking");
    let page = staff.get(&path).await.json();
    let shown = names(&page["available"]);
    assert_eq!(shown.len(), 200);
    assert_eq!(shown[0], cook(0));
    let next = page["next"].as_str().expect("a next page").to_owned();
    let rest = staff
        .get(&format!("{path}&after={}", crate::support::encode(&next)))
        .await
        .json();
    assert_eq!(names(&rest["available"]), vec![cook(200)]);
    assert!(rest["next"].is_null(), "{rest}");
    let html = staff
        .get(&format!("/volunteers/callout?unit={BA_DINH}&skill=cooking"))
        .await;
    assert!(html.body.contains("id=\"callout-more\""), "the page links to the next");
    assert!(
        !html.body.contains("id=\"callout-first\""),
        "the first page is the start"
    );
    let second = staff
        .get(&format!(
            "/volunteers/callout?unit={BA_DINH}&skill=cooking&after={}",
            crate::support::encode(&next)
        ))
        .await;
    assert!(second.body.contains(&cook(200)), "the second page goes on");
    assert!(
        second.body.contains(&format!(
            "id=\"callout-first\" href=\"/volunteers/callout?unit={BA_DINH}&#38;skill=cooking"
        )),
        "and leads back to the start"
    );
    let bad = staff.get(&format!("{path}&after=nonsense")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A renamed person is called out under the new name, in its place.
    let person = staff.get(&format!("/api/v1/volunteers/{first}")).await.json()["person_id"]
        .as_i64()
        .expect("person");
    let renamed = staff
        .patch_json(
            &format!("/api/v1/persons/{person}"),
            &json!({"full_name": "Lê Thị Xuân"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let rest = staff
        .get(&format!("{path}&after={}", crate::support::encode(&next)))
        .await
        .json();
    assert_eq!(names(&rest["available"]), vec![cook(200), "Lê Thị Xuân".to_owned()]);
}

#[tokio::test]
async fn a_team_is_called_out_with_who_cannot_come_and_why() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let able = volunteer(&mut staff, "Hà Able", BA_DINH, 1, &["first_aid"], Some(300), None).await;
    let expired = volunteer(&mut staff, "Khoa Expired", BA_DINH, 2, &["first_aid"], Some(-1), None).await;
    let away = volunteer(&mut staff, "Long Away", BA_DINH, 3, &["first_aid"], Some(300), Some(5)).await;

    let created = staff
        .post_json(
            "/api/v1/teams",
            &json!({"name": "Đội sơ cấp cứu phường", "kind": "first_aid", "unit": BA_DINH}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let team = created.json();
    let id = team["id"].as_i64().expect("id");
    assert_eq!(count_at(&app, "teams", BA_DINH).await, 1);
    for v in [able, expired, away] {
        let added = staff
            .post_json(
                &format!("/api/v1/teams/{id}/members"),
                &json!({"volunteer": v.to_string()}),
            )
            .await;
        assert_eq!(added.status, StatusCode::NO_CONTENT, "{}", added.body);
    }
    let again = staff
        .post_json(
            &format!("/api/v1/teams/{id}/members"),
            &json!({"volunteer": able.to_string()}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A volunteer of another commune cannot join (staff of both may try).
    let mut hanoi = app.signed_in("hanoi", "staff", HA_NOI).await;
    let outside = volunteer(&mut hanoi, "Minh Outside", NGOC_HA, 4, &["first_aid"], Some(300), None).await;
    let refused = hanoi
        .post_json(
            &format!("/api/v1/teams/{id}/members"),
            &json!({"volunteer": outside.to_string()}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);

    // The leader is one of the members.
    let lead = |leader: i64| json!({"name": "Đội sơ cấp cứu phường", "kind": "first_aid", "status": "active", "leader": leader.to_string(), "version": team["version"]});
    let wrong = staff.put_json(&format!("/api/v1/teams/{id}"), &lead(outside)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let led = staff.put_json(&format!("/api/v1/teams/{id}"), &lead(able)).await;
    assert_eq!(led.status, StatusCode::OK, "{}", led.body);
    assert_eq!(led.json()["leader_name"], "Hà Able");

    let callout = staff.get(&format!("/api/v1/teams/{id}/callout")).await.json();
    assert_eq!(names(&callout["available"]), vec!["Hà Able"]);
    assert_eq!(names(&callout["unavailable"]), vec!["Long Away", "Khoa Expired"]);
    let page = staff.get(&format!("/teams/{id}/callout")).await;
    assert!(
        page.body.contains("chứng chỉ hết hạn") && page.body.contains("vắng mặt"),
        "reasons are told"
    );
    let file = staff.get(&format!("/teams/{id}/callout.xlsx")).await;
    assert_eq!(file.status, StatusCode::OK);

    // Read-only users call out but do not change the team.
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    assert_eq!(
        viewer.get(&format!("/api/v1/teams/{id}/callout")).await.status,
        StatusCode::OK
    );
    let denied = viewer
        .post_json(
            &format!("/api/v1/teams/{id}/members"),
            &json!({"volunteer": able.to_string()}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let link = format!("/teams/{id}/members/{able}/remove");
    assert!(!viewer.get(&format!("/teams/{id}")).await.body.contains(&link));
    assert_eq!(viewer.get(&link).await.status, StatusCode::FORBIDDEN);

    // Taking someone off the team is asked first, naming them and the team.
    assert!(staff.get(&format!("/teams/{id}")).await.body.contains(&link));
    let ask = staff.get(&link).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.body.contains("Hà Able") && ask.body.contains("Đội sơ cấp cứu"),
        "{}",
        ask.body
    );
    let members = |body: serde_json::Value| body["member_list"].as_array().map(Vec::len);
    let before = members(staff.get(&format!("/api/v1/teams/{id}")).await.json());
    let taken_off = staff.post_form(&link, &[]).await;
    assert_eq!(taken_off.status, StatusCode::SEE_OTHER, "{}", taken_off.body);
    let after = members(staff.get(&format!("/api/v1/teams/{id}")).await.json());
    assert_eq!(after.map(|n| n + 1), before);

    // Disbanding uncounts the team.
    let version = staff.get(&format!("/api/v1/teams/{id}")).await.json()["version"].clone();
    let disband = staff
        .put_json(
            &format!("/api/v1/teams/{id}"),
            &json!({"name": "Đội sơ cấp cứu phường", "kind": "first_aid", "status": "disbanded", "version": version}),
        )
        .await;
    assert_eq!(disband.status, StatusCode::OK, "{}", disband.body);
    assert_eq!(count_at(&app, "teams", BA_DINH).await, 0);
    let removed = staff.delete(&format!("/api/v1/teams/{id}/members/{expired}")).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
}
