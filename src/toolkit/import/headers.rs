//! Finding the header row of a sheet and what each column holds, from the
//! spellings offices actually use: with or without diacritics, in any
//! order, with extra words ("Họ và tên người được hỗ trợ"), below a title
//! block. A mapping the user made by hand for a unit wins over guessing.

use std::collections::HashMap;

use super::kind::ColumnSpec;
use crate::text;

/// Rows searched for the header (title blocks are a few lines).
const HEADER_SEARCH_ROWS: usize = 30;

/// What the sheet's columns were recognised as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognised {
    /// Index of the header row in the sheet (0-based).
    pub header_row: usize,
    /// Per column of the sheet: the column key it fills, if any.
    pub mapping: Vec<Option<&'static str>>,
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
pub fn map_row(
    headers: &[String],
    specs: &[ColumnSpec],
    remembered: &HashMap<String, String>,
) -> Vec<Option<&'static str>> {
    let mut taken: Vec<&'static str> = Vec::new();
    headers
        .iter()
        .map(|header| {
            let chosen = match remembered.get(&header_key(header)) {
                Some(key) => specs.iter().find(|s| s.key == key).map(|s| s.key),
                None => guess(header, specs),
            }?;
            let joins = specs.iter().any(|s| s.key == chosen && s.joins);
            if taken.contains(&chosen) && !joins {
                return None;
            }
            taken.push(chosen);
            Some(chosen)
        })
        .collect()
}

/// Finds the header row among the first rows: the one naming the most
/// distinct columns (at least two; the first such row on a tie). Without
/// one, the first non-empty row is the header and nothing is mapped.
pub fn recognise(rows: &[Vec<String>], specs: &[ColumnSpec], remembered: &HashMap<String, String>) -> Recognised {
    let mut best: Option<(usize, usize)> = None;
    for (index, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mapping = map_row(row, specs, remembered);
        let mut keys: Vec<&str> = mapping.iter().flatten().copied().collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() >= 2 && best.is_none_or(|(_, n)| keys.len() > n) {
            best = Some((index, keys.len()));
        }
    }
    match best {
        Some((header_row, _)) => Recognised {
            header_row,
            mapping: map_row(&rows[header_row], specs, remembered),
        },
        None => {
            let header_row = rows
                .iter()
                .position(|r| r.iter().any(|c| !c.trim().is_empty()))
                .unwrap_or(0);
            let width = rows.get(header_row).map_or(0, Vec::len);
            Recognised {
                header_row,
                mapping: vec![None; width],
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
        ColumnSpec::new("sex", "s", &["gioi tinh", "nam nu"]),
        ColumnSpec::new("address_detail", "a", &["dia chi", "thon", "to dan pho"]).joined(),
    ];

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
            found.mapping,
            vec![None, Some("full_name"), Some("birth_date"), Some("sex"), None]
        );
    }

    #[test]
    fn a_remembered_choice_wins_and_a_key_goes_to_one_column_unless_it_joins() {
        let remembered = HashMap::from([("ho ten chu ho".to_owned(), "full_name".to_owned())]);
        let headers = row(&["Họ tên chủ hộ", "Họ tên", "Địa chỉ", "Thôn"]);
        assert_eq!(
            map_row(&headers, SPECS, &remembered),
            vec![Some("full_name"), None, Some("address_detail"), Some("address_detail")]
        );
    }

    #[test]
    fn without_a_header_nothing_is_mapped() {
        let rows = vec![row(&["", ""]), row(&["abc", "def"])];
        let found = recognise(&rows, SPECS, &HashMap::new());
        assert_eq!(found.header_row, 1);
        assert_eq!(found.mapping, vec![None, None]);
    }
}
