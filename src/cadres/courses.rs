//! Training courses: created by a unit, with the people who attended and
//! their results (removed again when recorded by mistake). A course's
//! attendees are people the user may read.

use super::model::{Attendance, Course, CourseLevel, Outcome};
use super::service::writable;
use super::storage::{self, NewCourse};
use super::{CadresError, CADRE_POSITIONS};
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::members::model::iso;
use crate::org::service::{self as org, placement};
use crate::org::Unit;
use crate::people::PERSONS;
use crate::validation::FieldErrors;
use crate::volunteers::model::{check_text, parse_date};

pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Course, CadresError> {
    storage::course(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(CadresError::NotFound)
}

pub async fn with_attendance(db: &Db, user: &Principal, id: i64) -> Result<(Course, Vec<Attendance>), CadresError> {
    let course = get(db, user, id).await?;
    let attendance = storage::attendance_of_course(db, &user.scope(Permission::Read), id).await?;
    Ok((course, attendance))
}

pub fn may_write(user: &Principal, course: &Course) -> bool {
    user.may(Permission::Write, &course.placement)
}

pub async fn list(db: &Db, user: &Principal, unit: Option<&Unit>) -> Result<Vec<Course>, CadresError> {
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    Ok(storage::courses(db, &user.scope(Permission::Read), within).await?)
}

/// A course as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CourseInput {
    pub title: String,
    /// `central`, `province`, `commune`, `branch`.
    pub level: String,
    /// `dd/mm/yyyy`.
    pub starts_on: String,
    /// `dd/mm/yyyy`; empty: the same day.
    pub ends_on: String,
    pub organiser: String,
    pub trainers: String,
    /// The organising unit's code.
    pub unit: String,
}

pub async fn create(db: &Db, user: &Principal, input: &CourseInput) -> Result<Course, CadresError> {
    let mut errors = FieldErrors::new();
    let title = check_text(&input.title, "title", true, &mut errors);
    let level = CourseLevel::parse(&input.level);
    if level.is_none() {
        errors.insert("level".into(), "volunteer.error.choice".into());
    }
    let starts = parse_date(&input.starts_on, "starts_on", &mut errors);
    let ends = match input.ends_on.trim() {
        "" => starts,
        text => parse_date(text, "ends_on", &mut errors),
    };
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.insert("ends_on".into(), "course.error.ends_before".into());
        }
        if s < crate::members::model::FOUNDED {
            errors.insert("starts_on".into(), "member.error.date_too_old".into());
        }
    }
    let organiser = check_text(&input.organiser, "organiser", false, &mut errors);
    let trainers = check_text(&input.trainers, "trainers", false, &mut errors);
    let (Some(level), Some(starts), Some(ends), true) = (level, starts, ends, errors.is_empty()) else {
        return Err(CadresError::Validation(errors));
    };
    let (unit, access) = writable(db, user, &input.unit).await?;
    let (starts_on, ends_on) = (iso(starts), iso(ends));
    let course = NewCourse {
        title: &title,
        level,
        starts_on: &starts_on,
        ends_on: &ends_on,
        organiser: &organiser,
        trainers: &trainers,
    };
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(CadresError::Changed);
    }
    let id = storage::insert_course(&mut tx, &access, &course).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "title": title, "level": level.as_str(), "starts_on": starts_on, "ends_on": ends_on, "unit": unit.code,
        })),
        ..Change::new("create", "course", id, title.clone(), access.placement())
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// A person's result in a course, as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AttendanceInput {
    /// The person's record number or CCCD.
    pub person: String,
    /// `attended`, `passed` or `failed`.
    pub result: String,
}

/// Records that a person attended the course, with their result (a second
/// record of the same person corrects the result).
pub async fn attend(db: &Db, user: &Principal, id: i64, input: &AttendanceInput) -> Result<(), CadresError> {
    let course = get(db, user, id).await?;
    let unit = org::unit_by_code(db, &course.unit_code)
        .await?
        .ok_or(CadresError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(CadresError::ReadOnly)?;
    let result = Outcome::parse(&input.result).ok_or_else(|| CadresError::field("result", "volunteer.error.choice"))?;
    let person = crate::people::roles::readable_by_reference(db, user, &input.person, "person").await?;
    // Attendees come from the organising unit's area.
    if !unit.scope().contains(&person.placement) {
        return Err(CadresError::field("person", "cadre.error.outside"));
    }
    let mut tx = db.begin_write().await?;
    if !storage::hold_course(&mut tx, &access, id).await? {
        return Err(CadresError::Changed);
    }
    storage::lock_person(db, &mut tx, person.id).await?;
    // The person's positions count as trained in the year of their last
    // completed course: uncounted before the change, counted after.
    let positions = [CADRE_POSITIONS];
    placement::followers_counted(&mut tx, &positions, &PERSONS, person.id, -1).await?;
    storage::set_attendance(&mut tx, id, person.id, result, user.username()).await?;
    placement::followers_counted(&mut tx, &positions, &PERSONS, person.id, 1).await?;
    let change = Change {
        after: Some(serde_json::json!({ "person": person.full_name, "result": result.as_str() })),
        ..Change::new("attendance", "course", id, course.title.clone(), course.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

/// The result of a person in a course, when the user may read both.
pub async fn attendance(
    db: &Db,
    user: &Principal,
    id: i64,
    person_id: i64,
) -> Result<(Course, Attendance), CadresError> {
    let course = get(db, user, id).await?;
    let entry = storage::attendance_entry(db, &user.scope(Permission::Read), id, person_id)
        .await?
        .ok_or(CadresError::NotFound)?;
    Ok((course, entry))
}

/// Removes a person recorded in a course by mistake; the audit keeps
/// their result, and their positions are counted as trained by the
/// courses left.
pub async fn unattend(db: &Db, user: &Principal, id: i64, person_id: i64) -> Result<Attendance, CadresError> {
    let course = get(db, user, id).await?;
    let unit = org::unit_by_code(db, &course.unit_code)
        .await?
        .ok_or(CadresError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(CadresError::ReadOnly)?;
    let (_, entry) = attendance(db, user, id, person_id).await?;
    let mut tx = db.begin_write().await?;
    if !storage::hold_course(&mut tx, &access, id).await? {
        return Err(CadresError::Changed);
    }
    storage::lock_person(db, &mut tx, person_id).await?;
    let positions = [CADRE_POSITIONS];
    placement::followers_counted(&mut tx, &positions, &PERSONS, person_id, -1).await?;
    // The result as it was at the removal (it may have been corrected since it was read).
    let removed = storage::remove_attendance(&mut tx, id, person_id).await?;
    placement::followers_counted(&mut tx, &positions, &PERSONS, person_id, 1).await?;
    let Some(result) = removed else {
        return Err(CadresError::NotFound);
    };
    let change = Change {
        before: Some(serde_json::json!({ "person": entry.full_name, "result": result.as_str() })),
        ..Change::new(
            "attendance_removed",
            "course",
            id,
            course.title.clone(),
            course.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(Attendance { result, ..entry })
}
