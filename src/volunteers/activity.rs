//! What volunteers do and prove: certificates of their skills (and those
//! expiring ahead) and hours given, each added under the same checks as
//! a change of the volunteer, and removed again when entered by mistake.

use super::model::{self, Certificate, Hours, Skill, Volunteer};
use super::service::{get, held_by, today};
use super::storage;
use super::VolunteersError;
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::members::model::{iso, parse_day};
use crate::org::Unit;
use crate::validation::FieldErrors;

/// A certificate as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CertificateInput {
    pub skill: String,
    pub title: String,
    pub issuer: String,
    /// `dd/mm/yyyy`.
    pub issued_on: String,
    /// `dd/mm/yyyy`; empty: it does not expire.
    pub expires_on: String,
}

pub async fn add_certificate(
    db: &Db,
    user: &Principal,
    id: i64,
    input: &CertificateInput,
) -> Result<Certificate, VolunteersError> {
    let volunteer = get(db, user, id).await?;
    let access = held_by(db, user, &volunteer).await?;
    let mut errors = FieldErrors::new();
    let skill = Skill::parse(&input.skill);
    if skill.is_none() {
        errors.insert("skill".into(), "volunteer.error.choice".into());
    }
    let title = model::check_text(&input.title, "title", true, &mut errors);
    let issuer = model::check_text(&input.issuer, "issuer", false, &mut errors);
    let issued = parse_day(&input.issued_on, today(), "issued_on", &mut errors);
    let expires = match input.expires_on.trim() {
        "" => None,
        text => model::parse_date(text, "expires_on", &mut errors),
    };
    if let (Some(issued), Some(expires)) = (issued, expires) {
        if expires < issued {
            errors.insert("expires_on".into(), "volunteer.error.expires_before_issue".into());
        }
    }
    let (Some(skill), Some(issued), true) = (skill, issued, errors.is_empty()) else {
        return Err(VolunteersError::Validation(errors));
    };
    let mut certificate = Certificate {
        id: 0,
        volunteer_id: id,
        skill,
        title,
        issuer,
        issued_on: iso(issued),
        expires_on: expires.map(iso),
    };
    let mut tx = db.begin_write().await?;
    if !storage::hold(&mut tx, &access, id).await? {
        return Err(VolunteersError::Changed);
    }
    certificate.id = storage::add_certificate(&mut tx, id, &certificate).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "skill": skill.as_str(),
            "title": certificate.title,
            "issued_on": certificate.issued_on,
            "expires_on": certificate.expires_on,
        })),
        ..Change::new(
            "certificate",
            "volunteer",
            id,
            volunteer.full_name.clone(),
            volunteer.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(certificate)
}

/// Hours as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HoursInput {
    /// `dd/mm/yyyy`.
    pub on_date: String,
    pub place: String,
    /// The activity, team or programme.
    pub activity: String,
    /// `2` or `2,5`.
    pub hours: String,
}

pub async fn add_hours(db: &Db, user: &Principal, id: i64, input: &HoursInput) -> Result<Hours, VolunteersError> {
    let volunteer = get(db, user, id).await?;
    let access = held_by(db, user, &volunteer).await?;
    let mut errors = FieldErrors::new();
    let on = parse_day(&input.on_date, today(), "on_date", &mut errors);
    let place = model::check_text(&input.place, "place", false, &mut errors);
    let activity = model::check_text(&input.activity, "activity", true, &mut errors);
    let tenths = model::parse_hours(&input.hours);
    if tenths.is_none() {
        errors.insert("hours".into(), "volunteer.error.hours".into());
    }
    let (Some(on), Some(tenths), true) = (on, tenths, errors.is_empty()) else {
        return Err(VolunteersError::Validation(errors));
    };
    let mut hours = Hours {
        id: 0,
        on_date: iso(on),
        place,
        activity,
        tenths,
        username: user.username().to_owned(),
    };
    let mut tx = db.begin_write().await?;
    if !storage::hold(&mut tx, &access, id).await? {
        return Err(VolunteersError::Changed);
    }
    hours.id = storage::add_hours(&mut tx, id, &hours).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "on_date": hours.on_date,
            "activity": hours.activity,
            "hours": model::hours_display(tenths),
        })),
        ..Change::new(
            "hours",
            "volunteer",
            id,
            volunteer.full_name.clone(),
            volunteer.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(hours)
}

/// Removes a certificate entered by mistake; the audit keeps what it said.
pub async fn remove_certificate(
    db: &Db,
    user: &Principal,
    id: i64,
    certificate_id: i64,
) -> Result<Certificate, VolunteersError> {
    let (volunteer, certificate) = certificate_of(db, user, id, certificate_id).await?;
    let before = serde_json::json!({
        "skill": certificate.skill.as_str(),
        "title": certificate.title,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
    });
    remove(db, user, &volunteer, Entry::Certificate(certificate_id), before).await?;
    Ok(certificate)
}

/// An entry of a volunteer's record that can be removed.
enum Entry {
    Certificate(i64),
    Hours(i64),
}

/// Removes `entry` of `volunteer` under the same checks as a change of the
/// volunteer, keeping `before` in the audit.
async fn remove(
    db: &Db,
    user: &Principal,
    volunteer: &Volunteer,
    entry: Entry,
    before: serde_json::Value,
) -> Result<(), VolunteersError> {
    let access = held_by(db, user, volunteer).await?;
    let mut tx = db.begin_write().await?;
    if !storage::hold(&mut tx, &access, volunteer.id).await? {
        return Err(VolunteersError::Changed);
    }
    let (removed, action) = match entry {
        Entry::Certificate(c) => (
            storage::delete_certificate(&mut tx, volunteer.id, c).await?,
            "certificate_removed",
        ),
        Entry::Hours(h) => (storage::delete_hours(&mut tx, volunteer.id, h).await?, "hours_removed"),
    };
    if !removed {
        return Err(VolunteersError::NotFound);
    }
    let change = Change {
        before: Some(before),
        ..Change::new(
            action,
            "volunteer",
            volunteer.id,
            volunteer.full_name.clone(),
            volunteer.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

/// A certificate of a volunteer the user may read.
pub async fn certificate_of(
    db: &Db,
    user: &Principal,
    id: i64,
    certificate_id: i64,
) -> Result<(Volunteer, Certificate), VolunteersError> {
    let volunteer = get(db, user, id).await?;
    let certificate = storage::certificate(db, id, certificate_id)
        .await?
        .ok_or(VolunteersError::NotFound)?;
    Ok((volunteer, certificate))
}

/// Removes hours recorded by mistake; the audit keeps what they were.
pub async fn remove_hours(db: &Db, user: &Principal, id: i64, hours_id: i64) -> Result<Hours, VolunteersError> {
    let (volunteer, hours) = hours_of(db, user, id, hours_id).await?;
    let before = serde_json::json!({
        "on_date": hours.on_date,
        "activity": hours.activity,
        "hours": model::hours_display(hours.tenths),
    });
    remove(db, user, &volunteer, Entry::Hours(hours_id), before).await?;
    Ok(hours)
}

/// An entry of hours of a volunteer the user may read.
pub async fn hours_of(
    db: &Db,
    user: &Principal,
    id: i64,
    hours_id: i64,
) -> Result<(Volunteer, Hours), VolunteersError> {
    let volunteer = get(db, user, id).await?;
    let hours = storage::hours_entry(db, id, hours_id)
        .await?
        .ok_or(VolunteersError::NotFound)?;
    Ok((volunteer, hours))
}

/// Certificates of active volunteers in scope that expire within `days`
/// from today (those expired in the last 30 days too, so nobody is missed).
pub async fn expiring(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    days: i64,
) -> Result<Vec<storage::Expiring>, VolunteersError> {
    let today = today();
    let from = iso(today - time::Duration::days(30));
    let until = iso(today + time::Duration::days(days.clamp(1, 3660)));
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    Ok(storage::expiring(db, &user.scope(Permission::Read), within, &from, &until, 2000).await?)
}
