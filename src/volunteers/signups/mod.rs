//! Public sign-ups of volunteers: anyone sends the form (no login) to a
//! commune; it waits in that commune's queue, seen only by those who may
//! read the commune, until its staff approve it — a person and a volunteer
//! are created, or an existing person is used — or decline it.

mod form;
mod storage;

use form::checked;
pub use form::{Signup, SignupInput, SignupStatus};

use super::model;
use super::service::{self, Place};
use super::storage::Fields;
use super::VolunteersError;
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service as org;
use crate::org::{Level, PlacedTable, Unit};
use crate::people::likely::{self, Likeness};
use crate::people::model::PersonInput;
use crate::people::{self, service as person_service};
use crate::toolkit::rate;
use crate::validation::FieldErrors;

/// Sign-ups are placed at their commune (merges move them with it).
pub const VOLUNTEER_SIGNUPS: PlacedTable = PlacedTable {
    table: "volunteer_signups",
    counters: &[],
    refers: None,
    follows: None,
};

/// Sign-ups one address may have received in an hour (a family or a
/// class signing up together fits; a flood does not).
pub const PER_ADDRESS: rate::Limit = rate::Limit {
    limit: 5,
    window: time::Duration::hours(1),
};

/// Sends of the form one address may make in an hour, refused ones too
/// (someone fixing typos on a phone is not locked out by them).
pub const SENDS_PER_ADDRESS: rate::Limit = rate::Limit {
    limit: 30,
    window: time::Duration::hours(1),
};

/// What happened to a sign-up sent through the public form.
pub enum Submitted {
    Received,
    /// The hidden field was filled: told "received", nothing is kept.
    Ignored,
}

/// Receives a sign-up from `address` into the chosen commune's queue.
pub async fn submit(db: &Db, address: &str, input: &SignupInput) -> Result<Submitted, VolunteersError> {
    if let Some(seconds) = rate::take(db, "volunteer-signup-send", address, SENDS_PER_ADDRESS).await? {
        return Err(VolunteersError::Throttled { seconds });
    }
    if !input.website.trim().is_empty() {
        return Ok(Submitted::Ignored);
    }
    let commune = org::unit_by_code(db, input.commune.trim())
        .await?
        .filter(|u| u.level == Level::Commune && u.is_active());
    let Some(commune) = commune else {
        let mut errors = checked(input, "", service::today()).err().unwrap_or_default();
        errors.insert("commune".into(), "volunteer.error.commune".into());
        return Err(VolunteersError::Validation(errors));
    };
    let signup = checked(input, &commune.code, service::today()).map_err(VolunteersError::Validation)?;
    if let Some(seconds) = rate::take(db, "volunteer-signup", address, PER_ADDRESS).await? {
        return Err(VolunteersError::Throttled { seconds });
    }
    // Received on the public's behalf: placed at the commune like any record.
    let system = Principal::system("volunteer-signup", org::central(db).await?);
    let access = system
        .access(Permission::Write, &commune)
        .ok_or(VolunteersError::Changed)?;
    let mut tx = db.begin_write().await?;
    if !crate::org::service::placement::lock_unit(db, &mut tx, &access).await? {
        return Err(VolunteersError::Changed);
    }
    let id = storage::insert(&mut tx, &access, &signup).await?;
    let change = Change {
        after: Some(serde_json::json!({ "unit": commune.code })),
        ..Change::new(
            "create",
            "volunteer_signup",
            id,
            signup.full_name.clone(),
            commune.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(Submitted::Received)
}

/// A sign-up the user may read.
pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Signup, VolunteersError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(VolunteersError::NotFound)
}

/// The queue: sign-ups with `status` in the user's scope (and `unit`).
pub async fn queue(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    status: SignupStatus,
    after: Option<i64>,
) -> Result<Queue, VolunteersError> {
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    let mut items = storage::list(db, &user.scope(Permission::Read), within, status, after, PAGE + 1).await?;
    let more = items.len() as i64 > PAGE;
    items.truncate(PAGE as usize);
    let next = if more { items.last().map(|s| s.id) } else { None };
    Ok(Queue { items, next })
}

/// Sign-ups listed at a time: a page's likely matches are all looked up.
pub const PAGE: i64 = 100;

/// A page of a queue, and the `after` of the next one when there is one.
pub struct Queue {
    pub items: Vec<Signup>,
    pub next: Option<i64>,
}

/// Registered persons the user may change who may be the one who signed
/// up (the same phone, or the same name born the same year): approving
/// with one of them reuses the record instead of creating a duplicate.
pub async fn likely_persons(
    db: &Db,
    user: &Principal,
    signup: &Signup,
) -> Result<Vec<(crate::people::model::Person, Likeness)>, VolunteersError> {
    let year = signup.birth_date.get(..4).and_then(|y| y.parse().ok());
    let scope = user.scope(Permission::Write);
    Ok(likely::likely_same(db, &scope, &signup.full_name, year, &signup.phone).await?)
}

/// The likely matches of one pending sign-up, for staff who may decide it.
pub async fn likely_of(
    db: &Db,
    user: &Principal,
    id: i64,
) -> Result<Vec<(crate::people::model::Person, Likeness)>, VolunteersError> {
    let signup = pending(db, user, id).await?;
    if !user.may(Permission::Write, &signup.placement) {
        return Err(VolunteersError::ReadOnly);
    }
    likely_persons(db, user, &signup).await
}

/// How staff approve a sign-up.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApproveInput {
    /// The commune or one of its branches (code); empty: the commune.
    pub unit: String,
    /// An existing person to use (record number or CCCD); empty: a new
    /// person is registered from the sign-up.
    pub person: String,
    /// The record number of a likely match chosen with its own button on
    /// the queue page; it takes the place of `person`.
    pub use_person: String,
}

/// Approves a pending sign-up: the volunteer is registered at the commune
/// or one of its branches, as a new person or an existing one.
pub async fn approve(
    db: &Db,
    placed: &[PlacedTable],
    user: &Principal,
    id: i64,
    input: &ApproveInput,
) -> Result<i64, VolunteersError> {
    let signup = pending(db, user, id).await?;
    let code = match input.unit.trim() {
        "" => signup.commune_code.clone(),
        code => code.to_owned(),
    };
    let (unit, to) = service::writable_unit(db, user, &code, "unit").await?;
    if unit.placement.commune_id != signup.placement.commune_id {
        return Err(VolunteersError::field("unit", "volunteer.error.other_commune"));
    }
    let commune = org::unit_by_code(db, &signup.commune_code)
        .await?
        .ok_or(VolunteersError::Changed)?;
    let queue = user
        .access(Permission::Write, &commune)
        .ok_or(VolunteersError::ReadOnly)?;
    let chosen = match input.use_person.trim() {
        "" => input.person.trim(),
        record => record,
    };
    let existing = match chosen {
        "" => None,
        written => Some(
            people::roles::writable_by_reference(db, user, written, "person")
                .await
                .map_err(|e| match e {
                    // Told on the form, like a record that does not exist.
                    people::PeopleError::ReadOnly => VolunteersError::field("person", "signup.error.person_elsewhere"),
                    other => other.into(),
                })?,
        ),
    };
    let new_person = PersonInput {
        full_name: signup.full_name.clone(),
        sex: signup.sex.clone(),
        birth_date: signup.birth_date.clone(),
        phone: signup.phone.clone(),
        address_detail: signup.address_detail.clone(),
        unit: unit.code.clone(),
        ..PersonInput::default()
    };
    let valid = person_service::validate(&new_person)?;
    let mut tx = db.begin_write().await?;
    let (person, from) = match existing {
        Some(found) => found,
        None => {
            let person = person_service::create_in(db, &mut tx, &to, &unit, &valid).await?;
            (person, to.clone())
        }
    };
    let fields = Fields {
        availability: &signup.availability,
        away_until: None,
        emergency_name: &signup.emergency_name,
        emergency_phone: &signup.emergency_phone,
        note: &signup.note,
        skills: &signup.skills,
    };
    let place = Place {
        person: &person,
        from: &from,
        unit: &unit,
        to: &to,
    };
    let today = crate::members::model::iso(service::today());
    let volunteer = service::register_in(db, &mut tx, placed, place, &today, &fields).await?;
    let approved = storage::decide(
        &mut tx,
        &queue,
        id,
        SignupStatus::Approved,
        user.username(),
        "",
        Some(volunteer),
    );
    if !approved.await? {
        return Err(VolunteersError::field("signup", "request.error.decided"));
    }
    let change = Change {
        after: Some(serde_json::json!({ "status": "approved", "volunteer": volunteer })),
        ..Change::new(
            "approve",
            "volunteer_signup",
            id,
            signup.full_name.clone(),
            signup.placement,
        )
    };
    audit::record(&mut tx, queue.actor(), change).await?;
    tx.commit().await?;
    Ok(volunteer)
}

/// Declines a pending sign-up, with a reason kept for the commune.
pub async fn decline(db: &Db, user: &Principal, id: i64, reason: &str) -> Result<(), VolunteersError> {
    let signup = pending(db, user, id).await?;
    let mut errors = FieldErrors::new();
    let reason = model::check_text(reason, "reason", true, &mut errors);
    if !errors.is_empty() {
        return Err(VolunteersError::Validation(errors));
    }
    let commune = org::unit_by_code(db, &signup.commune_code)
        .await?
        .ok_or(VolunteersError::Changed)?;
    let access = user
        .access(Permission::Write, &commune)
        .ok_or(VolunteersError::ReadOnly)?;
    let mut tx = db.begin_write().await?;
    if !storage::decide(
        &mut tx,
        &access,
        id,
        SignupStatus::Declined,
        user.username(),
        &reason,
        None,
    )
    .await?
    {
        return Err(VolunteersError::field("signup", "request.error.decided"));
    }
    let change = Change {
        after: Some(serde_json::json!({ "status": "declined", "reason": reason })),
        ..Change::new(
            "decline",
            "volunteer_signup",
            id,
            signup.full_name.clone(),
            signup.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

async fn pending(db: &Db, user: &Principal, id: i64) -> Result<Signup, VolunteersError> {
    let signup = get(db, user, id).await?;
    if signup.status != SignupStatus::Pending {
        return Err(VolunteersError::field("signup", "request.error.decided"));
    }
    Ok(signup)
}
