//! Organisation use cases, checked against the unit that keeps them. A
//! tax code names one organisation nationally: a second registration of
//! it is refused, pointing to the first when the user may read it.

use super::model::{self, Organisation, OrganisationInput};
use super::storage;
use super::OrganisationsError;
use crate::access::{Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service::{self as org, placement};
use crate::org::Unit;

pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Organisation, OrganisationsError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(OrganisationsError::NotFound)
}

pub fn may_write(user: &Principal, organisation: &Organisation) -> bool {
    user.may(Permission::Write, &organisation.placement)
}

/// Organisations in the user's scope (and `unit`'s subtree) whose name
/// holds every word of `query` (accents optional).
pub async fn search(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    query: &str,
    limit: i64,
) -> Result<Vec<Organisation>, OrganisationsError> {
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    let words: Vec<String> = crate::text::fold(query)
        .split_whitespace()
        .map(|w| w.replace(['%', '_'], ""))
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    Ok(storage::list(db, &user.scope(Permission::Read), within, &words, limit).await?)
}

fn validate(input: &OrganisationInput) -> Result<model::ValidOrganisation, OrganisationsError> {
    model::validate(input).map_err(OrganisationsError::Validation)
}

async fn ensure_tax_code_free(
    db: &Db,
    user: &Principal,
    tax_code: Option<&str>,
    except: Option<i64>,
) -> Result<(), OrganisationsError> {
    let Some(code) = tax_code else { return Ok(()) };
    match storage::tax_code_holder(db, &user.scope(Permission::Read), code).await? {
        Some((id, _)) if Some(id) == except => Ok(()),
        Some((id, visible)) => Err(OrganisationsError::DuplicateTaxCode {
            visible_id: visible.then_some(id),
        }),
        None => Ok(()),
    }
}

fn on_race(e: sqlx::Error) -> OrganisationsError {
    if crate::db::is_unique_violation(&e) {
        OrganisationsError::DuplicateTaxCode { visible_id: None }
    } else {
        OrganisationsError::Db(e)
    }
}

async fn writable(db: &Db, user: &Principal, code: &str) -> Result<(Unit, Access), OrganisationsError> {
    org::writable_by_code(db, user, code)
        .await?
        .map_err(|refused| match refused {
            org::Unwritable::Unknown => OrganisationsError::field("unit", "person.error.unit_unknown"),
            org::Unwritable::ReadOnly => OrganisationsError::ReadOnly,
            org::Unwritable::Inactive => OrganisationsError::field("unit", "person.error.unit_inactive"),
        })
}

pub async fn create(db: &Db, user: &Principal, input: &OrganisationInput) -> Result<Organisation, OrganisationsError> {
    let valid = validate(input)?;
    if input.unit.trim().is_empty() {
        return Err(OrganisationsError::field("unit", "member.error.branch_missing"));
    }
    let (unit, access) = writable(db, user, &input.unit).await?;
    ensure_tax_code_free(db, user, valid.tax_code.as_deref(), None).await?;
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(OrganisationsError::Changed);
    }
    let id = storage::insert(&mut tx, &access, &valid).await.map_err(on_race)?;
    let change = Change {
        after: Some(serde_json::json!({
            "name": valid.name, "kind": valid.kind.as_str(), "tax_code": valid.tax_code, "unit": unit.code,
            "representative": valid.representative,
        })),
        ..Change::new("create", "organisation", id, valid.name.clone(), access.placement())
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

pub async fn update(
    db: &Db,
    user: &Principal,
    id: i64,
    input: &OrganisationInput,
) -> Result<Organisation, OrganisationsError> {
    let before = get(db, user, id).await?;
    let unit = org::unit_by_code(db, &before.unit_code)
        .await?
        .ok_or(OrganisationsError::NotFound)?;
    let access = user
        .access(Permission::Write, &unit)
        .ok_or(OrganisationsError::ReadOnly)?;
    let valid = validate(input)?;
    ensure_tax_code_free(db, user, valid.tax_code.as_deref(), Some(id)).await?;
    let mut tx = db.begin_write().await?;
    if !storage::update(&mut tx, &access, id, input.version, &valid)
        .await
        .map_err(on_race)?
    {
        return Err(OrganisationsError::StaleVersion);
    }
    let change = Change {
        before: Some(serde_json::json!({
            "name": before.name, "kind": before.kind.as_str(), "tax_code": before.tax_code,
            "representative": before.representative,
        })),
        after: Some(serde_json::json!({
            "name": valid.name, "kind": valid.kind.as_str(), "tax_code": valid.tax_code,
            "representative": valid.representative,
        })),
        ..Change::new("update", "organisation", id, valid.name.clone(), before.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// Demo organisations: a lower secondary school in every commune that keeps
/// none yet.
pub async fn seed_demo(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let communes = storage::communes_without(&mut tx).await?;
    let rows: Vec<(i64, i64, String)> = communes
        .into_iter()
        .map(|(id, name, province)| (id, province, format!("Trường THCS {name}")))
        .collect();
    storage::insert_demo(&mut tx, &rows).await?;
    tx.commit().await
}
