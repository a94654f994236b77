//! Import use cases. An import belongs to the user who uploaded it and
//! to the unit it fills: it is seen only by that user while they may
//! still write in that unit; anyone else is told it does not exist.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::cells::{self, Cell, ReadError};
use super::kind::ImportKind;
use super::model::{self, Import, ImportStatus};
use super::storage::{self, NewImport};
use super::{headers, ImportError};
use crate::access::{Access, Permission, Principal};
use crate::org::service as org;
use crate::org::Unit;
use crate::toolkit::jobs;
use crate::web::AppState;

pub const CHECK_JOB: &str = "import.check";
pub const COMMIT_JOB: &str = "import.commit";

/// A file as uploaded.
pub struct Upload {
    pub kind: String,
    pub unit: String,
    /// The record it goes into, for kinds that ask for one (its id).
    pub target: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub fn kind_of(state: &AppState, kind: &str) -> Result<Arc<dyn ImportKind>, ImportError> {
    state.registry.import_kind(kind).ok_or(ImportError::UnknownKind)
}

/// The unit to import into, by code, with the proof the user may write
/// there; a unit out of reach reads like an unknown code.
pub async fn writable_unit(state: &AppState, user: &Principal, code: &str) -> Result<(Unit, Access), ImportError> {
    let unknown = || ImportError::field("unit", "person.error.unit_unknown");
    let unit = org::unit_by_code(&state.db, code.trim()).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    let access = user.access(Permission::Write, &unit).ok_or(ImportError::ReadOnly)?;
    if !unit.is_active() {
        return Err(ImportError::field("unit", "person.error.unit_inactive"));
    }
    Ok((unit, access))
}

fn read_error(e: ReadError) -> ImportError {
    ImportError::BadFile(match e {
        ReadError::NotSpreadsheet => "import.error.not_spreadsheet",
        ReadError::Unreadable(_) => "import.error.unreadable",
        ReadError::Empty => "import.error.empty",
        ReadError::TooManyRows => "import.error.too_many_rows",
        ReadError::OldExcel => "import.error.old_excel",
    })
}

/// Reads the file, recognises its header row, stores its rows and queues
/// their check.
pub async fn upload(state: &AppState, user: &Principal, upload: Upload) -> Result<Import, ImportError> {
    let kind = kind_of(state, &upload.kind)?;
    let (unit, _) = writable_unit(state, user, &upload.unit).await?;
    kind.accepts(&unit).map_err(|key| ImportError::field("unit", key))?;
    let target_id = match (kind.target_key(), upload.target.trim()) {
        (None, _) => None,
        (Some(key), "") => return Err(ImportError::field("target", key)),
        (Some(key), text) => {
            let id = text.parse::<i64>().map_err(|_| ImportError::field("target", key))?;
            if !kind.accepts_target(&state.db, &unit, id).await? {
                return Err(ImportError::field("target", key));
            }
            Some(id)
        }
    };
    let user_id = user.user_id().ok_or(ImportError::ReadOnly)?;
    if upload.bytes.is_empty() {
        return Err(ImportError::NoFile);
    }
    if upload.bytes.len() > super::MAX_FILE_BYTES {
        return Err(ImportError::TooLarge);
    }
    let file_hash = hex(&Sha256::digest(&upload.bytes));
    // Reading a sheet takes memory in proportion to it: two at a time.
    let _permit = reading_permits().try_acquire().map_err(|_| ImportError::Busy)?;
    let grid = tokio::task::spawn_blocking(move || cells::read(&upload.bytes))
        .await
        .map_err(|_| ImportError::BadFile("import.error.unreadable"))?
        .map_err(read_error)?;
    let remembered = storage::remembered(&state.db, unit.id, kind.kind()).await?;
    let texts: Vec<Vec<String>> = grid
        .iter()
        .take(40)
        .map(|r| r.iter().map(cells::header_text).collect())
        .collect();
    let found = headers::recognise(&texts, kind.columns(), &remembered);
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let mut header_texts = found.headers.clone();
    header_texts.resize(width, String::new());
    let mut mapping: Vec<Option<String>> = found.mapping;
    mapping.resize(width, None);
    let rows: Vec<(i64, Vec<Cell>)> = grid
        .into_iter()
        .enumerate()
        .skip(found.data_row)
        .filter(|(_, cells)| !model::is_blank(cells))
        .map(|(i, cells)| (i as i64 + 1, cells))
        .collect();
    if rows.is_empty() {
        return Err(ImportError::BadFile("import.error.no_rows"));
    }
    if rows.len() > cells::MAX_ROWS {
        return Err(ImportError::BadFile("import.error.too_many_rows"));
    }
    let file_name: String = upload.file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let new = NewImport {
        kind: kind.kind(),
        unit_id: unit.id,
        user_id,
        file_name: &file_name,
        file_hash: &file_hash,
        header_row: found.header_row as i64,
        headers: &header_texts,
        mapping: &mapping,
        rows: &rows,
        target_id,
    };
    let mut tx = state.db.begin_write().await?;
    let id = storage::insert(&state.db, &mut tx, &new).await?;
    let job = jobs::enqueue(&mut tx, CHECK_JOB, id, user_id, rows.len() as i64).await?;
    storage::set_job(&mut tx, id, job).await?;
    tx.commit().await?;
    state.jobs.wake();
    storage::get(&state.db, id).await?.ok_or(ImportError::NotFound)
}

fn reading_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(2))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The user's own import, while they may still write in its unit. A
/// commit whose job ended without running (stopped while it waited, or
/// given up after its servers died) leaves the import open again.
pub async fn get(state: &AppState, user: &Principal, id: i64) -> Result<(Import, Unit), ImportError> {
    let mut import = storage::get(&state.db, id).await?.ok_or(ImportError::NotFound)?;
    if let (ImportStatus::Committing, Some(job)) = (import.status, import.job_id) {
        let ended = jobs::get(&state.db, job).await?.filter(|j| j.status.is_over());
        if ended.is_some() {
            let from = [ImportStatus::Committing];
            if storage::set_status(state.db.pool(), id, &from, ImportStatus::Preview).await? {
                import.status = ImportStatus::Preview;
            }
        }
    }
    if user.user_id() != Some(import.user_id) {
        return Err(ImportError::NotFound);
    }
    let unit = org::unit_by_id(&state.db, import.unit_id)
        .await?
        .ok_or(ImportError::NotFound)?;
    if !user.may(Permission::Write, &unit.placement) {
        return Err(ImportError::NotFound);
    }
    Ok((import, unit))
}

/// How long an upload waits in preview before it is discarded with its rows.
pub const KEPT_DAYS: i64 = 7;

/// Imports listed on "my imports".
const LISTED: i64 = 200;

/// The user's latest imports into units they may still write in, with
/// those units, newest first.
pub async fn mine(state: &AppState, user: &Principal) -> Result<Vec<(Import, Unit)>, ImportError> {
    let Some(user_id) = user.user_id() else {
        return Ok(Vec::new());
    };
    let scope = user.scope(Permission::Write);
    let imports = storage::of_user(&state.db, user_id, &scope, LISTED).await?;
    let mut ids: Vec<i64> = imports.iter().map(|i| i.unit_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let units: std::collections::HashMap<i64, Unit> = org::units_by_ids(&state.db, &ids)
        .await?
        .into_iter()
        .filter(|u| user.may(Permission::Write, &u.placement))
        .map(|u| (u.id, u))
        .collect();
    Ok(imports
        .into_iter()
        .filter_map(|i| units.get(&i.unit_id).cloned().map(|u| (i, u)))
        .collect())
}

/// When an import not yet committed will be discarded (a stored
/// timestamp), counted from the last time it was worked on.
pub fn expires_at(import: &Import) -> Option<String> {
    if !import.status.is_open() {
        return None;
    }
    let active = time::OffsetDateTime::parse(&import.active_at, &time::format_description::well_known::Rfc3339).ok()?;
    Some(crate::db::timestamp(active + time::Duration::days(KEPT_DAYS)))
}

/// The same, as shown: `dd/mm/yyyy hh:mm` in Vietnam time.
pub fn kept_until(import: &Import) -> Option<String> {
    expires_at(import).map(|at| crate::web::page::datetime_vi(&at))
}

/// Housekeeping: discards uploads left in preview for `KEPT_DAYS`.
pub async fn expire(db: &crate::db::Db) -> Result<u64, sqlx::Error> {
    let before = crate::db::timestamp(time::OffsetDateTime::now_utc() - time::Duration::days(KEPT_DAYS));
    storage::expire(db, &before).await
}

pub use storage::issues;

/// Maps the sheet's columns by hand (`None`: ignore the column) and
/// checks the rows again. The choices are remembered for the unit.
pub async fn set_mapping(
    state: &AppState,
    user: &Principal,
    id: i64,
    mapping: Vec<Option<String>>,
) -> Result<Import, ImportError> {
    let (import, _) = get(state, user, id).await?;
    let kind = kind_of(state, &import.kind)?;
    if !import.status.is_open() {
        return Err(ImportError::NotOpen);
    }
    if mapping.len() != import.headers.len() {
        return Err(ImportError::field("mapping", "import.error.mapping_length"));
    }
    check_mapping(kind.columns(), &mapping)?;
    let choices: Vec<(String, String)> = import
        .headers
        .iter()
        .zip(&mapping)
        .filter(|(header, _)| !headers::header_key(header).is_empty())
        .map(|(header, key)| (headers::header_key(header), key.clone().unwrap_or_default()))
        .collect();
    let user_id = user.user_id().ok_or(ImportError::ReadOnly)?;
    let mut tx = state.db.begin_write().await?;
    if !storage::set_status(
        &mut *tx,
        id,
        &[ImportStatus::Checking, ImportStatus::Preview],
        ImportStatus::Checking,
    )
    .await?
    {
        return Err(ImportError::NotOpen);
    }
    storage::set_mapping(&mut tx, id, &mapping).await?;
    storage::remember(&mut tx, import.unit_id, &import.kind, &choices).await?;
    let job = jobs::enqueue(&mut tx, CHECK_JOB, id, user_id, import.row_count).await?;
    storage::set_job(&mut tx, id, job).await?;
    tx.commit().await?;
    if let Some(previous) = import.job_id {
        // The check of the old mapping is no longer wanted.
        jobs::cancel_own(&state.db, user_id, previous).await?;
    }
    state.jobs.wake();
    storage::get(&state.db, id).await?.ok_or(ImportError::NotFound)
}

/// A mapping's entries name the kind's columns (and values it declares),
/// each key once unless it joins columns or is split by a mark.
fn check_mapping(specs: &[super::ColumnSpec], mapping: &[Option<String>]) -> Result<(), ImportError> {
    let mut seen: Vec<&str> = Vec::new();
    for entry in mapping.iter().flatten() {
        if !super::target::Target::valid_entry(entry, specs) {
            return Err(ImportError::field("mapping", "import.error.mapping_unknown"));
        }
        let target = super::target::Target::parse(entry);
        let Some(spec) = target.key.and_then(|k| specs.iter().find(|s| s.key == k)) else {
            continue;
        };
        // "Năm sinh" under "Nam" and under "Nữ": one birth, split by sex.
        let split = target.mark.is_some();
        if seen.contains(&spec.key) && !spec.joins && !split {
            return Err(ImportError::field("mapping", "import.error.mapping_twice"));
        }
        if !split {
            seen.push(spec.key);
        }
    }
    Ok(())
}

/// Queues the commit of a checked import without errors; refused with
/// the errors (by `row.column`) while any remain.
pub async fn commit(state: &AppState, user: &Principal, id: i64) -> Result<Import, ImportError> {
    let (import, _) = get(state, user, id).await?;
    if import.status != ImportStatus::Preview {
        return Err(ImportError::NotOpen);
    }
    if import.error_count > 0 {
        let errors = storage::issues(&state.db, id, false, 200).await?;
        return Err(ImportError::RowErrors(
            errors
                .into_iter()
                .map(|e| (format!("{}.{}", e.row, e.column), e.message))
                .collect(),
        ));
    }
    let user_id = user.user_id().ok_or(ImportError::ReadOnly)?;
    let mut tx = state.db.begin_write().await?;
    if !storage::set_status(&mut *tx, id, &[ImportStatus::Preview], ImportStatus::Committing).await? {
        return Err(ImportError::NotOpen);
    }
    let job = jobs::enqueue(&mut tx, COMMIT_JOB, id, user_id, import.row_count).await?;
    storage::set_job(&mut tx, id, job).await?;
    tx.commit().await?;
    state.jobs.wake();
    storage::get(&state.db, id).await?.ok_or(ImportError::NotFound)
}

/// Drops an import that was not committed (its rows go too).
pub async fn discard(state: &AppState, user: &Principal, id: i64) -> Result<(), ImportError> {
    let (import, _) = get(state, user, id).await?;
    let open = [ImportStatus::Checking, ImportStatus::Preview];
    if !storage::set_status(state.db.pool(), id, &open, ImportStatus::Discarded).await? {
        return Err(ImportError::NotOpen);
    }
    if let (Some(job), Some(user_id)) = (import.job_id, user.user_id()) {
        jobs::cancel_own(&state.db, user_id, job).await?;
    }
    storage::drop_rows(&state.db, id, true).await?;
    Ok(())
}
