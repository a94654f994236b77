//! Official-format PDF documents of Nhân Ái: the Vietnamese administrative
//! document layout of Decree 30/2020/NĐ-CP (A4; margins 20/20/30/15 mm;
//! the issuing body top left, the national motto top right with place and
//! date; title; body; signature and recipients; page numbers from page 2,
//! top centre), typeset with Typst used as a library.
//!
//! A crate of its own because Typst is heavy: it is built once and the
//! application links it. Fonts come from the system (Debian's
//! `fonts-liberation2`, metric-compatible with Times New Roman and complete
//! for Vietnamese; `fonts-dejavu-core` as a fallback), never from this
//! repository. User data reaches the document as JSON read by the template
//! (`json("/data.json")`), never spliced into markup, so no name can change
//! the layout.

mod card;
mod fonts;
mod receipt;
mod world;

use serde::Serialize;

pub use card::{render_card, CardDocument};
pub use fonts::FONT_DIRS;
pub use receipt::{render_receipt, ReceiptDocument};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No font was found where fonts are looked for.
    #[error("no usable font in {0}")]
    NoFonts(String),
    /// The document could not be typeset (a bug in the template).
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error("data: {0}")]
    Data(#[from] serde_json::Error),
}

/// A list ("Danh sách …") in the administrative format.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ListDocument {
    /// The body above the issuer ("HỘI CHỮ THẬP ĐỎ VIỆT NAM"); may be empty.
    pub issuer_parent: String,
    /// The issuing body ("HỘI CHỮ THẬP ĐỎ PHƯỜNG BA ĐÌNH").
    pub issuer: String,
    /// "Số: 12/DS-CTĐ"; may be empty.
    pub number: String,
    /// "Hà Nội".
    pub place: String,
    /// Year, month, day of the document.
    pub date: (i32, u8, u8),
    /// "DANH SÁCH".
    pub title: String,
    /// "Người đang quản lý tại Phường Ba Đình".
    pub subtitle: String,
    /// Column headers and relative widths ("STT" is added before them).
    pub columns: Vec<(String, f32)>,
    /// Body cells, already formatted.
    pub rows: Vec<Vec<String>>,
    /// "CHỦ TỊCH".
    pub signer_title: String,
    /// May be empty: then only room for the signature.
    pub signer_name: String,
    /// "Nơi nhận:" lines ("- Như trên;", "- Lưu: VT.").
    pub recipients: Vec<String>,
}

/// Day and month as Decree 30 writes them: days below 10 and the months
/// January and February with a leading zero ("ngày 05 tháng 02 năm 2026").
pub fn date_words(place: &str, (year, month, day): (i32, u8, u8)) -> String {
    let day = format!("{day:02}");
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!("{place}, ngày {day} tháng {month} năm {year}")
}

#[derive(Serialize)]
struct Data<'a> {
    doc: &'a ListDocument,
    dated: String,
    widths: Vec<f32>,
    headers: Vec<&'a str>,
}

const LIST_TEMPLATE: &str = include_str!("list.typ");

/// Typesets `doc` as a PDF.
pub fn render_list(doc: &ListDocument) -> Result<Vec<u8>, PdfError> {
    let data = Data {
        doc,
        dated: date_words(&doc.place, doc.date),
        widths: doc.columns.iter().map(|(_, w)| w.max(0.1)).collect(),
        headers: doc.columns.iter().map(|(h, _)| h.as_str()).collect(),
    };
    let json = serde_json::to_vec(&data)?;
    world::typeset(LIST_TEMPLATE, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_decree_30_way() {
        assert_eq!(date_words("Hà Nội", (2026, 2, 5)), "Hà Nội, ngày 05 tháng 02 năm 2026");
        assert_eq!(
            date_words("Hà Nội", (2026, 11, 28)),
            "Hà Nội, ngày 28 tháng 11 năm 2026"
        );
        assert_eq!(date_words("Huế", (2026, 3, 9)), "Huế, ngày 09 tháng 3 năm 2026");
    }
}
