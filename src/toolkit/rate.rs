//! Rate limits of anonymous forms (a volunteer sign-up, a request for
//! help): requests per key — a form and the sender's address — in a
//! window, counted in the database so that every server behind a load
//! balancer sees the same counts, and taken atomically (one `INSERT … ON
//! CONFLICT … RETURNING`) so that parallel requests cannot all slip under
//! the limit. An IPv6 sender is counted by its /64 network: one
//! subscriber holds a whole /64 and can rotate through it at will.

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
    sql.bind(format!("{form}|{}", sender(address)))
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

/// Whom a request is counted against: an IPv4 address as it is, an IPv6
/// address by its /64 network, anything else (`local`) as written.
pub fn sender(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let network = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{network}/64")
            }
        },
        _ => address.to_owned(),
    }
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
    fn an_ipv6_sender_is_counted_by_its_network_and_an_ipv4_one_by_its_address() {
        assert_eq!(sender("2001:db8:1:2:a:b:c:d"), "2001:db8:1:2::/64");
        assert_eq!(sender("2001:db8:1:2::ffff"), sender("2001:db8:1:2:1234::1"));
        assert_ne!(sender("2001:db8:1:2::1"), sender("2001:db8:1:3::1"));
        assert_eq!(sender("203.0.113.9"), "203.0.113.9");
        assert_eq!(sender("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(sender("local"), "local");
    }

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
