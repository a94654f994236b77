//! Collective members (hội viên tập thể): an organisation of the registry
//! joins a branch, with the number of its people who take part. A unit
//! counts each collective member once and sums their head-counts apart.

mod api;
mod routes;
mod storage;

pub use api::router;
pub use routes::pages;

use serde::Serialize;

use super::model::{iso, parse_day};
use super::service::{today, writable_branch};
use super::MembersError;
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service::{self as org, placement};
use crate::org::{Counter, PlacedTable, Unit};
use crate::validation::FieldErrors;

/// Placed at the branch; counted once each, and by head-count.
pub const COLLECTIVE_MEMBERS: PlacedTable = PlacedTable {
    table: "collective_members",
    counters: &[
        Counter {
            name: "collective_members",
            label_key: "counter.collective_members",
            list_path: "/members/collective",
            filter: "status = 'active'",
            weight: "",
            demographics: None,
        },
        Counter {
            name: "collective_headcount",
            label_key: "counter.collective_headcount",
            list_path: "/members/collective",
            filter: "status = 'active'",
            weight: "head_count",
            demographics: None,
        },
    ],
    refers: None,
    follows: None,
};

/// Largest head-count one organisation declares.
const MAX_HEAD_COUNT: i64 = 1_000_000;

/// A collective membership with its organisation and branch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Collective {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    /// The organisation's kind (`school` …).
    pub kind: String,
    pub joined_on: String,
    pub head_count: i64,
    /// `active` or `left`.
    pub status: String,
    pub status_on: String,
    pub reason: String,
    pub branch_code: String,
    pub branch_name: String,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Collective {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    pub fn joined_display(&self) -> String {
        super::model::display_date(&self.joined_on)
    }

    pub fn kind_key(&self) -> &'static str {
        crate::organisations::model::Kind::parse(&self.kind).map_or("organisation.kind.other", |k| k.label_key())
    }
}

pub async fn get(db: &Db, user: &Principal, id: i64) -> Result<Collective, MembersError> {
    storage::get(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(MembersError::NotFound)
}

pub async fn list(db: &Db, user: &Principal, unit: Option<&Unit>) -> Result<Vec<Collective>, MembersError> {
    let within = unit.and_then(|u| u.level.column().map(|c| (c, u.id)));
    Ok(storage::list(db, &user.scope(Permission::Read), within).await?)
}

fn head_count(text: &str, errors: &mut FieldErrors) -> Option<i64> {
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ' ' | ',')).collect();
    match digits.parse::<i64>() {
        Ok(n) if (0..=MAX_HEAD_COUNT).contains(&n) => Some(n),
        _ => {
            errors.insert("head_count".into(), "collective.error.head_count".into());
            None
        }
    }
}

/// An organisation joining a branch, as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CollectiveInput {
    /// The organisation's id in the registry.
    pub organisation: String,
    /// The branch's code.
    pub branch: String,
    /// `dd/mm/yyyy`.
    pub joined_on: String,
    /// How many of its people take part.
    pub head_count: String,
}

pub async fn enrol(db: &Db, user: &Principal, input: &CollectiveInput) -> Result<Collective, MembersError> {
    let mut errors = FieldErrors::new();
    let joined = parse_day(&input.joined_on, today(), "joined_on", &mut errors);
    let count = head_count(&input.head_count, &mut errors);
    let organisation_id = input.organisation.trim().trim_start_matches('#').parse::<i64>().ok();
    if organisation_id.is_none() {
        errors.insert("organisation".into(), "collective.error.organisation".into());
    }
    let (Some(joined), Some(count), Some(organisation_id), true) = (joined, count, organisation_id, errors.is_empty())
    else {
        return Err(MembersError::Validation(errors));
    };
    let organisation = crate::organisations::service::get(db, user, organisation_id)
        .await
        .map_err(|_| MembersError::field("organisation", "collective.error.organisation"))?;
    let (branch, access) = writable_branch(db, user, &input.branch, "branch").await?;
    let joined_on = iso(joined);
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(MembersError::Changed);
    }
    if let Some(id) = storage::id_of_organisation(&mut tx, organisation_id).await? {
        // One record per organisation: one that left is taken up again on its page.
        let visible = storage::get(db, &user.scope(Permission::Read), id).await?.is_some();
        return Err(MembersError::AlreadyCollective {
            id: visible.then_some(id),
        });
    }
    let id = storage::insert(&mut tx, &access, organisation_id, &joined_on, count)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                MembersError::AlreadyCollective { id: None }
            } else {
                MembersError::Db(e)
            }
        })?;
    placement::counted(&mut tx, &COLLECTIVE_MEMBERS, &[id], 1).await?;
    let change = Change {
        after: Some(serde_json::json!({ "joined_on": joined_on, "unit": branch.code, "head_count": count })),
        ..Change::new(
            "create",
            "collective_member",
            id,
            organisation.name.clone(),
            access.placement(),
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// A change of head-count, or leaving, as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CollectiveChange {
    pub head_count: String,
    /// `active` or `left`.
    pub status: String,
    /// The date a change of status took effect (`dd/mm/yyyy`).
    pub on: String,
    pub reason: String,
    pub version: i64,
}

pub async fn change(db: &Db, user: &Principal, id: i64, input: &CollectiveChange) -> Result<Collective, MembersError> {
    let before = get(db, user, id).await?;
    let unit = org::unit_by_code(db, &before.branch_code)
        .await?
        .ok_or(MembersError::NotFound)?;
    let access = user.access(Permission::Write, &unit).ok_or(MembersError::ReadOnly)?;
    let mut errors = FieldErrors::new();
    let count = head_count(&input.head_count, &mut errors);
    let status = input.status.trim();
    if !matches!(status, "active" | "left") {
        errors.insert("status".into(), "member.error.status".into());
    }
    let changes_status = status != before.status;
    let on = if changes_status {
        parse_day(&input.on, today(), "on", &mut errors).map(iso)
    } else {
        Some(before.status_on.clone())
    };
    if changes_status && status == "left" && input.reason.trim().is_empty() {
        errors.insert("reason".into(), "member.error.reason_missing".into());
    }
    let (Some(count), Some(on), true) = (count, on, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let reason = if changes_status {
        input.reason.trim()
    } else {
        before.reason.as_str()
    };
    let change = storage::Change {
        head_count: count,
        status,
        status_on: &on,
        reason,
    };
    let mut tx = db.begin_write().await?;
    placement::counted(&mut tx, &COLLECTIVE_MEMBERS, &[id], -1).await?;
    if !storage::update(&mut tx, &access, id, input.version, &change).await? {
        return Err(MembersError::StaleVersion);
    }
    placement::counted(&mut tx, &COLLECTIVE_MEMBERS, &[id], 1).await?;
    let audit = Change {
        before: Some(serde_json::json!({ "head_count": before.head_count, "status": before.status })),
        after: Some(serde_json::json!({ "head_count": count, "status": status, "on": on, "reason": reason })),
        ..Change::new(
            "update",
            "collective_member",
            id,
            before.organisation.clone(),
            before.placement,
        )
    };
    audit::record(&mut tx, access.actor(), audit).await?;
    tx.commit().await?;
    get(db, user, id).await
}

/// Demo collective members (see `storage::insert_demo`), counted.
pub async fn seed_demo(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    storage::insert_demo(&mut tx).await?;
    placement::recount(&mut tx, &COLLECTIVE_MEMBERS).await?;
    tx.commit().await
}
