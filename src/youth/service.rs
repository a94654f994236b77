//! Youth member use cases: enrolling a pupil of the registry in a school
//! branch (the person moves there, as with any role), and changing their
//! class, school year or status.

use super::storage;
use super::{school_year, school_year_of, YouthError, YouthMember, YOUTH_MEMBERS};
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::members::model::{iso, parse_day};
use crate::org::service::{self as org, placement};
use crate::org::{Level, PlacedTable, Unit};
use crate::people;
use crate::validation::FieldErrors;
use crate::volunteers::model::check_text;
use crate::volunteers::service::today;

pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<YouthMember, YouthError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(YouthError::NotFound)
}

pub async fn list(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    year: Option<&str>,
) -> Result<Vec<YouthMember>, YouthError> {
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    Ok(storage::list(db, &user.scope(Permission::Read), within, year).await?)
}

/// A pupil's enrolment as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct YouthInput {
    /// The person's record number or CCCD.
    pub person: String,
    /// The school branch's code.
    pub branch: String,
    /// `10A1`.
    pub class_name: String,
    /// `2025-2026`; empty: the current one.
    pub school_year: String,
    /// `dd/mm/yyyy`; empty: today.
    pub joined_on: String,
}

fn class_and_year(class: &str, year: &str, errors: &mut FieldErrors) -> (String, String) {
    let class = check_text(class, "class_name", true, errors);
    if class.chars().count() > 30 {
        errors.insert("class_name".into(), "member.error.reason_long".into());
    }
    let year = match year.trim() {
        "" => school_year_of(today()),
        text => school_year(text).unwrap_or_else(|| {
            errors.insert("school_year".into(), "youth.error.school_year".into());
            String::new()
        }),
    };
    (class, year)
}

pub async fn enrol(
    db: &Db,
    placed: &[PlacedTable],
    user: &Principal,
    input: &YouthInput,
) -> Result<YouthMember, YouthError> {
    let mut errors = FieldErrors::new();
    let (class, year) = class_and_year(&input.class_name, &input.school_year, &mut errors);
    let joined = match input.joined_on.trim() {
        "" => Some(today()),
        text => parse_day(text, today(), "joined_on", &mut errors),
    };
    if input.person.trim().is_empty() {
        errors.insert("person".into(), "member.error.person_missing".into());
    }
    let (Some(joined), true) = (joined, errors.is_empty()) else {
        return Err(YouthError::Validation(errors));
    };
    let (person, from) = people::roles::writable_by_reference(db, user, &input.person, "person").await?;
    let (branch, to) = crate::volunteers::service::writable_unit(db, user, &input.branch, "branch").await?;
    if branch.level != Level::Branch || branch.kind != "school" {
        return Err(YouthError::field("branch", "youth.error.not_school"));
    }
    let joined_on = iso(joined);
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &to).await? {
        return Err(YouthError::Changed);
    }
    if branch.id != person.unit.id
        && !placement::followers(&mut tx, placed, &people::PERSONS, person.id)
            .await?
            .is_empty()
    {
        return Err(YouthError::field("branch", "volunteer.error.roles_elsewhere"));
    }
    people::roles::move_with_roles(db, &mut tx, placed, &person, &from, (&to, &branch.code), to.actor()).await?;
    if storage::id_of_person(&mut tx, person.id).await?.is_some() {
        return Err(YouthError::field("person", "youth.error.already"));
    }
    let pupil = [(person.id, class.clone(), year.clone())];
    let id = storage::insert_many(db, &mut tx, &to, &pupil, &joined_on)
        .await?
        .pop()
        .ok_or(YouthError::Changed)?;
    placement::counted(&mut tx, &YOUTH_MEMBERS, &[id], 1).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "class_name": class, "school_year": year, "joined_on": joined_on, "unit": branch.code,
        })),
        ..Change::new("create", "youth_member", id, person.full_name.clone(), to.placement())
    };
    audit::record(&mut tx, to.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// A change of class, school year or status (`active`, `left`).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct YouthChange {
    pub class_name: String,
    pub school_year: String,
    pub status: String,
    pub version: i64,
}

pub async fn change(db: &Db, user: &Principal, id: i64, input: &YouthChange) -> Result<YouthMember, YouthError> {
    let before = get(db, user, id).await?;
    let unit = org::unit_by_code(db, &before.branch_code)
        .await?
        .ok_or(YouthError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(YouthError::ReadOnly)?;
    let mut errors = FieldErrors::new();
    let (class, year) = class_and_year(&input.class_name, &input.school_year, &mut errors);
    let status = input.status.trim();
    if !matches!(status, "active" | "left") {
        errors.insert("status".into(), "volunteer.error.status".into());
    }
    if !errors.is_empty() {
        return Err(YouthError::Validation(errors));
    }
    let mut tx = db.begin_write().await?;
    placement::counted(&mut tx, &YOUTH_MEMBERS, &[id], -1).await?;
    if !storage::update(&mut tx, &access, id, input.version, (&class, &year, status)).await? {
        return Err(YouthError::StaleVersion);
    }
    placement::counted(&mut tx, &YOUTH_MEMBERS, &[id], 1).await?;
    let change = Change {
        before: Some(serde_json::json!({
            "class_name": before.class_name, "school_year": before.school_year, "status": before.status,
        })),
        after: Some(serde_json::json!({ "class_name": class, "school_year": year, "status": status })),
        ..Change::new("update", "youth_member", id, before.full_name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// Demo pupils (see `storage::insert_demo`), counted.
pub async fn seed_demo(db: &Db, this_year: i32) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    storage::insert_demo(&mut tx, i64::from(this_year), &school_year_of(today())).await?;
    placement::recount(&mut tx, &YOUTH_MEMBERS).await?;
    tx.commit().await
}
