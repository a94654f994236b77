//! Changes to the tree itself: branches, renames, closures and merges.
//! Managing a unit takes supervision of its parent (see `Principal`).

use serde_json::json;

use super::model::{merge_refusal, BranchKind, Level, Unit};
use super::{storage, OrgError};
use crate::accounts::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error("not allowed")]
    Forbidden,
}

impl From<sqlx::Error> for ManageError {
    fn from(err: sqlx::Error) -> ManageError {
        ManageError::Org(OrgError::Db(err))
    }
}

fn clean_name(name: &str) -> Result<String, OrgError> {
    let name = crate::text::squash_spaces(name);
    if name.is_empty() || name.chars().count() > 150 || name.chars().any(char::is_control) {
        return Err(OrgError::InvalidName);
    }
    Ok(name)
}

fn change(action: &'static str, unit: &Unit, before: serde_json::Value, after: serde_json::Value) -> Change {
    Change {
        action,
        entity: "unit",
        entity_id: Some(unit.id),
        summary: format!("{} {}", unit.code, unit.name),
        placement: unit.placement,
        before: Some(before),
        after: Some(after),
    }
}

/// A commune's staff or supervisors open branches in it.
pub async fn create_branch(
    db: &Db,
    user: &Principal,
    commune: &Unit,
    name: &str,
    kind: &str,
) -> Result<Unit, ManageError> {
    let grant = user
        .grant_for(Permission::Write, &commune.placement)
        .ok_or(ManageError::Forbidden)?;
    let name = clean_name(name)?;
    let kind = BranchKind::parse(kind).ok_or(OrgError::InvalidBranchKind)?;
    let mut tx = db.begin_write().await?;
    let branch = storage::create_branch(&mut tx, commune, &name, kind).await?;
    let entry = Change {
        before: None,
        ..change(
            "create",
            &branch,
            json!({}),
            json!({"code": branch.code, "name": name, "kind": kind.as_str()}),
        )
    };
    audit::storage::record(&mut tx, &user.actor(Some(grant)), entry).await?;
    tx.commit().await?;
    Ok(branch)
}

fn manage_grant<'a>(user: &'a Principal, unit: &Unit) -> Result<Option<&'a crate::accounts::Grant>, ManageError> {
    if !user.may_manage_unit(unit) {
        return Err(ManageError::Forbidden);
    }
    let mut above = unit.placement;
    match unit.level {
        Level::Province => above.province_id = None,
        Level::Commune => above.commune_id = None,
        Level::Branch => above.branch_id = None,
        Level::Central => {}
    }
    Ok(user.grant_for(Permission::Supervise, &above))
}

pub async fn rename(db: &Db, user: &Principal, unit: &Unit, name: &str) -> Result<(), ManageError> {
    let grant = manage_grant(user, unit)?;
    let name = clean_name(name)?;
    let mut tx = db.begin_write().await?;
    storage::rename(&mut tx, unit.id, &name).await?;
    audit::storage::record(
        &mut tx,
        &user.actor(grant),
        change("rename", unit, json!({"name": unit.name}), json!({"name": name})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn close(db: &Db, user: &Principal, unit: &Unit) -> Result<(), ManageError> {
    let grant = manage_grant(user, unit)?;
    if !unit.is_active() {
        return Err(OrgError::Inactive(unit.code.clone()).into());
    }
    if storage::active_children_count(db, unit.id).await? > 0 {
        return Err(OrgError::HasActiveChildren.into());
    }
    let mut tx = db.begin_write().await?;
    storage::close(&mut tx, unit.id).await?;
    audit::storage::record(
        &mut tx,
        &user.actor(grant),
        change("close", unit, json!({"status": "active"}), json!({"status": "closed"})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a merge does besides moving records.
#[derive(Clone, Copy, Debug, Default)]
pub struct MergeOptions {
    /// Roles held on a merged-away unit move to the surviving unit (its
    /// staff keep working there). Off, they cover nothing any more.
    pub move_grants: bool,
}

/// Merges each of `source_codes` into `target`. The user must manage every
/// unit involved; all of it happens in one transaction or not at all.
pub async fn merge(
    db: &Db,
    user: &Principal,
    target: &Unit,
    source_codes: &[String],
    options: MergeOptions,
) -> Result<(), ManageError> {
    let grant = manage_grant(user, target)?;
    let mut sources = Vec::new();
    for code in source_codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let unit = storage::by_code(db, code)
            .await?
            .filter(|u| user.may(Permission::Read, &u.placement))
            .ok_or_else(|| OrgError::UnknownUnit(code.to_owned()))?;
        if !user.may_manage_unit(&unit) {
            return Err(ManageError::Forbidden);
        }
        sources.push(unit);
    }
    if let Some(refusal) = merge_refusal(&sources, target) {
        return Err(refusal.into());
    }
    let mut tx = db.begin_write().await?;
    for source in &sources {
        storage::merge(&mut tx, source, target).await?;
        let moved_grants = if options.move_grants {
            crate::accounts::storage::move_grants(&mut tx, source.id, target.id).await?
        } else {
            0
        };
        let entry = change(
            "merge",
            source,
            json!({"status": "active"}),
            json!({"status": "merged", "merged_into": target.code, "grants_moved": moved_grants}),
        );
        audit::storage::record(&mut tx, &user.actor(grant), entry).await?;
    }
    let absorbed: Vec<&str> = sources.iter().map(|s| s.code.as_str()).collect();
    let entry = change("merge", target, json!({}), json!({"absorbed": absorbed}));
    audit::storage::record(&mut tx, &user.actor(grant), entry).await?;
    tx.commit().await?;
    Ok(())
}
