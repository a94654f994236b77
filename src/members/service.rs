//! Membership use cases. Each checks the user's grants against where the
//! membership (and its person) sits, and writes the change, its history
//! line, the counters and the audit entry in one transaction.
//!
//! Who sees a member: a membership sits where its person sits, and moves
//! with it, so the branch holding the membership reads the person and no
//! one else gains sight of them. Enrolling needs write access to both the
//! person and the branch; the person moves to the branch.

use super::model::{self, Event, Member, Status};
use super::storage::{self, Filter, NewEvent};
use super::{MembersError, MEMBERS};
use crate::access::{Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service::{self as org, placement};
use crate::org::{Level, PlacedTable, Unit};
use crate::people;
use crate::validation::FieldErrors;

pub(super) use crate::calendar::today;

/// A membership the user may read; any other id does not exist for them.
pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Member, MembersError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(MembersError::NotFound)
}

pub async fn with_history(db: &Db, user: &Principal, id: i64) -> Result<(Member, Vec<Event>), MembersError> {
    let member = get(db, user, id).await?;
    let events = storage::events(db, member.id).await?;
    Ok((member, events))
}

pub fn may_write(user: &Principal, member: &Member) -> bool {
    user.may(Permission::Write, &member.placement)
}

/// The unit a list is narrowed to (`?unit=CODE`), when given.
pub async fn unit_filter(db: &Db, user: &Principal, code: Option<&str>) -> Result<Option<Unit>, MembersError> {
    Ok(org::unit_filter(db, user, code).await?)
}

/// A list's status filter (`?status=`): none, or one of the four.
pub fn status_filter(text: Option<&str>) -> Result<Option<Status>, MembersError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Status::parse(t)
            .map(Some)
            .ok_or_else(|| MembersError::field("status", "members.error.status")),
    }
}

/// What a member list is narrowed to, besides the unit.
#[derive(Clone, Debug, Default)]
pub struct Wanted {
    pub status: Option<Status>,
    /// Words of the name, or a card number, CCCD or phone (`model::search_terms`).
    pub search: String,
    /// Who joined, or left, in a year.
    pub flow: Option<(model::Flow, i64)>,
}

impl Wanted {
    /// From what a list's address says: `status`, `q`, `flow` (`joined`,
    /// `left`) and `year` (this year by default).
    pub fn parse(
        status: Option<&str>,
        q: Option<&str>,
        flow: Option<&str>,
        year: Option<i64>,
    ) -> Result<Wanted, MembersError> {
        let flow = match flow.map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(text) => {
                let flow =
                    model::Flow::parse(text).ok_or_else(|| MembersError::field("flow", "volunteer.error.choice"))?;
                let year = year.unwrap_or_else(crate::calendar::this_year);
                if !(1900..=9999).contains(&year) {
                    return Err(MembersError::field("year", "members.error.year"));
                }
                Some((flow, year))
            }
        };
        Ok(Wanted {
            status: status_filter(status)?,
            search: q.unwrap_or_default().to_owned(),
            flow,
        })
    }
}

/// The members inside the user's scope (and `unit`, when given), by name.
pub async fn list(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    wanted: &Wanted,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Member>, i64), MembersError> {
    let scope = user.scope(Permission::Read);
    let terms =
        model::search_terms(&wanted.search).ok_or_else(|| MembersError::field("q", "members.error.search_long"))?;
    let filter = Filter {
        within: unit.and_then(|u| u.level.column().map(|c| (c, u.id))),
        status: wanted.status,
        terms,
        flow: wanted.flow,
    };
    let total = storage::count(db, &scope, &filter).await?;
    // Past the end is the end (an offset typed by hand cannot overflow).
    let offset = offset.clamp(0, total);
    let items = storage::list(db, &scope, &filter, offset, limit).await?;
    Ok((items, total))
}

/// A branch the user may write to, by code; one outside the user's reach
/// is reported like an unknown code.
pub(super) async fn writable_branch(
    db: &Db,
    user: &Principal,
    code: &str,
    field: &str,
) -> Result<(Unit, Access), MembersError> {
    let unknown = || MembersError::field(field, "member.error.branch_unknown");
    let unit = org::unit_by_code(db, code.trim()).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    if unit.level != Level::Branch {
        return Err(MembersError::field(field, "member.error.not_a_branch"));
    }
    let access = user.access(Permission::Write, &unit).ok_or(MembersError::ReadOnly)?;
    if !unit.is_active() {
        return Err(MembersError::field(field, "person.error.unit_inactive"));
    }
    Ok((unit, access))
}

/// What a user asks for to enrol a member.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EnrolInput {
    /// The person's record number or CCCD.
    pub person: String,
    /// The branch's code.
    pub branch: String,
    /// `dd/mm/yyyy` or `yyyy-mm-dd`.
    pub joined_on: String,
}

pub async fn enrol(
    db: &Db,
    placed: &[PlacedTable],
    user: &Principal,
    input: &EnrolInput,
) -> Result<Member, MembersError> {
    let mut errors = FieldErrors::new();
    let joined = model::parse_day(&input.joined_on, today(), "joined_on", &mut errors);
    if input.person.trim().is_empty() {
        errors.insert("person".into(), "member.error.person_missing".into());
    }
    if input.branch.trim().is_empty() {
        errors.insert("branch".into(), "member.error.branch_missing".into());
    }
    let (Some(joined), true) = (joined, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let (person, from) = people::roles::writable_by_reference(db, user, &input.person, "person").await?;
    let (branch, to) = writable_branch(db, user, &input.branch, "branch").await?;
    let joined_on = model::iso(joined);
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &to).await? {
        return Err(MembersError::Changed);
    }
    // The person's row first: a second enrolment of them waits here, then
    // finds the membership.
    people::roles::move_with_roles(db, &mut tx, placed, &person, &from, (&to, &branch.code), to.actor()).await?;
    if let Some(id) = storage::id_of_person(&mut tx, person.id).await? {
        return Err(MembersError::AlreadyMember { id });
    }
    let id = storage::insert_joined(&mut tx, &to, person.id, &joined_on, None, user.username()).await?;
    placement::counted(&mut tx, &MEMBERS, &[id], 1).await?;
    let change = Change {
        after: Some(serde_json::json!({ "person": person.id, "joined_on": joined_on, "unit": branch.code })),
        ..Change::new("create", "member", id, person.full_name.clone(), to.placement())
    };
    audit::record(&mut tx, to.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// A change of status as the user asks for it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusInput {
    /// `active`, `suspended`, `left` or `deceased`.
    pub status: String,
    /// The date it took effect (`dd/mm/yyyy`).
    pub on: String,
    pub reason: String,
    /// The version the user saw.
    pub version: i64,
}

pub async fn change_status(db: &Db, user: &Principal, id: i64, input: &StatusInput) -> Result<Member, MembersError> {
    let before = get(db, user, id).await?;
    let (_, access) = held_by(db, user, &before).await?;
    let mut errors = FieldErrors::new();
    let next = Status::parse(&input.status);
    match next {
        None => {
            errors.insert("status".into(), "member.error.status".into());
        }
        Some(next) if !before.status.may_become(next) => {
            errors.insert("status".into(), "member.error.status_change".into());
        }
        Some(next) => model::check_reason(next, &input.reason, &mut errors),
    }
    let on = model::parse_day(&input.on, today(), "on", &mut errors);
    if on.is_some_and(|d| model::iso(d) < before.status_on.clone().max(before.joined_on.clone())) {
        errors.insert("on".into(), "member.error.before_last".into());
    }
    let (Some(next), Some(on), true) = (next, on, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let on = model::iso(on);
    let reason = input.reason.trim();
    let mut tx = db.begin_write().await?;
    // Who counts depends on the status: uncounted before, counted after.
    placement::counted(&mut tx, &MEMBERS, &[id], -1).await?;
    if !storage::set_status(&mut tx, &access, id, input.version, next, &on, reason).await? {
        return Err(MembersError::StaleVersion);
    }
    placement::counted(&mut tx, &MEMBERS, &[id], 1).await?;
    let event = NewEvent {
        member_id: id,
        kind: "status",
        on_date: &on,
        status: Some(next),
        reason,
        from_unit_id: None,
        to_unit_id: None,
        username: user.username(),
    };
    storage::add_event(&mut tx, event).await?;
    let change = Change {
        before: Some(serde_json::json!({ "status": before.status.as_str() })),
        after: Some(serde_json::json!({ "status": next.as_str(), "on": on, "reason": reason })),
        ..Change::new("status", "member", id, before.full_name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// The unit holding `member`, with the user's right to change it there.
pub(super) async fn held_by(db: &Db, user: &Principal, member: &Member) -> Result<(Unit, Access), MembersError> {
    let unit = org::unit_by_code(db, &member.branch_code)
        .await?
        .ok_or(MembersError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(MembersError::ReadOnly)?;
    Ok((unit, access))
}

/// A transfer to another branch the user may also write to.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TransferInput {
    /// The receiving branch's code.
    pub branch: String,
    /// The date it took effect (`dd/mm/yyyy`).
    pub on: String,
    pub reason: String,
    pub version: i64,
}

/// Moves the membership and its person to another branch, keeping the
/// member number; the history says from where to where.
pub async fn transfer(
    db: &Db,
    placed: &[PlacedTable],
    user: &Principal,
    id: i64,
    input: &TransferInput,
) -> Result<Member, MembersError> {
    let before = get(db, user, id).await?;
    let (from_unit, _) = held_by(db, user, &before).await?;
    let mut errors = FieldErrors::new();
    if !matches!(before.status, Status::Active | Status::Suspended) {
        errors.insert("branch".into(), "member.error.not_member_now".into());
    }
    let on = model::parse_day(&input.on, today(), "on", &mut errors);
    if on.is_some_and(|d| model::iso(d) < before.joined_on) {
        errors.insert("on".into(), "member.error.before_joining".into());
    }
    if input.branch.trim().is_empty() {
        errors.insert("branch".into(), "member.error.branch_missing".into());
    }
    if input.reason.chars().count() > 500 {
        errors.insert("reason".into(), "member.error.reason_long".into());
    }
    let (Some(on), true) = (on, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let (to_unit, to) = writable_branch(db, user, &input.branch, "branch").await?;
    if to_unit.id == from_unit.id {
        return Err(MembersError::field("branch", "member.error.same_branch"));
    }
    let person = people::service::get(db, user, before.person_id).await?;
    let person_unit = org::unit_by_id(db, person.unit.id)
        .await?
        .ok_or(MembersError::Changed)?;
    let person_from = user
        .access(Permission::Write, &person_unit)
        .ok_or(MembersError::ReadOnly)?;
    let on = model::iso(on);
    let mut tx = db.begin_write().await?;
    if !storage::bump_version(&mut tx, id, input.version).await? {
        return Err(MembersError::StaleVersion);
    }
    // The membership is one of the person's roles: it moves with them.
    people::roles::move_with_roles(
        db,
        &mut tx,
        placed,
        &person,
        &person_from,
        (&to, &to_unit.code),
        to.actor(),
    )
    .await?;
    let event = NewEvent {
        member_id: id,
        kind: "transfer",
        on_date: &on,
        status: None,
        reason: input.reason.trim(),
        from_unit_id: Some(from_unit.id),
        to_unit_id: Some(to_unit.id),
        username: user.username(),
    };
    storage::add_event(&mut tx, event).await?;
    let change = Change {
        previous: Some(before.placement),
        before: Some(serde_json::json!({ "unit": from_unit.code })),
        after: Some(serde_json::json!({ "unit": to_unit.code, "on": on })),
        ..Change::new("transfer", "member", id, before.full_name.clone(), to.placement())
    };
    audit::record(&mut tx, to.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}
