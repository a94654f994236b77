//! A small statement builder that numbers placeholders `$1…$n`, which both
//! SQLite and PostgreSQL accept. (sqlx's `QueryBuilder<Any>` writes `?`,
//! which PostgreSQL rejects.)

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, Arguments, Encode, Executor, Type};

#[derive(Default)]
pub struct Sql {
    text: String,
    args: AnyArguments<'static>,
    count: usize,
    positional: bool,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            ..Sql::default()
        }
    }

    /// A statement with many parameters; see `Db::bulk_sql`.
    pub(super) fn bulk(positional: bool, text: &str) -> Sql {
        Sql {
            positional,
            ..Sql::new(text)
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub fn bind<T>(&mut self, value: T) -> &mut Sql
    where
        T: 'static + Encode<'static, Any> + Type<Any> + Send,
    {
        self.count += 1;
        if self.positional {
            self.text.push('?');
        } else {
            self.text.push('$');
            self.text.push_str(&self.count.to_string());
        }
        // Encoding into the Any buffer only fails for types Any cannot carry,
        // which the trait bounds already exclude.
        let _ = self.args.add(value);
        self
    }

    /// Appends `a, b, c` placeholders for a list of values (an `IN` list).
    pub fn bind_list<T>(&mut self, values: &[T]) -> &mut Sql
    where
        T: 'static + Encode<'static, Any> + Type<Any> + Send + Clone,
    {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value.clone());
        }
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The bound values, as sqlx's `Any` encoding left them.
    pub(super) fn arguments(&self) -> &[sqlx_core::any::AnyValueKind<'static>] {
        &self.args.values.0
    }

    pub async fn fetch_all<'e, E>(self, executor: E) -> Result<Vec<AnyRow>, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args).fetch_all(executor).await
    }

    pub async fn fetch_optional<'e, E>(self, executor: E) -> Result<Option<AnyRow>, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args).fetch_optional(executor).await
    }

    /// One integer: the first column of the first row (`COUNT(*)`, `SUM`),
    /// 0 when there is no row.
    pub async fn fetch_int<'e, E>(self, executor: E) -> Result<i64, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        Ok(self
            .fetch_optional(executor)
            .await?
            .map(|r| super::int(&r, 0))
            .unwrap_or(0))
    }

    /// A read of at most one row through an index (a point read): on a
    /// SQLite file it runs on the calling thread (see `direct.rs`),
    /// otherwise, or when that cannot, through the pool.
    pub async fn read_row(self, db: &super::Db) -> Result<Option<AnyRow>, sqlx::Error> {
        if let Some(row) = db.direct().and_then(|d| d.read_row(&self.text, self.arguments())) {
            return Ok(row);
        }
        self.fetch_optional(db.pool()).await
    }

    pub async fn fetch_all_as<'e, E, T>(self, executor: E) -> Result<Vec<T>, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
        T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as_with(&self.text, self.args).fetch_all(executor).await
    }

    /// Runs the query on a connection of its own and sends the rows,
    /// mapped by `map`, down a bounded channel in batches as they arrive: a
    /// large read (an export) streams without holding every row in memory.
    /// The query stops when the receiver is dropped.
    pub fn stream<T: Send + 'static>(
        self,
        db: &super::Db,
        map: impl Fn(AnyRow) -> Result<T, sqlx::Error> + Send + 'static,
    ) -> RowStream<T> {
        use futures_util::TryStreamExt;
        let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<Result<T, sqlx::Error>>>(8);
        if let Some(direct) = db.direct_arc() {
            // A SQLite file: read on a blocking thread straight from SQLite.
            tokio::task::spawn_blocking(move || {
                let args = self.arguments();
                let mut batch = Vec::with_capacity(STREAM_BATCH);
                let mut open = true;
                let outcome = direct.each_row(&self.text, args, |row| {
                    let next = map(row);
                    let failed = next.is_err();
                    batch.push(next);
                    if batch.len() == STREAM_BATCH || failed {
                        open = sender.blocking_send(std::mem::take(&mut batch)).is_ok();
                    }
                    open && !failed
                });
                if let Err(e) = outcome {
                    batch.push(Err(sqlx::Error::Protocol(e.to_string())));
                }
                if open && !batch.is_empty() {
                    let _ = sender.blocking_send(batch);
                }
            });
            return RowStream::new(receiver);
        }
        let pool = db.pool().clone();
        tokio::spawn(async move {
            let mut rows = sqlx::query_with(&self.text, self.args).fetch(&pool);
            let mut batch = Vec::with_capacity(STREAM_BATCH);
            loop {
                let next = match rows.try_next().await {
                    Ok(Some(row)) => map(row),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
                let failed = next.is_err();
                batch.push(next);
                if batch.len() == STREAM_BATCH || failed {
                    // An error goes out with the rows before it, then ends the stream.
                    let sent = sender.send(std::mem::take(&mut batch)).await.is_ok();
                    if !sent || failed {
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = sender.send(batch).await;
            }
        });
        RowStream::new(receiver)
    }

    pub async fn execute<'e, E>(self, executor: E) -> Result<AnyQueryResult, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args).execute(executor).await
    }
}

/// Rows handed over between threads at a time: one wake-up per batch, not
/// per row.
const STREAM_BATCH: usize = 256;

/// The rows of `Sql::stream`, one at a time, from an async task
/// (`recv`) or a blocking thread (`blocking_recv`).
pub struct RowStream<T> {
    receiver: tokio::sync::mpsc::Receiver<Vec<Result<T, sqlx::Error>>>,
    batch: std::collections::VecDeque<Result<T, sqlx::Error>>,
}

impl<T> RowStream<T> {
    fn new(receiver: tokio::sync::mpsc::Receiver<Vec<Result<T, sqlx::Error>>>) -> RowStream<T> {
        RowStream {
            receiver,
            batch: Default::default(),
        }
    }

    pub async fn recv(&mut self) -> Option<Result<T, sqlx::Error>> {
        if self.batch.is_empty() {
            self.batch = self.receiver.recv().await?.into();
        }
        self.batch.pop_front()
    }

    pub fn blocking_recv(&mut self) -> Option<Result<T, sqlx::Error>> {
        if self.batch.is_empty() {
            self.batch = self.receiver.blocking_recv()?.into();
        }
        self.batch.pop_front()
    }
}
