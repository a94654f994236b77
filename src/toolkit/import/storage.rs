//! SQL of imports: the import row, its data rows (cells as JSON), what
//! its check found, and the column choices remembered per unit.

use std::collections::HashMap;

use sqlx::{Any, Row as _, Transaction};

use super::cells::Cell;
use super::model::{Import, ImportStatus, Issue};
use crate::db::{self, Cell as DbCell, ColumnType, Db, Rows, Sql};

const COLUMNS: &str = "id, kind, unit_id, user_id, file_name, file_hash, status, header_row, headers, mapping, \
     row_count, error_count, duplicate_count, created_count, job_id, message, created_at, committed_at, target_id, \
     COALESCE((SELECT j.created_at FROM jobs j WHERE j.id = imports.job_id), created_at) AS active_at";

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    kind: String,
    unit_id: i64,
    user_id: i64,
    file_name: String,
    file_hash: String,
    status: String,
    header_row: i64,
    headers: String,
    mapping: String,
    row_count: i64,
    error_count: i64,
    duplicate_count: i64,
    created_count: i64,
    job_id: Option<i64>,
    message: Option<String>,
    created_at: String,
    committed_at: Option<String>,
    target_id: Option<i64>,
    active_at: String,
}

impl From<ImportRow> for Import {
    fn from(r: ImportRow) -> Import {
        Import {
            id: r.id,
            kind: r.kind,
            unit_id: r.unit_id,
            user_id: r.user_id,
            file_name: r.file_name,
            file_hash: r.file_hash,
            status: ImportStatus::parse(&r.status),
            header_row: r.header_row,
            headers: serde_json::from_str(&r.headers).unwrap_or_default(),
            mapping: serde_json::from_str(&r.mapping).unwrap_or_default(),
            row_count: r.row_count,
            error_count: r.error_count,
            duplicate_count: r.duplicate_count,
            created_count: r.created_count,
            job_id: r.job_id,
            message: r.message,
            created_at: r.created_at,
            committed_at: r.committed_at,
            target_id: r.target_id,
            active_at: r.active_at,
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// What an upload stores.
pub struct NewImport<'a> {
    pub kind: &'a str,
    pub unit_id: i64,
    pub user_id: i64,
    pub file_name: &'a str,
    pub file_hash: &'a str,
    pub header_row: i64,
    pub headers: &'a [String],
    pub mapping: &'a [Option<String>],
    /// Data rows: sheet row number (as Excel shows it) and cells.
    pub rows: &'a [(i64, Vec<Cell>)],
    pub target_id: Option<i64>,
}

pub async fn insert(db: &Db, tx: &mut Transaction<'static, Any>, new: &NewImport<'_>) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO imports (kind, unit_id, user_id, file_name, file_hash, status, header_row, headers, mapping, \
         row_count, target_id, created_at) VALUES (",
    );
    sql.bind(new.kind.to_owned()).push(", ").bind(new.unit_id);
    sql.push(", ")
        .bind(new.user_id)
        .push(", ")
        .bind(new.file_name.to_owned());
    sql.push(", ").bind(new.file_hash.to_owned()).push(", 'checking', ");
    sql.bind(new.header_row).push(", ").bind(json(&new.headers));
    sql.push(", ").bind(json(&new.mapping)).push(", ");
    sql.bind(new.rows.len() as i64)
        .push(", ")
        .bind(new.target_id)
        .push(", ")
        .bind(db::now())
        .push(") RETURNING id");
    let id = sql.fetch_int(&mut **tx).await?;
    let mut rows = Rows::new(
        "import_rows",
        &[
            ("import_id", ColumnType::Int),
            ("row_no", ColumnType::Int),
            ("cells", ColumnType::Text),
        ],
    );
    for batch in new.rows.chunks(ROWS_PER_BATCH) {
        let first = batch.first().map_or(0, |(number, _)| *number);
        rows.push([DbCell::from(id), DbCell::from(first), DbCell::from(json(&batch))]);
    }
    db.insert_rows(tx, rows).await?;
    Ok(id)
}

/// Sheet rows stored together in one `import_rows` row (`row_no` is the
/// first one's number, `cells` a JSON list of `[row number, cells]`):
/// writing and reading 20,000 rows one by one took a tenth of an import.
const ROWS_PER_BATCH: usize = 1000;

pub async fn get(db: &Db, id: i64) -> Result<Option<Import>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM imports WHERE id = "));
    sql.bind(id);
    Ok(sql
        .fetch_all_as::<_, ImportRow>(db.pool())
        .await?
        .pop()
        .map(Import::from))
}

/// The user's latest imports into units inside `scope`, newest first
/// (narrowed before the limit: older imports show once newer ones are
/// out of reach).
pub async fn of_user(
    db: &Db,
    user_id: i64,
    scope: &crate::access::ReadScope,
    limit: i64,
) -> Result<Vec<Import>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM imports WHERE user_id = "));
    sql.bind(user_id)
        .push(" AND unit_id IN (SELECT u.id FROM units u WHERE ");
    scope.push_filter(&mut sql, "u");
    sql.push(") ORDER BY id DESC LIMIT ").bind(limit);
    Ok(sql
        .fetch_all_as::<_, ImportRow>(db.pool())
        .await?
        .into_iter()
        .map(Import::from)
        .collect())
}

/// Discards the imports nobody has worked on since before `before` (a
/// timestamp: the upload, or the last check or commit queued) and that no
/// job is working on, then drops the rows of every discarded import: an
/// upload nobody committed does not keep its people's data. Returns how
/// many were discarded now.
pub async fn expire(db: &Db, before: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new(
        "UPDATE imports SET status = 'discarded', message = 'import.expired' \
         WHERE status IN ('checking', 'preview', 'committing') \
         AND COALESCE((SELECT j.created_at FROM jobs j WHERE j.id = imports.job_id), imports.created_at) < ",
    );
    sql.bind(before.to_owned()).push(
        " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = imports.job_id AND j.status IN ('queued', 'running'))",
    );
    let expired = sql.execute(&mut *tx).await?.rows_affected();
    for table in ["import_rows", "import_issues"] {
        let sql = Sql::new(&format!(
            "DELETE FROM {table} WHERE import_id IN (SELECT id FROM imports WHERE status = 'discarded')"
        ));
        sql.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(expired)
}

/// The data rows, in sheet order.
pub async fn rows(db: &Db, id: i64) -> Result<Vec<(i64, Vec<Cell>)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT row_no, cells FROM import_rows WHERE import_id = ");
    sql.bind(id).push(" ORDER BY row_no");
    let mut out = Vec::new();
    for stored in sql.fetch_all(db.pool()).await? {
        let text: String = stored.try_get(1)?;
        let batch = stored_rows(stored.try_get(0)?, &text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        out.extend(batch);
    }
    Ok(out)
}

/// The sheet rows of one stored row: a batch, or one row alone (as
/// uploads were stored before batches, `row_no` its number).
fn stored_rows(row_no: i64, text: &str) -> Result<Vec<(i64, Vec<Cell>)>, serde_json::Error> {
    serde_json::from_str::<Vec<(i64, Vec<Cell>)>>(text)
        .or_else(|_| serde_json::from_str::<Vec<Cell>>(text).map(|cells| vec![(row_no, cells)]))
}

/// Moves the import from one of `from` to `to`; false when it was in
/// none of them (another request or job got there first).
pub async fn set_status<'e, E>(
    executor: E,
    id: i64,
    from: &[ImportStatus],
    to: ImportStatus,
) -> Result<bool, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let mut sql = Sql::new("UPDATE imports SET status = ");
    sql.bind(to.as_str().to_owned())
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND status IN (");
    for (i, status) in from.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(status.as_str().to_owned());
    }
    sql.push(")");
    Ok(sql.execute(executor).await?.rows_affected() == 1)
}

pub async fn set_job(tx: &mut Transaction<'static, Any>, id: i64, job_id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE imports SET message = NULL, job_id = ");
    sql.bind(job_id).push(" WHERE id = ").bind(id);
    sql.execute(&mut **tx).await.map(drop)
}

pub async fn set_message(db: &Db, id: i64, message: Option<&str>) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE imports SET message = ");
    // A discarded import keeps why (expired).
    sql.bind(message.map(str::to_owned))
        .push(" WHERE status <> 'discarded' AND id = ")
        .bind(id);
    sql.execute(db.pool()).await.map(drop)
}

pub async fn set_mapping(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    mapping: &[Option<String>],
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE imports SET mapping = ");
    sql.bind(json(&mapping)).push(" WHERE id = ").bind(id);
    sql.execute(&mut **tx).await.map(drop)
}

/// Replaces what the check found, and the counts, and opens the preview —
/// only while `job` is still the import's check (a newer mapping queued
/// another one, whose findings win). False when dropped.
pub async fn put_issues(
    db: &Db,
    id: i64,
    job: i64,
    issues: &[Issue],
    errors: i64,
    duplicates: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    // Claims the import row first (a row lock on PostgreSQL).
    let mut claim = Sql::new("UPDATE imports SET error_count = ");
    claim.bind(errors).push(", duplicate_count = ").bind(duplicates);
    claim.push(", status = 'preview' WHERE status IN ('checking', 'committing') AND id = ");
    claim.bind(id).push(" AND job_id = ").bind(job);
    if claim.execute(&mut *tx).await?.rows_affected() != 1 {
        return Ok(false);
    }
    let mut sql = Sql::new("DELETE FROM import_issues WHERE import_id = ");
    sql.bind(id);
    sql.execute(&mut *tx).await?;
    let mut rows = Rows::new(
        "import_issues",
        &[
            ("import_id", ColumnType::Int),
            ("row_no", ColumnType::Int),
            ("column_key", ColumnType::Text),
            ("message", ColumnType::Text),
            ("record_id", ColumnType::Int),
            ("label", ColumnType::Text),
            ("is_error", ColumnType::Int),
        ],
    );
    for issue in issues {
        rows.push([
            DbCell::from(id),
            DbCell::from(issue.row),
            DbCell::from(issue.column.clone()),
            DbCell::from(issue.message.clone()),
            DbCell::from(issue.record_id),
            DbCell::from(issue.label.clone()),
            DbCell::from(i64::from(issue.is_error)),
        ]);
    }
    db.insert_rows(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(true)
}

/// Errors (`duplicates` false) or duplicates of the last check, in row
/// order, at most `limit` of them.
pub async fn issues(db: &Db, id: i64, duplicates: bool, limit: i64) -> Result<Vec<Issue>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT row_no, column_key, message, record_id, label FROM import_issues WHERE import_id = ");
    sql.bind(id)
        .push(" AND is_error = ")
        .bind(i64::from(!duplicates))
        .push(" ORDER BY row_no, column_key LIMIT ")
        .bind(limit);
    let rows = sql.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(Issue {
                row: r.try_get(0)?,
                column: r.try_get(1)?,
                message: r.try_get(2)?,
                record_id: r.try_get(3)?,
                label: r.try_get(4)?,
                is_error: !duplicates,
            })
        })
        .collect()
}

/// Marks the import committed with what it created. False when it was
/// not being committed (an earlier attempt of the job got there first).
pub async fn mark_committed(tx: &mut Transaction<'static, Any>, id: i64, created: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE imports SET status = 'committed', created_count = ");
    sql.bind(created)
        .push(", committed_at = ")
        .bind(db::now())
        .push(" WHERE status = 'committing' AND id = ")
        .bind(id);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Drops the cells of an import that is over, and its findings too when
/// `findings` (a committed import keeps the rows it skipped, to show them).
pub async fn drop_rows(db: &Db, id: i64, findings: bool) -> Result<(), sqlx::Error> {
    let tables: &[&str] = if findings {
        &["import_rows", "import_issues"]
    } else {
        &["import_rows"]
    };
    let mut tx = db.begin_write().await?;
    for table in tables {
        let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE import_id = "));
        sql.bind(id);
        sql.execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// An earlier import of the same file into the same unit, committed.
pub async fn committed_before(db: &Db, import: &Import) -> Result<Option<(i64, String)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, committed_at FROM imports WHERE status = 'committed' AND unit_id = ");
    sql.bind(import.unit_id)
        .push(" AND kind = ")
        .bind(import.kind.clone())
        .push(" AND file_hash = ")
        .bind(import.file_hash.clone())
        .push(" AND COALESCE(target_id, 0) = ")
        .bind(import.target_id.unwrap_or(0))
        .push(" AND id <> ")
        .bind(import.id)
        .push(" ORDER BY id LIMIT 1");
    let row = sql.fetch_optional(db.pool()).await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get::<Option<String>, _>(1)?.unwrap_or_default())))
        .transpose()
}

/// Column choices made by hand for `kind` in the unit: header key →
/// column key (`""`: ignore the column).
pub async fn remembered(db: &Db, unit_id: i64, kind: &str) -> Result<HashMap<String, String>, sqlx::Error> {
    let mut sql = Sql::new("SELECT header, column_key FROM import_mappings WHERE unit_id = ");
    sql.bind(unit_id).push(" AND kind = ").bind(kind.to_owned());
    let rows = sql.fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

pub async fn remember(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    kind: &str,
    choices: &[(String, String)],
) -> Result<(), sqlx::Error> {
    for (header, key) in choices {
        let mut sql = Sql::new("INSERT INTO import_mappings (unit_id, kind, header, column_key) VALUES (");
        sql.bind(unit_id).push(", ").bind(kind.to_owned());
        sql.push(", ").bind(header.clone()).push(", ").bind(key.clone());
        sql.push(") ON CONFLICT (unit_id, kind, header) DO UPDATE SET column_key = excluded.column_key");
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_rows_read_as_batches_and_as_single_rows() {
        let batch = vec![
            (4, vec![Cell::Text("Lê Văn A".into()), Cell::Empty]),
            (6, vec![Cell::Number(1990.0)]),
        ];
        assert_eq!(stored_rows(4, &json(&batch)).unwrap(), batch);
        let alone = vec![Cell::Text("Trần Thị B".into()), Cell::Number(7.0), Cell::Empty];
        assert_eq!(stored_rows(9, &json(&alone)).unwrap(), vec![(9, alone)]);
        assert!(stored_rows(1, "{\"not\": \"rows\"}").is_err());
    }
}
