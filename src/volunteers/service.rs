//! Volunteer use cases. Each checks the user's grants against where the
//! volunteer (and its person) sits, and writes the change, the counters and
//! the audit entry in one transaction.
//!
//! Who sees a volunteer: the record sits where its person sits and moves
//! with them (`people::roles`), so the unit holding the volunteer reads the
//! person and no one else gains sight of them.

use super::model::{self, Certificate, Hours, Skill, Slot, Status, Volunteer};
use super::storage::{self, Fields, Filter};
use super::{VolunteersError, VOLUNTEERS};
use crate::access::{Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::members::model::{iso, parse_day};
use crate::org::service::{self as org, placement};
use crate::org::{Level, PlacedTable, Unit};
use crate::people;
use crate::validation::FieldErrors;

pub use crate::calendar::today;

/// A volunteer the user may read; any other id does not exist for them.
pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Volunteer, VolunteersError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(VolunteersError::NotFound)
}

/// A volunteer with their certificates and hours.
pub async fn with_details(
    db: &Db,
    user: &Principal,
    id: i64,
) -> Result<(Volunteer, Vec<Certificate>, Vec<Hours>), VolunteersError> {
    let volunteer = get(db, user, id).await?;
    let certificates = storage::certificates(db, id).await?;
    let hours = storage::hours(db, id).await?;
    Ok((volunteer, certificates, hours))
}

pub fn may_write(user: &Principal, volunteer: &Volunteer) -> bool {
    user.may(Permission::Write, &volunteer.placement)
}

/// The list's narrowing as a user asks for it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListFilter<'a> {
    pub unit: Option<&'a Unit>,
    pub status: Option<Status>,
    pub skill: Option<Skill>,
}

/// The volunteers inside the user's scope, by name, and how many there are.
pub async fn list(
    db: &Db,
    user: &Principal,
    filter: ListFilter<'_>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Volunteer>, i64), VolunteersError> {
    let scope = user.scope(Permission::Read);
    let filter = Filter {
        within: filter.unit.and_then(|u| u.level.column().map(|c| (c, u.id))),
        status: filter.status,
        skill: filter.skill,
    };
    let total = storage::count(db, &scope, &filter).await?;
    let offset = offset.clamp(0, total);
    let items = storage::list(db, &scope, &filter, offset, limit).await?;
    Ok((items, total))
}

/// What staff fill in for a volunteer: on registration and on a change.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VolunteerInput {
    /// On registration: the person's record number or CCCD.
    pub person: String,
    /// On registration: the commune or branch holding the volunteer (its
    /// code); empty: where the person is.
    pub unit: String,
    /// On registration: `dd/mm/yyyy`; empty: today.
    pub joined_on: String,
    /// On a change: `active`, `paused` or `left`.
    pub status: String,
    /// `first_aid`, `water_rescue`, `medical`, `driving`, `search_rescue`,
    /// `psychosocial`, `it`, `language`, `cooking`, `logistics`.
    pub skills: Vec<String>,
    /// `weekdays`, `evenings`, `weekends`, `emergencies`.
    pub availability: Vec<String>,
    /// Not called out until this day (`dd/mm/yyyy`), inclusive.
    pub away_until: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub note: String,
    /// On a change: the version the user saw.
    pub version: i64,
}

/// The checked fields of `input`, owned.
struct Checked {
    skills: Vec<Skill>,
    availability: Vec<Slot>,
    away_until: Option<String>,
    emergency: (String, String),
    note: String,
}

impl Checked {
    fn fields(&self) -> Fields<'_> {
        Fields {
            availability: &self.availability,
            away_until: self.away_until.clone(),
            emergency_name: &self.emergency.0,
            emergency_phone: &self.emergency.1,
            note: &self.note,
            skills: &self.skills,
        }
    }
}

fn check(input: &VolunteerInput, errors: &mut FieldErrors) -> Checked {
    let skills = model::parse_choices(&input.skills, Skill::parse, "skills", errors);
    let availability = model::parse_choices(&input.availability, Slot::parse, "availability", errors);
    let away_until = match input.away_until.trim() {
        "" => None,
        text => model::parse_date(text, "away_until", errors).map(iso),
    };
    let emergency = model::check_emergency(&input.emergency_name, &input.emergency_phone, errors);
    let note = model::check_text(&input.note, "note", false, errors);
    Checked {
        skills,
        availability,
        away_until,
        emergency,
        note,
    }
}

/// A commune or branch the user may write to, by code; one outside the
/// user's reach is reported like an unknown code.
pub(crate) async fn writable_unit(
    db: &Db,
    user: &Principal,
    code: &str,
    field: &str,
) -> Result<(Unit, Access), VolunteersError> {
    let unknown = || VolunteersError::field(field, "member.error.branch_unknown");
    let unit = org::unit_by_code(db, code.trim()).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    if !matches!(unit.level, Level::Commune | Level::Branch) {
        return Err(VolunteersError::field(field, "volunteer.error.not_local"));
    }
    let access = user.access(Permission::Write, &unit).ok_or(VolunteersError::ReadOnly)?;
    if !unit.is_active() {
        return Err(VolunteersError::field(field, "person.error.unit_inactive"));
    }
    Ok((unit, access))
}

/// Registers a person of the registry as a volunteer of a commune or a
/// branch. The person moves there with their roles; a person holding roles
/// elsewhere (a membership) is registered where they are.
pub async fn register(
    db: &Db,
    placed: &[PlacedTable],
    user: &Principal,
    input: &VolunteerInput,
) -> Result<Volunteer, VolunteersError> {
    let mut errors = FieldErrors::new();
    let joined = match input.joined_on.trim() {
        "" => Some(today()),
        text => parse_day(text, today(), "joined_on", &mut errors),
    };
    if input.person.trim().is_empty() {
        errors.insert("person".into(), "member.error.person_missing".into());
    }
    let checked = check(input, &mut errors);
    let (Some(joined), true) = (joined, errors.is_empty()) else {
        return Err(VolunteersError::Validation(errors));
    };
    let (person, from) = people::roles::writable_by_reference(db, user, &input.person, "person").await?;
    let code = match input.unit.trim() {
        "" => person.unit.code.clone(),
        code => code.to_owned(),
    };
    let (unit, to) = writable_unit(db, user, &code, "unit").await?;
    let joined_on = iso(joined);
    let mut tx = db.begin_write().await?;
    let place = Place {
        person: &person,
        from: &from,
        unit: &unit,
        to: &to,
    };
    let id = register_in(db, &mut tx, placed, place, &joined_on, &checked.fields()).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// Who becomes a volunteer where: the person (proven writable by `from`)
/// and the commune or branch (proven writable by `to`).
pub(super) struct Place<'a> {
    pub person: &'a people::model::Person,
    pub from: &'a Access,
    pub unit: &'a Unit,
    pub to: &'a Access,
}

/// Gives the person a volunteer record at the unit, in the caller's
/// transaction, counted and audited. The person moves there with their
/// roles; a person holding roles elsewhere (a membership) is refused.
pub(super) async fn register_in(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    placed: &[PlacedTable],
    place: Place<'_>,
    joined_on: &str,
    fields: &Fields<'_>,
) -> Result<i64, VolunteersError> {
    let Place { person, from, unit, to } = place;
    if !placement::lock_unit(db, tx, to).await? {
        return Err(VolunteersError::Changed);
    }
    if unit.id != person.unit.id
        && !placement::followers(tx, placed, &people::PERSONS, person.id)
            .await?
            .is_empty()
    {
        return Err(VolunteersError::field("unit", "volunteer.error.roles_elsewhere"));
    }
    people::roles::move_with_roles(db, tx, placed, person, from, (to, &unit.code), to.actor()).await?;
    if let Some(id) = storage::id_of_person(tx, person.id).await? {
        return Err(VolunteersError::AlreadyVolunteer { id });
    }
    let new = storage::NewVolunteer {
        person_id: person.id,
        joined_on,
        fields: fields.clone(),
    };
    let id = storage::insert_many(db, tx, to, &[new])
        .await?
        .pop()
        .ok_or(VolunteersError::Changed)?;
    placement::counted(tx, &VOLUNTEERS, &[id], 1).await?;
    let change = Change {
        after: Some(audit_view(fields, Some(joined_on), Some(&unit.code), None)),
        ..Change::new("create", "volunteer", id, person.full_name.clone(), to.placement())
    };
    audit::record(tx, to.actor(), change).await?;
    Ok(id)
}

fn audit_view(
    f: &Fields<'_>,
    joined_on: Option<&str>,
    unit: Option<&str>,
    status: Option<Status>,
) -> serde_json::Value {
    serde_json::json!({
        "joined_on": joined_on,
        "unit": unit,
        "status": status.map(Status::as_str),
        "skills": Skill::join(f.skills),
        "availability": Slot::join(f.availability),
        "away_until": f.away_until,
        "emergency_name": f.emergency_name,
        "emergency_phone": f.emergency_phone,
        "note": f.note,
    })
}

/// The unit holding `volunteer`, with the user's right to change it there.
pub(super) async fn held_by(db: &Db, user: &Principal, volunteer: &Volunteer) -> Result<Access, VolunteersError> {
    let unit = org::unit_by_code(db, &volunteer.unit_code)
        .await?
        .ok_or(VolunteersError::NotFound)?;
    user.access(Permission::Write, &unit).ok_or(VolunteersError::ReadOnly)
}

/// Changes a volunteer's status, skills, availability and contacts.
pub async fn update(db: &Db, user: &Principal, id: i64, input: &VolunteerInput) -> Result<Volunteer, VolunteersError> {
    let before = get(db, user, id).await?;
    let access = held_by(db, user, &before).await?;
    let mut errors = FieldErrors::new();
    let status = Status::parse(&input.status);
    if status.is_none() {
        errors.insert("status".into(), "volunteer.error.status".into());
    }
    let checked = check(input, &mut errors);
    let (Some(status), true) = (status, errors.is_empty()) else {
        return Err(VolunteersError::Validation(errors));
    };
    let mut tx = db.begin_write().await?;
    // Only active volunteers count: uncounted before, counted after.
    placement::counted(&mut tx, &VOLUNTEERS, &[id], -1).await?;
    if !storage::update(&mut tx, &access, id, input.version, status, &checked.fields()).await? {
        return Err(VolunteersError::StaleVersion);
    }
    placement::counted(&mut tx, &VOLUNTEERS, &[id], 1).await?;
    let before_view = serde_json::json!({
        "status": before.status.as_str(),
        "skills": Skill::join(&before.skills),
        "availability": Slot::join(&before.availability),
        "away_until": before.away_until,
        "emergency_name": before.emergency_name,
        "emergency_phone": before.emergency_phone,
        "note": before.note,
    });
    let change = Change {
        before: Some(before_view),
        after: Some(audit_view(&checked.fields(), None, None, Some(status))),
        ..Change::new("update", "volunteer", id, before.full_name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}
