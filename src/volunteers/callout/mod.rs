//! Call-out: who can be called on a day — in an area with a skill, or
//! among a team's volunteers. A volunteer can come when they are active,
//! not away that day, have the skill, and, for skills that put lives at
//! stake, hold a certificate valid on the day. Phone numbers are for
//! staff who may write where the call-out is made; viewers see names.

mod routes;
mod storage;

pub use routes::{pages, router, xlsx_download};
pub use storage::LIMIT;

/// Volunteers an area's call-out lists a page at a time.
pub const PAGE: i64 = 200;

use serde::Serialize;

use super::model::{Skill, Slot, Status};
use super::VolunteersError;
use crate::access::{Permission, Principal};
use crate::db::Db;
use crate::org::Unit;

/// Whom a call-out looks among.
pub enum Pool<'a> {
    /// Volunteers placed in `unit`'s subtree with `skill`: only those who
    /// can come are listed, by name, `limit` after the cursor `after`.
    Area {
        unit: &'a Unit,
        skill: Skill,
        after: Option<(String, i64)>,
        limit: i64,
    },
    /// These volunteers (a team's), each with why they cannot come, if so;
    /// `skill`: the team's skill, when it has one.
    Volunteers { ids: &'a [i64], skill: Option<Skill> },
}

/// A volunteer as a call-out lists them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CalloutRow {
    pub volunteer_id: i64,
    pub full_name: String,
    /// Empty for users who may only read.
    pub phone: String,
    pub unit_name: String,
    pub status: Status,
    pub availability: Vec<Slot>,
    pub away_until: Option<String>,
    /// Holds a certificate valid on the day (or the skill needs none).
    pub certified: bool,
    /// Has the skill asked for (or none was asked).
    pub skilled: bool,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl CalloutRow {
    /// Why they cannot come on `day` (catalogue key), if so.
    pub fn unavailable(&self, day: &str) -> Option<&'static str> {
        if self.status != Status::Active {
            Some("callout.reason.not_active")
        } else if self.away_until.as_deref().is_some_and(|a| a >= day) {
            Some("callout.reason.away")
        } else if !self.skilled {
            Some("callout.reason.no_skill")
        } else if !self.certified {
            Some("callout.reason.no_certificate")
        } else {
            None
        }
    }

    pub fn away_display(&self) -> String {
        self.away_until
            .as_deref()
            .map(crate::members::model::display_date)
            .unwrap_or_default()
    }
}

/// A call-out's answer: who can come, and (for a team) who cannot.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Callout {
    /// ISO date.
    pub day: String,
    pub available: Vec<CalloutRow>,
    pub unavailable: Vec<CalloutRow>,
    /// Whether phone numbers are shown: to staff who may change the
    /// volunteer where they are held (others see names).
    pub phones_shown: bool,
    /// An area's call-out goes on: pass this as `after` for the next page.
    pub next: Option<String>,
}

/// The cursor after a row: its id and sort key.
fn cursor(id: i64, sort_key: &str) -> String {
    format!("{id}~{sort_key}")
}

/// A cursor as passed back (`after`); `None` for anything else.
pub fn parse_after(text: &str) -> Option<(String, i64)> {
    let (id, key) = text.split_once('~')?;
    Some((key.to_owned(), id.parse().ok()?))
}

/// Runs a call-out for `day` (ISO). A phone number is shown to users who
/// may change the volunteer where they are held.
pub async fn call_out(db: &Db, user: &Principal, pool: &Pool<'_>, day: &str) -> Result<Callout, VolunteersError> {
    let mut rows = storage::rows(db, &user.scope(Permission::Read), pool, day).await?;
    let mut out = Callout {
        day: day.to_owned(),
        ..Callout::default()
    };
    if let Pool::Area { limit, .. } = pool {
        let page = usize::try_from(*limit).unwrap_or(0);
        if rows.len() > page {
            rows.truncate(page);
            out.next = rows.last().map(|(last, key)| cursor(last.volunteer_id, key));
        }
    }
    for (mut row, _) in rows {
        if user.may(Permission::Write, &row.placement) {
            out.phones_shown = true;
        } else {
            row.phone.clear();
        }
        if row.unavailable(day).is_none() {
            out.available.push(row);
        } else {
            out.unavailable.push(row);
        }
    }
    Ok(out)
}

/// The day of a call-out as typed (`dd/mm/yyyy`); empty: today.
pub fn parse_day(text: &str) -> Result<String, VolunteersError> {
    match text.trim() {
        "" => Ok(crate::members::model::iso(super::service::today())),
        text => {
            let mut errors = crate::validation::FieldErrors::new();
            super::model::parse_date(text, "date", &mut errors)
                .map(crate::members::model::iso)
                .ok_or(VolunteersError::Validation(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> CalloutRow {
        CalloutRow {
            volunteer_id: 1,
            full_name: "A".into(),
            phone: String::new(),
            unit_name: String::new(),
            status: Status::Active,
            availability: Vec::new(),
            away_until: None,
            certified: true,
            skilled: true,
            placement: Default::default(),
        }
    }

    #[test]
    fn a_cursor_reads_back_with_any_sort_key() {
        let key = "an nguyen~van an";
        assert_eq!(parse_after(&cursor(42, key)), Some((key.to_owned(), 42)));
        assert_eq!(parse_after("x~a"), None);
        assert_eq!(parse_after("12"), None);
    }

    #[test]
    fn a_volunteer_comes_when_active_present_skilled_and_certified() {
        let day = "2026-12-01";
        assert_eq!(row().unavailable(day), None);
        let away = CalloutRow {
            away_until: Some("2026-12-01".into()),
            ..row()
        };
        assert_eq!(away.unavailable(day), Some("callout.reason.away"));
        let back = CalloutRow {
            away_until: Some("2026-11-30".into()),
            ..row()
        };
        assert_eq!(back.unavailable(day), None);
        let paused = CalloutRow {
            status: Status::Paused,
            ..row()
        };
        assert_eq!(paused.unavailable(day), Some("callout.reason.not_active"));
        let expired = CalloutRow {
            certified: false,
            ..row()
        };
        assert_eq!(expired.unavailable(day), Some("callout.reason.no_certificate"));
    }
}
