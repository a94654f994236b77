//! One way to page through lists, for pages and the API alike: keyset
//! paging with an opaque cursor (`?after=`), `PAGE_SIZE` rows a page.

use serde::Serialize;
use utoipa::ToSchema;

pub const PAGE_SIZE: i64 = 50;

/// One page of a list, and the cursor of the next one when there is more.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A position in a list ordered by some key. Each list encodes its own key;
/// callers only pass the text back.
pub trait CursorKey: Sized {
    fn encode(&self) -> String;
    fn decode(text: &str) -> Option<Self>;
}

/// An `after` that is no cursor of this list (edited or cut short): the
/// caller gets a clear 400 rather than the first page again.
#[derive(Debug, thiserror::Error)]
#[error("not a cursor of this list")]
pub struct BadCursor;

impl super::error::IntoAppError for BadCursor {
    fn into_app_error(self) -> super::error::AppError {
        super::error::AppError::bad_request("error.bad_cursor")
    }
}

/// The position `after` names; none for a missing or empty `after`.
pub fn after<K: CursorKey>(after: Option<&str>) -> Result<Option<K>, BadCursor> {
    match after.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(text) => K::decode(text).map(Some).ok_or(BadCursor),
    }
}

impl<T> Page<T> {
    /// A page from up to `limit + 1` rows read in list order: the extra row
    /// only tells that there is a next page.
    pub fn from_rows<K: CursorKey>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(0);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| key(last).encode())
        } else {
            None
        };
        Page { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Lists ordered by id alone.
impl CursorKey for i64 {
    fn encode(&self) -> String {
        self.to_string()
    }

    fn decode(text: &str) -> Option<i64> {
        text.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_row_makes_a_cursor_and_is_dropped() {
        let page = Page::from_rows(vec![1i64, 2, 3], 2, |id| *id);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next.as_deref(), Some("2"));
        let last = Page::from_rows(vec![1i64, 2], 2, |id| *id);
        assert_eq!(last.next, None);
    }

    #[test]
    fn a_cursor_that_does_not_decode_is_refused_not_ignored() {
        assert_eq!(after::<i64>(Some("42")).ok(), Some(Some(42)));
        assert_eq!(after::<i64>(Some("")).ok(), Some(None));
        assert_eq!(after::<i64>(None).ok(), Some(None));
        assert!(after::<i64>(Some("abc")).is_err());
    }
}
