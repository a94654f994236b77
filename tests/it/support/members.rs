//! Member fixtures.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{Client, TestApp};

/// Enrols `person` in `branch` through the API: the status and the body.
pub async fn enrol(client: &mut Client, person: i64, branch: &str, joined_on: &str) -> (StatusCode, Value) {
    let response = client
        .post_json(
            "/api/v1/members",
            &json!({"person": person.to_string(), "branch": branch, "joined_on": joined_on}),
        )
        .await;
    let body = if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    };
    (response.status, body)
}

/// The stored count of `counter` at the unit `code`.
pub async fn count_at(app: &TestApp, counter: &str, code: &str) -> i64 {
    app.count(&format!(
        "SELECT CAST(COALESCE(SUM(c.value), 0) AS BIGINT) FROM unit_counts c JOIN units u ON u.id = c.unit_id \
         WHERE u.code = '{code}' AND c.counter = '{counter}'"
    ))
    .await
}
