//! SQLite checkpoints off the write path. By default the connection that
//! commits past 1,000 pages of log copies the whole log back into the
//! database file before its commit returns: an import of 20,000 people
//! waited a third of a second for it. Here a task of the pool copies the
//! log once a second instead, without waiting for readers or writers
//! (`PASSIVE`); the connections' own automatic checkpoint is kept only as
//! a backstop at 262,144 pages (1 GiB), and the log file is cut back to
//! 64 MiB once copied. The task ends with the last clone of its `Db`.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyPool, Executor};

/// How often the log is copied back.
const EVERY: Duration = Duration::from_secs(1);

/// Stops the task when dropped.
#[derive(Debug)]
pub(super) struct Checkpointer(tokio::task::JoinHandle<()>);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the task for `pool` (sqlx itself needs the Tokio runtime this
/// runs in; without one, the backstop alone copies the log).
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
