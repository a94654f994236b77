//! Reading the audit trail: supervisors read their subtree (and what their
//! units absorbed), narrowed by user, unit, dates and action; every record
//! page shows its own history.

use super::model::Entry;
use super::storage::{self, Filter};
use crate::access::{self, Permission, Principal};
use crate::db::Db;
use crate::org::Unit;
use crate::web::paging::Page;

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("not a supervisor")]
    NotFound,
    /// A filter the user can fix; the catalogue key says which.
    #[error("bad filter {0}")]
    BadFilter(&'static str),
    #[error(transparent)]
    Cursor(#[from] crate::web::paging::BadCursor),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl crate::web::error::IntoAppError for AuditError {
    fn into_app_error(self) -> crate::web::error::AppError {
        use crate::web::error::AppError;
        match self {
            AuditError::NotFound => AppError::NotFound,
            AuditError::BadFilter(key) => AppError::bad_request(key),
            AuditError::Cursor(e) => e.into_app_error(),
            AuditError::Db(e) => e.into(),
        }
    }
}

/// The filters as typed (page form or API query).
#[derive(Clone, Debug, Default)]
pub struct Wanted<'a> {
    pub user: &'a str,
    pub action: &'a str,
    /// `dd/mm/yyyy` or `yyyy-mm-dd`, in Vietnam time; `to` includes its day.
    pub from: &'a str,
    pub to: &'a str,
}

/// A day as typed: `15/08/2026` or `2026-08-15`; `.` and `-` separate
/// day-first dates too, for the phone keypads that have no `/`.
pub fn parse_day(text: &str) -> Option<time::Date> {
    let number = |s: &str| s.parse::<u16>().ok().filter(|_| s.bytes().all(|b| b.is_ascii_digit()));
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (y, m, d),
        [d, m, y] if y.len() == 4 => (y, m, d),
        _ => return None,
    };
    let month = time::Month::try_from(u8::try_from(number(m)?).ok()?).ok()?;
    let day = u8::try_from(number(d)?).ok()?;
    time::Date::from_calendar_date(i32::from(number(y)?), month, day).ok()
}

/// The UTC timestamp of the start of `day` in Vietnam (UTC+7).
fn start_of(day: time::Date) -> String {
    crate::db::timestamp(day.midnight().assume_offset(time::macros::offset!(+7)))
}

/// Checks what was typed; `actions` are the registered actions.
pub fn filter(wanted: &Wanted, actions: &[&str]) -> Result<Filter, AuditError> {
    let day = |text: &str| -> Result<Option<time::Date>, AuditError> {
        match text.trim() {
            "" => Ok(None),
            typed => parse_day(typed)
                .map(Some)
                .ok_or(AuditError::BadFilter("audit.error.date")),
        }
    };
    let (from, to) = (day(wanted.from)?, day(wanted.to)?);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(AuditError::BadFilter("audit.error.range"));
        }
    }
    let action = match wanted.action.trim() {
        "" => None,
        a if actions.contains(&a) => Some(a.to_owned()),
        _ => return Err(AuditError::BadFilter("audit.error.action")),
    };
    let user = wanted.user.trim().to_lowercase();
    Ok(Filter {
        username: (!user.is_empty()).then_some(user),
        action,
        from: from.map(start_of),
        until: to.and_then(|d| d.next_day()).map(start_of),
    })
}

/// One page of the entries the user supervises (inside `unit` when
/// given), newest first. The unit may be one merged into a supervised
/// unit (its history came along); any other unit is not found, whether
/// it exists or not.
pub async fn list(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    filter: &Filter,
    after: Option<&str>,
) -> Result<Page<Entry>, AuditError> {
    let scope = user.scope(Permission::Supervise);
    if scope.is_empty() {
        return Err(AuditError::NotFound);
    }
    let scope = match unit {
        None => scope,
        Some(unit) => match scope.within(unit) {
            Some(narrowed) => narrowed,
            None => access::storage::history_scope(db, &scope)
                .await?
                .within(unit)
                .ok_or(AuditError::NotFound)?,
        },
    };
    let scope = access::storage::history_scope(db, &scope).await?;
    let before: Option<i64> = crate::web::paging::after(after)?;
    let rows = storage::list(db, &scope, filter, before, PAGE_SIZE + 1).await?;
    Ok(Page::from_rows(rows, PAGE_SIZE, |e| e.id))
}

/// The history of one record since `created_at`. The caller has checked
/// that the user may read the record itself.
pub async fn history(db: &Db, entity: &str, entity_id: i64, created_at: &str) -> Result<Vec<Entry>, sqlx::Error> {
    storage::for_entity(db, entity, entity_id, created_at).await
}

/// Which of `records` (entity, id) were deleted: their pages are gone.
pub async fn deleted_among(db: &Db, records: &[(String, i64)]) -> Result<Vec<(String, i64)>, sqlx::Error> {
    storage::deleted_among(db, records).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_typed_day_first_or_iso() {
        let day = time::macros::date!(2026 - 08 - 15);
        assert_eq!(parse_day("15/08/2026"), Some(day));
        assert_eq!(parse_day("2026-08-15"), Some(day));
        assert_eq!(parse_day(" 15.08.2026 "), Some(day), "a phone keypad has no slash");
        assert_eq!(parse_day("15-8-2026"), Some(day));
        assert_eq!(parse_day("15/08/26"), None, "the year is written in full");
        assert_eq!(parse_day("+15/08/2026"), None);
        assert_eq!(parse_day("31/02/2026"), None);
        assert_eq!(parse_day("15/08"), None);
        assert_eq!(parse_day("hôm qua"), None);
    }

    #[test]
    fn a_range_covers_whole_days_in_vietnam_time() {
        let wanted = Wanted {
            from: "15/08/2026",
            to: "15/08/2026",
            ..Wanted::default()
        };
        let f = filter(&wanted, &[]).expect("valid");
        assert_eq!(f.from.as_deref(), Some("2026-08-14T17:00:00.000Z"));
        assert_eq!(f.until.as_deref(), Some("2026-08-15T17:00:00.000Z"));
    }

    #[test]
    fn bad_filters_are_refused() {
        let reversed = Wanted {
            from: "16/08/2026",
            to: "15/08/2026",
            ..Wanted::default()
        };
        assert!(matches!(
            filter(&reversed, &[]),
            Err(AuditError::BadFilter("audit.error.range"))
        ));
        let action = Wanted {
            action: "drop",
            ..Wanted::default()
        };
        assert!(matches!(
            filter(&action, &["update"]),
            Err(AuditError::BadFilter("audit.error.action"))
        ));
        assert!(filter(
            &Wanted {
                action: "update",
                ..Wanted::default()
            },
            &["update"]
        )
        .is_ok());
    }
}
