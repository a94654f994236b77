//! Headers spread over two rows, as official lists print them: a group
//! title over merged cells (Excel keeps it in the first of them) with the
//! columns' own titles below, while titles standing alone are merged down
//! both rows. A group whose own titles are all values of one column
//! ("Giới tính" or "Năm sinh" over "Nam | Nữ") splits that column by the
//! value (`target`).

use unicode_normalization::UnicodeNormalization;

use super::headers::guess;
use super::kind::ColumnSpec;
use super::target::Target;

/// One column of a two-row header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Titles {
    /// The title above it: its own, or its group's.
    pub group: String,
    /// Its own title in the second row (empty for a title standing alone).
    pub own: String,
    /// The column its group starts at.
    pub group_start: usize,
}

impl Titles {
    /// The column's header: the group's title followed by its own.
    pub fn joined(&self) -> String {
        match (self.group.is_empty(), self.own.is_empty()) {
            (_, true) => self.group.clone(),
            (true, false) => self.own.clone(),
            (false, false) => format!("{} {}", self.group, self.own),
        }
    }
}

fn cell(row: &[String], c: usize) -> &str {
    row.get(c).map_or("", |t| t.trim())
}

/// Each column's titles, reading `top` and `below` as one header.
pub fn titles(top: &[String], below: &[String]) -> Vec<Titles> {
    let width = top.len().max(below.len());
    let (mut group, mut group_start) = ("", 0);
    (0..width)
        .map(|c| {
            let (own_top, own) = (cell(top, c), cell(below, c));
            if !own_top.is_empty() {
                (group, group_start) = (own_top, c);
            } else if own.is_empty() {
                // An empty column ends the merged group.
                (group, group_start) = ("", c);
            }
            Titles {
                group: if own.is_empty() { own_top } else { group }.to_owned(),
                own: own.to_owned(),
                group_start,
            }
        })
        .collect()
}

/// Whether `below` reads as the second row of a header starting with
/// `top`: `top` has titles of its own (a title block above a header has
/// one cell), `below` continues a group (a title under an empty, merged
/// cell), leaves empty the cells under titles standing alone (which are
/// merged down both rows; a data row fills them), and every title in it
/// has a letter (data rows carry numbers: a row number, a year, a phone).
pub fn is_second_row(top: &[String], below: &[String]) -> bool {
    let width = top.len().max(below.len());
    let filled = |row: &[String], c: usize| !cell(row, c).is_empty();
    let top_titles = (0..width).filter(|c| filled(top, *c)).count();
    let continues_group = titles(top, below)
        .iter()
        .enumerate()
        .any(|(c, t)| !t.group.is_empty() && !t.own.is_empty() && !filled(top, c));
    // A title is alone when the next column has a title of its own.
    let alone = |c: usize| filled(top, c) && (c + 1 == width || filled(top, c + 1));
    let under_alone = (0..width).any(|c| alone(c) && filled(below, c));
    let letters = (0..width)
        .map(|c| cell(below, c))
        .filter(|t| !t.is_empty())
        .all(|t| t.chars().any(char::is_alphabetic));
    top_titles >= 2 && continues_group && !under_alone && letters
}

/// The value a column's own title stands for, when some spec declares it:
/// (spec key, value). Titles are compared with their accents, lower case
/// ("Năm" is not "Nam").
fn mark_of(own: &str, specs: &[ColumnSpec]) -> Option<(&'static str, &'static str)> {
    let title: String = own.nfc().collect::<String>().to_lowercase();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    specs.iter().find_map(|s| {
        s.marks
            .iter()
            .find(|(alias, _)| *alias == title)
            .map(|(_, value)| (s.key, *value))
    })
}

/// Each column's entry when its group splits a column by value: every own
/// title of a group of two or more is a value of one spec. Under
/// "Giới tính" a column is a tick (`sex@Nữ`); under another title, that
/// title's key written under the value (`birth_date+sex@Nam`).
pub fn marked_entries(columns: &[Titles], specs: &[ColumnSpec]) -> Vec<Option<String>> {
    let mut out = vec![None; columns.len()];
    let mut start = 0;
    while start < columns.len() {
        let end = (start..columns.len())
            .find(|c| columns[*c].group_start != columns[start].group_start)
            .unwrap_or(columns.len());
        let group = &columns[start..end];
        let marks: Vec<Option<(&str, &str)>> = group.iter().map(|t| mark_of(&t.own, specs)).collect();
        let one_spec = marks.first().copied().flatten().map(|(key, _)| key);
        let split = group.len() >= 2 && marks.iter().all(|m| m.is_some_and(|(key, _)| Some(key) == one_spec));
        if let (true, Some(key)) = (split, guess(&group[0].group, specs)) {
            for (c, mark) in (start..end).zip(marks.into_iter().flatten()) {
                let target = Target {
                    key: (key != mark.0).then_some(key),
                    mark: Some(mark),
                };
                out[c] = Some(target.entry());
            }
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec::new("full_name", "f", &["ho va ten", "ho ten"]),
        ColumnSpec::new("birth_date", "b", &["ngay sinh", "nam sinh", "ngay thang nam sinh"]),
        ColumnSpec::new("sex", "s", &["gioi tinh"]).marked(&[("nam", "Nam"), ("nữ", "Nữ"), ("nu", "Nữ")]),
        ColumnSpec::new("address_detail", "a", &["dia chi", "thon"]).joined(),
    ];

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn a_group_title_is_carried_over_its_merged_cells() {
        let top = row(&["Họ tên", "Năm sinh", "", "Ghi chú"]);
        let below = row(&["", "Nam", "Nữ", ""]);
        let joined: Vec<String> = titles(&top, &below).iter().map(Titles::joined).collect();
        assert_eq!(joined, ["Họ tên", "Năm sinh Nam", "Năm sinh Nữ", "Ghi chú"]);
        assert!(is_second_row(&top, &below));
    }

    #[test]
    fn a_title_block_or_a_data_row_is_not_half_of_a_header() {
        // A title right above a header: one cell.
        let title = row(&["DANH SÁCH HỘI VIÊN THÔN ĐÔNG", "", ""]);
        assert!(!is_second_row(&title, &row(&["Họ tên", "Giới tính", "Địa chỉ"])));
        // A data row fills the cells under titles standing alone.
        let header = row(&["Họ và tên", "Giới tính", "Địa chỉ", ""]);
        assert!(!is_second_row(
            &header,
            &row(&["Nguyễn Văn An", "Nam", "Thôn Đông", "Xã An Bình"])
        ));
        // Numbers are data.
        let header = row(&["Họ tên", "Năm sinh", ""]);
        assert!(!is_second_row(&header, &row(&["", "1960", "x"])));
    }

    #[test]
    fn only_a_group_whose_titles_are_all_values_of_one_column_splits_it() {
        let entries = |top: &[&str], below: &[&str]| marked_entries(&titles(&row(top), &row(below)), SPECS);
        assert_eq!(
            entries(&["Họ tên", "Năm sinh", ""], &["", "Nam", "Nữ"]),
            [
                None,
                Some("birth_date+sex@Nam".into()),
                Some("birth_date+sex@Nữ".into())
            ]
        );
        assert_eq!(
            entries(&["Giới tính", ""], &["Nam", "Nu"]),
            [Some("sex@Nam".into()), Some("sex@Nữ".into())]
        );
        // "Năm" (year) is not "Nam", and a day, month, year group is no split.
        assert_eq!(
            entries(&["Ngày tháng năm sinh", "", ""], &["Ngày", "Tháng", "Năm"]),
            [None, None, None]
        );
        // One value alone is a title, not a split.
        assert_eq!(entries(&["Giới tính"], &["Nam"]), [None]);
    }
}
