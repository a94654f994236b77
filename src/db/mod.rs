//! The thin storage core: one `sqlx::Any` pool that serves SQLite (the
//! embedded default) and PostgreSQL with the same SQL, plus the few helpers
//! every domain's storage module shares. Domain SQL lives in each domain.

mod checkpoint;
mod dialect;
mod direct;
mod name_search;
mod rows;
mod sql;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use name_search::{name_terms, query_terms, scope_token, NameQuery, TextIndex};
pub use rows::{Cell, ColumnType, Rows};
pub use sql::{RowStream, Sql};

/// The embedded default: a SQLite file in the working directory.
pub const DEFAULT_URL: &str = "sqlite://nhanai.db?mode=rwc";

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (use sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("an in-memory database holds nothing to read")]
    InMemory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = DbError;
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Name-search statistics (PostgreSQL), shared by the pool's clones.
    term_stats: std::sync::Arc<name_search::TermStats>,
    /// Point reads on the calling thread (SQLite files only).
    direct: Option<std::sync::Arc<direct::DirectReads>>,
    /// Copies SQLite's log back into the file off the write path.
    _checkpointer: Option<std::sync::Arc<checkpoint::Checkpointer>>,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend: Backend = url.parse()?;
        let options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false);
        let pool = match backend {
            Backend::Sqlite => {
                let url = &sqlite_creating(url);
                options
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA cache_size = -131072; PRAGMA mmap_size = 4294967296; \
                                 PRAGMA temp_store = MEMORY; PRAGMA threads = 2; \
                                 PRAGMA wal_autocheckpoint = 262144; \
                                 PRAGMA journal_size_limit = 67108864;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => {
                options
                    .max_connections(16)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // Requests are short: a parallel plan's workers
                            // cost more than they save and, on a small server
                            // under load, set the slow tail (a province's
                            // call-out: p99 21–26 ms with two workers against
                            // 13 ms without). PostgreSQL plans none for writes
                            // anyway; what is left serial is the offline
                            // `nhanai check` reads.
                            conn.execute("SET max_parallel_workers_per_gather = 0").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        let direct = match backend {
            Backend::Sqlite => direct::DirectReads::for_url(&sqlite_creating(url)).map(std::sync::Arc::new),
            Backend::Postgres => None,
        };
        let checkpointer = match backend {
            Backend::Sqlite => checkpoint::start(&pool),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            backend,
            term_stats: Default::default(),
            direct,
            _checkpointer: checkpointer,
        })
    }

    /// Connects to an existing database for reading only (checks run
    /// beside a live server): nothing is created, migrated or written.
    pub async fn connect_read_only(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend: Backend = url.parse()?;
        let options = AnyPoolOptions::new().max_connections(2);
        let pool = match backend {
            Backend::Sqlite => {
                let url = sqlite_read_only(url).ok_or(DbError::InMemory)?;
                options
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA busy_timeout = 10000; PRAGMA query_only = 1;")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                options
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET default_transaction_read_only = on").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        Ok(Db {
            pool,
            backend,
            term_stats: Default::default(),
            direct: None,
            _checkpointer: None,
        })
    }

    /// Applies the schema migrations of this backend.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn direct(&self) -> Option<&direct::DirectReads> {
        self.direct.as_deref()
    }

    fn direct_arc(&self) -> Option<std::sync::Arc<direct::DirectReads>> {
        self.direct.clone()
    }

    fn term_stats(&self) -> &name_search::TermStats {
        &self.term_stats
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A SQLite URL that creates the file when it is missing, unless the URL
/// already says how to open it.
fn sqlite_creating(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// A SQLite URL opened for reading only (`mode=ro`, whatever mode it
/// asked for); none for an in-memory database, which holds nothing to read.
fn sqlite_read_only(url: &str) -> Option<String> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if path.contains(":memory:") {
        return None;
    }
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("mode="))
        .collect();
    if query.split('&').any(|p| p == "mode=memory") {
        return None;
    }
    params.push("mode=ro");
    Some(format!("{path}?{}", params.join("&")))
}

/// The current instant as stored everywhere: UTC, RFC 3339 with
/// milliseconds, so that text order is time order on both backends.
pub fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

pub fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Whether a database error is a unique-constraint violation (both backends).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// Whether a database error is a foreign-key violation (a row still
/// referred to by another), on both backends.
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_foreign_key_violation(),
        _ => false,
    }
}

/// Reads one integer column (COUNT(*) and the like).
pub fn int(row: &AnyRow, index: usize) -> i64 {
    use sqlx::Row;
    row.try_get::<i64, _>(index).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_urls_read_the_file_and_nothing_else() {
        assert_eq!(
            sqlite_read_only("sqlite://x.db").as_deref(),
            Some("sqlite://x.db?mode=ro")
        );
        assert_eq!(
            sqlite_read_only("sqlite://x.db?mode=rwc&cache=shared").as_deref(),
            Some("sqlite://x.db?cache=shared&mode=ro")
        );
        assert_eq!(sqlite_read_only("sqlite::memory:"), None);
        assert_eq!(sqlite_read_only("sqlite://x.db?mode=memory"), None);
    }

    #[test]
    fn sqlite_files_are_created_unless_the_url_says_otherwise() {
        assert_eq!(sqlite_creating("sqlite://x.db"), "sqlite://x.db?mode=rwc");
        assert_eq!(
            sqlite_creating("sqlite://x.db?cache=shared"),
            "sqlite://x.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_creating("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
    }

    #[test]
    fn timestamps_sort_as_text() {
        let early = timestamp(time::macros::datetime!(2026-01-02 03:04:05.006 UTC));
        assert_eq!(early, "2026-01-02T03:04:05.006Z");
        assert!(early < timestamp(time::macros::datetime!(2026-01-02 03:04:05.010 UTC)));
    }
}
