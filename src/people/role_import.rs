//! The person part of a list of people given a role (members, volunteers,
//! pupils) imported from a spreadsheet. A row whose person is registered —
//! the same CCCD, or the same name, birth and commune inside the user's
//! units — gives that person the role instead of registering them twice;
//! a person registered outside the user's units is refused on their row
//! (the unit holding them must transfer them); a person already holding
//! the role is skipped. On commit, registered persons move to the import's
//! unit with all their roles, and the others are registered there.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use super::import as persons;
use super::storage;
use crate::access::Permission;
use crate::org::service::{self as org, placement};
use crate::org::tree::Placement;
use crate::toolkit::import::{Duplicate, ImportCtx, Row, RowCheck};

/// Who a row's person is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Registered and visible: give this person the role.
    Existing(i64),
    /// Not registered: register, then give the role.
    New,
    /// The person part has errors, or is registered out of reach.
    Refused,
}

fn who(check: &RowCheck) -> Who {
    if !check.errors.is_empty() || check.duplicates.iter().any(|d| d.record_id.is_none()) {
        return Who::Refused;
    }
    match check.duplicates.first().and_then(|d| d.record_id) {
        Some(id) => Who::Existing(id),
        None => Who::New,
    }
}

/// The persons of a file's rows, checked.
pub struct RolePersons {
    checks: Vec<RowCheck>,
    who: Vec<Who>,
    placement_of: HashMap<i64, Placement>,
    /// Persons with a role that cannot sit at the import's unit (a pupil
    /// at a school): the catalogue key of why.
    staying: HashMap<i64, &'static str>,
}

impl RolePersons {
    /// The registered persons the rows name.
    pub fn existing(&self) -> Vec<i64> {
        self.who
            .iter()
            .filter_map(|w| match w {
                Who::Existing(id) => Some(*id),
                _ => None,
            })
            .collect()
    }

    /// Each row's check of its person part, and whether it is skipped:
    /// `holders` maps persons who hold the role already to (record id,
    /// name), shown as a duplicate with `reason`.
    pub fn finish(
        self,
        ctx: &ImportCtx<'_>,
        holders: &HashMap<i64, (i64, String)>,
        reason: &str,
    ) -> Vec<(RowCheck, bool)> {
        let mut out = Vec::with_capacity(self.checks.len());
        for (person, who) in self.checks.into_iter().zip(self.who) {
            let mut check = RowCheck {
                errors: person.errors.clone(),
                duplicates: Vec::new(),
                reuses: None,
            };
            if person.duplicates.iter().any(|d| d.record_id.is_none()) {
                check
                    .errors
                    .push(("cccd".into(), "member.error.person_elsewhere".into()));
            }
            if let Who::Existing(id) = who {
                if let Some((record, name)) = holders.get(&id) {
                    check.duplicates.push(Duplicate {
                        record_id: Some(*record),
                        label: name.clone(),
                        reason: reason.to_owned(),
                    });
                    out.push((check, true));
                    continue;
                }
                // Giving the role moves the person here: the user must be able to.
                let writable = self
                    .placement_of
                    .get(&id)
                    .is_some_and(|p| ctx.user.may(Permission::Write, p));
                if !writable {
                    check
                        .errors
                        .push(("full_name".into(), "member.error.person_readonly".into()));
                } else if let Some(key) = self.staying.get(&id) {
                    check.errors.push(("full_name".into(), (*key).into()));
                }
                check.reuses = Some(id);
            }
            out.push((check, false));
        }
        out
    }
}

/// Checks the person part of `rows`.
pub async fn check(ctx: &ImportCtx<'_>, rows: &[Row]) -> Result<RolePersons, sqlx::Error> {
    let checks = persons::check(ctx, rows).await?;
    let who: Vec<Who> = checks.iter().map(who).collect();
    let existing: Vec<i64> = who
        .iter()
        .filter_map(|w| match w {
            Who::Existing(id) => Some(*id),
            _ => None,
        })
        .collect();
    let placement_of = storage::placements_of(ctx.db, &existing).await?;
    let staying = placement::followers_refused_among(ctx.db, ctx.placed, &super::PERSONS, &existing, ctx.unit.id)
        .await?
        .into_iter()
        .map(|(id, only)| (id, only.refused_key))
        .collect();
    Ok(RolePersons {
        checks,
        who,
        placement_of,
        staying,
    })
}

/// The person of each of `rows` (checked, without errors, none skipped),
/// in row order: the registered ones the check found (`Row::reuses`)
/// moved to the import's unit with their roles, the others registered
/// there. The unit is locked first.
pub async fn persons_of_rows(
    ctx: &ImportCtx<'_>,
    tx: &mut Transaction<'static, Any>,
    rows: &[Row],
) -> Result<Vec<i64>, sqlx::Error> {
    let new_rows: Vec<Row> = rows.iter().filter(|r| r.reuses.is_none()).cloned().collect();
    if !placement::lock_unit(ctx.db, tx, ctx.access).await? {
        return Err(sqlx::Error::Protocol("the unit changed meanwhile".into()));
    }
    for id in rows.iter().filter_map(|r| r.reuses) {
        move_here(ctx, tx, id).await?;
    }
    let mut created = persons::create(ctx, tx, &new_rows).await?.into_iter();
    rows.iter()
        .map(|r| r.reuses.or_else(|| created.next()))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| sqlx::Error::Protocol("import rows no longer valid".into()))
}

/// Moves the registered person `id` (and their roles) to the import's
/// unit, when the user may change them where they are.
async fn move_here(ctx: &ImportCtx<'_>, tx: &mut Transaction<'static, Any>, id: i64) -> Result<(), sqlx::Error> {
    let refused = || sqlx::Error::Protocol("a person to enrol is out of reach".into());
    let person = super::service::get(ctx.db, ctx.user, id).await.map_err(|_| refused())?;
    if person.unit.id == ctx.unit.id {
        return Ok(());
    }
    let unit = org::unit_by_id(ctx.db, person.unit.id).await?.ok_or_else(refused)?;
    let from = ctx.user.access(Permission::Write, &unit).ok_or_else(refused)?;
    let to = (ctx.access, ctx.unit.code.as_str());
    super::roles::move_with_roles(ctx.db, tx, ctx.placed, &person, &from, to, ctx.access.actor())
        .await
        .map_err(|_| refused())
}
