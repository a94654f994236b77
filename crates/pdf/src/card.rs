//! A member card, the size of a bank card (85.6 × 54 mm), with a QR code
//! whose address confirms the card and its tier — nothing personal.

use serde::Serialize;

use super::{world, PdfError};

#[derive(Clone, Debug, Default, Serialize)]
pub struct CardDocument {
    /// "Hội Chữ thập đỏ Phường Ba Đình".
    pub issuer: String,
    pub name: String,
    /// "HV00000042".
    pub number: String,
    pub branch: String,
    /// "Hội viên từ 2012".
    pub since: String,
    /// "Hạng Vàng"; empty for an ordinary card.
    pub tier: String,
    /// The verification address, printed under the code.
    pub url: String,
    /// The QR code as SVG.
    #[serde(skip)]
    pub qr_svg: String,
}

const CARD_TEMPLATE: &str = include_str!("card.typ");

pub fn render_card(doc: &CardDocument) -> Result<Vec<u8>, PdfError> {
    let json = serde_json::to_vec(doc)?;
    world::typeset_with(CARD_TEMPLATE, json, vec![("/qr.svg", doc.qr_svg.clone().into_bytes())])
}
