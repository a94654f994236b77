//! An import as stored: the file it came from, how its columns are
//! mapped, where it stands, and what its last check found.

use serde::Serialize;

use super::cells::{self, Cell};
use super::kind::{ColumnSpec, Row};
use super::target::Target;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Its rows are being checked (a job).
    Checking,
    /// Checked: errors and duplicates are shown; it can be committed once
    /// no error remains.
    Preview,
    /// Being written (a job).
    Committing,
    Committed,
    Discarded,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Checking => "checking",
            ImportStatus::Preview => "preview",
            ImportStatus::Committing => "committing",
            ImportStatus::Committed => "committed",
            ImportStatus::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> ImportStatus {
        match text {
            "checking" => ImportStatus::Checking,
            "preview" => ImportStatus::Preview,
            "committing" => ImportStatus::Committing,
            "committed" => ImportStatus::Committed,
            _ => ImportStatus::Discarded,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ImportStatus::Checking => "import.status.checking",
            ImportStatus::Preview => "import.status.preview",
            ImportStatus::Committing => "import.status.committing",
            ImportStatus::Committed => "import.status.committed",
            ImportStatus::Discarded => "import.status.discarded",
        }
    }

    /// Mapping may change and the import may be discarded.
    pub fn is_open(self) -> bool {
        matches!(self, ImportStatus::Checking | ImportStatus::Preview)
    }
}

#[derive(Clone, Debug)]
pub struct Import {
    pub id: i64,
    pub kind: String,
    pub unit_id: i64,
    pub user_id: i64,
    pub file_name: String,
    pub file_hash: String,
    pub status: ImportStatus,
    /// 0-based row of the sheet holding the headers.
    pub header_row: i64,
    pub headers: Vec<String>,
    /// Per sheet column: the kind's column key it fills.
    pub mapping: Vec<Option<String>>,
    pub row_count: i64,
    pub error_count: i64,
    pub duplicate_count: i64,
    pub created_count: i64,
    pub job_id: Option<i64>,
    /// Catalogue key: why the last job stopped, or a warning.
    pub message: Option<String>,
    pub created_at: String,
    pub committed_at: Option<String>,
    /// The record it goes into, for kinds that ask for one
    /// (`ImportKind::target_key`).
    pub target_id: Option<i64>,
    /// The upload, or the last check or commit queued: uncommitted imports
    /// are kept `service::KEPT_DAYS` from then.
    pub active_at: String,
}

/// One problem the check found, by sheet row number and column key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Issue {
    /// The row as Excel numbers it (0: the file as a whole).
    pub row: i64,
    /// The kind's column key ("" for the row as a whole).
    pub column: String,
    /// Catalogue key of the message.
    pub message: String,
    /// Duplicates: the existing record, when the user may open it.
    pub record_id: Option<i64>,
    /// Duplicates: its name, when the user may see it.
    pub label: String,
    /// An error blocks the commit; a duplicate only skips its row.
    #[serde(skip)]
    pub is_error: bool,
}

/// How a sheet column is read: the spec its text fills, and the (key,
/// value) its being filled marks.
type ReadColumn<'a> = (Option<&'a ColumnSpec>, Option<(&'static str, &'a str)>);

/// The kind's rows from stored cells: each mapped sheet column's text,
/// joined where several columns fill one key; a column marking a value
/// (`target`) gives its key that value where the cell is filled (two
/// filled marks of one key join, and the kind's check refuses them).
pub fn rows_of(specs: &[ColumnSpec], mapping: &[Option<String>], stored: &[(i64, Vec<Cell>)]) -> Vec<Row> {
    let columns: Vec<Option<ReadColumn>> = mapping
        .iter()
        .map(|entry| {
            let target = Target::parse(entry.as_deref()?);
            let spec = |key: &str| specs.iter().find(|s| s.key == key);
            let mark = match target.mark {
                Some((key, value)) => Some((spec(key)?.key, value)),
                None => None,
            };
            Some((target.key.and_then(spec), mark))
        })
        .collect();
    stored
        .iter()
        .map(|(number, cells)| {
            let mut row = Row {
                number: *number,
                ..Row::default()
            };
            for (cell, column) in cells.iter().zip(&columns) {
                let Some((spec, mark)) = column else { continue };
                let text = match spec {
                    Some(spec) => cells::as_text(cell, spec.cell),
                    None => cells::as_text(cell, super::kind::CellKind::Text),
                };
                if text.is_empty() {
                    continue;
                }
                // The same value marked twice (a birth under "Nam", a tick
                // under "Nam") is said once.
                if let Some((key, value)) = mark {
                    // A tick column's "0", "-" or FALSE is no tick.
                    let marked = spec.is_some() || ticked(&text);
                    if marked && !row.get(key).split(", ").any(|said| said == *value) {
                        fill(&mut row, key, (*value).to_owned());
                    }
                }
                if let Some(spec) = spec {
                    fill(&mut row, spec.key, text);
                }
            }
            row
        })
        .collect()
}

/// Whether a tick column's cell is ticked: anything but a word or sign
/// for "no" (`x`, `X`, `✓`, `1`, `TRUE` are ticks).
fn ticked(text: &str) -> bool {
    let folded = crate::text::fold(text.trim());
    !matches!(folded.as_str(), "" | "0" | "-" | "false" | "no" | "khong")
}

/// Adds `text` to what the row says of `key`, after a comma if it said
/// something already.
fn fill(row: &mut Row, key: &'static str, text: String) {
    row.values
        .entry(key)
        .and_modify(|v| {
            v.push_str(", ");
            v.push_str(&text);
        })
        .or_insert(text);
}

/// A row whose every cell is empty is not data (spacer lines, totals).
pub fn is_blank(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| matches!(c, Cell::Empty) || matches!(c, Cell::Text(t) if t.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toolkit::import::kind::CellKind;

    #[test]
    fn joined_columns_are_put_together_and_digits_keep_zeros() {
        let specs = [
            ColumnSpec::new("phone", "p", &[]).of(CellKind::Digits { width: 10 }),
            ColumnSpec::new("address_detail", "a", &[]).joined(),
        ];
        let mapping = vec![
            Some("phone".to_owned()),
            Some("address_detail".to_owned()),
            None,
            Some("address_detail".to_owned()),
        ];
        let stored = vec![(
            5,
            vec![
                Cell::Number(912_345_678.0),
                Cell::Text("Số 4".into()),
                Cell::Text("x".into()),
                Cell::Text("Thôn Đông".into()),
            ],
        )];
        let rows = rows_of(&specs, &mapping, &stored);
        assert_eq!(rows[0].number, 5);
        assert_eq!(rows[0].get("phone"), "0912345678");
        assert_eq!(rows[0].get("address_detail"), "Số 4, Thôn Đông");
    }

    #[test]
    fn a_filled_mark_gives_its_value_and_two_marks_of_one_key_join() {
        let specs = [
            ColumnSpec::new("sex", "s", &[]).marked(&[("nam", "Nam"), ("nữ", "Nữ")]),
            ColumnSpec::new("birth_date", "b", &[]).of(CellKind::Date),
        ];
        let mapping = vec![
            Some("birth_date+sex@Nam".to_owned()),
            Some("birth_date+sex@Nữ".to_owned()),
        ];
        let stored = vec![
            (4, vec![Cell::Empty, Cell::Number(1960.0)]),
            (5, vec![Cell::Text("1971".into()), Cell::Empty]),
            (6, vec![Cell::Text("1971".into()), Cell::Text("1972".into())]),
        ];
        let rows = rows_of(&specs, &mapping, &stored);
        assert_eq!((rows[0].get("sex"), rows[0].get("birth_date")), ("Nữ", "1960"));
        assert_eq!((rows[1].get("sex"), rows[1].get("birth_date")), ("Nam", "1971"));
        assert_eq!(rows[2].get("sex"), "Nam, Nữ");
        let ticks = rows_of(
            &specs,
            &[Some("sex@Nam".to_owned())],
            &[(7, vec![Cell::Text("x".into())])],
        );
        assert_eq!(ticks[0].get("sex"), "Nam");
    }
}
