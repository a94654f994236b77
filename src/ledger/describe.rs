//! What a bank's transfer description says: the donor's name where the
//! bank wrote it, the payment code that routes the gift to its appeal,
//! and the text fit to publish (account and phone numbers masked).
//!
//! Vietnamese banks write descriptions like these (Vietcombank, 2024):
//! - `MBVCB.6916176124.CAO VIET TUAN chuyen tien.CT tu 0101001222009 CAO VIET TUAN toi 0011001932418 …`
//! - `272986.010924.101858.DO DUC LOI chuyen tien`
//! - `PARTNER.DIRECT_DEBITS_VCB.MSE.6648 9854016.20240910.66489854016-0393310922_H OANG THI BICH NGOC ung ho …`
//! - `292976.010924.013647.xin cam on` (no name)

/// Words that end a name written in capitals (what follows is the message).
const AFTER_NAME: &[&str] = &[
    "CHUYEN", "CK", "UNG", "UH", "GUI", "QUYEN", "HO", "TRA", "NOP", "CT", "FT", "TU", "TOI", "DONG", "MBVCB", "IBFT",
    "VCB", "TPBANK", "CHUC", "XIN", "CAM", "THANH", "TOAN",
];

/// The name leading `words`: two to six words in capitals, up to the
/// first word of the message.
fn as_name(words: &[&str]) -> Option<String> {
    let capitals = |w: &&str| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase());
    let name: Vec<&str> = words
        .iter()
        .copied()
        .take_while(|w| capitals(w) && !AFTER_NAME.contains(w))
        .collect();
    if (2..=6).contains(&name.len()) {
        Some(name.join(" "))
    } else {
        None
    }
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
        let name = as_name(&words)?;
        return Some(rejoin_split_first_word(&name));
    }
    as_name(&words)
}

/// `H OANG THI BICH NGOC` → `HOANG THI BICH NGOC`: a lone first letter
/// glued to the next word.
fn rejoin_split_first_word(name: &str) -> String {
    match name.split_once(' ') {
        Some((first, rest)) if first.len() == 1 && rest.split(' ').count() >= 2 => format!("{first}{rest}"),
        _ => name.to_owned(),
    }
}

/// The payment code of fund `fund_id`: `NA`, the id in at least four
/// digits, and a check digit (Luhn), so that a mistyped code routes
/// nothing rather than the wrong appeal.
pub fn payment_code(fund_id: i64) -> String {
    let digits = format!("{fund_id:04}");
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

/// The description as it may be published: every run of eight or more
/// digits (an account, a phone, a CCCD — spaces and dots inside a run
/// count) masked, keeping its last three digits.
pub fn public_description(description: &str) -> String {
    let chars: Vec<char> = description.chars().collect();
    let mut out = String::with_capacity(description.len());
    let mut i = 0;
    while i < chars.len() {
        let attached = i > 0 && chars[i - 1].is_alphanumeric();
        if !chars[i].is_ascii_digit() || attached {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with single spaces, dots or dashes between them.
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() {
            if chars[end].is_ascii_digit() {
                digits += 1;
                end += 1;
            } else if matches!(chars[end], ' ' | '.' | '-')
                && chars.get(end + 1).is_some_and(char::is_ascii_digit)
                && digits > 0
            {
                end += 1;
            } else {
                break;
            }
        }
        let run: String = chars[i..end].iter().collect();
        if digits >= 8 {
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
