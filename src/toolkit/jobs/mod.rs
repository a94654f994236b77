//! Long work as jobs stored in the database: any server may claim one
//! (under a lease it keeps renewing), report its progress, and be told to
//! stop. A job whose server dies is claimed again once its lease runs out
//! and run from the start, so a handler must be safe to run twice: its
//! effect is one transaction that checks whether it already happened.
//! After `MAX_ATTEMPTS` claims it is marked failed.

pub mod api;
pub mod model;
mod storage;
mod worker;

use std::sync::Arc;

use futures_util::future::BoxFuture;

pub use api::Jobs;
pub use model::{Job, JobStatus};
pub use storage::enqueue;
pub use worker::{spawn_worker, Wakeup};

use crate::db::Db;
use crate::web::AppState;

/// Why a job stopped before it was done.
#[derive(Debug, thiserror::Error)]
pub enum JobFailure {
    #[error("cancelled")]
    Cancelled,
    /// A failure the user should read: a catalogue key.
    #[error("failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What runs the jobs of one kind; declared by a capability.
pub trait JobHandler: Send + Sync + 'static {
    /// As stored in `jobs.kind` (`import.check`).
    fn kind(&self) -> &'static str;
    fn run<'a>(&'a self, job: &'a RunningJob) -> BoxFuture<'a, Result<(), JobFailure>>;
}

/// A claimed job, as its handler sees it.
pub struct RunningJob {
    pub job: Job,
    pub state: AppState,
    owner: Arc<str>,
    /// Progress is written at most this often.
    last_report: std::sync::Mutex<Option<std::time::Instant>>,
}

const REPORT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

impl RunningJob {
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Reports `done` of `total`; written now and then, not at every call.
    /// Must not be called inside a write transaction (SQLite would wait for
    /// its own lock).
    pub async fn progress(&self, done: i64, total: i64) -> Result<(), JobFailure> {
        let due = {
            let mut last = self.last_report.lock().unwrap_or_else(|e| e.into_inner());
            let due = last.is_none_or(|at| at.elapsed() >= REPORT_EVERY) || done >= total;
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if due {
            storage::progress(self.db(), &self.job, &self.owner, done, total).await?;
        }
        Ok(())
    }

    /// Stops with `Cancelled` when the user asked the job to stop.
    pub async fn check_cancel(&self) -> Result<(), JobFailure> {
        if storage::cancel_requested(self.db(), self.job.id).await? {
            return Err(JobFailure::Cancelled);
        }
        Ok(())
    }
}

/// The job `id` as its owner sees it; anyone else's job does not exist.
pub async fn get_own(db: &Db, user_id: i64, id: i64) -> Result<Option<Job>, sqlx::Error> {
    Ok(storage::get(db, id).await?.filter(|j| j.user_id == user_id))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Job>, sqlx::Error> {
    storage::get(db, id).await
}

/// Asks the user's own job to stop (false when it had already ended).
pub async fn cancel_own(db: &Db, user_id: i64, id: i64) -> Result<Option<bool>, sqlx::Error> {
    if get_own(db, user_id, id).await?.is_none() {
        return Ok(None);
    }
    storage::request_cancel(db, id).await.map(Some)
}
