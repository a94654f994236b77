//! `.xlsx` exports of any list: a bold, frozen header row with filters,
//! real dates, numbers as numbers, and text columns (CCCD, phones) kept as
//! text. Rows are written in rust_xlsxwriter's constant-memory mode and
//! the workbook goes to a temporary file that is then streamed, so an
//! export of a million rows needs no more memory than one of ten.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use tokio::sync::Semaphore;

use crate::web::error::AppError;

/// Rows of a sheet at most (Excel's limit, less the header).
pub const MAX_ROWS: u32 = 1_048_575;
/// Exports one server builds at once; another gets 503 with Retry-After.
const CONCURRENT: usize = 2;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(CONCURRENT))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    /// Digits that must stay text (CCCD, phone): leading zeros kept.
    Digits,
    Number,
    Date,
}

/// A column: its header (already in the user's language) and type.
#[derive(Clone, Debug)]
pub struct Column {
    pub header: String,
    pub kind: ColumnType,
    /// Width in characters.
    pub width: f64,
}

impl Column {
    pub fn new(header: impl Into<String>, kind: ColumnType, width: f64) -> Column {
        Column {
            header: header.into(),
            kind,
            width,
        }
    }
}

/// A cell value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Date(time::Date),
    /// Only a year is known (a birth year): written as the number.
    Year(i32),
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        if text.is_empty() {
            Value::Empty
        } else {
            Value::Text(text)
        }
    }
}

impl From<Option<String>> for Value {
    fn from(text: Option<String>) -> Value {
        text.map_or(Value::Empty, Value::from)
    }
}

/// Writes `rows` under `columns` into a new workbook at `path`; returns
/// how many rows were written (at most `MAX_ROWS`).
pub fn write(
    path: &std::path::Path,
    sheet_name: &str,
    columns: &[Column],
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<u32, XlsxError> {
    let mut book = Workbook::new();
    // Zipping the sheet is most of the time; level 2 halves it for a file
    // a tenth larger (the default is 6, Excel itself uses 3).
    book.set_zip_compression_level(2);
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name)?;
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, column.width)?;
        if column.kind == ColumnType::Digits {
            sheet.set_column_format(c, &text)?;
        }
        sheet.write_string_with_format(0, c, &column.header, &bold)?;
    }
    let mut written = 0u32;
    for values in rows.take(MAX_ROWS as usize) {
        let r = written + 1;
        for (c, value) in values.iter().enumerate().take(columns.len()) {
            let c = c as u16;
            match value {
                Value::Empty => {}
                Value::Text(s) if columns[c as usize].kind == ColumnType::Digits => {
                    sheet.write_string_with_format(r, c, s, &text)?;
                }
                Value::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Value::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                Value::Year(y) => {
                    sheet.write_number(r, c, f64::from(*y))?;
                }
                Value::Date(d) => {
                    let date = ExcelDateTime::from_ymd(d.year() as u16, u8::from(d.month()), d.day())?;
                    sheet.write_datetime_with_format(r, c, &date, &day)?;
                }
            }
        }
        written += 1;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !columns.is_empty() {
        sheet.autofilter(0, 0, written, columns.len() as u16 - 1)?;
    }
    book.save(path)?;
    Ok(written)
}

/// Builds a workbook with `build` (on the blocking pool, given the file to
/// write) and answers with it as a download named `file_name`.
pub async fn download<F>(file_name: &str, build: F) -> Result<Response, AppError>
where
    F: FnOnce(&std::path::Path) -> Result<u32, XlsxError> + Send + 'static,
{
    let permit = permits().try_acquire().map_err(|_| AppError::Busy)?;
    let file = tempfile::NamedTempFile::new().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = file.path().to_owned();
    tokio::task::spawn_blocking(move || build(&path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    drop(permit);
    // Opened before the temporary file is removed: the open file stays
    // readable until the body has been sent.
    let opened = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let length = opened.metadata().await.map(|m| m.len()).ok();
    drop(file);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(opened));
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response();
    if let Some(length) = length {
        response.headers_mut().insert(header::CONTENT_LENGTH, length.into());
    }
    Ok(response)
}
