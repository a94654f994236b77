//! Finding the header row of a sheet and what each column holds, from the
//! spellings offices actually use: with or without diacritics, in any
//! order, with extra words ("Họ và tên người được hỗ trợ"), below a title
//! block. A mapping the user made by hand for a unit wins over guessing.

use std::collections::HashMap;

use super::kind::ColumnSpec;
use super::target::Target;
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
    /// Per column of the sheet: the column key it fills, if any.
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
            let entry = match remembered.get(&header_key(header)) {
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

/// The titles of a header spread over two rows: a group title over
/// merged cells (Excel keeps it in the first of them) and each column's
/// own title below: per column, (group title, own title). A title
/// standing alone (merged down both rows) is a group without titles below.
pub fn two_row_titles(top: &[String], below: &[String]) -> Vec<(String, String)> {
    let width = top.len().max(below.len());
    let mut group = "";
    (0..width)
        .map(|c| {
            let own_top = top.get(c).map_or("", |t| t.trim());
            let own = below.get(c).map_or("", |t| t.trim());
            if !own_top.is_empty() {
                group = own_top;
            } else if own.is_empty() {
                // An empty column ends the merged group.
                group = "";
            }
            if own.is_empty() {
                (own_top.to_owned(), String::new())
            } else {
                (group.to_owned(), own.to_owned())
            }
        })
        .collect()
}

/// A column's header from its (group, own) titles.
fn joined_title((group, own): &(String, String)) -> String {
    match (group.is_empty(), own.is_empty()) {
        (_, true) => group.clone(),
        (true, false) => own.clone(),
        (false, false) => format!("{group} {own}"),
    }
}

/// The entry of a column whose own title is a value of a spec under a
/// group title: "Giới tính" / "Nữ" is a tick (`sex@Nữ`), "Năm sinh" /
/// "Nữ" a birth written under the sex (`birth_date+sex@Nữ`).
fn marked_entry((group, own): &(String, String), specs: &[ColumnSpec]) -> Option<String> {
    if group.is_empty() || own.is_empty() {
        return None;
    }
    let mark = super::target::mark_of(&header_key(own), specs)?;
    let key = guess(group, specs)?;
    let target = Target {
        key: (key != mark.0).then_some(key),
        mark: Some(mark),
    };
    Some(target.entry())
}

/// Whether `below` can be the second row of a header starting with
/// `top`: it continues a group (a title under an empty, merged cell of
/// `top`), and every title in it has a letter (data rows carry numbers:
/// the row's number, a year, a phone).
fn second_header_row(top: &[String], below: &[String]) -> bool {
    let titles = two_row_titles(top, below);
    let continues_group = titles.iter().enumerate().any(|(c, (group, own))| {
        !group.is_empty() && !own.is_empty() && top.get(c).is_none_or(|t| t.trim().is_empty())
    });
    continues_group
        && below
            .iter()
            .filter(|t| !t.trim().is_empty())
            .all(|t| t.chars().any(char::is_alphabetic))
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

/// Finds the header among the first rows: the row, or two rows read
/// together, naming the most distinct columns (at least two; the first on
/// a tie, and one row unless the second adds a column or a mark). Without
/// one, the first non-empty row is the header and nothing is mapped.
pub fn recognise(rows: &[Vec<String>], specs: &[ColumnSpec], remembered: &HashMap<String, String>) -> Recognised {
    let mut best: Option<Candidate> = None;
    for (index, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mapping = map_row(row, specs, remembered);
        let mut chosen = Candidate {
            row: index,
            span: 1,
            headers: row.clone(),
            score: recognised_by(&mapping),
            mapping,
        };
        if let Some(below) = rows.get(index + 1).filter(|below| second_header_row(row, below)) {
            let titles = two_row_titles(row, below);
            let headers: Vec<String> = titles.iter().map(joined_title).collect();
            let marked: Vec<Option<String>> = titles.iter().map(|t| marked_entry(t, specs)).collect();
            let mapping = map_columns(&headers, &marked, specs, remembered);
            let score = recognised_by(&mapping);
            if score > chosen.score {
                chosen = Candidate {
                    row: index,
                    span: 2,
                    headers,
                    mapping,
                    score,
                };
            }
        }
        if chosen.score.0 >= 2 && best.as_ref().is_none_or(|b| chosen.score.0 > b.score.0) {
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
mod tests {
    use super::*;
    use crate::toolkit::import::kind::{CellKind, ColumnSpec};

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec::new("full_name", "f", &["ho va ten", "ho ten", "ten"]),
        ColumnSpec::new("birth_date", "b", &["ngay sinh", "nam sinh", "ngay thang nam sinh"]).of(CellKind::Date),
        ColumnSpec::new("sex", "s", &["gioi tinh", "nam nu"]).marked(&[("nam", "Nam"), ("nu", "Nữ")]),
        ColumnSpec::new("address_detail", "a", &["dia chi", "thon", "to dan pho"]).joined(),
    ];

    fn keys(mapping: &[Option<String>]) -> Vec<Option<&str>> {
        mapping.iter().map(Option::as_deref).collect()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn headers_are_read_without_diacritics_and_with_extra_words() {
        for (header, key) in [
            ("Họ và tên", Some("full_name")),
            ("HO TEN", Some("full_name")),
            ("Họ tên người được hỗ trợ", Some("full_name")),
            ("Ngày/tháng/năm sinh", Some("birth_date")),
            ("Năm sinh", Some("birth_date")),
            ("Nam/Nữ", Some("sex")),
            ("Nam", None),
            ("Thôn/Tổ dân phố", Some("address_detail")),
            ("Ghi chú", None),
        ] {
            assert_eq!(guess(header, SPECS), key, "{header}");
        }
    }

    #[test]
    fn the_header_row_is_found_below_a_title_block() {
        let rows = vec![
            row(&["HỘI CHỮ THẬP ĐỎ XÃ AN BÌNH", ""]),
            row(&["DANH SÁCH HỘ NGHÈO NĂM 2026", ""]),
            row(&["", ""]),
            row(&["STT", "Họ tên", "Năm sinh", "Giới tính", "Ghi chú"]),
            row(&["1", "Lê Thị Hoa", "1960", "Nữ", ""]),
        ];
        let found = recognise(&rows, SPECS, &HashMap::new());
        assert_eq!(found.header_row, 3);
        assert_eq!(
            keys(&found.mapping),
            vec![None, Some("full_name"), Some("birth_date"), Some("sex"), None]
        );
    }

    #[test]
    fn a_remembered_choice_wins_and_a_key_goes_to_one_column_unless_it_joins() {
        let remembered = HashMap::from([("ho ten chu ho".to_owned(), "full_name".to_owned())]);
        let headers = row(&["Họ tên chủ hộ", "Họ tên", "Địa chỉ", "Thôn"]);
        assert_eq!(
            keys(&map_row(&headers, SPECS, &remembered)),
            vec![Some("full_name"), None, Some("address_detail"), Some("address_detail")]
        );
    }

    #[test]
    fn without_a_header_nothing_is_mapped() {
        let rows = vec![row(&["", ""]), row(&["abc", "def"])];
        let found = recognise(&rows, SPECS, &HashMap::new());
        assert_eq!(found.header_row, 1);
        assert_eq!(found.data_row, 2);
        assert_eq!(keys(&found.mapping), vec![None, None]);
    }

    #[test]
    fn a_header_over_two_rows_is_read_as_group_and_column_titles() {
        let rows = vec![
            row(&["DANH SÁCH HỘI VIÊN", "", "", "", ""]),
            row(&["STT", "Họ và tên", "Thông tin cá nhân", "", "Ghi chú"]),
            row(&["", "", "Năm sinh", "Địa chỉ thường trú", ""]),
            row(&["1", "2", "3", "4", "5"]),
            row(&["1", "Lê Thị Hoa", "1960", "Thôn Đông", ""]),
        ];
        let found = recognise(&rows, SPECS, &HashMap::new());
        assert_eq!((found.header_row, found.data_row), (1, 4));
        assert_eq!(found.headers[2], "Thông tin cá nhân Năm sinh");
        assert_eq!(
            keys(&found.mapping),
            vec![
                None,
                Some("full_name"),
                Some("birth_date"),
                Some("address_detail"),
                None
            ]
        );
    }

    #[test]
    fn a_data_row_below_a_header_is_not_taken_for_its_second_row() {
        let rows = vec![
            row(&["Họ tên", "Năm sinh", "Giới tính", ""]),
            row(&["Lê Thị Hoa", "1960", "Nữ", "Thôn Đông"]),
        ];
        let found = recognise(&rows, SPECS, &HashMap::new());
        assert_eq!((found.header_row, found.data_row), (0, 1));
        assert_eq!(found.headers, row(&["Họ tên", "Năm sinh", "Giới tính", ""]));
    }

    #[test]
    fn a_data_row_with_words_under_a_title_does_not_become_part_of_the_header() {
        // "Ghi chú Thôn Đông" would name the address: no group continues.
        let rows = vec![
            row(&["Họ tên", "Giới tính", "Ghi chú"]),
            row(&["Lê Thị Hoa", "Nữ", "Thôn Đông"]),
        ];
        let found = recognise(&rows, SPECS, &HashMap::new());
        assert_eq!((found.header_row, found.data_row), (0, 1));
        assert_eq!(keys(&found.mapping), vec![Some("full_name"), Some("sex"), None]);
    }

    #[test]
    fn only_a_row_counting_up_from_one_numbers_the_columns() {
        assert!(numbers_columns(&row(&["1", "2", "3", ""])));
        assert!(numbers_columns(&row(&["(1)", "(2)", "(3)"])));
        assert!(!numbers_columns(&row(&["1", "Lê Thị Hoa", "1960"])));
        assert!(!numbers_columns(&row(&["2", "3"])));
        assert!(!numbers_columns(&row(&["1"])));
    }

    #[test]
    fn a_column_split_by_sex_is_read_as_a_tick_or_as_a_birth_under_the_sex() {
        let ticks = vec![
            row(&["Họ và tên", "Giới tính", ""]),
            row(&["", "Nam", "Nữ"]),
            row(&["Lê Thị Hoa", "", "x"]),
        ];
        let found = recognise(&ticks, SPECS, &HashMap::new());
        assert_eq!((found.header_row, found.data_row), (0, 2));
        assert_eq!(
            keys(&found.mapping),
            vec![Some("full_name"), Some("sex@Nam"), Some("sex@Nữ")]
        );

        let births = vec![
            row(&["STT", "Họ và tên", "Năm sinh", "", "Địa chỉ"]),
            row(&["", "", "Nam", "Nữ", ""]),
            row(&["(1)", "(2)", "(3)", "(4)", "(5)"]),
            row(&["1", "Lê Thị Hoa", "", "1960", "Thôn Đông"]),
        ];
        let found = recognise(&births, SPECS, &HashMap::new());
        assert_eq!((found.header_row, found.data_row), (0, 3));
        assert_eq!(
            keys(&found.mapping),
            vec![
                None,
                Some("full_name"),
                Some("birth_date+sex@Nam"),
                Some("birth_date+sex@Nữ"),
                Some("address_detail")
            ]
        );
        assert_eq!(found.headers[3], "Năm sinh Nữ");
    }
}
