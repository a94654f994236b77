//! SQLite checkpoints off the write path. By default the connection that
//! commits past 1,000 pages of log copies the whole log back into the
//! database file before its commit returns: an import of 20,000 people
//! waited a third of a second for it. Here automatic checkpoints are off
//! and a task of the pool copies the log twice a second instead, without
//! waiting for readers or writers (`PASSIVE`). The task ends with the last
//! clone of its `Db`.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyPool, Executor};

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(500);

/// Stops the task when dropped.
#[derive(Debug)]
pub(super) struct Checkpointer(tokio::task::JoinHandle<()>);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the task for `pool` (inside a Tokio runtime; outside one there
/// is none, and the log is copied when the last connection closes).
pub(super) fn start(pool: &AnyPool) -> Option<Arc<Checkpointer>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let pool = pool.clone();
    let task = runtime.spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            if let Err(e) = pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!("SQLite checkpoint failed: {e}");
            }
        }
    });
    Some(Arc::new(Checkpointer(task)))
}
