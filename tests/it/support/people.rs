//! Person fixtures.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::Client;

/// A CCCD consistent with sex and birth year, unique by `serial`.
pub fn cccd(female: bool, year: i32, serial: u32) -> String {
    let base = match year / 100 {
        19 => 0,
        _ => 2,
    };
    format!("001{}{:02}{:06}", base + u8::from(female), year % 100, serial)
}

/// The body of a man born 15/06/1980 with a CCCD unique by `serial`.
pub fn person_body(name: &str, unit: &str, serial: u32) -> Value {
    json!({
        "full_name": name, "sex": "M", "birth_date": "15/06/1980", "cccd": cccd(false, 1980, serial),
        "phone": "0912345678", "unit": unit,
    })
}

/// Registers a person through the API and returns the new id.
pub async fn add_person(client: &mut Client, name: &str, unit: &str, serial: u32) -> i64 {
    let response = client
        .post_json("/api/v1/persons", &person_body(name, unit, serial))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

/// Registers Đỗ Thị Hằng, a woman born 15/08/1985, in `unit` (no CCCD):
/// the record whose audit entries tests read back as words and dates.
pub async fn add_hang(client: &mut Client, unit: &str) -> i64 {
    let body = json!({"full_name": "Đỗ Thị Hằng", "sex": "F", "birth_date": "15/08/1985", "unit": unit});
    let response = client.post_json("/api/v1/persons", &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

/// The names on a page of persons.
pub fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["full_name"].as_str().map(str::to_owned))
        .collect()
}
