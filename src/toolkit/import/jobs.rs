//! The two jobs of an import. Both may run twice (a server died): the
//! check replaces what it found; the commit is one transaction that first
//! claims the import, so a second run finds it committed and does nothing.

use futures_util::future::BoxFuture;

use super::kind::{ImportCtx, ImportKind, Row};
use super::model::{self, Import, ImportStatus, Issue};
use super::service::{CHECK_JOB, COMMIT_JOB};
use super::storage;
use crate::access::{self, Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::org::service as org;
use crate::org::Unit;
use crate::toolkit::jobs::{JobFailure, JobHandler, RunningJob};

/// Rows checked between progress reports and cancel checks.
const CHUNK: usize = 1000;

pub struct CheckJob;
pub struct CommitJob;

impl JobHandler for CheckJob {
    fn kind(&self) -> &'static str {
        CHECK_JOB
    }

    fn run<'a>(&'a self, job: &'a RunningJob) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin(check(job))
    }
}

impl JobHandler for CommitJob {
    fn kind(&self) -> &'static str {
        COMMIT_JOB
    }

    fn run<'a>(&'a self, job: &'a RunningJob) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin(async move {
            let outcome = commit(job).await;
            if outcome.is_err() {
                // Nothing was written: the import is back to its preview.
                let db = job.db();
                let from = [ImportStatus::Committing];
                storage::set_status(db.pool(), job.job.subject_id, &from, ImportStatus::Preview).await?;
                if let Err(JobFailure::Failed(key)) = &outcome {
                    storage::set_message(db, job.job.subject_id, Some(key)).await?;
                }
            }
            outcome
        })
    }
}

/// The import, its kind, and who imports where — checked again now: a
/// user who lost the right to write there imports nothing.
struct Context {
    import: Import,
    kind: std::sync::Arc<dyn ImportKind>,
    user: Principal,
    unit: Unit,
    access: Access,
}

async fn context(job: &RunningJob) -> Result<Option<Context>, JobFailure> {
    let db = job.db();
    let Some(import) = storage::get(db, job.job.subject_id).await? else {
        return Ok(None);
    };
    let kind = job
        .state
        .registry
        .import_kind(&import.kind)
        .ok_or_else(|| JobFailure::Failed("import.error.kind".into()))?;
    let lost = || JobFailure::Failed("import.error.access".into());
    let user = access::storage::load_principal(db, import.user_id)
        .await?
        .ok_or_else(lost)?;
    let unit = org::unit_by_id(db, import.unit_id).await?.ok_or_else(lost)?;
    let access = user.access(Permission::Write, &unit).ok_or_else(lost)?;
    if !unit.is_active() {
        return Err(JobFailure::Failed("person.error.unit_inactive".into()));
    }
    Ok(Some(Context {
        import,
        kind,
        user,
        unit,
        access,
    }))
}

/// Checks every row; returns the rows and what was found.
async fn check_rows(job: &RunningJob, c: &Context) -> Result<(Vec<Row>, Vec<Issue>, Vec<bool>), JobFailure> {
    let db = job.db();
    let stored = storage::rows(db, c.import.id).await?;
    let mut rows = model::rows_of(c.kind.columns(), &c.import.mapping, &stored);
    let mut issues = Vec::new();
    for spec in c.kind.columns().iter().filter(|s| s.required) {
        let mapped = |e: &String| super::target::Target::parse(e).keys().any(|k| k == spec.key);
        if !c.import.mapping.iter().flatten().any(mapped) {
            issues.push(Issue {
                row: 0,
                column: spec.key.to_owned(),
                message: "import.error.column_missing".into(),
                record_id: None,
                label: String::new(),
                is_error: true,
            });
        }
    }
    let ctx = ImportCtx {
        db,
        user: &c.user,
        unit: &c.unit,
        access: &c.access,
        placed: job.state.registry.placed_tables(),
        target: c.import.target_id,
    };
    let mut seen: std::collections::HashMap<(&'static str, String), i64> = Default::default();
    for row in &rows {
        for key in c.kind.unique_keys(row) {
            let column = key.0;
            if seen.insert(key, row.number).is_some() {
                issues.push(Issue {
                    row: row.number,
                    column: column.to_owned(),
                    message: "import.error.repeated".into(),
                    record_id: None,
                    label: String::new(),
                    is_error: true,
                });
            }
        }
    }
    let mut duplicate = Vec::with_capacity(rows.len());
    let rows_total = rows.len();
    let total = rows_total as i64;
    // The kind's first column (the name, for people) carries row-wide errors.
    let first_column = c.kind.columns().first().map_or("", |s| s.key);
    let mut reused = std::collections::HashSet::new();
    let chunk_size = if c.kind.whole_file() { rows_total.max(1) } else { CHUNK };
    for (n, chunk) in rows.chunks_mut(chunk_size).enumerate() {
        job.check_cancel().await?;
        let checks = c.kind.check(&ctx, chunk).await?;
        if checks.len() != chunk.len() {
            return Err(JobFailure::Db(sqlx::Error::Protocol("a check for every row".into())));
        }
        for (row, found) in chunk.iter_mut().zip(checks) {
            duplicate.push(!found.duplicates.is_empty());
            row.reuses = found.reuses;
            // Two rows building on one record (a registered person named
            // twice, however far apart) would give it the role twice.
            if found.reuses.is_some_and(|id| !reused.insert(id)) {
                issues.push(Issue {
                    row: row.number,
                    column: first_column.to_owned(),
                    message: "import.error.same_person".into(),
                    record_id: None,
                    label: String::new(),
                    is_error: true,
                });
            }
            for (column, message) in found.errors {
                issues.push(Issue {
                    row: row.number,
                    column,
                    message,
                    record_id: None,
                    label: String::new(),
                    is_error: true,
                });
            }
            for d in found.duplicates {
                issues.push(Issue {
                    row: row.number,
                    column: String::new(),
                    message: d.reason,
                    record_id: d.record_id,
                    label: d.label,
                    is_error: false,
                });
            }
        }
        job.progress(((n + 1) * chunk_size).min(rows_total) as i64, total)
            .await?;
    }
    issues.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    Ok((rows, issues, duplicate))
}

fn counts(issues: &[Issue]) -> (i64, i64) {
    let errors = issues.iter().filter(|i| i.is_error).count() as i64;
    let mut duplicate_rows: Vec<i64> = issues.iter().filter(|i| !i.is_error).map(|i| i.row).collect();
    duplicate_rows.dedup();
    (errors, duplicate_rows.len() as i64)
}

async fn check(job: &RunningJob) -> Result<(), JobFailure> {
    let Some(c) = context(job).await? else { return Ok(()) };
    // A newer check (another mapping) replaced this one.
    if c.import.status != ImportStatus::Checking || c.import.job_id != Some(job.job.id) {
        return Ok(());
    }
    let (_, issues, _) = check_rows(job, &c).await?;
    let (errors, duplicates) = counts(&issues);
    let db = job.db();
    if storage::put_issues(db, c.import.id, job.job.id, &issues, errors, duplicates).await? {
        let earlier = storage::committed_before(db, &c.import).await?;
        storage::set_message(db, c.import.id, earlier.map(|_| "import.already_imported")).await?;
    }
    Ok(())
}

async fn commit(job: &RunningJob) -> Result<(), JobFailure> {
    let Some(c) = context(job).await? else { return Ok(()) };
    if c.import.status != ImportStatus::Committing {
        return Ok(());
    }
    let db = job.db();
    let started = std::time::Instant::now();
    let (rows, issues, duplicate) = check_rows(job, &c).await?;
    let checked = started.elapsed();
    let (errors, duplicates) = counts(&issues);
    if errors > 0 {
        storage::put_issues(db, c.import.id, job.job.id, &issues, errors, duplicates).await?;
        return Err(JobFailure::Failed("import.error.changed".into()));
    }
    // The same file committed before creates nothing again.
    let again = storage::committed_before(db, &c.import).await?.is_some();
    let fresh: Vec<Row> = rows
        .into_iter()
        .zip(duplicate)
        .filter(|(_, dup)| !dup && !again)
        .map(|(row, _)| row)
        .collect();
    job.check_cancel().await?;
    let mut tx = db.begin_write().await?;
    // Claims the import (PostgreSQL: a row lock another run waits on).
    let from = [ImportStatus::Committing];
    if !storage::set_status(&mut *tx, c.import.id, &from, ImportStatus::Committing).await? {
        return Ok(());
    }
    let ctx = ImportCtx {
        db,
        user: &c.user,
        unit: &c.unit,
        access: &c.access,
        placed: job.state.registry.placed_tables(),
        target: c.import.target_id,
    };
    // A record registered by someone else since this commit's check (a
    // CCCD now taken) breaks a unique key: the import goes back to its
    // preview saying so, and committing again checks the rows afresh.
    let created = c.kind.commit(&ctx, &mut tx, &fresh).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            tracing::warn!(import = c.import.id, "a unique key broken at commit: {e}");
            JobFailure::Failed("import.error.registered_meanwhile".into())
        } else {
            JobFailure::Db(e)
        }
    })?;
    let change = Change {
        after: Some(serde_json::json!({
            "kind": c.import.kind,
            "file_name": c.import.file_name,
            "file_hash": c.import.file_hash,
            "rows": c.import.row_count,
            "created": created,
        })),
        ..Change::new(
            "import",
            "import",
            c.import.id,
            c.import.file_name.clone(),
            c.unit.placement,
        )
    };
    audit::record(&mut tx, c.access.actor(), change).await?;
    if !storage::mark_committed(&mut tx, c.import.id, created).await? {
        return Ok(());
    }
    job.check_cancel().await?;
    let written = started.elapsed();
    tx.commit().await?;
    storage::drop_rows(db, c.import.id, false).await?;
    tracing::info!(
        import = c.import.id,
        created,
        check_s = checked.as_secs_f64(),
        write_s = (written - checked).as_secs_f64(),
        commit_s = (started.elapsed() - written).as_secs_f64(),
        "import committed"
    );
    Ok(())
}
