//! Team use cases, each checked against where the team sits. A team's
//! members are volunteers placed in the team's unit's subtree (a province
//! team gathers volunteers from its communes).

use super::storage::{self, Change};
use super::{Kind, Team, TeamMember, TeamsError, TEAMS};
use crate::access::{Access, Permission, Principal};
use crate::audit::{self, Change as AuditChange};
use crate::db::Db;
use crate::members::model::iso;
use crate::org::service::{self as org, placement};
use crate::org::Unit;
use crate::validation::FieldErrors;
use crate::volunteers::callout::{self, Callout, Pool};
use crate::volunteers::{model, service as volunteers};

pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Team, TeamsError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(TeamsError::NotFound)
}

pub async fn with_members(db: &Db, user: &Principal, id: i64) -> Result<(Team, Vec<TeamMember>), TeamsError> {
    let team = get(db, user, id).await?;
    let members = members_of(db, &team).await?;
    Ok((team, members))
}

/// The members of `team` still in its area.
async fn members_of(db: &Db, team: &Team) -> Result<Vec<TeamMember>, TeamsError> {
    let unit = org::unit_by_code(db, &team.unit_code)
        .await?
        .ok_or(TeamsError::NotFound)?;
    let within = unit.level.column().map(|c| (c, unit.id));
    Ok(storage::members(db, team.id, within).await?)
}

pub fn may_write(user: &Principal, team: &Team) -> bool {
    user.may(Permission::Write, &team.placement)
}

/// Teams in the user's scope (and `unit`'s subtree).
pub async fn list(db: &Db, user: &Principal, unit: Option<&Unit>) -> Result<Vec<Team>, TeamsError> {
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    Ok(storage::list(db, &user.scope(Permission::Read), within).await?)
}

/// A team as typed: on creation and on a change.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TeamInput {
    pub name: String,
    /// `first_aid`, `disaster_response`, `water_rescue`, `youth`, `blood_donor`.
    pub kind: String,
    /// On creation: the unit's code.
    pub unit: String,
    pub note: String,
    /// On a change: `active` or `disbanded`.
    pub status: String,
    /// On a change: the leader's volunteer id, one of the members; empty: none.
    pub leader: String,
    /// On a change: the version the user saw.
    pub version: i64,
}

fn checked(input: &TeamInput, errors: &mut FieldErrors) -> (String, Option<Kind>, String) {
    let name = model::check_text(&input.name, "name", true, errors);
    if name.chars().count() > 200 {
        errors.insert("name".into(), "member.error.reason_long".into());
    }
    let kind = Kind::parse(&input.kind);
    if kind.is_none() {
        errors.insert("kind".into(), "volunteer.error.choice".into());
    }
    let note = model::check_text(&input.note, "note", false, errors);
    (name, kind, note)
}

async fn writable(db: &Db, user: &Principal, code: &str) -> Result<(Unit, Access), TeamsError> {
    let unknown = || TeamsError::field("unit", "member.error.branch_unknown");
    let unit = org::unit_by_code(db, code.trim()).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    let access = user.access(Permission::Write, &unit).ok_or(TeamsError::ReadOnly)?;
    if !unit.is_active() {
        return Err(TeamsError::field("unit", "person.error.unit_inactive"));
    }
    Ok((unit, access))
}

pub async fn create(db: &Db, user: &Principal, input: &TeamInput) -> Result<Team, TeamsError> {
    let mut errors = FieldErrors::new();
    let (name, kind, note) = checked(input, &mut errors);
    if input.unit.trim().is_empty() {
        errors.insert("unit".into(), "member.error.branch_missing".into());
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(TeamsError::Validation(errors));
    };
    let (unit, access) = writable(db, user, &input.unit).await?;
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(TeamsError::Changed);
    }
    let id = storage::insert(&mut tx, &access, &name, kind, &note).await?;
    placement::counted(&mut tx, &TEAMS, &[id], 1).await?;
    let change = AuditChange {
        after: Some(serde_json::json!({ "name": name, "kind": kind.as_str(), "unit": unit.code })),
        ..AuditChange::new("create", "team", id, name.clone(), access.placement())
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// The team's unit with the user's right to change the team there.
async fn held_by(db: &Db, user: &Principal, team: &Team) -> Result<(Unit, Access), TeamsError> {
    let unit = org::unit_by_code(db, &team.unit_code)
        .await?
        .ok_or(TeamsError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(TeamsError::ReadOnly)?;
    Ok((unit, access))
}

pub async fn update(db: &Db, user: &Principal, id: i64, input: &TeamInput) -> Result<Team, TeamsError> {
    let before = get(db, user, id).await?;
    let (_, access) = held_by(db, user, &before).await?;
    let mut errors = FieldErrors::new();
    let (name, kind, note) = checked(input, &mut errors);
    let status = input.status.trim();
    if !matches!(status, "active" | "disbanded") {
        errors.insert("status".into(), "volunteer.error.status".into());
    }
    let members = members_of(db, &before).await?;
    let leader = match input.leader.trim() {
        "" => None,
        text => match text
            .parse::<i64>()
            .ok()
            .filter(|l| members.iter().any(|m| m.volunteer_id == *l))
        {
            Some(leader) => Some(leader),
            None => {
                errors.insert("leader".into(), "team.error.leader".into());
                None
            }
        },
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(TeamsError::Validation(errors));
    };
    let change = Change {
        name: &name,
        kind,
        status,
        leader_id: leader,
        note: &note,
    };
    let mut tx = db.begin_write().await?;
    placement::counted(&mut tx, &TEAMS, &[id], -1).await?;
    if !storage::update(&mut tx, &access, id, input.version, &change).await? {
        return Err(TeamsError::StaleVersion);
    }
    placement::counted(&mut tx, &TEAMS, &[id], 1).await?;
    let audit = AuditChange {
        before: Some(serde_json::json!({
            "name": before.name, "kind": before.kind.as_str(), "status": before.status, "leader": before.leader_name,
        })),
        after: Some(serde_json::json!({
            "name": name, "kind": kind.as_str(), "status": status,
            "leader": leader.and_then(|l| members.iter().find(|m| m.volunteer_id == l)).map(|m| m.full_name.clone()),
        })),
        ..AuditChange::new("update", "team", id, name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), audit).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// Adds the volunteer `volunteer_id` (one the user may read, placed in the
/// team's subtree) to the team.
/// `None`: what was typed names no volunteer.
pub async fn add_member(db: &Db, user: &Principal, id: i64, volunteer_id: Option<i64>) -> Result<(), TeamsError> {
    let team = get(db, user, id).await?;
    let (unit, access) = held_by(db, user, &team).await?;
    let unknown = || TeamsError::field("volunteer", "team.error.volunteer_unknown");
    let volunteer_id = volunteer_id.ok_or_else(unknown)?;
    let volunteer = volunteers::get(db, user, volunteer_id).await.map_err(|_| unknown())?;
    if !unit.scope().contains(&volunteer.placement) {
        return Err(TeamsError::field("volunteer", "team.error.outside"));
    }
    let mut tx = db.begin_write().await?;
    if !storage::hold(&mut tx, &access, id).await? {
        return Err(TeamsError::Changed);
    }
    if !storage::add_member(&mut tx, id, volunteer_id, &iso(volunteers::today())).await? {
        return Err(TeamsError::field("volunteer", "team.error.already_member"));
    }
    let change = AuditChange {
        after: Some(serde_json::json!({ "member": volunteer.full_name })),
        ..AuditChange::new("add_member", "team", id, team.name.clone(), team.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &Db, user: &Principal, id: i64, volunteer_id: i64) -> Result<(), TeamsError> {
    let team = get(db, user, id).await?;
    let (_, access) = held_by(db, user, &team).await?;
    let members = members_of(db, &team).await?;
    let member = members
        .iter()
        .find(|m| m.volunteer_id == volunteer_id)
        .ok_or(TeamsError::NotFound)?;
    let mut tx = db.begin_write().await?;
    if !storage::hold(&mut tx, &access, id).await? {
        return Err(TeamsError::Changed);
    }
    if !storage::remove_member(&mut tx, id, volunteer_id).await? {
        return Err(TeamsError::NotFound);
    }
    let change = AuditChange {
        before: Some(serde_json::json!({ "member": member.full_name })),
        ..AuditChange::new("remove_member", "team", id, team.name.clone(), team.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

/// Calls the team out for `day` (`dd/mm/yyyy`, empty: today): its members
/// who can come, and who cannot and why.
pub async fn call_out(db: &Db, user: &Principal, id: i64, day: &str) -> Result<(Team, Callout), TeamsError> {
    let team = get(db, user, id).await?;
    let day = callout::parse_day(day)?;
    let ids: Vec<i64> = members_of(db, &team).await?.iter().map(|m| m.volunteer_id).collect();
    let pool = Pool::Volunteers {
        ids: &ids,
        skill: team.kind.skill(),
    };
    let answer = callout::call_out(db, user, &pool, &day).await?;
    Ok((team, answer))
}

/// Demo teams (see `storage::insert_demo`), counted.
pub async fn seed_demo(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    storage::insert_demo(&mut tx).await?;
    placement::recount(&mut tx, &TEAMS).await?;
    tx.commit().await
}
