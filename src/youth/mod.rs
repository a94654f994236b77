//! Youth Red Cross (Chữ thập đỏ thanh thiếu niên): pupils and students in
//! school branches, with their class and school year. A role of a person
//! of the registry, held by the school branch, moving with the person.

mod api;
mod capability;
mod import;
mod routes;
pub mod service;
mod storage;

pub use capability::Youth;

use serde::Serialize;

use crate::org::placed::{Demographics, Follows, OnlyAt};
use crate::org::{Counter, PlacedTable};
use crate::volunteers::VolunteersError;

/// Youth members: placed where their person is, counted while active.
pub const YOUTH_MEMBERS: PlacedTable = PlacedTable {
    table: "youth_members",
    counters: &[Counter {
        name: "youth_members",
        label_key: "counter.youth_members",
        list_path: "/youth",
        filter: "status = 'active'",
        weight: "",
        demographics: Some(Demographics::OF_PERSON),
    }],
    refers: None,
    follows: Some(Follows {
        table: "persons",
        column: "person_id",
        sort_key: false,
        // A pupil who left may go anywhere.
        only_at: Some(OnlyAt {
            rows: "f.status = 'active'",
            condition: "u.level = 'branch' AND u.kind = 'school'",
            refused_key: "youth.error.stays_at_school",
            merge_refused_key: "youth.error.merge_school",
        }),
    }),
};

/// The errors of youth members are the volunteers' (the same kinds of
/// refusal: validation, conflicts, access).
pub type YouthError = VolunteersError;

/// A pupil or student of a school branch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YouthMember {
    pub id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub sex: String,
    pub birth: Option<String>,
    pub class_name: String,
    /// `2025-2026`.
    pub school_year: String,
    pub joined_on: String,
    /// `active` or `left`.
    pub status: String,
    pub branch_code: String,
    pub branch_name: String,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl YouthMember {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    pub fn birth_display(&self) -> String {
        self.birth
            .as_deref()
            .map(crate::members::model::display_date)
            .unwrap_or_default()
    }
}

/// A school year as written (`2025-2026`, `2025 - 2026`, `2025–2026`):
/// two years in a row, normalised to `2025-2026`.
pub fn school_year(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .map(|c| if c == '–' || c == '/' { '-' } else { c })
        .collect();
    let (a, b) = cleaned.split_once('-')?;
    let (a, b) = (a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?);
    ((1946..=2200).contains(&a) && b == a + 1).then(|| format!("{a}-{b}"))
}

/// The school year a day falls in (it starts in September).
pub fn school_year_of(day: time::Date) -> String {
    let start = if u8::from(day.month()) >= 9 {
        day.year()
    } else {
        day.year() - 1
    };
    format!("{start}-{}", start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn school_years_are_two_years_in_a_row() {
        assert_eq!(school_year("2025-2026").as_deref(), Some("2025-2026"));
        assert_eq!(school_year(" 2025 – 2026 ").as_deref(), Some("2025-2026"));
        assert_eq!(school_year("2025/2026").as_deref(), Some("2025-2026"));
        assert_eq!(school_year("2025-2027"), None);
        assert_eq!(school_year("2025"), None);
        assert_eq!(school_year_of(date!(2026 - 11 - 29)), "2026-2027");
        assert_eq!(school_year_of(date!(2026 - 05 - 20)), "2025-2026");
    }
}
