//! The worker every server runs: it claims one job at a time, keeps its
//! lease alive while the handler runs, and records how the job ended. It
//! wakes when this server queues a job and otherwise looks every second
//! (for jobs queued by other servers and leases that ran out).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::model::JobStatus;
use super::{storage, JobFailure, RunningJob};
use crate::web::AppState;

/// Wakes this server's worker when a job is queued here.
#[derive(Clone, Default)]
pub struct Wakeup(Arc<Notify>);

impl Wakeup {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

const IDLE_LOOK: Duration = Duration::from_secs(1);

fn owner_name() -> Arc<str> {
    let random: u64 = rand::random();
    format!("{}-{random:016x}", std::process::id()).into()
}

/// Starts this server's worker (inside a Tokio runtime).
pub fn spawn_worker(state: AppState) {
    let owner = owner_name();
    tokio::spawn(async move {
        loop {
            let lease_ms = state.settings.job_lease.as_millis() as i64;
            match storage::claim(&state.db, &owner, lease_ms).await {
                Ok(Some(job)) => run(&state, owner.clone(), job).await,
                Ok(None) => {
                    let _ = tokio::time::timeout(IDLE_LOOK, state.jobs.0.notified()).await;
                }
                Err(e) => {
                    tracing::warn!("jobs not claimed: {e}");
                    tokio::time::sleep(IDLE_LOOK).await;
                }
            }
        }
    });
}

async fn run(state: &AppState, owner: Arc<str>, job: super::Job) {
    let lease = state.settings.job_lease;
    let Some(handler) = state.registry.job_handler(&job.kind) else {
        tracing::warn!(job = job.id, kind = job.kind, "no handler for this kind of job");
        let _ = storage::finish(&state.db, &job, &owner, JobStatus::Failed, Some("jobs.error.unknown")).await;
        return;
    };
    let job = job.clone();
    let heartbeat = {
        let (db, job, owner) = (state.db.clone(), job.clone(), owner.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                match storage::renew(&db, &job, &owner, lease.as_millis() as i64).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(job = job.id, "lease not renewed: {e}"),
                }
            }
        })
    };
    // Stops renewing the lease however the handler ends.
    let _heartbeat = AbortOnDrop(heartbeat);
    let running = RunningJob {
        job: job.clone(),
        state: state.clone(),
        owner: owner.clone(),
        last_report: Default::default(),
    };
    let started = std::time::Instant::now();
    // In a task of its own: a handler that panics fails its job, not the worker.
    let outcome = match tokio::spawn(async move { handler.run(&running).await }).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(job = job.id, panicked = e.is_panic(), "job handler did not finish");
            Err(JobFailure::Failed("jobs.error.internal".into()))
        }
    };
    let (status, message) = match &outcome {
        Ok(()) => (JobStatus::Done, None),
        Err(JobFailure::Cancelled) => (JobStatus::Cancelled, None),
        Err(JobFailure::Failed(key)) => (JobStatus::Failed, Some(key.as_str())),
        Err(JobFailure::Db(e)) => {
            tracing::error!(job = job.id, "job failed: {e}");
            (JobStatus::Failed, Some("jobs.error.internal"))
        }
    };
    tracing::info!(
        job = job.id,
        kind = job.kind,
        status = status.as_str(),
        seconds = started.elapsed().as_secs_f64(),
        "job ended"
    );
    if let Err(e) = storage::finish(&state.db, &job, &owner, status, message).await {
        tracing::warn!(job = job.id, "job end not recorded: {e}");
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
