//! A receipt for a gift ("Giấy biên nhận tiền ủng hộ"): who gave, how much
//! in figures and in words, to which fund, and the entry's hash, which
//! anyone can find on the appeal's public page.

use serde::Serialize;

use super::{date_words, world, PdfError};

#[derive(Clone, Debug, Default, Serialize)]
pub struct ReceiptDocument {
    /// "Hội Chữ thập đỏ Phường Ngọc Hà".
    pub issuer: String,
    pub place: String,
    /// Year, month, day of the receipt.
    pub date: (i32, u8, u8),
    pub donor: String,
    /// "1.250.000 ₫".
    pub amount: String,
    /// "Một triệu hai trăm năm mươi nghìn đồng".
    pub amount_words: String,
    pub fund: String,
    /// dd/mm/yyyy.
    pub received_on: String,
    pub reference: String,
    pub hash: String,
    /// "CHỦ TỊCH" or "KẾ TOÁN".
    pub signer_title: String,
}

#[derive(Serialize)]
struct Data<'a> {
    doc: &'a ReceiptDocument,
    dated: String,
}

const RECEIPT_TEMPLATE: &str = include_str!("receipt.typ");

pub fn render_receipt(doc: &ReceiptDocument) -> Result<Vec<u8>, PdfError> {
    let data = Data {
        doc,
        dated: date_words(&doc.place, doc.date),
    };
    world::typeset(RECEIPT_TEMPLATE, serde_json::to_vec(&data)?)
}
