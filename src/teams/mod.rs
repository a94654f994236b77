//! Teams (đội hình) of volunteers — first-aid, disaster-response,
//! water-rescue, youth and blood-donor teams — belonging to a unit, with
//! a leader among their members, and called out for a day.

mod api;
mod capability;
mod routes;
pub mod service;
mod storage;

pub use capability::Teams;

use serde::Serialize;

use crate::org::{Counter, OrgError, PlacedTable};
use crate::validation::{field_error, FieldErrors};
use crate::volunteers::model::{named_set, Skill};
use crate::volunteers::VolunteersError;
use crate::web::error::{AppError, IntoAppError};

/// The teams table: placed at its unit, active teams counted per unit.
pub const TEAMS: PlacedTable = PlacedTable {
    table: "teams",
    counters: &[Counter {
        name: "teams",
        label_key: "counter.teams",
        list_path: "/teams",
        weight: "",
        filter: "status = 'active'",
        demographics: None,
    }],
    refers: None,
    follows: None,
};

named_set!(
    /// What a team does.
    Kind, "team.kind.", [
        FirstAid = "first_aid",
        DisasterResponse = "disaster_response",
        WaterRescue = "water_rescue",
        Youth = "youth",
        BloodDonor = "blood_donor",
    ]
);

impl Kind {
    /// The skill its members are called out for, when the team has one.
    pub fn skill(self) -> Option<Skill> {
        match self {
            Kind::FirstAid => Some(Skill::FirstAid),
            Kind::WaterRescue => Some(Skill::WaterRescue),
            Kind::DisasterResponse | Kind::Youth | Kind::BloodDonor => None,
        }
    }
}

/// A team with its unit and leader.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    /// `active` or `disbanded`.
    pub status: String,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub note: String,
    pub unit_code: String,
    pub unit_name: String,
    pub members: i64,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Team {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// A volunteer of a team.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub volunteer_id: i64,
    pub full_name: String,
    pub unit_name: String,
    /// ISO date.
    pub joined_on: String,
}

impl TeamMember {
    pub fn joined_display(&self) -> String {
        crate::members::model::display_date(&self.joined_on)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TeamsError {
    #[error("invalid team data")]
    Validation(FieldErrors),
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("the unit changed meanwhile")]
    Changed,
    #[error("not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    #[error(transparent)]
    Volunteers(#[from] VolunteersError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl TeamsError {
    pub fn field(field: &str, key: &str) -> TeamsError {
        TeamsError::Validation(field_error(field, key))
    }
}

impl IntoAppError for TeamsError {
    fn into_app_error(self) -> AppError {
        let conflict = |key: &str| AppError::Conflict {
            key: key.into(),
            link: None,
        };
        match self {
            TeamsError::Validation(fields) => AppError::Validation(fields),
            TeamsError::StaleVersion => conflict("error.stale_version"),
            TeamsError::Changed => conflict("error.unit_changed"),
            TeamsError::NotFound => AppError::NotFound,
            TeamsError::ReadOnly => AppError::Forbidden,
            TeamsError::Volunteers(e) => e.into_app_error(),
            TeamsError::Org(e) => e.into_app_error(),
            TeamsError::Db(e) => e.into(),
        }
    }
}
