//! A person's roles (a membership, a volunteer record …) are records of
//! other capabilities that follow the person (`PlacedTable::follows`):
//! they sit where the person sits. This is how a capability finds the
//! person it gives a role to, and the one way a person moves with their
//! roles.

use sqlx::{Any, Transaction};

use super::model::Person;
use super::{PeopleError, PERSONS};
use crate::access::{Access, Actor, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service::{self as org, placement};
use crate::org::PlacedTable;

/// The person named by record number (`#123`, `123`) or CCCD, among those
/// the user may read; anyone else is "not found", so nothing is learnt
/// about them. `field` names the form's field.
pub async fn readable_by_reference(
    db: &Db,
    user: &Principal,
    written: &str,
    field: &str,
) -> Result<Person, PeopleError> {
    let unknown = || PeopleError::field(field, "member.error.person_unknown");
    let written = written.trim();
    let digits = super::cccd::normalise(written);
    if digits.len() == 12 {
        let found = super::search::search(db, user, &digits, None, None).await?;
        return found
            .page
            .items
            .into_iter()
            .find(|p| p.cccd.as_deref() == Some(digits.as_str()))
            .ok_or_else(unknown);
    }
    if digits.len() == 9 && !written.starts_with('#') {
        return Err(PeopleError::field(field, "member.error.cmnd"));
    }
    match written.trim_start_matches('#').parse::<i64>() {
        Ok(id) => super::service::get(db, user, id).await.map_err(|_| unknown()),
        Err(_) => Err(unknown()),
    }
}

/// Like `readable_by_reference`, among the persons the user may change,
/// with the proof of it.
pub async fn writable_by_reference(
    db: &Db,
    user: &Principal,
    written: &str,
    field: &str,
) -> Result<(Person, Access), PeopleError> {
    let person = readable_by_reference(db, user, written, field).await?;
    let unit = org::unit_by_id(db, person.unit.id)
        .await?
        .ok_or_else(|| PeopleError::field(field, "member.error.person_unknown"))?;
    let access = user.access(Permission::Write, &unit).ok_or(PeopleError::ReadOnly)?;
    Ok((person, access))
}

/// Moves `person` and all their roles (rows of `placed` following them)
/// to the unit of `to`, or, when they are there already, holds their
/// record so that it cannot move meanwhile. The move is audited as a
/// change of the person's unit, by `actor`.
pub async fn move_with_roles(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    placed: &[PlacedTable],
    person: &Person,
    from: &Access,
    (to, to_code): (&Access, &str),
    actor: &Actor,
) -> Result<(), PeopleError> {
    if from.unit_id() == to.unit_id() {
        return if placement::lock_record(tx, &PERSONS, person.id, from).await? {
            Ok(())
        } else {
            Err(PeopleError::Changed)
        };
    }
    if let Some(only) = placement::followers_refused_at(tx, placed, &PERSONS, person.id, to.unit_id()).await? {
        return Err(PeopleError::RoleStays { key: only.refused_key });
    }
    if !placement::move_with_followers(db, tx, placed, &PERSONS, person.id, from, to).await? {
        return Err(PeopleError::Changed);
    }
    let change = Change {
        previous: Some(person.placement),
        before: Some(serde_json::json!({ "unit": person.unit.code })),
        after: Some(serde_json::json!({ "unit": to_code })),
        ..Change::new("update", "person", person.id, person.full_name.clone(), to.placement())
    };
    audit::record(tx, actor, change).await?;
    Ok(())
}

/// Who of `persons` holds a row of the role table `table` already: person
/// id → (row id, name).
pub async fn held_by_persons(
    db: &Db,
    table: &'static str,
    persons: &[i64],
) -> Result<std::collections::HashMap<i64, (i64, String)>, sqlx::Error> {
    super::storage::role_rows_of(db, table, persons).await
}

/// The sort keys of the persons `ids`, as `tx` sees them: a role record
/// listed by its person's name stores a copy.
pub async fn sort_keys(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    super::storage::sort_keys(db, tx, ids).await
}
