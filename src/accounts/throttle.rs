//! Throttling of password checks (log-in, and the current-password check
//! of a password change), counted in the database so that every server
//! behind a load balancer sees the same counts, and reserved atomically
//! (one `INSERT … ON CONFLICT … RETURNING`) so that parallel guesses cannot
//! all pass a check made before any of them is counted.
//!
//! - one username from one address: 5 failures lock that pair for the rest
//!   of a 15-minute window — nobody else is locked out by it;
//! - one address: 50 failures in the window lock the address;
//! - one username from everywhere: after 20 failures in the window, each
//!   further attempt from an address that has never signed in to it waits
//!   its turn (one every 10 seconds) — slowed down, never locked, and the
//!   owner signing in from a known address is not slowed at all;
//! - an administrator can clear a user's counts at once.
//!
//! An address is an IPv4 address, or an IPv6 /64 (`rate::sender`): one
//! subscriber holds a whole /64 and could otherwise step through it.

use sqlx::Row;
use time::{Duration, OffsetDateTime};

use crate::db::{self, Db, Sql};
use crate::toolkit::rate::sender;

pub struct Policy {
    pub limit: i64,
    pub window: Duration,
}

pub const PAIR: Policy = Policy {
    limit: 5,
    window: Duration::minutes(15),
};
pub const ADDRESS: Policy = Policy {
    limit: 50,
    window: Duration::minutes(15),
};
pub const ACCOUNT: Policy = Policy {
    limit: 20,
    window: Duration::minutes(15),
};
/// The pace of attempts on an account past `ACCOUNT.limit`.
pub const SLOW_PACE: Duration = Duration::seconds(10);
/// How long an address stays known to an account after a sign-in.
pub const KNOWN_FOR: Duration = Duration::days(30);
/// Longer names are never stored: they cannot belong to an account.
pub const MAX_USERNAME: usize = 64;

/// Why an attempt may not go on, and for how long.
#[derive(Debug, PartialEq, Eq)]
pub struct Wait {
    pub seconds: i64,
}

fn normal_username(username: &str) -> String {
    let name = username.trim().to_lowercase();
    match name.char_indices().nth(MAX_USERNAME) {
        Some((cut, _)) => name[..cut].to_owned(),
        None => name,
    }
}

fn user_key(username: &str) -> String {
    format!("user:{username}")
}

fn pair_key(username: &str, address: &str) -> String {
    format!("pair:{username}|{}", sender(address))
}

fn address_key(address: &str) -> String {
    format!("addr:{}", sender(address))
}

fn known_key(username: &str, address: &str) -> String {
    format!("known:{username}|{}", sender(address))
}

fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// Seconds to wait when `count` attempts (this one included) fell in a
/// window that started at `start`; `None` when the attempt may go on.
pub fn verdict(count: i64, policy: &Policy, start: OffsetDateTime, now: OffsetDateTime) -> Option<Wait> {
    let until = start + policy.window;
    (count > policy.limit && now < until).then(|| Wait {
        seconds: (until - now).whole_seconds().max(1),
    })
}

/// Counts one attempt on `key` and returns the count in the window with
/// the window's start; a window that ran out starts again.
async fn count(db: &Db, key: &str, policy: &Policy, delta: i64) -> Result<(i64, OffsetDateTime), sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    let expired = db::timestamp(now - policy.window);
    let mut sql = Sql::new("INSERT INTO login_throttle (throttle_key, failures, window_start) VALUES (");
    sql.bind(key.to_owned())
        .push(", ")
        .bind(delta)
        .push(", ")
        .bind(db::timestamp(now));
    sql.push(") ON CONFLICT (throttle_key) DO UPDATE SET failures = CASE WHEN login_throttle.window_start < ");
    sql.bind(expired.clone())
        .push(" THEN excluded.failures ELSE login_throttle.failures + excluded.failures END");
    sql.push(", window_start = CASE WHEN login_throttle.window_start < ")
        .bind(expired);
    sql.push(" THEN excluded.window_start ELSE login_throttle.window_start END RETURNING failures, window_start");
    let row = sql.fetch_optional(db.pool()).await?.ok_or(sqlx::Error::RowNotFound)?;
    let start: String = row.try_get(1)?;
    Ok((row.try_get(0)?, parse(&start).unwrap_or(now)))
}

async fn delete(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM login_throttle WHERE throttle_key = ");
    sql.bind(key.to_owned());
    sql.execute(db.pool()).await.map(drop)
}

async fn is_known(db: &Db, username: &str, address: &str) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT 1 FROM login_throttle WHERE throttle_key = ");
    sql.bind(known_key(username, address))
        .push(" AND window_start > ")
        .bind(db::timestamp(OffsetDateTime::now_utc() - KNOWN_FOR));
    Ok(sql.fetch_optional(db.pool()).await?.is_some())
}

/// Takes the account's next slot if it is slowed down; the wait otherwise.
async fn take_slot(db: &Db, username: &str) -> Result<Option<Wait>, sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    let mut sql = Sql::new("SELECT failures, window_start, next_allowed_at FROM login_throttle WHERE throttle_key = ");
    sql.bind(user_key(username));
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let failures: i64 = row.try_get(0)?;
    let start = parse(&row.try_get::<String, _>(1)?).unwrap_or(now);
    if failures < ACCOUNT.limit || start + ACCOUNT.window <= now {
        return Ok(None);
    }
    let mut sql = Sql::new("UPDATE login_throttle SET next_allowed_at = ");
    sql.bind(db::timestamp(now + SLOW_PACE))
        .push(" WHERE throttle_key = ")
        .bind(user_key(username));
    sql.push(" AND (next_allowed_at IS NULL OR next_allowed_at <= ")
        .bind(db::timestamp(now))
        .push(")");
    if sql.execute(db.pool()).await?.rows_affected() == 1 {
        return Ok(None);
    }
    let next: Option<String> = row.try_get(2)?;
    let next = next.as_deref().and_then(parse).unwrap_or(now + SLOW_PACE);
    Ok(Some(Wait {
        seconds: (next - now).whole_seconds().max(1),
    }))
}

/// A password check under way, counted before it is made.
pub struct Attempt {
    username: Option<String>,
    address: String,
}

/// Counts an attempt for `username` from `address`; refuses it (with the
/// wait) when a limit is reached.
pub async fn begin(db: &Db, username: &str, address: &str) -> Result<Result<Attempt, Wait>, sqlx::Error> {
    let name = normal_username(username);
    let valid = !name.is_empty() && username.trim().chars().count() <= MAX_USERNAME;
    let (count_address, start) = count(db, &address_key(address), &ADDRESS, 1).await?;
    let now = OffsetDateTime::now_utc();
    let mut wait = verdict(count_address, &ADDRESS, start, now);
    if valid && wait.is_none() {
        let (count_pair, start) = count(db, &pair_key(&name, address), &PAIR, 1).await?;
        wait = verdict(count_pair, &PAIR, start, now);
        if wait.is_none() && !is_known(db, &name, address).await? {
            wait = take_slot(db, &name).await?;
        }
    }
    Ok(match wait {
        Some(wait) => Err(wait),
        None => Ok(Attempt {
            username: valid.then_some(name),
            address: address.to_owned(),
        }),
    })
}

impl Attempt {
    /// The password was right: the pair starts afresh, the address gets
    /// its attempt back, and the address is known to the account.
    pub async fn succeeded(self, db: &Db) -> Result<(), sqlx::Error> {
        count(db, &address_key(&self.address), &ADDRESS, -1).await?;
        if let Some(name) = &self.username {
            delete(db, &pair_key(name, &self.address)).await?;
            delete(db, &user_key(name)).await?;
            let mut sql = Sql::new("INSERT INTO login_throttle (throttle_key, failures, window_start) VALUES (");
            sql.bind(known_key(name, &self.address)).push(", 0, ").bind(db::now());
            sql.push(") ON CONFLICT (throttle_key) DO UPDATE SET window_start = excluded.window_start");
            sql.execute(db.pool()).await?;
        }
        Ok(())
    }

    /// The password was wrong: it counts against the account everywhere.
    pub async fn failed(self, db: &Db) -> Result<(), sqlx::Error> {
        if let Some(name) = &self.username {
            count(db, &user_key(name), &ACCOUNT, 1).await?;
        }
        Ok(())
    }
}

/// Clears every count held against `username` (an administrator's unlock).
pub async fn unlock(db: &Db, username: &str) -> Result<(), sqlx::Error> {
    let name = normal_username(username);
    let mut sql = Sql::new("DELETE FROM login_throttle WHERE throttle_key = ");
    sql.bind(user_key(&name))
        .push(" OR (throttle_key >= ")
        .bind(format!("pair:{name}|"));
    // '}' follows '|' in ASCII: the range holds exactly this user's pairs.
    sql.push(" AND throttle_key < ")
        .bind(format!("pair:{name}}}"))
        .push(")");
    sql.execute(db.pool()).await.map(drop)
}

/// Whether `username` is held back anywhere (for the account page).
pub async fn is_held(db: &Db, username: &str) -> Result<bool, sqlx::Error> {
    let name = normal_username(username);
    let since = db::timestamp(OffsetDateTime::now_utc() - PAIR.window);
    let mut sql = Sql::new("SELECT 1 FROM login_throttle WHERE window_start > ");
    sql.bind(since).push(" AND ((throttle_key = ").bind(user_key(&name));
    sql.push(" AND failures >= ")
        .bind(ACCOUNT.limit)
        .push(") OR (throttle_key >= ")
        .bind(format!("pair:{name}|"));
    sql.push(" AND throttle_key < ").bind(format!("pair:{name}}}"));
    sql.push(" AND failures >= ").bind(PAIR.limit).push(")) LIMIT 1");
    Ok(sql.fetch_optional(db.pool()).await?.is_some())
}

/// Counts one more of a rare event per key (refused CCCD checks …) and
/// tells whether the limit is passed.
pub async fn count_event(db: &Db, key: &str, policy: &Policy) -> Result<Option<Wait>, sqlx::Error> {
    count_events(db, key, policy, 1).await
}

/// Counts `n` more of an event at once (a file's refused CCCDs).
pub async fn count_events(db: &Db, key: &str, policy: &Policy, n: i64) -> Result<Option<Wait>, sqlx::Error> {
    let (n, start) = count(db, key, policy, n).await?;
    Ok(verdict(n, policy, start, OffsetDateTime::now_utc()))
}

/// Deletes counts whose window ended long ago and addresses not seen for
/// `KNOWN_FOR` (run now and then by the server).
pub async fn purge(db: &Db) -> Result<u64, sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    let mut sql = Sql::new("DELETE FROM login_throttle WHERE (throttle_key NOT LIKE 'known:%' AND window_start < ");
    sql.bind(db::timestamp(now - Duration::hours(24)));
    sql.push(") OR (throttle_key LIKE 'known:%' AND window_start < ")
        .bind(db::timestamp(now - KNOWN_FOR))
        .push(")");
    Ok(sql.execute(db.pool()).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_attempt_past_the_limit_waits_for_the_window_to_end() {
        let start = datetime!(2026-11-27 08:00 UTC);
        let soon = datetime!(2026-11-27 08:05 UTC);
        assert_eq!(verdict(5, &PAIR, start, soon), None, "the fifth attempt is checked");
        assert_eq!(verdict(6, &PAIR, start, soon), Some(Wait { seconds: 600 }));
        assert_eq!(verdict(9, &PAIR, start, datetime!(2026-11-27 08:15 UTC)), None);
    }

    #[test]
    fn usernames_are_counted_case_insensitively_and_capped() {
        assert_eq!(normal_username(" HaNoi "), "hanoi");
        assert_eq!(normal_username(&"x".repeat(500)).len(), MAX_USERNAME);
        assert_eq!(pair_key("a", "1.2.3.4"), "pair:a|1.2.3.4");
    }
}
