//! Person use cases: every one checks the user's grants against the
//! record's place in the tree, and writes its audit entry in the same
//! transaction as the change.

use time::OffsetDateTime;

use super::model::{self, Person, PersonInput};
use super::storage::{self, Cursor, Page, PersonRecord};
use super::PeopleError;
use crate::accounts::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::reform::Resolution;
use crate::org::{self, Level, Unit};

pub const PAGE_SIZE: i64 = 50;

fn today() -> time::Date {
    OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date()
}

/// A person the user may read; any other id does not exist for them.
pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Person, PeopleError> {
    let person = storage::get(db, id).await?.ok_or(PeopleError::NotFound)?;
    if user.may(Permission::Read, &person.placement) {
        Ok(person)
    } else {
        Err(PeopleError::NotFound)
    }
}

/// The owning unit named in the input, if the user may write there. A unit
/// outside the user's reach is reported exactly like an unknown code.
async fn writable_unit(db: &Db, user: &Principal, code: &str) -> Result<Unit, PeopleError> {
    let unknown = || PeopleError::field("unit", "person.error.unit_unknown");
    let unit = org::storage::by_code(db, code).await?.ok_or_else(unknown)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(unknown());
    }
    if !user.may(Permission::Write, &unit.placement) {
        return Err(PeopleError::ReadOnly);
    }
    if !unit.is_active() {
        return Err(PeopleError::field("unit", "person.error.unit_inactive"));
    }
    Ok(unit)
}

/// The 2025 commune of residence, from a new or pre-2025 code or name.
async fn address_commune(db: &Db, written: &str, owner: &Unit) -> Result<Option<Unit>, PeopleError> {
    if written.is_empty() {
        return Ok(None);
    }
    let province = match owner.placement.province_id {
        Some(id) => org::storage::by_id(db, id).await?.map(|p| p.code),
        None => None,
    };
    let mut resolution = org::storage::resolve_commune(db, written, province.as_deref()).await?;
    if matches!(resolution, Resolution::NotFound) && province.is_some() {
        // Residents of a neighbouring province are common near borders.
        resolution = org::storage::resolve_commune(db, written, None).await?;
    }
    let code = match resolution {
        Resolution::Current { code } | Resolution::Reformed { code, .. } => code,
        Resolution::Ambiguous { .. } => {
            return Err(PeopleError::field("address_commune", "person.error.commune_ambiguous"))
        }
        Resolution::NotFound => return Err(PeopleError::field("address_commune", "person.error.commune_unknown")),
    };
    let unit = org::storage::by_code(db, &code).await?;
    Ok(unit.filter(|u| u.level == Level::Commune))
}

/// Refuses a CCCD that another record holds. The existing record is
/// pointed to only when the user may read it.
async fn ensure_cccd_free(
    db: &Db,
    user: &Principal,
    cccd: Option<&str>,
    except: Option<i64>,
) -> Result<(), PeopleError> {
    let Some(cccd) = cccd else { return Ok(()) };
    match storage::by_cccd(db, cccd).await? {
        Some((id, _)) if Some(id) == except => Ok(()),
        Some((id, placement)) => Err(PeopleError::DuplicateCccd {
            visible_id: user.may(Permission::Read, &placement).then_some(id),
        }),
        None => Ok(()),
    }
}

fn duplicate_on_race(err: sqlx::Error) -> PeopleError {
    if crate::db::is_unique_violation(&err) {
        PeopleError::DuplicateCccd { visible_id: None }
    } else {
        PeopleError::Db(err)
    }
}

pub async fn create(db: &Db, user: &Principal, input: &PersonInput) -> Result<i64, PeopleError> {
    let valid = model::validate(input, today()).map_err(PeopleError::Validation)?;
    let unit = writable_unit(db, user, &valid.unit_code).await?;
    let address = address_commune(db, &valid.address_commune, &unit).await?;
    ensure_cccd_free(db, user, valid.cccd.as_deref(), None).await?;
    let record = PersonRecord {
        person: &valid,
        unit: &unit,
        address_commune_id: address.as_ref().map(|a| a.id),
    };
    let mut tx = db.begin_write().await?;
    let id = storage::insert(&mut tx, &record).await.map_err(duplicate_on_race)?;
    let grant = user.grant_for(Permission::Write, &unit.placement);
    let change = Change {
        action: "create",
        entity: "person",
        entity_id: Some(id),
        summary: valid.full_name.clone(),
        placement: unit.placement,
        before: None,
        after: Some(storage_view(&valid, &unit, address.as_ref())),
    };
    audit::storage::record(&mut tx, &user.actor(grant), change).await?;
    tx.commit().await?;
    Ok(id)
}

/// Applies the fields present in `patch` over the stored record. `version`,
/// when given, must be the version the user started editing from.
pub async fn update(
    db: &Db,
    user: &Principal,
    id: i64,
    patch: &PersonPatch,
    version: Option<i64>,
) -> Result<(), PeopleError> {
    let before = get(db, user, id).await?;
    if !user.may(Permission::Write, &before.placement) {
        return Err(PeopleError::ReadOnly);
    }
    if version.is_some_and(|v| v != before.version) {
        return Err(PeopleError::StaleVersion);
    }
    let input = patch.apply(before.to_input());
    let valid = model::validate(&input, today()).map_err(PeopleError::Validation)?;
    let unit = if valid.unit_code == before.unit.code {
        org::storage::by_code(db, &before.unit.code)
            .await?
            .ok_or(PeopleError::NotFound)?
    } else {
        writable_unit(db, user, &valid.unit_code).await?
    };
    let address = address_commune(db, &valid.address_commune, &unit).await?;
    ensure_cccd_free(db, user, valid.cccd.as_deref(), Some(id)).await?;
    let record = PersonRecord {
        person: &valid,
        unit: &unit,
        address_commune_id: address.as_ref().map(|a| a.id),
    };
    let mut tx = db.begin_write().await?;
    if !storage::update(&mut tx, id, before.version, &record)
        .await
        .map_err(duplicate_on_race)?
    {
        return Err(PeopleError::StaleVersion);
    }
    let after = storage_view(&valid, &unit, address.as_ref());
    let grant = user.grant_for(Permission::Write, &before.placement);
    let change = Change {
        action: "update",
        entity: "person",
        entity_id: Some(id),
        summary: valid.full_name.clone(),
        placement: unit.placement,
        before: Some(before.audit_view()),
        after: Some(after),
    };
    audit::storage::record(&mut tx, &user.actor(grant), change).await?;
    tx.commit().await?;
    Ok(())
}

fn storage_view(valid: &model::ValidPerson, unit: &Unit, address: Option<&Unit>) -> serde_json::Value {
    serde_json::json!({
        "full_name": valid.full_name, "sex": valid.sex.as_str(), "birth_date": valid.birth.map(model::Birth::iso),
        "cccd": valid.cccd, "phone": valid.phone, "address_commune": address.map(|a| a.code.clone()),
        "address_detail": valid.address_detail, "unit": unit.code,
    })
}

pub async fn delete(db: &Db, user: &Principal, id: i64) -> Result<(), PeopleError> {
    let before = get(db, user, id).await?;
    let grant = user
        .grant_for(Permission::Write, &before.placement)
        .ok_or(PeopleError::ReadOnly)?;
    let mut tx = db.begin_write().await?;
    storage::delete(&mut tx, id).await?;
    let change = Change {
        action: "delete",
        entity: "person",
        entity_id: Some(id),
        summary: before.full_name.clone(),
        placement: before.placement,
        before: Some(before.audit_view()),
        after: None,
    };
    audit::storage::record(&mut tx, &user.actor(Some(grant)), change).await?;
    tx.commit().await?;
    Ok(())
}

/// Searches the persons the user may read, optionally inside one unit.
pub async fn search(
    db: &Db,
    user: &Principal,
    q: &str,
    unit_code: Option<&str>,
    after: Option<&str>,
) -> Result<(Page, Option<Unit>), PeopleError> {
    let mut scopes = user.scopes(Permission::Read);
    let mut within = None;
    if let Some(code) = unit_code.map(str::trim).filter(|c| !c.is_empty()) {
        let unit = org::storage::by_code(db, code).await?.ok_or(PeopleError::NotFound)?;
        if !user.may(Permission::Read, &unit.placement) {
            return Err(PeopleError::NotFound);
        }
        scopes = vec![unit.scope()];
        within = Some(unit);
    }
    let query = model::parse_query(q);
    let cursor = after.and_then(Cursor::decode);
    let page = storage::search(db, &scopes, &query, cursor.as_ref(), PAGE_SIZE).await?;
    Ok((page, within))
}

/// The fields a PATCH may carry; absent fields keep their value.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub full_name: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub address_commune: Option<String>,
    pub address_detail: Option<String>,
    pub unit: Option<String>,
    pub version: Option<i64>,
}

impl PersonPatch {
    pub fn apply(&self, mut input: PersonInput) -> PersonInput {
        let fields = [
            (&self.full_name, &mut input.full_name),
            (&self.sex, &mut input.sex),
            (&self.birth_date, &mut input.birth_date),
            (&self.cccd, &mut input.cccd),
            (&self.phone, &mut input.phone),
            (&self.address_commune, &mut input.address_commune),
            (&self.address_detail, &mut input.address_detail),
            (&self.unit, &mut input.unit),
        ];
        for (new, old) in fields {
            if let Some(value) = new {
                value.clone_into(old);
            }
        }
        input
    }

    /// A full form submission: every field replaces the stored one.
    pub fn from_input(input: PersonInput) -> PersonPatch {
        PersonPatch {
            full_name: Some(input.full_name),
            sex: Some(input.sex),
            birth_date: Some(input.birth_date),
            cccd: Some(input.cccd),
            phone: Some(input.phone),
            address_commune: Some(input.address_commune),
            address_detail: Some(input.address_detail),
            unit: Some(input.unit),
            version: None,
        }
    }
}
