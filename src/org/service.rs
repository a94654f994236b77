//! Use cases of the tree: reading units, and the supervisors' changes
//! (branches, renames, closures, merges). Managing a unit takes
//! supervision of its parent (`Principal::manage`).

use std::collections::HashMap;

use serde_json::json;

use super::demography::Demography;
use super::model::{merge_refusal, BranchKind, Level, Unit};
use super::placed::{Counter, PlacedTable};
use super::reform::Resolution;
use super::{storage, OrgError};
use crate::access::{self, Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::{self, Db};

/// The one path that places records (see `org::storage::placement`):
/// capabilities call it from their storage, in their transaction.
pub mod placement {
    pub use crate::org::storage::placement::{
        copy_sort_key, counted, followers, followers_counted, followers_refused_among, followers_refused_at,
        lock_record, lock_unit, move_record, move_with_followers, new_row_cells, of_row, recount, referrers,
        NEW_ROW_COLUMNS,
    };
}

pub async fn unit_by_code(db: &Db, code: &str) -> Result<Option<Unit>, sqlx::Error> {
    storage::by_code(db, code).await
}

/// Why the unit a user typed (its code) cannot take their records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unwritable {
    /// No such unit, or one the user may not read: they learn nothing.
    Unknown,
    /// The user reads it but may not write there.
    ReadOnly,
    /// Closed or merged.
    Inactive,
}

/// The active unit `code` where `user` may write, and the proof of it.
pub async fn writable_by_code(
    db: &Db,
    user: &Principal,
    code: &str,
) -> Result<Result<(Unit, Access), Unwritable>, sqlx::Error> {
    let Some(unit) = unit_by_code(db, code.trim()).await? else {
        return Ok(Err(Unwritable::Unknown));
    };
    if !user.may(Permission::Read, &unit.placement) {
        return Ok(Err(Unwritable::Unknown));
    }
    let Some(access) = user.access(Permission::Write, &unit) else {
        return Ok(Err(Unwritable::ReadOnly));
    };
    if !unit.is_active() {
        return Ok(Err(Unwritable::Inactive));
    }
    Ok(Ok((unit, access)))
}

pub async fn unit_by_id(db: &Db, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    storage::by_id(db, id).await
}

pub async fn units_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Unit>, sqlx::Error> {
    storage::by_ids(db, ids).await
}

pub async fn units_by_codes(db: &Db, codes: &[String]) -> Result<Vec<Unit>, sqlx::Error> {
    storage::by_codes(db, codes).await
}

/// The central office (the root of the tree).
pub async fn central(db: &Db) -> Result<Unit, sqlx::Error> {
    storage::by_code(db, super::model::CENTRAL_CODE)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// A unit the user may read; every other code does not exist for them.
pub async fn readable_unit(db: &Db, user: &Principal, code: &str) -> Result<Unit, OrgError> {
    let unit = storage::by_code(db, code).await?.ok_or(OrgError::NotFound)?;
    if user.may(Permission::Read, &unit.placement) {
        Ok(unit)
    } else {
        Err(OrgError::NotFound)
    }
}

/// The unit a list is narrowed to (`?unit=CODE`), when one is given: a
/// unit the user may not read is not found, like an unknown code.
pub async fn unit_filter(db: &Db, user: &Principal, code: Option<&str>) -> Result<Option<Unit>, OrgError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => readable_unit(db, user, code).await.map(Some),
    }
}

pub async fn children(db: &Db, unit: &Unit) -> Result<Vec<Unit>, sqlx::Error> {
    storage::children(db, unit.id).await
}

/// The units that were merged into `unit`.
pub async fn absorbed(db: &Db, unit: &Unit) -> Result<Vec<Unit>, sqlx::Error> {
    storage::merged_into(db, unit.id).await
}

pub async fn resolve_commune(db: &Db, written: &str, province_code: Option<&str>) -> Result<Resolution, sqlx::Error> {
    storage::resolve_commune(db, written, province_code).await
}

/// Active communes with their province code (demo data, benchmarks).
pub async fn communes_with_province(
    db: &Db,
    provinces: Option<&[&str]>,
    without_branches: bool,
) -> Result<Vec<(Unit, String)>, sqlx::Error> {
    storage::communes_with_province(db, provinces, without_branches).await
}

/// What is counted at each of some units: their active branches and every
/// declared counter. `None` in `units` is the whole country.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub branches: HashMap<Option<i64>, i64>,
    pub counters: HashMap<(&'static str, Option<i64>), i64>,
}

impl Counts {
    pub fn get(&self, counter: &str, unit: Option<i64>) -> i64 {
        self.counters
            .iter()
            .find(|((name, id), _)| *name == counter && *id == unit)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    }

    pub fn branches(&self, unit: Option<i64>) -> i64 {
        self.branches.get(&unit).copied().unwrap_or(0)
    }
}

/// The id a unit is counted under (`None` for the centre).
pub fn count_key(unit: &Unit) -> Option<i64> {
    (unit.level != Level::Central).then_some(unit.id)
}

/// The year whose events a unit's counts show (`?year=`): this year when
/// none is given; `None` for anything but a year from 1900 to this one.
pub fn events_year(text: &str) -> Option<i64> {
    let this_year = crate::calendar::this_year();
    match text.trim() {
        "" => Some(this_year),
        year => year.parse().ok().filter(|y| (1900..=this_year).contains(y)),
    }
}

/// Counts of `unit` and of each of its `children` (for counters of events,
/// those of `year`).
pub async fn counts(
    db: &Db,
    counters: &[Counter],
    unit: &Unit,
    children: &[Unit],
    year: i64,
) -> Result<Counts, sqlx::Error> {
    let mut keys: Vec<Option<i64>> = children.iter().map(count_key).collect();
    keys.push(count_key(unit));
    let mut counts = Counts::default();
    let (per_year, totals): (Vec<&Counter>, Vec<&Counter>) = counters.iter().partition(|c| c.per_year());
    let names = |list: Vec<&Counter>| list.iter().map(|c| c.name).collect::<Vec<_>>();
    counts.counters = storage::counters::read(db, &names(totals), &keys).await?;
    counts
        .counters
        .extend(storage::demographics::read_year(db, &names(per_year), &keys, year).await?);
    for (child, value) in storage::branch_counts_by_child(db, unit).await? {
        counts.branches.insert(Some(child), value);
    }
    counts
        .branches
        .insert(count_key(unit), storage::active_branches_below(db, unit).await?);
    Ok(counts)
}

/// Counts by sex and age band of `unit` and its `children`, for each
/// counter that declares them (keyed by counter name, then unit key).
pub async fn demographics(
    db: &Db,
    counters: &[Counter],
    unit: &Unit,
    children: &[Unit],
) -> Result<Vec<(Counter, HashMap<Option<i64>, Demography>)>, sqlx::Error> {
    let this_year = crate::calendar::this_year();
    let mut keys: Vec<Option<i64>> = children.iter().map(count_key).collect();
    // The country is the sum of its provinces, which the centre's page reads anyway.
    let central = unit.level == Level::Central;
    if !central {
        keys.push(count_key(unit));
    }
    let banded: Vec<&Counter> = counters
        .iter()
        .filter(|c| c.demographics.is_some() && !c.per_year())
        .collect();
    let names: Vec<&'static str> = banded.iter().map(|c| c.name).collect();
    let mut rows = storage::demographics::read(db, &names, &keys, this_year).await?;
    let mut out = Vec::new();
    for counter in banded {
        let mut shown: HashMap<Option<i64>, Demography> = keys
            .iter()
            .filter_map(|unit| rows.remove(&(counter.name, *unit)).map(|r| (*unit, r)))
            .map(|(unit, rows)| (unit, Demography::from_bands(&rows)))
            .collect();
        if central {
            let mut total = Demography::default();
            for child in children.iter().filter(|c| c.level == Level::Province) {
                if let Some(d) = shown.get(&count_key(child)) {
                    total.add(d);
                }
            }
            shown.insert(None, total);
        }
        out.push((*counter, shown));
    }
    Ok(out)
}

/// Counts of one unit only (dashboards).
pub async fn counts_of(db: &Db, counters: &[Counter], unit: &Unit) -> Result<Counts, sqlx::Error> {
    counts(db, counters, unit, &[], crate::calendar::this_year()).await
}

pub use super::check::{counter_drift, demographic_drift, misplaced};

fn clean_name(name: &str) -> Result<String, OrgError> {
    let name = crate::text::squash_spaces(name);
    if name.is_empty() || name.chars().count() > 150 || crate::text::has_hidden_characters(&name, false) {
        return Err(OrgError::InvalidName);
    }
    Ok(name)
}

fn change(action: &'static str, unit: &Unit, before: serde_json::Value, after: serde_json::Value) -> Change {
    Change {
        before: Some(before),
        after: Some(after),
        ..Change::new(
            action,
            "unit",
            unit.id,
            format!("{} {}", unit.code, unit.name),
            unit.placement,
        )
    }
}

/// A commune's staff or supervisors open branches in it.
pub async fn create_branch(
    db: &Db,
    user: &Principal,
    commune: &Unit,
    name: &str,
    kind: &str,
) -> Result<Unit, OrgError> {
    let access = user.access(Permission::Write, commune).ok_or(OrgError::Forbidden)?;
    let name = clean_name(name)?;
    let kind = BranchKind::parse(kind).ok_or(OrgError::InvalidBranchKind)?;
    let mut tx = db.begin_write().await?;
    if !storage::placement::lock_unit(db, &mut tx, &access).await? {
        return Err(OrgError::Changed);
    }
    let branch = storage::create_branch(&mut tx, commune, &name, kind).await?;
    let entry = Change {
        after: Some(json!({"code": branch.code, "name": name, "kind": kind.as_str()})),
        ..Change::new(
            "create",
            "unit",
            branch.id,
            format!("{} {}", branch.code, name),
            branch.placement,
        )
    };
    audit::record(&mut tx, access.actor(), entry).await?;
    tx.commit().await?;
    Ok(branch)
}

/// Opens branches inside a bulk load's transaction (demo data).
pub async fn create_branch_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    commune: &Unit,
    name: &str,
    kind: BranchKind,
) -> Result<Unit, OrgError> {
    storage::create_branch(tx, commune, &clean_name(name)?, kind).await
}

fn manage(user: &Principal, unit: &Unit) -> Result<Access, OrgError> {
    user.manage(unit).ok_or(OrgError::Forbidden)
}

pub async fn rename(db: &Db, user: &Principal, unit: &Unit, name: &str) -> Result<(), OrgError> {
    let access = manage(user, unit)?;
    let name = clean_name(name)?;
    let mut tx = db.begin_write().await?;
    let unit = locked_active(db, &mut tx, unit).await?;
    storage::rename(&mut tx, unit.id, &name).await?;
    let entry = change("rename", &unit, json!({"name": unit.name}), json!({"name": name}));
    audit::record(&mut tx, access.actor(), entry).await?;
    storage::bump_tree_version(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn close(db: &Db, user: &Principal, unit: &Unit) -> Result<(), OrgError> {
    let access = manage(user, unit)?;
    let mut tx = db.begin_write().await?;
    // Checked under the lock: a branch opened or a merge made meanwhile
    // either finished first and is seen here, or waits and sees the close.
    let unit = locked_active(db, &mut tx, unit).await?;
    if storage::active_children_count(&mut tx, unit.id).await? > 0 {
        return Err(OrgError::HasActiveChildren);
    }
    storage::close(&mut tx, unit.id).await?;
    let entry = change("close", &unit, json!({"status": "active"}), json!({"status": "closed"}));
    audit::record(&mut tx, access.actor(), entry).await?;
    storage::bump_tree_version(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// `unit` as it is now, locked for a change: refused when it was moved
/// meanwhile or is no longer active.
async fn locked_active(db: &Db, tx: &mut sqlx::Transaction<'static, sqlx::Any>, unit: &Unit) -> Result<Unit, OrgError> {
    let fresh = storage::lock_for_change(db, tx, &[unit.id]).await?.into_iter().next();
    match fresh {
        Some(fresh) if fresh.placement != unit.placement => Err(OrgError::Changed),
        Some(fresh) if fresh.is_active() => Ok(fresh),
        Some(fresh) => Err(OrgError::Inactive(fresh.code)),
        None => Err(OrgError::Changed),
    }
}

/// What a merge does besides moving records.
#[derive(Clone, Copy, Debug, Default)]
pub struct MergeOptions {
    /// Roles held on a merged-away unit move to the surviving unit (its
    /// staff keep working there). Off, they cover nothing any more.
    pub move_grants: bool,
}

/// The units `source_codes` name, checked as a merge into `target` would
/// check them (the user manages each; same level; all active): what a
/// confirmation shows is what the merge will do.
pub async fn merge_sources(
    db: &Db,
    user: &Principal,
    target: &Unit,
    source_codes: &[String],
) -> Result<Vec<Unit>, OrgError> {
    manage(user, target)?;
    let mut sources = Vec::new();
    for code in source_codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let unit = storage::by_code(db, code)
            .await?
            .filter(|u| user.may(Permission::Read, &u.placement))
            .ok_or_else(|| OrgError::UnknownUnit(code.to_owned()))?;
        manage(user, &unit)?;
        if !sources.iter().any(|s: &Unit| s.id == unit.id) {
            sources.push(unit);
        }
    }
    match merge_refusal(&sources, target) {
        Some(refusal) => Err(refusal),
        None => Ok(sources),
    }
}

/// Merges each of `source_codes` into `target`: one transaction, all or
/// nothing. The user must manage every unit involved; `tables` are every
/// placed table the capabilities declared, re-placed by the merge.
pub async fn merge(
    db: &Db,
    user: &Principal,
    tables: &[PlacedTable],
    target: &Unit,
    source_codes: &[String],
    options: MergeOptions,
) -> Result<(), OrgError> {
    let access = manage(user, target)?;
    let sources = merge_sources(db, user, target, source_codes).await?;
    let mut tx = db.begin_write().await?;
    // Read again under the lock: the tree may have changed since.
    let ids: Vec<i64> = sources.iter().chain([target]).map(|u| u.id).collect();
    let fresh = storage::lock_for_change(db, &mut tx, &ids).await?;
    let unchanged = |unit: &Unit| {
        fresh
            .iter()
            .any(|f| f.id == unit.id && f.is_active() && f.placement == unit.placement)
    };
    if !sources.iter().chain([target]).all(unchanged) {
        return Err(OrgError::Changed);
    }
    for source in &sources {
        if let Some(rule) = storage::placement::merge_refused(&mut tx, tables, source.id, target.id).await? {
            return Err(OrgError::Refused(rule.merge_refused_key));
        }
    }
    let now = db::now();
    for source in &sources {
        storage::placement::merge(&mut tx, tables, source, target, &now).await?;
        let moved = if options.move_grants {
            access::storage::move_grants(&mut tx, source.id, target.id).await?
        } else {
            Vec::new()
        };
        let moved: Vec<serde_json::Value> = moved
            .iter()
            .map(|(username, role)| json!({"username": username, "role": role.as_str()}))
            .collect();
        let entry = change(
            "merge",
            source,
            json!({"status": "active"}),
            json!({"status": "merged", "merged_into": target.code, "grants_moved": moved}),
        );
        audit::record(&mut tx, access.actor(), entry).await?;
    }
    let absorbed: Vec<&str> = sources.iter().map(|s| s.code.as_str()).collect();
    let entry = change("merge", target, json!({}), json!({"absorbed": absorbed}));
    audit::record(&mut tx, access.actor(), entry).await?;
    storage::bump_tree_version(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
