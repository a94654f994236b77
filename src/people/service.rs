//! Person use cases: each checks the user's grants against the record's
//! place in the tree, obtains the proof of access storage requires, and
//! writes its audit entry in the same transaction as the change.

use super::model::{self, Person, PersonInput, UnitRef, ValidPerson};
use super::patch::{names_stored, PersonPatch};
use super::storage;
use super::{PeopleError, PERSONS};
use crate::access::{Access, Permission, Principal};
use crate::accounts::throttle;
use crate::audit::{self, Change, Entry};
use crate::db::Db;
use crate::org::reform::Resolution;
use crate::org::service::{self as org, placement};
use crate::org::{Level, PlacedTable, Unit};

/// Refusals of a CCCD registered elsewhere one account may receive in an
/// hour: each tells that the number exists, so they are counted.
const CCCD_REFUSALS: throttle::Policy = throttle::Policy {
    limit: 20,
    window: time::Duration::hours(1),
};

pub(super) use crate::calendar::today;

/// A person the user may read; any other id does not exist for them.
pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Person, PeopleError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(PeopleError::NotFound)
}

/// A person with its history since it was created.
/// The ids of the records of `table` naming the person `id` (through
/// `column`) that the user may read.
pub async fn roles_of(
    db: &Db,
    user: &Principal,
    id: i64,
    (table, column): (&str, &str),
) -> Result<Vec<i64>, PeopleError> {
    Ok(storage::rows_naming(db, table, column, id)
        .await?
        .into_iter()
        .filter(|(_, placement)| user.may(Permission::Read, placement))
        .map(|(id, _)| id)
        .collect())
}

pub async fn with_history(db: &Db, user: &Principal, id: i64) -> Result<(Person, Vec<Entry>), PeopleError> {
    let person = get(db, user, id).await?;
    let history = audit::service::history(db, "person", person.id, &person.created_at).await?;
    Ok((person, history))
}

/// A person the user may change: unknown ids are not found, readable
/// ones the user may not change are refused.
pub async fn get_writable(db: &Db, user: &Principal, id: i64) -> Result<Person, PeopleError> {
    let person = get(db, user, id).await?;
    if may_write(user, &person) {
        Ok(person)
    } else {
        Err(PeopleError::ReadOnly)
    }
}

/// Whether the user may change `person`.
pub fn may_write(user: &Principal, person: &Person) -> bool {
    user.may(Permission::Write, &person.placement)
}

/// The unit a record is to be placed in, by code, with the proof that the
/// user may write there. A unit outside the user's reach is reported
/// exactly like an unknown code.
async fn writable_unit(db: &Db, user: &Principal, code: &str) -> Result<(Unit, Access), PeopleError> {
    let unknown = || PeopleError::field("unit", "person.error.unit_unknown");
    let unit = org::unit_by_code(db, code).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    let access = user.access(Permission::Write, &unit).ok_or(PeopleError::ReadOnly)?;
    if !unit.is_active() {
        return Err(PeopleError::field("unit", "person.error.unit_inactive"));
    }
    Ok((unit, access))
}

/// The 2025 commune of residence, from a new or pre-2025 code or name.
pub(super) async fn address_commune(db: &Db, written: &str, owner: &Unit) -> Result<Option<i64>, PeopleError> {
    if written.is_empty() {
        return Ok(None);
    }
    let province = match owner.placement.province_id {
        Some(id) => org::unit_by_id(db, id).await?.map(|p| p.code),
        None => None,
    };
    let mut resolution = org::resolve_commune(db, written, province.as_deref()).await?;
    if matches!(resolution, Resolution::NotFound) && province.is_some() {
        // Residents of a neighbouring province are common near borders.
        resolution = org::resolve_commune(db, written, None).await?;
    }
    let code = match resolution {
        Resolution::Current { code } | Resolution::Reformed { code, .. } => code,
        Resolution::Ambiguous { .. } => {
            return Err(PeopleError::field("address_commune", "person.error.commune_ambiguous"))
        }
        Resolution::NotFound => return Err(PeopleError::field("address_commune", "person.error.commune_unknown")),
    };
    let unit = org::unit_by_code(db, &code).await?;
    Ok(unit.filter(|u| u.level == Level::Commune).map(|u| u.id))
}

/// Counts and audits `count` CCCDs found registered outside the user's
/// units (each such answer tells that a number exists), under the same
/// limit as the form's refusals. True when the limit is passed: then no
/// more is told.
pub(super) async fn hidden_cccds_told(db: &Db, user: &Principal, count: i64) -> Result<bool, sqlx::Error> {
    let key = format!("cccd:{}", user.username());
    let wait = throttle::count_events(db, &key, &CCCD_REFUSALS, count).await?;
    let placement = user.home().map(|g| g.unit.placement).unwrap_or_default();
    let change = Change {
        entity_id: None,
        after: Some(serde_json::json!({ "count": count, "throttled": wait.is_some() })),
        ..Change::new("cccd_refused", "person", 0, user.username().to_owned(), placement)
    };
    let mut tx = db.begin_write().await?;
    audit::record(&mut tx, &user.actor(user.home()), change).await?;
    tx.commit().await?;
    Ok(wait.is_some())
}

/// Refuses a CCCD that another record holds. The existing record is
/// pointed to only when the user may read it; a refusal that points
/// nowhere tells that the number exists elsewhere, so it is audited and
/// counted, and past the limit the user only hears to wait.
async fn ensure_cccd_free(
    db: &Db,
    user: &Principal,
    cccd: Option<&str>,
    except: Option<i64>,
) -> Result<(), PeopleError> {
    let Some(cccd) = cccd else { return Ok(()) };
    match storage::cccd_holder(db, &user.scope(Permission::Read), cccd).await? {
        None => Ok(()),
        Some(Some(id)) if Some(id) == except => Ok(()),
        Some(Some(id)) => Err(PeopleError::DuplicateCccd { visible_id: Some(id) }),
        Some(None) => {
            let key = format!("cccd:{}", user.username());
            let wait = throttle::count_event(db, &key, &CCCD_REFUSALS).await?;
            let placement = user.home().map(|g| g.unit.placement).unwrap_or_default();
            let change = Change {
                entity_id: None,
                after: Some(serde_json::json!({ "cccd": cccd, "throttled": wait.is_some() })),
                ..Change::new("cccd_refused", "person", 0, user.username().to_owned(), placement)
            };
            let mut tx = db.begin_write().await?;
            audit::record(&mut tx, &user.actor(user.home()), change).await?;
            tx.commit().await?;
            match wait {
                Some(wait) => Err(PeopleError::Throttled { seconds: wait.seconds }),
                None => Err(PeopleError::DuplicateCccd { visible_id: None }),
            }
        }
    }
}

fn duplicate_on_race(err: sqlx::Error) -> PeopleError {
    if crate::db::is_unique_violation(&err) {
        PeopleError::DuplicateCccd { visible_id: None }
    } else {
        PeopleError::Db(err)
    }
}

pub fn validate(input: &PersonInput) -> Result<ValidPerson, PeopleError> {
    model::validate(input, today()).map_err(PeopleError::Validation)
}

pub async fn create(db: &Db, user: &Principal, input: &PersonInput) -> Result<Person, PeopleError> {
    let valid = validate(input)?;
    let (unit, access) = writable_unit(db, user, &valid.unit_code).await?;
    ensure_cccd_free(db, user, valid.cccd.as_deref(), None).await?;
    let mut tx = db.begin_write().await?;
    let person = create_in(db, &mut tx, &access, &unit, &valid).await?;
    tx.commit().await?;
    Ok(person)
}

/// Creates a checked person in `unit` (proven by `access`) inside the
/// caller's transaction, audited: for a capability that creates a person
/// with one of their roles (an approved volunteer sign-up). The caller
/// has checked the CCCD, if any, is free.
pub async fn create_in(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    access: &Access,
    unit: &Unit,
    valid: &ValidPerson,
) -> Result<Person, PeopleError> {
    let address = address_commune(db, &valid.address_commune, unit).await?;
    let id = storage::insert(db, tx, access, valid, address)
        .await
        .map_err(duplicate_on_race)?
        .ok_or(PeopleError::Changed)?;
    let person = storage::get_written(tx, access, id)
        .await?
        .ok_or(PeopleError::Changed)?;
    let change = Change {
        after: Some(person.audit_view()),
        ..Change::new("create", "person", id, person.full_name.clone(), person.placement)
    };
    audit::record(tx, access.actor(), change).await?;
    Ok(person)
}

/// The stored unit reference kept as it is, or what the user wrote resolved.
async fn kept_or_resolved(
    db: &Db,
    written: &str,
    stored: Option<&UnitRef>,
    owner: &Unit,
) -> Result<Option<i64>, PeopleError> {
    if names_stored(written, stored) {
        Ok(stored.map(|u| u.id))
    } else {
        address_commune(db, written, owner).await
    }
}

/// Applies the fields present in `patch` over the stored record. Only what
/// the user wrote anew is resolved: a stored unit or commune of residence
/// stays the same record even when its name has become ambiguous or it
/// was merged away.
/// `placed`: every placed table (a person holding roles — a membership —
/// moves only with them, through their own capability).
pub async fn update(
    db: &Db,
    placed: &[PlacedTable],
    user: &Principal,
    id: i64,
    patch: &PersonPatch,
) -> Result<Person, PeopleError> {
    let before = get(db, user, id).await?;
    let current_unit = org::unit_by_id(db, before.unit.id)
        .await?
        .ok_or(PeopleError::NotFound)?;
    let from = user
        .access(Permission::Write, &current_unit)
        .ok_or(PeopleError::ReadOnly)?;
    if patch.version.is_some_and(|v| v != before.version) {
        return Err(PeopleError::StaleVersion);
    }
    let input = patch.apply(before.to_input());
    let valid = validate(&input)?;
    let (unit, to) = if names_stored(&valid.unit_code, Some(&before.unit)) {
        (current_unit, from.clone())
    } else {
        writable_unit(db, user, &valid.unit_code).await?
    };
    let address = kept_or_resolved(db, &valid.address_commune, before.address.commune.as_ref(), &unit).await?;
    ensure_cccd_free(db, user, valid.cccd.as_deref(), Some(id)).await?;
    let mut tx = db.begin_write().await?;
    if from.unit_id() != to.unit_id() && !placement::followers(&mut tx, placed, &PERSONS, id).await?.is_empty() {
        return Err(PeopleError::HasRoles);
    }
    // Roles counted by the person's sex and age follow the edit.
    placement::followers_counted(&mut tx, placed, &PERSONS, id, -1).await?;
    let updated = storage::update(db, &mut tx, &from, id, before.version, &valid, address)
        .await
        .map_err(duplicate_on_race)?;
    placement::followers_counted(&mut tx, placed, &PERSONS, id, 1).await?;
    placement::copy_sort_key(&mut tx, placed, &PERSONS, id).await?;
    if !updated || !placement::move_record(db, &mut tx, &PERSONS, id, &from, &to).await? {
        return Err(PeopleError::StaleVersion);
    }
    let after = storage::get_written(&mut tx, &to, id)
        .await?
        .ok_or(PeopleError::Changed)?;
    let change = Change {
        previous: Some(before.placement),
        before: Some(before.audit_view()),
        after: Some(after.audit_view()),
        ..Change::new("update", "person", id, after.full_name.clone(), after.placement)
    };
    audit::record(&mut tx, from.actor(), change).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(db: &Db, placed: &[PlacedTable], user: &Principal, id: i64) -> Result<(), PeopleError> {
    let before = get(db, user, id).await?;
    let unit = org::unit_by_id(db, before.unit.id)
        .await?
        .ok_or(PeopleError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(PeopleError::ReadOnly)?;
    let mut tx = db.begin_write().await?;
    if !placement::referrers(&mut tx, placed, &PERSONS, id).await?.is_empty() {
        return Err(PeopleError::HasRoles);
    }
    // Records that name the person without being placed (a course's
    // attendance) keep them too.
    let deleted = storage::delete(&mut tx, &access, id).await.map_err(|e| {
        if crate::db::is_foreign_key_violation(&e) {
            PeopleError::HasRoles
        } else {
            PeopleError::Db(e)
        }
    })?;
    if !deleted {
        return Err(PeopleError::StaleVersion);
    }
    let change = Change {
        before: Some(before.audit_view()),
        ..Change::new("delete", "person", id, before.full_name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

/// The person holding `cccd` anywhere, for another capability that never
/// shows it to the user (a request to a holding unit): the id only.
pub async fn holder_of_cccd(db: &Db, cccd: &str) -> Result<Option<i64>, PeopleError> {
    // A lookup on the system's behalf: the answer never reaches the user.
    let system = Principal::system("cccd-lookup", org::central(db).await?);
    let everywhere = system.scope(Permission::Read);
    Ok(storage::cccd_holder(db, &everywhere, cccd).await?.flatten())
}
