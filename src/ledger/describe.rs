//! What a bank's transfer description says: the donor's name where the
//! bank wrote it, the payment code that routes the gift to its appeal,
//! and the text fit to publish (account and phone numbers masked).
//!
//! Vietnamese banks write descriptions like these (Vietcombank, 2024):
//! - `MBVCB.6916176124.CAO VIET TUAN chuyen tien.CT tu 0101001222009 CAO VIET TUAN toi 0011001932418 …`
//! - `272986.010924.101858.DO DUC LOI chuyen tien`
//! - `PARTNER.DIRECT_DEBITS_VCB.MSE.6648 9854016.20240910.66489854016-0393310922_H OANG THI BICH NGOC ung ho …`
//! - `292976.010924.013647.xin cam on` (no name)

/// Words that start the message and are never part of a name.
const MESSAGE_WORDS: &[&str] = &[
    "CK",
    "UH",
    "UNGHO",
    "CHUYENTIEN",
    "CHUYENKHOAN",
    "MBVCB",
    "IBFT",
    "VCB",
    "FT",
    "CT",
    "TOI",
    "BAO",
    "LU",
    "LUT",
    "YAGI",
    "MTTQ",
    "QUY",
    "GOP",
    "GUI",
    "NOP",
    "XIN",
    "HOTRO",
    "CAMON",
    "THANHTOAN",
    "MIEN",
    "BAC",
    "DONGBAO",
];

/// Pairs of words that start the message (`UNG HO`), each of which alone
/// may be part of a name (Hồ, Thanh, Toàn, Quyên).
const MESSAGE_PHRASES: &[(&str, &str)] = &[
    ("UNG", "HO"),
    ("CHUYEN", "TIEN"),
    ("CHUYEN", "KHOAN"),
    ("THANH", "TOAN"),
    ("CAM", "ON"),
    ("HO", "TRO"),
    ("QUYEN", "GOP"),
    ("DONG", "BAO"),
];

/// Vietnamese family names (unaccented): a name read from a description
/// starts with one, which keeps message words in capitals from passing.
const FAMILY_NAMES: &[&str] = &[
    "AU", "BACH", "BANH", "BUI", "CAN", "CAO", "CHAU", "CHU", "CU", "DANG", "DAO", "DIEP", "DINH", "DO", "DOAN",
    "DONG", "DU", "DUONG", "GIANG", "GIAP", "HA", "HAN", "HAU", "HO", "HOA", "HOANG", "HUA", "HUYNH", "KHONG", "KHUC",
    "KHUAT", "KIEU", "KIM", "LA", "LAI", "LAM", "LE", "LO", "LUC", "LUONG", "LUU", "LY", "MA", "MAC", "MAI", "NGHIEM",
    "NGO", "NGUYEN", "NINH", "NONG", "ONG", "PHAM", "PHAN", "PHI", "PHO", "PHUNG", "QUACH", "QUAN", "TA", "TANG",
    "THACH", "THAI", "THAN", "THI", "TIEU", "TO", "TON", "TONG", "TRAN", "TRIEU", "TRINH", "TRUONG", "VAN", "VI",
    "VIEN", "VO", "VU", "VUONG", "YEN",
];

fn plain(word: &str) -> String {
    crate::text::fold(word).to_ascii_uppercase()
}

/// The name leading `words`: two to six words in capitals (accents
/// allowed), starting with a family name, up to the first word of the
/// message.
fn as_name(words: &[&str]) -> Option<String> {
    let capitals = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphabetic() && c.is_uppercase());
    let mut name: Vec<&str> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let folded = plain(word);
        let next = words.get(i + 1).map(|w| plain(w)).unwrap_or_default();
        let phrase = MESSAGE_PHRASES.iter().any(|(a, b)| *a == folded && *b == next);
        if !capitals(word) || MESSAGE_WORDS.contains(&folded.as_str()) || phrase {
            break;
        }
        name.push(word);
    }
    let family = name.first().is_some_and(|w| FAMILY_NAMES.contains(&plain(w).as_str()));
    (family && (2..=6).contains(&name.len())).then(|| name.join(" "))
}

/// `… CT tu 0101001222009 CAO VIET TUAN toi 0011001932418 …`: the
/// sender's name as the bank wrote it.
fn from_sender_clause(text: &str) -> Option<String> {
    let start = text.find("CT tu ")? + "CT tu ".len();
    let rest = &text[start..];
    let mut words = rest.split_whitespace();
    let account = words.next()?;
    if !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let before_toi: Vec<&str> = words.take_while(|w| *w != "toi").collect();
    as_name(&before_toi)
}

/// The message part: after the bank's technical prefix (numbered
/// segments separated by dots, a partner's `…-phone_`).
fn message(text: &str) -> &str {
    if text.starts_with("PARTNER.") {
        // `…-0393310922_NAME message`: the name follows the payer's number.
        let after_number = text
            .match_indices('_')
            .find(|(at, _)| text[..*at].ends_with(|c: char| c.is_ascii_digit()));
        if let Some((at, _)) = after_number {
            return &text[at + 1..];
        }
    }
    let mut rest = text;
    while let Some((segment, tail)) = rest.split_once('.') {
        let technical = segment.is_empty()
            || segment.bytes().all(|b| b.is_ascii_digit() || b == b' ')
            || matches!(segment, "MBVCB" | "IBFT" | "VCB" | "CTDK");
        if !technical {
            break;
        }
        rest = tail;
    }
    rest
}

/// The donor's name as the bank wrote it, where it can be told.
pub fn donor_name(description: &str) -> Option<String> {
    if let Some(name) = from_sender_clause(description) {
        return Some(name);
    }
    let message = message(description);
    let words: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    // A partner writes the name with a stray space (`H OANG THI`).
    if description.starts_with("PARTNER.") {
        if let [first, second, rest @ ..] = words.as_slice() {
            if first.chars().count() == 1 {
                let glued = format!("{first}{second}");
                let mut rejoined: Vec<&str> = vec![&glued];
                rejoined.extend_from_slice(rest);
                if let Some(name) = as_name(&rejoined) {
                    return Some(name);
                }
            }
        }
    }
    as_name(&words)
}

/// The payment code of fund `fund_id`: `NA`, the id in at least four
/// digits, and a check digit (Luhn), so that a mistyped code routes
/// nothing rather than the wrong appeal.
pub fn payment_code(fund_id: i64) -> String {
    // Ids are positive; a negative one would not read back as a code.
    let digits = format!("{:04}", fund_id.unsigned_abs());
    format!("NA{digits}{}", luhn_digit(&digits))
}

fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The fund whose payment code the description carries (first valid one).
pub fn fund_of(description: &str) -> Option<i64> {
    let upper = description.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut at = 0;
    while let Some(found) = upper[at..].find("NA") {
        let start = at + found;
        at = start + 2;
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let code: String = upper[start + 2..].chars().take_while(char::is_ascii_digit).collect();
        let end = start + 2 + code.len();
        if code.len() < 5 || bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let (digits, check) = code.split_at(code.len() - 1);
        if check.parse::<u32>().ok() == Some(luhn_digit(digits)) {
            if let Ok(id) = digits.parse::<i64>() {
                return Some(id);
            }
        }
    }
    None
}

/// Characters that may sit between the digit groups of one number.
fn joins_digits(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | ',' | '/' | '_')
}

/// `dd/mm/yyyy` (or with `-`, `.`) or `yyyy-mm-dd`: a date, not a number to hide.
fn is_date(run: &str) -> bool {
    let groups: Vec<&str> = run.split(['/', '-', '.']).collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    groups
        .iter()
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        && (matches!(lens.as_slice(), [1 | 2, 1 | 2, 4]) || lens == [4, 2, 2])
}

/// `10.000.000` or `1,250,000`: an amount, not a number to hide.
fn is_amount(run: &str) -> bool {
    let separator = if run.contains('.') { '.' } else { ',' };
    let groups: Vec<&str> = run.split(separator).collect();
    groups.len() >= 2
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        && groups[0].len() <= 3
        && !groups[0].starts_with('0')
        && groups[1..].iter().all(|g| g.len() == 3)
}

/// The description as it may be published: every number of eight or more
/// digits (an account, a phone, a CCCD — however its groups are separated,
/// and even glued to letters, `SDT0912345678`) masked but for its last
/// three digits. Dates, amounts and payment codes stay.
pub fn public_description(description: &str) -> String {
    let chars: Vec<char> = description.chars().collect();
    let mut out = String::with_capacity(description.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() {
            if chars[end].is_ascii_digit() {
                digits += 1;
                end += 1;
                continue;
            }
            // Up to two joining characters, then a digit: the same number.
            let gap = chars[end..].iter().take(3).take_while(|c| joins_digits(**c)).count();
            if (1..=2).contains(&gap) && chars.get(end + gap).is_some_and(char::is_ascii_digit) {
                end += gap;
            } else {
                break;
            }
        }
        let run: String = chars[i..end].iter().collect();
        let before: String = chars[i.saturating_sub(3)..i].iter().collect();
        let code = before.to_ascii_uppercase().ends_with("NA")
            && !before
                .chars()
                .next()
                .is_some_and(|c| before.len() == 3 && c.is_alphanumeric())
            && fund_of(&format!("NA{run}")).is_some();
        if digits >= 8 && !code && !is_date(&run) && !is_amount(&run) {
            let tail: String = run.chars().filter(char::is_ascii_digit).skip(digits - 3).collect();
            out.push_str("***");
            out.push_str(&tail);
        } else {
            out.push_str(&run);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_the_formats_banks_write() {
        let cases = [
            (
                "MBVCB.6916176124.CAO VIET TUAN chuyen tien.CT tu 0101001222009 CAO VIET TUAN toi 0011001932418 MAT TRAN TO QUOC VN - BAN CUU TRO TW",
                Some("CAO VIET TUAN"),
            ),
            ("MBVCB.6916176124.CAO VIET TUAN chuyen tien…", Some("CAO VIET TUAN")),
            ("272986.010924.101858.DO DUC LOI chuyen tien", Some("DO DUC LOI")),
            (
                "PARTNER.DIRECT_DEBITS_VCB.MSE.6648 9854016.20240910.66489854016-0393310922_H OANG THI BICH NGOC ung ho dong bao vung lu phia bac",
                Some("HOANG THI BICH NGOC"),
            ),
            ("292976.010924.013647.xin cam on", None),
            ("292976.010924.013647.UNG HO DONG BAO", None),
            (
                "VCB.CTDK.31/03/2024.ADIDA PHAT. CT tu 0481000755821 toi 0011001932418 MAT TRAN TO QUOC VN - BAN CUU TRO TW",
                None,
            ),
            ("MBVCB.123.NGUYEN VAN A UNG HO BAO YAGI", Some("NGUYEN VAN A")),
            ("MBVCB.1.TRAN VAN THANH chuyen tien", Some("TRAN VAN THANH")),
            ("MBVCB.1.NGUYEN THI QUYEN UNG HO", Some("NGUYEN THI QUYEN")),
            ("MBVCB.1.HO THI LAN ung ho", Some("HO THI LAN")),
            ("MBVCB.1.TRẦN VĂN ĐỨC ủng hộ", Some("TRẦN VĂN ĐỨC")),
            ("MBVCB.1.NGUYEN VAN A BAO YAGI", Some("NGUYEN VAN A")),
            ("MBVCB.1.TRAN THI B UNGHO", Some("TRAN THI B")),
            ("MBVCB.123.BAO YAGI", None),
            ("MBVCB.123.UNG HO MIEN BAC", None),
            ("MBVCB.123.VIET NAM CO LEN", None),
        ];
        for (description, name) in cases {
            assert_eq!(donor_name(description).as_deref(), name, "{description}");
        }
    }

    #[test]
    fn payment_codes_route_and_typos_route_nothing() {
        let code = payment_code(42);
        assert_eq!(code.len(), 7);
        assert_eq!(
            fund_of(&format!("MBVCB.1.NGUYEN VAN A ung ho {code}.CT tu 1 toi 2")),
            Some(42)
        );
        assert_eq!(fund_of(&format!("ung ho {}", code.to_lowercase())), Some(42));
        assert_eq!(fund_of(&payment_code(1_234_567)), Some(1_234_567));
        let typo = code.replace("0042", "0043");
        assert_eq!(fund_of(&format!("ung ho {typo}")), None);
        assert_eq!(fund_of(&format!("ung ho X{code}")), None);
        assert_eq!(fund_of("NAM DINH ung ho"), None);
    }

    #[test]
    fn published_text_masks_accounts_and_phones() {
        let text = "MBVCB.6916176124.CAO VIET TUAN chuyen tien.CT tu 0101001222009 CAO VIET TUAN toi 0011001932418";
        let public = public_description(text);
        assert!(
            !public.contains("0101001222009") && !public.contains("6916176124"),
            "{public}"
        );
        assert!(public.contains("CT tu ***009 CAO VIET TUAN"), "{public}");
        assert_eq!(public_description("goi 0912 345 678 nhe"), "goi ***678 nhe");
        assert_eq!(
            public_description("ngay 01/09/2024 ung ho NA00426"),
            "ngay 01/09/2024 ung ho NA00426"
        );
    }
}
