//! Finding the header row of a sheet and what each column holds, from the
//! spellings offices actually use: with or without diacritics, in any
//! order, with extra words ("Họ và tên người được hỗ trợ"), below a title
//! block. A mapping the user made by hand for a unit wins over guessing.

use std::collections::HashMap;

use super::kind::ColumnSpec;
use super::target::Target;
use super::two_rows;
use crate::text;

/// Rows searched for the header (title blocks are a few lines).
const HEADER_SEARCH_ROWS: usize = 30;

/// What the sheet's columns were recognised as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognised {
    /// Index of the (first) header row in the sheet (0-based).
    pub header_row: usize,
    /// Index of the first row of data: below the header's one or two
    /// rows, and below a row numbering the columns ("1 2 3 …", "(1) (2) …").
    pub data_row: usize,
    /// Per column of the sheet: its header as read (a group title over
    /// merged cells and the column's own title below it, joined).
    pub headers: Vec<String>,
    /// Per column of the sheet: what it fills (a `target` entry), if anything.
    pub mapping: Vec<Option<String>>,
}

/// The matching form of a header: folded words, punctuation dropped.
/// "Ngày/tháng/năm sinh" → "ngay thang nam sinh".
pub fn header_key(header: &str) -> String {
    text::tokens(header).join(" ")
}

/// How well `header` names `spec`: the number of words of the longest
/// alias found in it as consecutive words (0 when none is). A header that
/// is exactly an alias scores above one that merely contains it.
fn score(header_words: &[&str], spec: &ColumnSpec) -> usize {
    let mut best = 0;
    for alias in spec.aliases {
        let words: Vec<&str> = alias.split(' ').collect();
        if words.len() > header_words.len() {
            continue;
        }
        let found = header_words.windows(words.len()).any(|w| w == words.as_slice());
        if found {
            let exact = usize::from(words.len() == header_words.len());
            best = best.max(words.len() * 2 + exact);
        }
    }
    best
}

/// The column key a header names, by its aliases.
pub fn guess(header: &str, specs: &[ColumnSpec]) -> Option<&'static str> {
    let key = header_key(header);
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    specs
        .iter()
        .map(|spec| (score(&words, spec), spec.key))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map(|(_, key)| key)
}

/// Maps one header row: remembered choices first (`""` remembered means
/// "ignore this column"), then guesses. A key is given to one column only,
/// unless its spec joins several (address parts); later columns naming a
/// taken key stay unmapped for the user to decide.
pub fn map_row(headers: &[String], specs: &[ColumnSpec], remembered: &HashMap<String, String>) -> Vec<Option<String>> {
    map_columns(headers, &[], specs, remembered)
}

/// `map_row`, where `marked` gives columns found to be split by a value
/// (`target`) their entry, unless the user remembered another.
fn map_columns(
    headers: &[String],
    marked: &[Option<String>],
    specs: &[ColumnSpec],
    remembered: &HashMap<String, String>,
) -> Vec<Option<String>> {
    let mut taken: Vec<&str> = Vec::new();
    let mut plain = |key: &str| -> Option<String> {
        let spec = specs.iter().find(|s| s.key == key)?;
        if taken.contains(&spec.key) && !spec.joins {
            return None;
        }
        taken.push(spec.key);
        Some(spec.key.to_owned())
    };
    headers
        .iter()
        .enumerate()
        .map(|(c, header)| {
            let key = header_key(header);
            let remembered = if key.is_empty() { None } else { remembered.get(&key) };
            let entry = match remembered {
                Some(entry) => entry.clone(),
                None => match marked.get(c).cloned().flatten() {
                    Some(entry) => entry,
                    None => guess(header, specs)?.to_owned(),
                },
            };
            let target = Target::parse(&entry);
            match target.mark {
                None => plain(&entry),
                Some(_) => target.valid_in(specs).then_some(entry.clone()),
            }
        })
        .collect()
}

/// How much a mapping recognises: the distinct keys it fills, then how
/// many columns it reads as marks.
fn recognised_by(mapping: &[Option<String>]) -> (usize, usize) {
    let targets: Vec<Target> = mapping.iter().flatten().map(|e| Target::parse(e)).collect();
    let mut keys: Vec<&str> = targets.iter().flat_map(Target::keys).collect();
    keys.sort_unstable();
    keys.dedup();
    (keys.len(), targets.iter().filter(|t| t.mark.is_some()).count())
}

/// Whether a row only numbers the columns below a header: "1", "2", "3"
/// … or "(1)", "(2)" … in order, as official forms print them.
pub fn numbers_columns(row: &[String]) -> bool {
    let numbers: Vec<Option<u32>> = row
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| c.trim_start_matches('(').trim_end_matches(')').trim().parse().ok())
        .collect();
    numbers.len() >= 2 && numbers.iter().zip(1..).all(|(n, i)| *n == Some(i))
}

/// A way of reading the header at one row.
struct Candidate {
    row: usize,
    span: usize,
    headers: Vec<String>,
    mapping: Vec<Option<String>>,
    score: (usize, usize),
}

impl Candidate {
    fn one_row(rows: &[Vec<String>], index: usize, specs: &[ColumnSpec], remembered: &HashMap<String, String>) -> Self {
        let headers = rows.get(index).cloned().unwrap_or_default();
        let mapping = map_row(&headers, specs, remembered);
        Candidate {
            row: index,
            span: 1,
            score: recognised_by(&mapping),
            headers,
            mapping,
        }
    }

    /// Rows `index` and `index + 1` read as one header, when they can be:
    /// the top row names a column of its own (`top_names_one`).
    fn two_rows(
        rows: &[Vec<String>],
        index: usize,
        top_names_one: bool,
        specs: &[ColumnSpec],
        remembered: &HashMap<String, String>,
    ) -> Option<Self> {
        let (top, below) = (rows.get(index)?, rows.get(index + 1)?);
        if !top_names_one || !two_rows::is_second_row(top, below) {
            return None;
        }
        let titles = two_rows::titles(top, below);
        let headers: Vec<String> = titles.iter().map(two_rows::Titles::joined).collect();
        let marked = two_rows::marked_entries(&titles, specs);
        let mapping = map_columns(&headers, &marked, specs, remembered);
        Some(Candidate {
            row: index,
            span: 2,
            score: recognised_by(&mapping),
            headers,
            mapping,
        })
    }
}

/// Finds the header among the first rows: the row, or two rows read
/// together, naming the most distinct columns (at least two), then the
/// most columns split by a value; the first on a tie. Two rows are read
/// together only when that recognises more than either row alone.
pub fn recognise(rows: &[Vec<String>], specs: &[ColumnSpec], remembered: &HashMap<String, String>) -> Recognised {
    let mut best: Option<Candidate> = None;
    let searched = rows.len().min(HEADER_SEARCH_ROWS);
    // Each row read alone, once: row i + 1's is also what two rows at i must beat.
    let mut singles: Vec<Option<Candidate>> = (0..rows.len().min(searched + 1))
        .map(|i| Some(Candidate::one_row(rows, i, specs, remembered)))
        .collect();
    let score_of = |c: &Option<Candidate>| c.as_ref().map_or((0, 0), |c| c.score);
    for index in 0..searched {
        let next = singles.get(index + 1).map_or((0, 0), score_of);
        let Some(mut chosen) = singles[index].take() else {
            continue;
        };
        let top_names_one = chosen.score.0 > 0;
        if let Some(two) = Candidate::two_rows(rows, index, top_names_one, specs, remembered) {
            if two.score > chosen.score && two.score > next {
                chosen = two;
            }
        }
        if chosen.score.0 >= 2 && best.as_ref().is_none_or(|b| chosen.score > b.score) {
            best = Some(chosen);
        }
    }
    match best {
        Some(found) => {
            let mut data_row = found.row + found.span;
            if rows.get(data_row).is_some_and(|r| numbers_columns(r)) {
                data_row += 1;
            }
            Recognised {
                header_row: found.row,
                data_row,
                headers: found.headers,
                mapping: found.mapping,
            }
        }
        None => {
            let header_row = rows
                .iter()
                .position(|r| r.iter().any(|c| !c.trim().is_empty()))
                .unwrap_or(0);
            let headers = rows.get(header_row).cloned().unwrap_or_default();
            Recognised {
                header_row,
                data_row: header_row + 1,
                mapping: vec![None; headers.len()],
                headers,
            }
        }
    }
}

#[cfg(test)]
#[path = "headers_tests.rs"]
mod tests;
