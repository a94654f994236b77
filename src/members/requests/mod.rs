//! Requests between units (§ who sees a person): a branch that wants to
//! enrol someone registered elsewhere asks, by CCCD, and learns nothing
//! about them — the answer is the same whether anyone holds that number.
//! The unit holding the person sees the request with the person's name
//! and accepts it (the person, and their membership if they have one,
//! move to the asking branch: a transfer) or declines it.

mod routes;
mod storage;

pub use routes::{pages, router};

use serde::Serialize;

use super::model::{self, Status};
use super::service::{today, writable_branch};
use super::storage::{self as members, NewEvent};
use super::{MembersError, MEMBERS};
use crate::access::{self, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service::{self as org, placement};
use crate::org::PlacedTable;
use crate::people::{self, cccd};
use crate::validation::FieldErrors;
use storage::NewRequest;

/// Requests sit at the asking branch, placed like any record: a merge of
/// the branch or a unit above it moves them with everything else.
pub const MEMBER_REQUESTS: crate::org::PlacedTable = crate::org::PlacedTable {
    table: "member_requests",
    counters: &[],
    refers: None,
    follows: None,
};

/// Requests a list shows at most.
const LISTED: i64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<RequestStatus> {
        [RequestStatus::Pending, RequestStatus::Accepted, RequestStatus::Declined]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            RequestStatus::Pending => "request.status.pending",
            RequestStatus::Accepted => "request.status.accepted",
            RequestStatus::Declined => "request.status.declined",
        }
    }
}

/// A request as the asking branch sees it: what it typed, and the member
/// once accepted — never who holds the number before that.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outgoing {
    pub id: i64,
    pub branch_code: String,
    pub branch_name: String,
    pub cccd: String,
    pub joined_on: String,
    pub note: String,
    pub status: RequestStatus,
    pub requested_at: String,
    pub reason: String,
    /// The membership, once accepted.
    pub member_id: Option<i64>,
}

/// A request as the unit holding the person sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Incoming {
    pub id: i64,
    pub branch_code: String,
    pub branch_name: String,
    pub joined_on: String,
    pub note: String,
    pub requested_at: String,
    pub person_id: i64,
    pub full_name: String,
    /// Their member number when they are a member already (a transfer).
    pub member_no: Option<String>,
}

/// What a branch asks with.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AskInput {
    /// The asking branch's code.
    pub branch: String,
    pub cccd: String,
    /// The date of joining, for someone not yet a member (`dd/mm/yyyy`).
    pub joined_on: String,
    pub note: String,
}

/// Records a request; the answer does not depend on whether anyone holds
/// the number (nothing is learnt by asking).
pub async fn ask(db: &Db, user: &Principal, input: &AskInput) -> Result<Outgoing, MembersError> {
    let mut errors = FieldErrors::new();
    let number = cccd::normalise(&input.cccd);
    if number.len() != 12 {
        errors.insert("cccd".into(), "person.error.cccd_format".into());
    }
    let joined = model::parse_day(&input.joined_on, today(), "joined_on", &mut errors);
    if input.note.chars().count() > 500 {
        errors.insert("note".into(), "member.error.reason_long".into());
    }
    if input.branch.trim().is_empty() {
        errors.insert("branch".into(), "member.error.branch_missing".into());
    }
    let (Some(joined), true) = (joined, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let (branch, to) = writable_branch(db, user, &input.branch, "branch").await?;
    let user_id = user.user_id().ok_or(MembersError::ReadOnly)?;
    let holder = people::service::holder_of_cccd(db, &number).await?;
    if let Some(id) = holder {
        // Someone the user may already change is enrolled, not asked for.
        if let Ok(person) = people::service::get(db, user, id).await {
            if user.may(Permission::Write, &person.placement) {
                return Err(MembersError::field("cccd", "request.error.yours"));
            }
        }
    }
    let joined_on = model::iso(joined);
    let note = input.note.trim();
    let mut tx = db.begin_write().await?;
    // Asking again while one is pending adds nothing (a unit's queue cannot
    // be flooded with one number).
    if let Some(pending) = storage::pending_from(&mut tx, to.unit_id(), &number).await? {
        tx.commit().await?;
        return Ok(Outgoing {
            id: pending,
            branch_code: branch.code,
            branch_name: branch.name,
            cccd: number,
            joined_on,
            note: note.to_owned(),
            status: RequestStatus::Pending,
            requested_at: crate::db::now(),
            reason: String::new(),
            member_id: None,
        });
    }
    let request = NewRequest {
        cccd: &number,
        joined_on: &joined_on,
        note,
        person_id: holder,
        user_id,
    };
    let id = storage::insert(&mut tx, &to, request).await?;
    let change = Change {
        after: Some(serde_json::json!({ "unit": branch.code, "joined_on": joined_on })),
        ..Change::new("request", "member_request", id, branch.name.clone(), to.placement())
    };
    audit::record(&mut tx, to.actor(), change).await?;
    tx.commit().await?;
    Ok(Outgoing {
        id,
        branch_code: branch.code,
        branch_name: branch.name,
        cccd: number,
        joined_on,
        note: note.to_owned(),
        status: RequestStatus::Pending,
        requested_at: crate::db::now(),
        reason: String::new(),
        member_id: None,
    })
}

/// The requests the user's units made, and those waiting for them.
pub async fn lists(db: &Db, user: &Principal) -> Result<(Vec<Incoming>, Vec<Outgoing>), MembersError> {
    let scope = user.scope(Permission::Read);
    Ok((
        storage::incoming(db, &scope, LISTED).await?,
        storage::outgoing(db, &scope, LISTED).await?,
    ))
}

/// A pending request about a person the user may read, with that person.
async fn pending_for(
    db: &Db,
    user: &Principal,
    id: i64,
) -> Result<(storage::Stored, people::model::Person), MembersError> {
    let stored = storage::get(db, id).await?.ok_or(MembersError::NotFound)?;
    let person_id = stored.person_id.ok_or(MembersError::NotFound)?;
    let person = people::service::get(db, user, person_id)
        .await
        .map_err(|_| MembersError::NotFound)?;
    if stored.status != RequestStatus::Pending {
        return Err(MembersError::field("request", "request.error.decided"));
    }
    Ok((stored, person))
}

/// Accepts: the person — and their membership, or a new one — moves to
/// the asking branch. Both sides must still hold their rights: the user
/// over the person, the asker over the branch.
pub async fn accept(db: &Db, placed: &[PlacedTable], user: &Principal, id: i64) -> Result<i64, MembersError> {
    let (stored, person) = pending_for(db, user, id).await?;
    let person_unit = org::unit_by_id(db, person.unit.id)
        .await?
        .ok_or(MembersError::Changed)?;
    let from = user
        .access(Permission::Write, &person_unit)
        .ok_or(MembersError::ReadOnly)?;
    let stale = || MembersError::field("request", "request.error.stale");
    let asker = access::storage::load_principal(db, stored.requested_by)
        .await?
        .ok_or_else(stale)?;
    let branch = org::unit_by_id(db, stored.to_unit_id).await?.ok_or_else(stale)?;
    let to = asker.access(Permission::Write, &branch).ok_or_else(stale)?;
    if !branch.is_active() {
        return Err(stale());
    }
    if branch.id == person_unit.id {
        return Err(MembersError::field("request", "member.error.same_branch"));
    }
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &to).await? {
        return Err(MembersError::Changed);
    }
    // The person first (their row is held from here on), by the acceptor.
    people::roles::move_with_roles(db, &mut tx, placed, &person, &from, (&to, &branch.code), from.actor()).await?;
    let member_id = match members::id_of_person(&mut tx, person.id).await? {
        Some(member_id) => {
            let member = members::get(db, &user.scope(Permission::Read), member_id)
                .await?
                .ok_or(MembersError::Changed)?;
            if !matches!(member.status, Status::Active | Status::Suspended) {
                return Err(MembersError::field("request", "member.error.not_member_now"));
            }
            if !members::bump_version(&mut tx, member_id, member.version).await? {
                return Err(MembersError::Changed);
            }
            // A transfer: the membership moved with its person.
            let event = NewEvent {
                member_id,
                kind: "transfer",
                on_date: &model::iso(today()),
                status: None,
                reason: "",
                from_unit_id: Some(person_unit.id),
                to_unit_id: Some(branch.id),
                username: user.username(),
            };
            members::add_event(&mut tx, event).await?;
            member_id
        }
        None => {
            let member_id =
                members::insert_joined(&mut tx, &to, person.id, &stored.joined_on, None, user.username()).await?;
            placement::counted(&mut tx, &MEMBERS, &[member_id], 1).await?;
            member_id
        }
    };
    if !storage::decide(
        &mut tx,
        id,
        RequestStatus::Accepted,
        user.username(),
        "",
        Some(member_id),
    )
    .await?
    {
        return Err(MembersError::field("request", "request.error.decided"));
    }
    let change = Change {
        previous: Some(person.placement),
        after: Some(serde_json::json!({ "unit": branch.code, "request": id })),
        ..Change::new(
            "transfer",
            "member",
            member_id,
            person.full_name.clone(),
            to.placement(),
        )
    };
    audit::record(&mut tx, from.actor(), change).await?;
    tx.commit().await?;
    Ok(member_id)
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeclineInput {
    pub reason: String,
}

pub async fn decline(db: &Db, user: &Principal, id: i64, input: &DeclineInput) -> Result<(), MembersError> {
    let (_, person) = pending_for(db, user, id).await?;
    let unit = org::unit_by_id(db, person.unit.id)
        .await?
        .ok_or(MembersError::Changed)?;
    let access = user.access(Permission::Write, &unit).ok_or(MembersError::ReadOnly)?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(MembersError::field("reason", "member.error.reason_missing"));
    }
    let mut tx = db.begin_write().await?;
    if !storage::decide(&mut tx, id, RequestStatus::Declined, user.username(), reason, None).await? {
        return Err(MembersError::field("request", "request.error.decided"));
    }
    let change = Change {
        after: Some(serde_json::json!({ "reason": reason })),
        ..Change::new(
            "decline",
            "member_request",
            id,
            person.full_name.clone(),
            person.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}
