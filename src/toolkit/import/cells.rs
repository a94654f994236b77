//! Reading an uploaded file into a grid of cells — `.xlsx` (calamine,
//! cell by cell within the limits) or `.csv` (comma, semicolon or tab;
//! UTF-8, with or without BOM) — and turning a cell into text the way its
//! column reads it. Excel 97–2003 `.xls` files are refused with a clear
//! message: calamine reads them whole into a sheet as large as their
//! farthest cell, which one stray cell makes gigabytes.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use super::kind::CellKind;

/// Rows of one import at most.
/// (A commit is one transaction; on SQLite it holds the write lock, so it
/// is kept to a few seconds: 50,000 rows.)
pub const MAX_ROWS: usize = 50_000;
/// Columns read at most (wider sheets are cut).
pub const MAX_COLUMNS: usize = 60;

/// A cell as the file holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    #[serde(rename = "t")]
    Text(String),
    #[serde(rename = "n")]
    Number(f64),
    /// An Excel date cell (the day; times are dropped).
    #[serde(rename = "d")]
    Date(Date),
    #[serde(rename = "e")]
    Empty,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// Neither a spreadsheet nor UTF-8 text.
    #[error("not a spreadsheet")]
    NotSpreadsheet,
    /// A spreadsheet that cannot be read (damaged, password-protected).
    #[error("unreadable spreadsheet: {0}")]
    Unreadable(String),
    #[error("no rows")]
    Empty,
    #[error("too many rows")]
    TooManyRows,
    /// An Excel 97–2003 `.xls`: to be saved as `.xlsx` first.
    #[error("old Excel format")]
    OldExcel,
}

/// Reads the first sheet that holds anything.
pub fn read(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ReadError> {
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::OldExcel);
    } else {
        read_csv(bytes)?
    };
    let grid = trim(grid);
    if grid.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(grid)
}

fn unreadable(e: impl std::fmt::Display) -> ReadError {
    ReadError::Unreadable(e.to_string())
}

fn cell_of(data: &calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match data {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        DataRef::DateTime(dt) => excel_day(dt.as_f64()).map_or(Cell::Number(dt.as_f64()), Cell::Date),
        DataRef::DateTimeIso(s) => iso_day(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// Reads an `.xlsx` cell by cell, growing the grid only as far as cells
/// are found inside the limits: a stray cell at row 1,048,576 is refused
/// without allocating a sheet that size.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ReadError> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    for name in book.sheet_names() {
        let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
        let mut grid: Vec<Vec<Cell>> = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (row, column) = cell.get_position();
            let (row, column) = (row as usize, column as usize);
            let value = cell_of(cell.get_value());
            if column >= MAX_COLUMNS || matches!(value, Cell::Empty) {
                continue;
            }
            if row > MAX_ROWS + 50 {
                return Err(ReadError::TooManyRows);
            }
            if grid.len() <= row {
                grid.resize(row + 1, Vec::new());
            }
            let cells = &mut grid[row];
            if cells.len() <= column {
                cells.resize(column + 1, Cell::Empty);
            }
            cells[column] = value;
        }
        if !grid.is_empty() {
            return Ok(grid);
        }
    }
    Err(ReadError::Empty)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotSpreadsheet)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Err(ReadError::NotSpreadsheet);
    }
    let first_lines: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_lines.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Unreadable(e.to_string()))?;
        grid.push(record.iter().map(|f| Cell::Text(unquote_formula(f))).collect());
        if grid.len() > MAX_ROWS + 50 {
            return Err(ReadError::TooManyRows);
        }
    }
    Ok(grid)
}

/// `="0912345678"`, as CSV exports write numbers Excel must keep as text.
fn unquote_formula(field: &str) -> String {
    field
        .strip_prefix("=\"")
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
        .to_owned()
}

/// Drops trailing empty rows and cuts every row at `MAX_COLUMNS`.
fn trim(mut grid: Vec<Vec<Cell>>) -> Vec<Vec<Cell>> {
    for row in &mut grid {
        row.truncate(MAX_COLUMNS);
        while matches!(row.last(), Some(Cell::Empty))
            || matches!(row.last(), Some(Cell::Text(t)) if t.trim().is_empty())
        {
            row.pop();
        }
    }
    while grid.last().is_some_and(Vec::is_empty) {
        grid.pop();
    }
    grid
}

/// The day of an Excel serial number (days since 30/12/1899).
pub fn excel_day(serial: f64) -> Option<Date> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    epoch.checked_add(Duration::days(serial.floor() as i64))
}

fn iso_day(text: &str) -> Option<Date> {
    let day = text.get(..10)?;
    Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn day_text(day: Date) -> String {
    format!("{:02}/{:02}/{}", day.day(), u8::from(day.month()), day.year())
}

fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

/// The text a cell gives a column of `kind`.
pub fn as_text(cell: &Cell, kind: CellKind) -> String {
    match (cell, kind) {
        (Cell::Empty, _) => String::new(),
        (Cell::Text(text), _) => text.trim().to_owned(),
        (Cell::Date(day), _) => day_text(*day),
        (Cell::Number(n), CellKind::Date) if n.fract() == 0.0 && (1800.0..=2200.0).contains(n) => number_text(*n),
        (Cell::Number(n), CellKind::Date) => excel_day(*n).map_or_else(|| number_text(*n), day_text),
        (Cell::Number(n), CellKind::Digits { width }) if n.fract() == 0.0 && *n >= 0.0 => {
            format!("{:0width$}", *n as i64, width = width)
        }
        (Cell::Number(n), _) => number_text(*n),
    }
}

/// A cell as a header shows it.
pub fn header_text(cell: &Cell) -> String {
    as_text(cell, CellKind::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_leading_zeros_in_digit_columns() {
        let width12 = CellKind::Digits { width: 12 };
        assert_eq!(as_text(&Cell::Number(1_085_012_345.0), width12), "001085012345");
        assert_eq!(as_text(&Cell::Number(12_345_678_901.0), width12), "012345678901");
        assert_eq!(
            as_text(&Cell::Number(912_345_678.0), CellKind::Digits { width: 10 }),
            "0912345678"
        );
        assert_eq!(as_text(&Cell::Text(" 001085012345 ".into()), width12), "001085012345");
        assert_eq!(as_text(&Cell::Number(42.0), CellKind::Text), "42");
        assert_eq!(as_text(&Cell::Number(1.5), CellKind::Text), "1.5");
    }

    #[test]
    fn dates_come_from_date_cells_serials_years_and_text() {
        let day = Date::from_calendar_date(1985, Month::March, 7).unwrap();
        assert_eq!(as_text(&Cell::Date(day), CellKind::Date), "07/03/1985");
        assert_eq!(excel_day(31_113.0), Some(day));
        assert_eq!(as_text(&Cell::Number(31_113.0), CellKind::Date), "07/03/1985");
        assert_eq!(as_text(&Cell::Number(1962.0), CellKind::Date), "1962");
        assert_eq!(as_text(&Cell::Text("7/3/1985".into()), CellKind::Date), "7/3/1985");
    }

    #[test]
    fn csv_with_semicolons_bom_and_quoted_numbers_is_read() {
        let grid = read("\u{feff}Họ tên;SĐT\nAn;=\"0912345678\"\n\n".as_bytes()).unwrap();
        assert_eq!(
            grid,
            vec![
                vec![Cell::Text("Họ tên".into()), Cell::Text("SĐT".into())],
                vec![Cell::Text("An".into()), Cell::Text("0912345678".into())],
            ]
        );
    }

    #[test]
    fn files_that_are_not_spreadsheets_are_refused() {
        assert_eq!(
            read(&[0x89, b'P', b'N', b'G', 0, 0, 0xff, 0xfe]),
            Err(ReadError::NotSpreadsheet)
        );
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(ReadError::Unreadable(_))));
        assert_eq!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1]), Err(ReadError::OldExcel));
        assert_eq!(read(b"\n\n"), Err(ReadError::Empty));
    }
}
