//! The shared pieces of every list page: the query string a list keeps
//! across its links, sortable column headers, the pager line
//! ("1–50 / 126"), and filtering, sorting and paging of short lists held
//! in memory (the children of a unit). Long lists page in SQL and use the
//! same `Pager` and headers; `web/templates/list.html` renders them.

use std::cmp::Ordering;

use serde::Deserialize;

use super::page::{number, url_encode};
use crate::text;

/// Rows a page shows.
pub const PAGE_ROWS: usize = 50;

/// What a user sets on a list: filter text, sort column and direction,
/// page, and whether rows with nothing in them are hidden.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Filter text; diacritics optional.
    pub q: String,
    /// The column to sort by.
    pub sort: String,
    /// `desc` for descending order.
    pub dir: String,
    /// The page, from 1.
    pub page: Option<usize>,
    /// `1` hides rows whose counts are all zero.
    pub hide_empty: Option<String>,
}

impl ListParams {
    pub fn descending(&self) -> bool {
        self.dir == "desc"
    }

    pub fn hides_empty(&self) -> bool {
        self.hide_empty.as_deref().is_some_and(|v| !v.is_empty() && v != "0")
    }

    pub fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }

    /// The link to this list with these parameters, `changes` applied
    /// (an empty value drops the parameter).
    pub fn link(&self, base: &str, changes: &[(&str, &str)]) -> String {
        let page = self.page.map(|p| p.to_string()).unwrap_or_default();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("q", self.q.as_str()),
            ("hide_empty", self.hide_empty.as_deref().unwrap_or("")),
            ("sort", self.sort.as_str()),
            ("dir", self.dir.as_str()),
            ("page", page.as_str()),
        ];
        for (key, value) in changes {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some(pair) => pair.1 = value,
                None => pairs.push((key, value)),
            }
        }
        with_query(base, &pairs)
    }
}

/// `base?k=v&…` with the empty values left out (`base&k=v…` when the base
/// has parameters already).
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    match (query.is_empty(), base.contains('?')) {
        (true, _) => base.to_owned(),
        (false, false) => format!("{base}?{}", query.join("&")),
        // A base that carries parameters of its own keeps them.
        (false, true) => format!("{base}&{}", query.join("&")),
    }
}

/// A column header: its label, the link that sorts by it (or reverses the
/// order when it is the sort column), and how it is sorted now.
pub struct Header {
    pub label: String,
    pub href: Option<String>,
    /// `ascending`/`descending` when the list is sorted by it (`aria-sort`).
    pub sorted: Option<&'static str>,
    pub numeric: bool,
}

impl Header {
    /// The arrow after a sorted column's label.
    pub fn arrow(&self) -> &'static str {
        match self.sorted {
            Some("descending") => " ▼",
            Some(_) => " ▲",
            None => "",
        }
    }
}

/// Where a page sits in its list: "51–100 / 126", and the links around it.
pub struct Pager {
    pub first: usize,
    pub last: usize,
    pub total: usize,
    /// The total is a lower bound ("more than 1,000").
    pub more: bool,
    pub first_page: Option<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// "51–100", or "" when the page is empty.
    pub fn range(&self) -> String {
        if self.last == 0 {
            String::new()
        } else {
            format!("{}–{}", number(self.first as i64), number(self.last as i64))
        }
    }

    pub fn total_shown(&self) -> String {
        number(self.total as i64)
    }

    pub fn has_links(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

/// How two rows of a list compare by one column.
pub type Compare<T> = Box<dyn Fn(&T, &T) -> Ordering + Send + Sync>;

/// How one column of an in-memory list compares two rows.
pub struct Column<T> {
    pub key: &'static str,
    pub label: String,
    pub numeric: bool,
    pub compare: Compare<T>,
}

/// A page of an in-memory list, with what its page shows around it.
pub struct Window<T> {
    pub rows: Vec<T>,
    pub headers: Vec<Header>,
    pub pager: Pager,
    /// Rows before filtering (the list's own size).
    pub unfiltered: usize,
}

/// Filters `rows` (folded `q` inside `haystack`), drops empty rows when
/// asked (`is_empty`), sorts by the requested column (else the first),
/// and cuts the requested page. `base` is the list's own path.
pub fn window<T>(
    rows: Vec<T>,
    params: &ListParams,
    base: &str,
    columns: &[Column<T>],
    haystack: impl Fn(&T) -> String,
    is_empty: impl Fn(&T) -> bool,
) -> Window<T> {
    let unfiltered = rows.len();
    let needle = text::fold(params.q.trim());
    let mut rows: Vec<T> = rows
        .into_iter()
        .filter(|r| needle.is_empty() || text::fold(&haystack(r)).contains(&needle))
        .filter(|r| !(params.hides_empty() && is_empty(r)))
        .collect();
    let sort_index = columns.iter().position(|c| c.key == params.sort).unwrap_or(0);
    if let Some(column) = columns.get(sort_index) {
        rows.sort_by(|a, b| {
            let order = (column.compare)(a, b);
            if params.descending() {
                order.reverse()
            } else {
                order
            }
        });
    }
    let headers = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let current = i == sort_index;
            let dir = if current && !params.descending() { "desc" } else { "" };
            Header {
                label: c.label.clone(),
                href: Some(params.link(base, &[("sort", c.key), ("dir", dir), ("page", "")])),
                sorted: current.then_some(if params.descending() { "descending" } else { "ascending" }),
                numeric: c.numeric,
            }
        })
        .collect();
    let total = rows.len();
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let page = params.page().min(pages);
    let start = (page - 1) * PAGE_ROWS;
    let rows: Vec<T> = rows.into_iter().skip(start).take(PAGE_ROWS).collect();
    let page_link = |p: usize| params.link(base, &[("page", &p.to_string())]);
    let pager = Pager {
        first: if rows.is_empty() { 0 } else { start + 1 },
        last: start + rows.len(),
        total,
        more: false,
        first_page: (page > 2).then(|| params.link(base, &[("page", "")])),
        previous: (page > 1).then(|| page_link(page - 1)),
        next: (page < pages).then(|| page_link(page + 1)),
    };
    Window {
        rows,
        headers,
        pager,
        unfiltered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column<(String, i64)>> {
        vec![
            Column {
                key: "name",
                label: "Tên".into(),
                numeric: false,
                compare: Box::new(|a, b| text::fold(&a.0).cmp(&text::fold(&b.0))),
            },
            Column {
                key: "count",
                label: "Người".into(),
                numeric: true,
                compare: Box::new(|a, b| a.1.cmp(&b.1)),
            },
        ]
    }

    fn rows(n: usize) -> Vec<(String, i64)> {
        (0..n).map(|i| (format!("Phường Số {i:03}"), (i % 3) as i64)).collect()
    }

    fn params(q: &str, sort: &str, dir: &str, page: usize, hide: bool) -> ListParams {
        ListParams {
            q: q.into(),
            sort: sort.into(),
            dir: dir.into(),
            page: Some(page),
            hide_empty: hide.then(|| "1".into()),
        }
    }

    #[test]
    fn pages_of_fifty_say_where_they_are() {
        let w = window(
            rows(126),
            &params("", "", "", 3, false),
            "/u",
            &columns(),
            |r| r.0.clone(),
            |r| r.1 == 0,
        );
        assert_eq!(w.pager.range(), "101–126");
        assert_eq!(w.pager.total, 126);
        assert_eq!(w.rows.len(), 26);
        assert_eq!(w.pager.next, None);
        assert_eq!(w.pager.previous.as_deref(), Some("/u?page=2"));
    }

    #[test]
    fn filter_is_unaccented_and_empty_rows_can_be_hidden() {
        let w = window(
            rows(126),
            &params("phuong so 01", "", "", 1, false),
            "/u",
            &columns(),
            |r| r.0.clone(),
            |r| r.1 == 0,
        );
        assert_eq!(w.pager.total, 10);
        let hidden = window(
            rows(126),
            &params("", "", "", 1, true),
            "/u",
            &columns(),
            |r| r.0.clone(),
            |r| r.1 == 0,
        );
        assert_eq!(hidden.pager.total, 84);
        assert_eq!(hidden.unfiltered, 126);
    }

    #[test]
    fn sorting_follows_the_column_and_its_header_reverses_it() {
        let w = window(
            rows(10),
            &params("", "count", "desc", 1, false),
            "/u",
            &columns(),
            |r| r.0.clone(),
            |_| false,
        );
        assert_eq!(w.rows[0].1, 2);
        assert_eq!(w.headers[1].sorted, Some("descending"));
        assert_eq!(w.headers[1].href.as_deref(), Some("/u?sort=count"));
        let asc = window(
            rows(10),
            &params("", "count", "", 1, false),
            "/u",
            &columns(),
            |r| r.0.clone(),
            |_| false,
        );
        assert_eq!(asc.headers[1].href.as_deref(), Some("/u?sort=count&dir=desc"));
    }

    #[test]
    fn a_page_past_the_end_shows_the_last_one() {
        let w = window(
            rows(60),
            &params("", "", "", 9, false),
            "/u",
            &columns(),
            |r| r.0.clone(),
            |_| false,
        );
        assert_eq!(w.pager.range(), "51–60");
    }
}
