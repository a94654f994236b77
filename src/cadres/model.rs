//! Positions, courses and attendance as pages and the API see them, and
//! the pure rules of terms and training.

use serde::Serialize;

use crate::members::model::display_date;
use crate::volunteers::model::named_set;

named_set!(
    /// A cadre's position at a unit.
    Position, "cadre.position.", [
        Chair = "chair",
        ViceChair = "vice_chair",
        Standing = "standing",
        FullTime = "full_time",
        PartTime = "part_time",
    ]
);

named_set!(
    /// The level a course is held at.
    CourseLevel, "course.level.", [
        Central = "central",
        Province = "province",
        Commune = "commune",
        Branch = "branch",
    ]
);

named_set!(
    /// What came of attending a course.
    Outcome, "course.result.", [
        Attended = "attended",
        Passed = "passed",
        Failed = "failed",
    ]
);

impl Outcome {
    /// Whether the course counts as training received.
    pub fn trained(self) -> bool {
        !matches!(self, Outcome::Failed)
    }
}

/// A position held by a person at a unit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Cadre {
    pub id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub position: Position,
    pub title: String,
    pub term_start: String,
    pub term_end: Option<String>,
    /// `current` or `ended`.
    pub status: String,
    pub unit_code: String,
    pub unit_name: String,
    /// The end of the latest course they were trained in (ISO), if any.
    pub last_trained: Option<String>,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Cadre {
    pub fn is_current(&self) -> bool {
        self.status == "current"
    }

    pub fn term_display(&self) -> String {
        match &self.term_end {
            Some(end) => format!("{} – {}", display_date(&self.term_start), display_date(end)),
            None => format!("{} –", display_date(&self.term_start)),
        }
    }

    pub fn last_trained_display(&self) -> String {
        self.last_trained.as_deref().map(display_date).unwrap_or_default()
    }
}

/// A training course.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub level: CourseLevel,
    pub starts_on: String,
    pub ends_on: String,
    pub organiser: String,
    pub trainers: String,
    pub unit_code: String,
    pub unit_name: String,
    pub attendees: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Course {
    pub fn dates_display(&self) -> String {
        if self.starts_on == self.ends_on {
            display_date(&self.starts_on)
        } else {
            format!("{} – {}", display_date(&self.starts_on), display_date(&self.ends_on))
        }
    }
}

/// A person's attendance of a course (a line of their training record).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Attendance {
    pub course_id: i64,
    pub course_title: String,
    pub ends_on: String,
    pub person_id: i64,
    pub full_name: String,
    pub result: Outcome,
}

impl Attendance {
    pub fn ends_display(&self) -> String {
        display_date(&self.ends_on)
    }
}

/// The first day of the window "trained in the last `years` years",
/// as of `today` (ISO).
pub fn trained_since(today: time::Date, years: i64) -> String {
    let year = today.year() - years.clamp(1, 50) as i32;
    let day = time::Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| time::Date::from_calendar_date(year, today.month(), 28))
        .unwrap_or(today);
    crate::members::model::iso(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_window_of_training_goes_back_whole_years() {
        assert_eq!(trained_since(date!(2026 - 11 - 29), 3), "2023-11-29");
        assert_eq!(trained_since(date!(2028 - 02 - 29), 1), "2027-02-28");
        assert!(Outcome::Passed.trained() && Outcome::Attended.trained() && !Outcome::Failed.trained());
    }
}
