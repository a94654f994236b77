//! SQL of jobs. Times that are compared (leases) are Unix milliseconds;
//! times that are shown are RFC 3339 text like everywhere else.

use sqlx::{Any, Transaction};

use super::model::{Job, JobStatus};
use crate::db::{self, Db, Sql};

/// Attempts before a job whose servers keep dying is given up.
pub const MAX_ATTEMPTS: i64 = 3;

const COLUMNS: &str = "id, kind, subject_id, user_id, status, done, total, attempts, cancel_requested, \
     message, created_at, started_at, finished_at";

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    subject_id: i64,
    user_id: i64,
    status: String,
    done: i64,
    total: i64,
    attempts: i64,
    cancel_requested: i64,
    message: Option<String>,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Job {
        Job {
            id: r.id,
            kind: r.kind,
            subject_id: r.subject_id,
            user_id: r.user_id,
            status: JobStatus::parse(&r.status),
            done: r.done,
            total: r.total,
            attempts: r.attempts,
            cancel_requested: r.cancel_requested != 0,
            message: r.message,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Queues a job inside the transaction that creates its subject.
pub async fn enqueue(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    subject_id: i64,
    user_id: i64,
    total: i64,
) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO jobs (kind, subject_id, user_id, status, total, created_at) VALUES (");
    sql.bind(kind.to_owned())
        .push(", ")
        .bind(subject_id)
        .push(", ")
        .bind(user_id)
        .push(", 'queued', ")
        .bind(total)
        .push(", ")
        .bind(db::now())
        .push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Job>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM jobs WHERE id = "));
    sql.bind(id);
    Ok(sql.fetch_all_as::<_, JobRow>(db.pool()).await?.pop().map(Job::from))
}

/// Gives up jobs whose servers died too often, then claims the oldest job
/// that waits or whose lease ran out, for `owner` until `lease_until`.
pub async fn claim(db: &Db, owner: &str, lease_ms: i64) -> Result<Option<Job>, sqlx::Error> {
    let now = now_ms();
    // A read first: an idle server looks every second, and must not take
    // SQLite's write lock each time it finds nothing.
    let mut waiting = Sql::new("SELECT 1 FROM jobs WHERE status = 'queued' OR (status = 'running' AND lease_until < ");
    waiting.bind(now).push(") LIMIT 1");
    if waiting.fetch_optional(db.pool()).await?.is_none() {
        return Ok(None);
    }
    let mut tx = db.begin_write().await?;
    let mut give_up = Sql::new("UPDATE jobs SET status = 'failed', message = 'jobs.error.abandoned', finished_at = ");
    give_up
        .bind(db::now())
        .push(" WHERE status = 'running' AND lease_until < ")
        .bind(now)
        .push(" AND attempts >= ")
        .bind(MAX_ATTEMPTS);
    give_up.execute(&mut *tx).await?;
    let mut sql = Sql::new("UPDATE jobs SET status = 'running', attempts = attempts + 1, owner = ");
    sql.bind(owner.to_owned())
        .push(", lease_until = ")
        .bind(now + lease_ms)
        .push(", started_at = ")
        .bind(db::now())
        .push(" WHERE id = (SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND lease_until < ")
        .bind(now)
        .push(&format!(
            ") ORDER BY id LIMIT 1{}) RETURNING {COLUMNS}",
            db.skip_locked()
        ));
    let job = sql.fetch_all_as::<_, JobRow>(&mut *tx).await?.pop().map(Job::from);
    tx.commit().await?;
    Ok(job)
}

fn push_mine(sql: &mut Sql, job: &Job, owner: &str) {
    sql.push(" WHERE id = ")
        .bind(job.id)
        .push(" AND owner = ")
        .bind(owner.to_owned())
        .push(" AND attempts = ")
        .bind(job.attempts)
        .push(" AND status = 'running'");
}

/// Renews the lease; false when the job is no longer this attempt's.
pub async fn renew(db: &Db, job: &Job, owner: &str, lease_ms: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE jobs SET lease_until = ");
    sql.bind(now_ms() + lease_ms);
    push_mine(&mut sql, job, owner);
    Ok(sql.execute(db.pool()).await?.rows_affected() == 1)
}

pub async fn progress(db: &Db, job: &Job, owner: &str, done: i64, total: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE jobs SET done = ");
    sql.bind(done).push(", total = ").bind(total);
    push_mine(&mut sql, job, owner);
    sql.execute(db.pool()).await.map(drop)
}

/// Ends this attempt of the job as `status` with `message`.
pub async fn finish(
    db: &Db,
    job: &Job,
    owner: &str,
    status: JobStatus,
    message: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE jobs SET status = ");
    sql.bind(status.as_str().to_owned())
        .push(", message = ")
        .bind(message.map(str::to_owned))
        .push(", finished_at = ")
        .bind(db::now());
    if status == JobStatus::Done {
        sql.push(", done = total");
    }
    push_mine(&mut sql, job, owner);
    sql.execute(db.pool()).await.map(drop)
}

/// Asks a job to stop: one still waiting is cancelled at once, a running
/// one stops at its next step. False when it had already ended.
pub async fn request_cancel(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new("UPDATE jobs SET cancel_requested = 1 WHERE status IN ('queued', 'running') AND id = ");
    sql.bind(id);
    let asked = sql.execute(&mut *tx).await?.rows_affected() == 1;
    let mut sql = Sql::new("UPDATE jobs SET status = 'cancelled', finished_at = ");
    sql.bind(db::now()).push(" WHERE status = 'queued' AND id = ").bind(id);
    sql.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(asked)
}

pub async fn cancel_requested(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT cancel_requested FROM jobs WHERE id = ");
    sql.bind(id);
    Ok(sql.fetch_int(db.pool()).await? != 0)
}
