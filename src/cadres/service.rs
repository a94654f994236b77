//! Cadre use cases: appointing a person to a position at a unit, ending a
//! term, and finding who has had no training in the last years. A position
//! is changed by those who may write at its unit; the person appointed is
//! one the user may read.

use super::model::{self, Attendance, Cadre, Position};
use super::storage;
use super::{CadresError, CADRE_POSITIONS};
use crate::access::{Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::members::model::{iso, parse_day};
use crate::org::service::{self as org, placement};
use crate::org::Unit;
use crate::validation::FieldErrors;
use crate::volunteers::model::check_text;
use crate::volunteers::service::today;

pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Cadre, CadresError> {
    storage::cadre(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(CadresError::NotFound)
}

/// A cadre with their training record.
pub async fn with_training(db: &Db, user: &Principal, id: i64) -> Result<(Cadre, Vec<Attendance>), CadresError> {
    let cadre = get(db, user, id).await?;
    let record = storage::attendance_of_person(db, cadre.person_id).await?;
    Ok((cadre, record))
}

pub fn may_write(user: &Principal, cadre: &Cadre) -> bool {
    user.may(Permission::Write, &cadre.placement)
}

fn within(unit: Option<&Unit>) -> Option<(&'static str, i64)> {
    unit.and_then(|u| u.level.column().map(|c| (c, u.id)))
}

/// Positions in office in the user's scope (and `unit`'s subtree), and
/// with `all`, those whose terms ended too; with `last_trained_in`, only
/// those whose latest training (attended or passed) ended that year — whom
/// the unit page counts as trained in that year.
pub async fn list(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    all: bool,
    last_trained_in: Option<i64>,
) -> Result<Vec<Cadre>, CadresError> {
    let scope = user.scope(Permission::Read);
    Ok(storage::cadres(db, &scope, within(unit), !all, None, last_trained_in).await?)
}

/// Cadres in office with no training (attended or passed) in the last `years`.
pub async fn untrained(db: &Db, user: &Principal, unit: Option<&Unit>, years: i64) -> Result<Vec<Cadre>, CadresError> {
    let since = model::trained_since(today(), years);
    Ok(storage::cadres(
        db,
        &user.scope(Permission::Read),
        within(unit),
        true,
        Some(&since),
        None,
    )
    .await?)
}

/// A unit the user may write at, by code; one out of reach reads as unknown.
pub(super) async fn writable(db: &Db, user: &Principal, code: &str) -> Result<(Unit, Access), CadresError> {
    let unknown = || CadresError::field("unit", "person.error.unit_unknown");
    let unit = org::unit_by_code(db, code.trim()).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    let access = user.access(Permission::Write, &unit).ok_or(CadresError::ReadOnly)?;
    if !unit.is_active() {
        return Err(CadresError::field("unit", "person.error.unit_inactive"));
    }
    Ok((unit, access))
}

/// An appointment as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AppointInput {
    /// The person's record number or CCCD.
    pub person: String,
    /// The unit's code.
    pub unit: String,
    /// `chair`, `vice_chair`, `standing`, `full_time`, `part_time`.
    pub position: String,
    /// The title in words (`Phó Chủ tịch phụ trách công tác xã hội`).
    pub title: String,
    /// `dd/mm/yyyy`.
    pub term_start: String,
    /// `dd/mm/yyyy`; empty: open.
    pub term_end: String,
}

pub async fn appoint(db: &Db, user: &Principal, input: &AppointInput) -> Result<Cadre, CadresError> {
    let mut errors = FieldErrors::new();
    let position = Position::parse(&input.position);
    if position.is_none() {
        errors.insert("position".into(), "volunteer.error.choice".into());
    }
    let title = check_text(&input.title, "title", false, &mut errors);
    let start = parse_day(&input.term_start, today(), "term_start", &mut errors);
    let end = match input.term_end.trim() {
        "" => None,
        text => crate::volunteers::model::parse_date(text, "term_end", &mut errors),
    };
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.insert("term_end".into(), "cadre.error.term_end".into());
        }
    }
    if input.person.trim().is_empty() {
        errors.insert("person".into(), "member.error.person_missing".into());
    }
    let (Some(position), Some(start), true) = (position, start, errors.is_empty()) else {
        return Err(CadresError::Validation(errors));
    };
    let person = crate::people::roles::readable_by_reference(db, user, &input.person, "person").await?;
    let (unit, access) = writable(db, user, &input.unit).await?;
    // Who reads the unit's cadres must be able to read the person: a cadre
    // is registered within the unit's area.
    if !unit.scope().contains(&person.placement) {
        return Err(CadresError::field("person", "cadre.error.outside"));
    }
    // A term that ended already is recorded as ended (not counted in office).
    let ended = end.is_some_and(|e| e < today());
    let (start, end) = (iso(start), end.map(iso));
    let mut tx = db.begin_write().await?;
    // The unit first, then the person: the order merges lock them in.
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(CadresError::Changed);
    }
    storage::lock_person(db, &mut tx, person.id).await?;
    if !ended && storage::holds_position(&mut tx, person.id, access.unit_id(), position).await? {
        return Err(CadresError::field("position", "cadre.error.holds"));
    }
    let term = (start.as_str(), end.as_deref(), ended);
    let id = storage::appoint(&mut tx, &access, person.id, position, &title, term).await?;
    placement::counted(&mut tx, &CADRE_POSITIONS, &[id], 1).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "position": position.as_str(), "title": title, "term_start": start, "term_end": end, "unit": unit.code,
        })),
        ..Change::new("create", "cadre", id, person.full_name.clone(), access.placement())
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// The end of a term as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EndInput {
    /// `dd/mm/yyyy`.
    pub on: String,
    pub version: i64,
}

pub async fn end_term(db: &Db, user: &Principal, id: i64, input: &EndInput) -> Result<Cadre, CadresError> {
    let before = get(db, user, id).await?;
    let unit = org::unit_by_code(db, &before.unit_code)
        .await?
        .ok_or(CadresError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(CadresError::ReadOnly)?;
    let mut errors = FieldErrors::new();
    let on = parse_day(&input.on, today(), "on", &mut errors);
    if on.is_some_and(|d| iso(d) < before.term_start) {
        errors.insert("on".into(), "cadre.error.term_end".into());
    }
    if !before.is_current() {
        errors.insert("on".into(), "cadre.error.ended".into());
    }
    let (Some(on), true) = (on, errors.is_empty()) else {
        return Err(CadresError::Validation(errors));
    };
    let on = iso(on);
    let mut tx = db.begin_write().await?;
    storage::lock_person(db, &mut tx, before.person_id).await?;
    placement::counted(&mut tx, &CADRE_POSITIONS, &[id], -1).await?;
    if !storage::end_term(&mut tx, &access, id, input.version, &on).await? {
        return Err(CadresError::StaleVersion);
    }
    placement::counted(&mut tx, &CADRE_POSITIONS, &[id], 1).await?;
    let change = Change {
        after: Some(serde_json::json!({ "term_end": on })),
        ..Change::new("end_term", "cadre", id, before.full_name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// Demo cadres and courses (see `storage::insert_demo`), counted.
pub async fn seed_demo(db: &Db, this_year: i32) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    // The year's course is held in April: this year's once it is over.
    let course_year = if crate::calendar::today().month() > time::Month::April {
        this_year
    } else {
        this_year - 1
    };
    storage::insert_demo(&mut tx, i64::from(this_year - 30), i64::from(course_year)).await?;
    placement::recount(&mut tx, &CADRE_POSITIONS).await?;
    tx.commit().await
}
