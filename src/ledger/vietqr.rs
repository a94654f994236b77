//! The NAPAS VietQR payload: an EMVCo merchant-presented QR code that
//! every Vietnamese banking app reads as "transfer to this account".
//! Fields are TLV (two-digit tag, two-digit length, value); the account
//! sits in tag 38 under the NAPAS GUID, the purpose in tag 62/08, and
//! tag 63 closes the payload with a CRC-16/CCITT-FALSE of all before it.

use thiserror::Error;

use crate::money::Money;

/// NAPAS's application identifier in tag 38.
const NAPAS_GUID: &str = "A000000727";
/// Transfer to an account (as opposed to a card, `QRIBFTTC`).
const TO_ACCOUNT: &str = "QRIBFTTA";
/// ISO 4217 numeric code of the đồng.
const VND: &str = "704";
/// The CRC of tag 63: poly 0x1021, init 0xFFFF, no reflection.
const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);
/// EMVCo's limit on the purpose (tag 62, sub-tag 08).
pub const PURPOSE_MAX: usize = 25;
/// EMVCo's limit on the amount (tag 54): 13 characters.
const AMOUNT_MAX: i64 = 9_999_999_999_999;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum VietQrError {
    #[error("a bank BIN has six digits")]
    Bin,
    #[error("an account number has 1 to 19 letters or digits")]
    Account,
    #[error("the amount must be positive")]
    Amount,
    #[error("the purpose is too long")]
    Purpose,
}

impl VietQrError {
    pub fn key(&self) -> &'static str {
        match self {
            VietQrError::Bin => "vietqr.error.bin",
            VietQrError::Account => "vietqr.error.account",
            VietQrError::Amount => "vietqr.error.amount",
            VietQrError::Purpose => "vietqr.error.purpose",
        }
    }
}

/// What a donor's banking app fills in when the code is scanned.
#[derive(Clone, Debug)]
pub struct Transfer<'a> {
    /// The bank's six-digit NAPAS BIN (`970436` is Vietcombank).
    pub bin: &'a str,
    pub account: &'a str,
    /// A fixed amount (a dynamic code), or none: the donor types it.
    pub amount: Option<Money>,
    /// The transfer's description, carrying the payment code that routes
    /// the gift; folded to unaccented ASCII, which every bank carries.
    pub purpose: &'a str,
}

fn field(out: &mut String, tag: &str, value: &str) {
    // Every value here is checked to be ASCII and under 100 bytes.
    out.push_str(tag);
    out.push_str(&format!("{:02}", value.len()));
    out.push_str(value);
}

/// The purpose as banks carry it: `code` first (what routes the gift),
/// then `text` in unaccented capitals, digits and spaces, cut to fit.
pub fn plain_purpose(code: &str, text: &str) -> String {
    let folded = crate::text::fold(&format!("{code} {text}")).to_ascii_uppercase();
    let kept: String = folded
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out = crate::text::squash_spaces(&kept);
    out.truncate(PURPOSE_MAX);
    out.trim_end().to_owned()
}

/// The payload of `transfer`, ready to be drawn as a QR code.
pub fn payload(transfer: &Transfer<'_>) -> Result<String, VietQrError> {
    if transfer.bin.len() != 6 || !transfer.bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VietQrError::Bin);
    }
    let account = transfer.account;
    if account.is_empty() || account.len() > 19 || !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(VietQrError::Account);
    }
    let purpose = transfer.purpose;
    if purpose.len() > PURPOSE_MAX || !purpose.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ') {
        return Err(VietQrError::Purpose);
    }
    let mut beneficiary = String::new();
    field(&mut beneficiary, "00", transfer.bin);
    field(&mut beneficiary, "01", account);
    let mut merchant = String::new();
    field(&mut merchant, "00", NAPAS_GUID);
    field(&mut merchant, "01", &beneficiary);
    field(&mut merchant, "02", TO_ACCOUNT);

    let mut out = String::with_capacity(160);
    field(&mut out, "00", "01");
    // 11: a static code (any amount); 12: a code for one payment.
    field(&mut out, "01", if transfer.amount.is_some() { "12" } else { "11" });
    field(&mut out, "38", &merchant);
    field(&mut out, "53", VND);
    if let Some(amount) = transfer.amount {
        if amount.dong() <= 0 || amount.dong() > AMOUNT_MAX {
            return Err(VietQrError::Amount);
        }
        field(&mut out, "54", &amount.dong().to_string());
    }
    field(&mut out, "58", "VN");
    if !purpose.is_empty() {
        let mut additional = String::new();
        field(&mut additional, "08", purpose);
        field(&mut out, "62", &additional);
    }
    out.push_str("6304");
    out.push_str(&format!("{:04X}", CRC.checksum(out.as_bytes())));
    Ok(out)
}

/// The QR code of `payload` as an SVG image.
pub fn svg(payload: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NAPAS's published example, CRC included.
    const PUBLISHED: &str = "00020101021238540010A00000072701240006970436011010175956000208QRIBFTTA\
                             530370454061800005802VN62230819thanh toan don hang630470FA";

    #[test]
    fn the_published_example_is_reproduced_with_its_crc() {
        let transfer = Transfer {
            bin: "970436",
            account: "1017595600",
            amount: Some(Money::from_dong(180_000)),
            purpose: "thanh toan don hang",
        };
        assert_eq!(payload(&transfer).as_deref(), Ok(PUBLISHED));
    }

    #[test]
    fn a_code_without_amount_is_static_and_still_checksummed() {
        let transfer = Transfer {
            bin: "970415",
            account: "113366668888",
            amount: None,
            purpose: "UH YAGI 0042",
        };
        let text = payload(&transfer).unwrap_or_default();
        assert!(text.starts_with("000201010211"), "{text}");
        assert!(!text.contains("5406"), "{text}");
        let (body, crc) = text.split_at(text.len() - 4);
        assert_eq!(crc, format!("{:04X}", CRC.checksum(body.as_bytes())));
    }

    #[test]
    fn bad_fields_are_refused() {
        let good = Transfer {
            bin: "970436",
            account: "1017595600",
            amount: None,
            purpose: "",
        };
        let bin = Transfer {
            bin: "97043",
            ..good.clone()
        };
        assert_eq!(payload(&bin), Err(VietQrError::Bin));
        let account = Transfer {
            account: "1017-5956",
            ..good.clone()
        };
        assert_eq!(payload(&account), Err(VietQrError::Account));
        let amount = Transfer {
            amount: Some(Money::from_dong(0)),
            ..good.clone()
        };
        assert_eq!(payload(&amount), Err(VietQrError::Amount));
        let accented = Transfer {
            purpose: "ủng hộ",
            ..good.clone()
        };
        assert_eq!(payload(&accented), Err(VietQrError::Purpose));
    }

    #[test]
    fn purposes_are_folded_to_what_banks_carry_code_first() {
        assert_eq!(plain_purpose("NA00426", "Ủng hộ bão Yagi!"), "NA00426 UNG HO BAO YAGI");
        let long = plain_purpose("NA00426", "Ủng hộ đồng bào các tỉnh phía Bắc");
        assert_eq!(long, "NA00426 UNG HO DONG BAO C");
        assert!(long.len() <= PURPOSE_MAX);
    }

    #[test]
    fn emvco_limits_hold() {
        let long = Transfer {
            bin: "970436",
            account: "1017595600",
            amount: Some(Money::from_dong(10_000_000_000_000)),
            purpose: "",
        };
        assert_eq!(payload(&long), Err(VietQrError::Amount));
        let purpose = "A".repeat(PURPOSE_MAX + 1);
        let wordy = Transfer {
            amount: None,
            purpose: &purpose,
            ..long
        };
        assert_eq!(payload(&wordy), Err(VietQrError::Purpose));
    }

    #[test]
    fn the_code_draws_as_svg() {
        let image = svg(PUBLISHED).unwrap_or_default();
        assert!(image.starts_with("<?xml") && image.contains("<svg"), "{image}");
    }
}
