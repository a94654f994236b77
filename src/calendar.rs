//! The calendar as the Society lives it: days and years in Vietnam (UTC+7).

use time::{Date, OffsetDateTime, UtcOffset};

/// Vietnam's offset from UTC (no daylight saving).
pub const VIETNAM: UtcOffset = time::macros::offset!(+7);

/// Today's date in Vietnam.
pub fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(VIETNAM).date()
}

/// This calendar year in Vietnam.
pub fn this_year() -> i64 {
    i64::from(today().year())
}
