//! Login throttling. Failures are counted in the database per username and
//! per client address, so every server behind a load balancer sees them.

use sqlx::Row;
use time::{Duration, OffsetDateTime};

use crate::db::{self, Db, Sql};

/// Failures allowed for one username inside one window.
pub const MAX_USER_FAILURES: i64 = 5;
/// Failures allowed from one address inside one window (shared offices, NAT).
pub const MAX_ADDRESS_FAILURES: i64 = 50;
pub const WINDOW: Duration = Duration::minutes(15);

/// Whether a key with `failures` counted since `window_start` is locked at
/// `now`, and until when.
pub fn locked_until(
    failures: i64,
    limit: i64,
    window_start: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let until = window_start + WINDOW;
    (failures >= limit && now < until).then_some(until)
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

pub fn user_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

/// The moment until which `key` is locked, if it is.
pub async fn check(db: &Db, key: &str, limit: i64) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    let mut sql = Sql::new("SELECT failures, window_start FROM login_failures WHERE throttle_key = ");
    sql.bind(key.to_owned());
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let failures: i64 = row.try_get(0)?;
    let start: String = row.try_get(1)?;
    Ok(parse_time(&start).and_then(|start| locked_until(failures, limit, start, OffsetDateTime::now_utc())))
}

/// Counts a failure; a window that has run out starts again.
pub async fn record_failure(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    let expired_before = db::timestamp(now - WINDOW);
    let mut sql = Sql::new("INSERT INTO login_failures (throttle_key, failures, window_start) VALUES (");
    sql.bind(key.to_owned()).push(", 1, ").bind(db::timestamp(now));
    sql.push(") ON CONFLICT (throttle_key) DO UPDATE SET failures = CASE WHEN login_failures.window_start < ");
    sql.bind(expired_before.clone());
    sql.push(" THEN 1 ELSE login_failures.failures + 1 END, window_start = CASE WHEN login_failures.window_start < ");
    sql.bind(expired_before);
    sql.push(" THEN excluded.window_start ELSE login_failures.window_start END");
    sql.execute(db.pool()).await.map(drop)
}

pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM login_failures WHERE throttle_key = ");
    sql.bind(key.to_owned());
    sql.execute(db.pool()).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn locks_after_the_limit_until_the_window_ends() {
        let start = datetime!(2026-11-27 08:00 UTC);
        let soon = datetime!(2026-11-27 08:05 UTC);
        assert_eq!(locked_until(4, 5, start, soon), None);
        assert_eq!(locked_until(5, 5, start, soon), Some(datetime!(2026-11-27 08:15 UTC)));
        assert_eq!(locked_until(9, 5, start, datetime!(2026-11-27 08:15 UTC)), None);
    }

    #[test]
    fn usernames_are_throttled_case_insensitively() {
        assert_eq!(user_key(" HaNoi "), user_key("hanoi"));
    }
}
