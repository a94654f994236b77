//! Members (hội viên) of grassroots branches: a membership is a role of a
//! person of the registry, held by one branch, with a national member
//! number that never changes, a status with its history, and transfers
//! between branches that move the person with the membership.

mod api;
mod capability;
pub mod card;
pub mod collective;
pub mod demo;
pub mod dues;
mod export;
mod import;
pub mod model;
pub mod requests;
mod routes;
pub mod service;
mod storage;

pub use capability::Members;

use crate::org::placed::{Demographics, Follows};
use crate::org::{Counter, OrgError, PlacedTable};
use crate::people::PeopleError;
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};

/// The members table: placed in the tree (where its person is), counted per unit.
pub const MEMBERS: PlacedTable = PlacedTable {
    table: "members",
    counters: &[
        Counter {
            name: "members",
            label_key: "counter.members",
            list_path: "/members",
            // Who is a member now: not those who left or died.
            weight: "",
            filter: "status IN ('active', 'suspended')",
            demographics: Some(Demographics::OF_PERSON),
        },
        // New this year: joined this calendar year (wherever they are now).
        Counter {
            name: "members_joined",
            label_key: "counter.members_joined",
            list_path: "/members?flow=joined",
            weight: "",
            filter: "",
            demographics: Some(Demographics::of_person_event(
                "CAST(substr(t.joined_on, 1, 4) AS INTEGER)",
            )),
        },
        // Leaving this year: the membership ended (left, or died while a
        // member) this calendar year; a later change of an ended one does
        // not move it.
        Counter {
            name: "members_left",
            label_key: "counter.members_left",
            list_path: "/members?flow=left",
            weight: "",
            filter: "status IN ('left', 'deceased')",
            demographics: Some(Demographics::of_person_event(
                "CAST(substr(t.left_on, 1, 4) AS INTEGER)",
            )),
        },
    ],
    refers: None,
    follows: Some(Follows {
        table: "persons",
        column: "person_id",
        sort_key: false,
        only_at: None,
    }),
};

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("invalid membership data")]
    Validation(FieldErrors),
    /// The person is a member already; the membership's id when visible.
    #[error("the person is already a member")]
    AlreadyMember { id: i64 },
    /// The organisation has a collective membership (active or not); its
    /// id when visible.
    #[error("the organisation is a collective member already")]
    AlreadyCollective { id: Option<i64> },
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("the unit changed meanwhile")]
    Changed,
    #[error("membership not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    /// A card could not be made (its code or its PDF).
    #[error("card: {0}")]
    Card(String),
    #[error(transparent)]
    People(#[from] PeopleError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl MembersError {
    pub fn field(field: &str, key: &str) -> MembersError {
        MembersError::Validation(field_error(field, key))
    }
}

impl IntoAppError for MembersError {
    fn into_app_error(self) -> AppError {
        let conflict = |key: &str, link: Option<String>| AppError::Conflict { key: key.into(), link };
        match self {
            MembersError::Validation(fields) => AppError::Validation(fields),
            MembersError::AlreadyMember { id } => conflict("member.error.already", Some(format!("/members/{id}"))),
            MembersError::AlreadyCollective { id } => conflict(
                "collective.error.already",
                id.map(|id| format!("/members/collective/{id}")),
            ),
            MembersError::StaleVersion => conflict("error.stale_version", None),
            MembersError::Changed => conflict("error.unit_changed", None),
            MembersError::NotFound => AppError::NotFound,
            MembersError::ReadOnly => AppError::Forbidden,
            MembersError::Card(e) => AppError::Internal(e),
            MembersError::People(e) => e.into_app_error(),
            MembersError::Org(e) => e.into_app_error(),
            MembersError::Db(e) => e.into(),
        }
    }
}
