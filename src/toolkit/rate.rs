//! Rate limits of anonymous forms (a volunteer sign-up, a request for
//! help): requests per key — a form and the sender's address — in a
//! window, counted in the database so that every server behind a load
//! balancer sees the same counts, and taken atomically (one `INSERT … ON
//! CONFLICT … RETURNING`) so that parallel requests cannot all slip under
//! the limit.

use sqlx::Row;
use time::{Duration, OffsetDateTime};

use crate::db::{self, Db, Sql};

/// At most `limit` requests per key in `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub limit: i64,
    pub window: Duration,
}

/// Counts one request on `form` from `address`: `None` when it may go
/// on, else the seconds to wait.
pub async fn take(db: &Db, form: &str, address: &str, limit: Limit) -> Result<Option<i64>, sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    let expired = db::timestamp(now - limit.window);
    let mut sql = Sql::new("INSERT INTO rate_counts (rate_key, hits, window_start) VALUES (");
    sql.bind(format!("{form}|{address}"))
        .push(", 1, ")
        .bind(db::timestamp(now));
    sql.push(") ON CONFLICT (rate_key) DO UPDATE SET hits = CASE WHEN rate_counts.window_start < ");
    sql.bind(expired.clone())
        .push(" THEN 1 ELSE rate_counts.hits + 1 END, window_start = CASE WHEN rate_counts.window_start < ");
    sql.bind(expired)
        .push(" THEN excluded.window_start ELSE rate_counts.window_start END RETURNING hits, window_start");
    let row = sql.fetch_optional(db.pool()).await?.ok_or(sqlx::Error::RowNotFound)?;
    let hits = db::int(&row, 0);
    let start: String = row.try_get(1)?;
    let start = OffsetDateTime::parse(&start, &time::format_description::well_known::Rfc3339).unwrap_or(now);
    Ok(wait(hits, limit, start, now))
}

/// Seconds to wait after `hits` requests in a window that began at `start`.
pub fn wait(hits: i64, limit: Limit, start: OffsetDateTime, now: OffsetDateTime) -> Option<i64> {
    let until = start + limit.window;
    (hits > limit.limit && now < until).then(|| (until - now).whole_seconds().max(1))
}

/// Deletes counts whose window ended more than a day ago.
pub async fn purge(db: &Db) -> Result<u64, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM rate_counts WHERE window_start < ");
    sql.bind(db::timestamp(OffsetDateTime::now_utc() - Duration::days(1)));
    Ok(sql.execute(db.pool()).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_request_past_the_limit_waits_until_the_window_ends() {
        let limit = Limit {
            limit: 3,
            window: Duration::hours(1),
        };
        let start = datetime!(2026-11-29 10:00 UTC);
        assert_eq!(wait(3, limit, start, datetime!(2026-11-29 10:59 UTC)), None);
        assert_eq!(wait(4, limit, start, datetime!(2026-11-29 10:59 UTC)), Some(60));
        assert_eq!(wait(4, limit, start, datetime!(2026-11-29 11:00 UTC)), None);
    }
}
