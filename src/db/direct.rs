//! SQLite point reads on the calling thread.
//!
//! sqlx runs every SQLite connection on a worker thread of its own: a query
//! is a message to that thread and a wake-up back, and the pool pings the
//! connection as it returns. For a read of one row through an index that
//! hand-off costs ten times the read itself, and every authenticated
//! request makes at least two (its session, then its record). These reads
//! run here instead, on a few read-only connections opened beside the pool,
//! on the thread that asks: a lock, the statement, nothing else.
//!
//! Only for reads that touch a handful of rows through an index (they
//! block the thread for microseconds). Anything this path cannot do — all
//! connections busy, an in-memory database, any error from SQLite — answers
//! `None` and the caller runs the statement through the pool, which
//! reports real errors the usual way. The row comes back as sqlx's
//! `AnyRow`, so domain row mapping is the same on every path; that uses
//! fields sqlx marks semver-exempt, hence `sqlx-core` pinned exactly.

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{OpenFlags, ToSql};
use sqlx_core::any::{AnyColumn, AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue, AnyValueKind};
use sqlx_core::ext::ustr::UStr;

/// Statements whose column shapes a connection remembers.
const SHAPES_KEPT: usize = 64;

pub(super) struct DirectReads {
    path: PathBuf,
    slots: Vec<Mutex<Option<Reader>>>,
    next: AtomicUsize,
}

struct Reader {
    conn: rusqlite::Connection,
    shapes: HashMap<String, Arc<Shape>>,
}

/// The columns of a statement as sqlx's row type wants them.
struct Shape {
    columns: Vec<AnyColumn>,
    names: Arc<sqlx_core::HashMap<UStr, usize>>,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl DirectReads {
    /// Readers for the SQLite file of `url`; `None` for an in-memory
    /// database, which other connections cannot see.
    pub(super) fn for_url(url: &str) -> Option<DirectReads> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Some(DirectReads {
            path: options.get_filename().to_path_buf(),
            slots: (0..(threads * 2).clamp(2, 16)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        })
    }

    /// The first row of a read, or `None` when it must go through the pool.
    pub(super) fn read_row(&self, sql: &str, args: &[AnyValueKind<'_>]) -> Option<Option<AnyRow>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.slots.len();
        let slot = (0..count).find_map(|i| self.slots[(start + i) % count].try_lock().ok())?;
        let mut slot = slot;
        if slot.is_none() {
            *slot = Some(self.open().map_err(log).ok()?);
        }
        let reader = slot.as_mut()?;
        match reader.read_row(sql, args) {
            Ok(row) => Some(row),
            Err(e) => {
                // Not trusted again: the next read opens a fresh connection.
                log(e);
                *slot = None;
                None
            }
        }
    }

    fn open(&self) -> Result<Reader, rusqlite::Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags)?;
        // No busy wait on the request thread: a busy database falls back
        // to the pool, which waits without blocking anyone.
        conn.execute_batch(
            "PRAGMA busy_timeout = 0; PRAGMA query_only = ON; \
             PRAGMA cache_size = -16384; PRAGMA mmap_size = 4294967296;",
        )?;
        conn.set_prepared_statement_cache_capacity(SHAPES_KEPT);
        Ok(Reader {
            conn,
            shapes: HashMap::new(),
        })
    }
}

/// A placeholder this path does not bind (the pool will say why).
fn unsupported(name: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(name.to_owned())
}

fn log(e: rusqlite::Error) {
    tracing::debug!(error = %e, "direct SQLite read fell back to the pool");
}

/// Binds `args` to `statement`: each placeholder takes the argument its
/// number names (`$2` the second), as sqlx binds them; a plain `?` takes
/// the next one.
fn bind(statement: &mut rusqlite::Statement<'_>, args: &[AnyValueKind<'_>]) -> Result<(), rusqlite::Error> {
    for index in 1..=statement.parameter_count() {
        let number = match statement.parameter_name(index) {
            Some(name) => name[1..].parse::<usize>().map_err(|_| unsupported(name))?,
            None => index,
        };
        let value = number
            .checked_sub(1)
            .and_then(|n| args.get(n))
            .ok_or_else(|| unsupported("$0"))?;
        statement.raw_bind_parameter(index, Param(value))?;
    }
    Ok(())
}

/// A row as sqlx's row type: values typed by what SQLite holds, as sqlx's
/// driver does (it has no boolean columns on `Any`: flags are integers).
fn any_row(shape: &Shape, row: &rusqlite::Row<'_>) -> Result<AnyRow, rusqlite::Error> {
    let mut values = Vec::with_capacity(shape.columns.len());
    for index in 0..shape.columns.len() {
        let kind = match row.get_ref(index)? {
            ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
            ValueRef::Integer(v) => AnyValueKind::BigInt(v),
            ValueRef::Real(v) => AnyValueKind::Double(v),
            ValueRef::Text(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(rusqlite::Error::Utf8Error)?;
                AnyValueKind::Text(text.to_owned().into())
            }
            ValueRef::Blob(bytes) => AnyValueKind::Blob(bytes.to_vec().into()),
        };
        values.push(AnyValue { kind });
    }
    Ok(AnyRow {
        column_names: shape.names.clone(),
        columns: shape.columns.clone(),
        values,
    })
}

impl DirectReads {
    /// Runs a long read (an export) on a connection of its own on the
    /// calling thread — block it, this takes seconds — handing each row to
    /// `each` until it answers false. Rows come without the hand-off to
    /// sqlx's worker thread that costs more than reading them.
    pub(super) fn each_row(
        &self,
        sql: &str,
        args: &[AnyValueKind<'_>],
        mut each: impl FnMut(AnyRow) -> bool,
    ) -> Result<(), rusqlite::Error> {
        let reader = self.open()?;
        let mut statement = reader.conn.prepare(sql)?;
        bind(&mut statement, args)?;
        let shape = Shape::of(&statement);
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next()? {
            if !each(any_row(&shape, row)?) {
                break;
            }
        }
        Ok(())
    }
}

impl Reader {
    fn read_row(&mut self, sql: &str, args: &[AnyValueKind<'_>]) -> Result<Option<AnyRow>, rusqlite::Error> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        let shape = match self.shapes.get(sql) {
            Some(shape) => shape.clone(),
            None => {
                if self.shapes.len() >= SHAPES_KEPT {
                    self.shapes.clear();
                }
                let shape = Arc::new(Shape::of(&statement));
                self.shapes.insert(sql.to_owned(), shape.clone());
                shape
            }
        };
        let mut rows = statement.raw_query();
        match rows.next()? {
            Some(row) => any_row(&shape, row).map(Some),
            None => Ok(None),
        }
    }
}

impl Shape {
    fn of(statement: &rusqlite::Statement<'_>) -> Shape {
        let mut columns = Vec::new();
        let mut names = sqlx_core::HashMap::default();
        for (ordinal, column) in statement.columns().iter().enumerate() {
            let declared = column.decl_type().map(str::to_ascii_uppercase);
            let name = UStr::new(column.name());
            names.insert(name.clone(), ordinal);
            columns.push(AnyColumn {
                ordinal,
                name,
                type_info: AnyTypeInfo {
                    kind: declared_kind(declared.as_deref()),
                },
            });
        }
        Shape {
            columns,
            names: Arc::new(names),
        }
    }
}

/// The type a column declares, by SQLite's affinity rules; an expression
/// declares none.
fn declared_kind(declared: Option<&str>) -> AnyTypeInfoKind {
    match declared {
        None => AnyTypeInfoKind::Null,
        Some(d) if d.contains("INT") => AnyTypeInfoKind::BigInt,
        Some(d) if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") => AnyTypeInfoKind::Text,
        Some(d) if d.contains("BLOB") => AnyTypeInfoKind::Blob,
        Some(_) => AnyTypeInfoKind::Double,
    }
}

/// An argument bound by sqlx's `Any` encoding, handed to SQLite as is.
struct Param<'a, 'q>(&'a AnyValueKind<'q>);

impl ToSql for Param<'_, '_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        let value = match self.0 {
            AnyValueKind::Null(_) => ValueRef::Null,
            AnyValueKind::Bool(v) => ValueRef::Integer(i64::from(*v)),
            AnyValueKind::SmallInt(v) => ValueRef::Integer(i64::from(*v)),
            AnyValueKind::Integer(v) => ValueRef::Integer(i64::from(*v)),
            AnyValueKind::BigInt(v) => ValueRef::Integer(*v),
            AnyValueKind::Real(v) => ValueRef::Real(f64::from(*v)),
            AnyValueKind::Double(v) => ValueRef::Real(*v),
            AnyValueKind::Text(v) => ValueRef::Text(v.as_bytes()),
            AnyValueKind::Blob(v) => ValueRef::Blob(v),
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!("unsupported argument {other:?}").into(),
                ))
            }
        };
        Ok(ToSqlOutput::Borrowed(value))
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use crate::db::{Db, Sql};

    async fn database(dir: &tempfile::TempDir) -> Db {
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .expect("connect");
        Sql::new("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, flag INTEGER, note TEXT)")
            .execute(db.pool())
            .await
            .expect("create");
        db
    }

    fn select(id: i64) -> Sql {
        let mut sql = Sql::new("SELECT id, name, score, flag, note, id + 1 AS next FROM t WHERE id = ");
        sql.bind(id).push(" AND name <> ").bind("—".to_owned());
        sql
    }

    fn read_here(db: &Db, sql: &Sql) -> Option<sqlx::any::AnyRow> {
        let direct = db.direct().expect("a SQLite file reads directly");
        direct
            .read_row(sql.text(), sql.arguments())
            .expect("read on this thread")
    }

    #[tokio::test]
    async fn a_direct_read_gives_the_row_the_pool_gives() {
        let dir = tempfile::tempdir().expect("dir");
        let db = database(&dir).await;
        assert!(read_here(&db, &select(1)).is_none(), "no row yet");
        let mut insert = Sql::new("INSERT INTO t (id, name, score, flag, note) VALUES (1, ");
        insert
            .bind("Đặng Thị Ánh".to_owned())
            .push(", 2.5, ")
            .bind(1_i64)
            .push(", NULL)");
        insert.execute(db.pool()).await.expect("insert");

        // Committed through the pool, seen at once on the calling thread.
        let here = read_here(&db, &select(1)).expect("the row");
        let pooled = select(1).fetch_optional(db.pool()).await.expect("pool").expect("row");
        assert_eq!(here.get::<i64, _>("id"), pooled.get::<i64, _>("id"));
        assert_eq!(here.get::<String, _>("name"), "Đặng Thị Ánh");
        assert_eq!(here.get::<String, _>(1), pooled.get::<String, _>(1));
        assert_eq!(here.get::<f64, _>("score"), 2.5);
        assert_eq!(here.get::<i64, _>("flag"), pooled.get::<i64, _>("flag"));
        assert_eq!(here.get::<Option<String>, _>("note"), None);
        assert_eq!(here.get::<i64, _>("next"), 2);
    }

    #[tokio::test]
    async fn placeholders_take_the_argument_their_number_names() {
        let dir = tempfile::tempdir().expect("dir");
        let db = database(&dir).await;
        Sql::new("INSERT INTO t (id, name) VALUES (1, 'một'), (2, 'hai')")
            .execute(db.pool())
            .await
            .expect("insert");
        // `$2` appears first: bound by position it would take 'hai'.
        let mut sql = Sql::new("SELECT name FROM t WHERE id = $2 AND name <> ");
        sql.bind("hai".to_owned()).push(" AND 1 = ").bind(1_i64);
        let here = read_here(&db, &sql).expect("the row");
        assert_eq!(here.get::<String, _>(0), "một");
        let pooled = sql.fetch_optional(db.pool()).await.expect("pool").expect("row");
        assert_eq!(pooled.get::<String, _>(0), "một");
    }

    #[tokio::test]
    async fn what_cannot_run_here_goes_through_the_pool() {
        assert!(super::DirectReads::for_url("sqlite::memory:").is_none());
        let dir = tempfile::tempdir().expect("dir");
        let db = database(&dir).await;
        let broken = Sql::new("SELECT no_such_column FROM t");
        assert!(db
            .direct()
            .expect("direct")
            .read_row(broken.text(), broken.arguments())
            .is_none());
        let Err(error) = broken.read_row(&db).await else {
            panic!("the pool reports the error");
        };
        assert!(error.to_string().contains("no_such_column"), "{error}");
    }
}
