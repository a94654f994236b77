//! Member cards: the PDF, and the public address that tells only whether
//! the card is valid and its tier.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::members::enrol;
use crate::support::people::{add_person, cccd};
use crate::support::units::*;
use crate::support::TestApp;

#[tokio::test]
async fn a_member_card_prints_with_a_public_address_that_tells_only_validity_and_tier() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 16").await;
    let person = add_person(&mut staff, "Kiều Thị Thẻ", BA_DINH, 51).await;
    let (_, member) = enrol(&mut staff, person, &branch, "01/01/2012").await;
    let id = member["id"].as_i64().expect("id");

    let pdf = staff.get(&format!("/members/{id}/card.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let text = crate::print::pdftotext(&pdf.bytes);
    for expected in [
        "THẺ HỘI VIÊN",
        "Kiều Thị Thẻ",
        member["member_no"].as_str().expect("no"),
        "Hạng Vàng",
        "/p/the/",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The same card prints again with the same address.
    let again = crate::print::pdftotext(&staff.get(&format!("/members/{id}/card.pdf")).await.bytes);
    let address = |t: &str| t.split_whitespace().find(|w| w.contains("/p/the/")).map(str::to_owned);
    let (first, second) = (address(&text).expect("address"), address(&again).expect("address"));
    assert_eq!(first, second);
    let path = &first[first.find("/p/the/").expect("path")..];

    let mut public = app.client();
    let page = public.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {:?} {}", page.headers, page.body);
    assert!(
        page.body.contains("hợp lệ") && page.body.contains("Hạng Vàng"),
        "{}",
        page.body
    );
    for private in ["Kiều", "HV", &cccd(false, 1980, 51), "0912345678", "Tổ 16"] {
        assert!(!page.body.contains(private), "{private} shown publicly");
    }
    let cache = page
        .headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cache.starts_with("public"), "{cache}");
    let unknown = public.get("/p/the/0123456789abcdef0123456789abcdef").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get("/p/the/..%2F..%2Fetc").await.status, StatusCode::NOT_FOUND);

    // The centre changes the rules: 15 years for gold makes this card silver.
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let refused = staff
        .put_json("/api/v1/members/tiers", &json!({"silver":5,"gold":15,"platinum":25}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let set = central
        .put_json("/api/v1/members/tiers", &json!({"silver":5,"gold":15,"platinum":25}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let backwards = central
        .put_json("/api/v1/members/tiers", &json!({"silver":9,"gold":8,"platinum":25}))
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(public.get(path).await.body.contains("Hạng Bạc"));

    // A member who left holds a card that is no longer valid.
    let left = staff
        .post_json(
            &format!("/api/v1/members/{id}/status"),
            &json!({"status": "left", "on": "01/01/2025", "reason": "Chuyển đi", "version": member["version"]}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    let page = public.get(path).await;
    assert!(page.body.contains("không còn hiệu lực"), "{}", page.body);
    assert!(!page.body.contains("Hạng"), "{}", page.body);
}
