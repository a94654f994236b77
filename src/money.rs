//! Money: a whole number of đồng (VND has no subunit in use). One type for
//! dues, donations and the ledger, so that no amount is ever a float. It
//! is written `1.250.000 ₫`, read back from what people type (`1.250.000`,
//! `1 250 000`, `1,250,000`, `1250000 đ`), and said in Vietnamese words
//! for official documents ("Một triệu hai trăm năm mươi nghìn đồng").

use std::fmt;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// An amount in đồng.
/// Written out as its number of đồng; read only through `parse` (or from
/// storage), never deserialised, so every amount typed is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a typed amount was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("money.error.empty")]
    Empty,
    #[error("money.error.invalid")]
    Invalid,
    #[error("money.error.too_large")]
    TooLarge,
}

impl MoneyError {
    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            MoneyError::Empty => "money.error.empty",
            MoneyError::Invalid => "money.error.invalid",
            MoneyError::TooLarge => "money.error.too_large",
        }
    }
}

/// The largest amount read from input: a million billion đồng, far above
/// any real sum, well inside `i64`, and exactly representable where a
/// spreadsheet stores it as a float.
pub const MAX: i64 = 1_000_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_dong(dong: i64) -> Money {
        Money(dong)
    }

    pub fn dong(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Reads a non-negative amount as people type it: digits grouped by
    /// `.`, `,` or spaces in threes, an optional `₫`/`đ`/`đồng`/`VND`.
    /// A decimal part (`1.250,50`) is refused: there are no xu.
    pub fn parse(input: &str) -> Result<Money, MoneyError> {
        // Composed, whatever the keyboard sent ("đồng" in NFD is five marks).
        let mut text: String = input.trim().to_lowercase().nfc().collect();
        for suffix in ["₫", "đồng", "dong", "vnđ", "vnd", "đ", "d"] {
            if let Some(rest) = text.strip_suffix(suffix) {
                text = rest.trim_end().to_owned();
                break;
            }
        }
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let groups: Vec<&str> = text.split(['.', ',', ' ', '\u{a0}']).collect();
        let grouped_well = groups.len() == 1
            || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
        if !grouped_well || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
            return Err(MoneyError::Invalid);
        }
        let digits: String = groups.concat();
        if digits.is_empty() {
            return Err(MoneyError::Invalid);
        }
        match digits.parse::<i64>() {
            Ok(n) if n <= MAX => Ok(Money(n)),
            _ => Err(MoneyError::TooLarge),
        }
    }

    /// Vietnamese words with the currency, capitalised as on a document:
    /// "Một triệu hai trăm năm mươi nghìn đồng".
    pub fn in_words(self) -> String {
        let mut words = String::new();
        if self.0 < 0 {
            words.push_str("âm ");
        }
        words.push_str(&number_words(self.0.unsigned_abs()));
        words.push_str(" đồng");
        let mut chars = words.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => words,
        }
    }
}

/// `1.250.000 ₫`: dots between thousands, a non-breaking space before
/// the sign, so the amount never wraps away from it.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\u{a0}₫", group_thousands(self.0))
    }
}

/// `1250000` → `1.250.000` (negative amounts keep their sign).
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

const DIGITS: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

/// A number in Vietnamese words, lower case: groups of three digits named
/// nghìn and triệu, and tỷ for every nine digits (a thousand billion is
/// "một nghìn tỷ"). Groups of zeros are left out; a group after the
/// first says its zero hundreds and tens ("một triệu không trăm linh năm").
pub fn number_words(n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    let billions = n / 1_000_000_000;
    let rest = n % 1_000_000_000;
    if billions > 0 {
        parts.push(number_words(billions));
        parts.push("tỷ".to_owned());
    }
    let groups = [
        (rest / 1_000_000, "triệu"),
        ((rest / 1000) % 1000, "nghìn"),
        (rest % 1000, ""),
    ];
    for (group, name) in groups {
        if group == 0 {
            continue;
        }
        parts.push(group_words(group, !parts.is_empty()));
        if !name.is_empty() {
            parts.push(name.to_owned());
        }
    }
    parts.join(" ")
}

/// Words of 1..=999; `inner`: not the number's first group, so zero
/// hundreds are said ("không trăm") and a lone unit takes "linh".
fn group_words(n: u64, inner: bool) -> String {
    let (hundreds, tens, units) = ((n / 100) as usize, ((n / 10) % 10) as usize, (n % 10) as usize);
    let mut words: Vec<&str> = Vec::new();
    if hundreds > 0 || inner {
        words.extend([DIGITS[hundreds], "trăm"]);
    }
    match tens {
        0 if units > 0 && !words.is_empty() => words.push("linh"),
        0 => {}
        1 => words.push("mười"),
        t => words.extend([DIGITS[t], "mươi"]),
    }
    let unit = match (units, tens) {
        (0, _) => None,
        (1, t) if t >= 2 => Some("mốt"),
        (4, t) if t >= 2 => Some("tư"),
        (5, t) if t >= 1 => Some("lăm"),
        (u, _) => Some(DIGITS[u]),
    };
    words.extend(unit);
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_with_dots_and_the_dong_sign() {
        assert_eq!(Money::from_dong(1_250_000).to_string(), "1.250.000\u{a0}₫");
        assert_eq!(Money::from_dong(0).to_string(), "0\u{a0}₫");
        assert_eq!(Money::from_dong(999).to_string(), "999\u{a0}₫");
        assert_eq!(Money::from_dong(-50_000).to_string(), "-50.000\u{a0}₫");
    }

    #[test]
    fn reads_amounts_as_people_type_them() {
        for (typed, dong) in [
            ("1.250.000", 1_250_000),
            ("1,250,000", 1_250_000),
            ("1 250 000 ₫", 1_250_000),
            ("1250000đ", 1_250_000),
            ("500.000 đồng", 500_000),
            ("  200000 VND ", 200_000),
            ("200.000 dong", 200_000),
            ("200.000d", 200_000),
            ("200.000 \u{111}\u{1ed3}ng", 200_000),
            ("200.000 \u{111}o\u{302}\u{300}ng", 200_000),
            ("0", 0),
        ] {
            assert_eq!(Money::parse(typed), Ok(Money::from_dong(dong)), "{typed}");
        }
        for bad in ["1.25", "1.250,50", "-5", "abc", "1..000", ",000", "12.3456"] {
            assert_eq!(Money::parse(bad), Err(MoneyError::Invalid), "{bad}");
        }
        assert_eq!(Money::parse(" "), Err(MoneyError::Empty));
        assert_eq!(Money::parse("₫"), Err(MoneyError::Empty));
        assert_eq!(Money::parse("99999999999999999999"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn says_amounts_in_vietnamese_words() {
        for (n, words) in [
            (0, "không"),
            (5, "năm"),
            (10, "mười"),
            (15, "mười lăm"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (25, "hai mươi lăm"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (1_005, "một nghìn không trăm linh năm"),
            (1_250_000, "một triệu hai trăm năm mươi nghìn"),
            (2_000_500, "hai triệu năm trăm"),
            (1_000_050, "một triệu không trăm năm mươi"),
            (1_000_000_000, "một tỷ"),
            (3_500_000_000, "ba tỷ năm trăm triệu"),
            (1_000_000_000_000, "một nghìn tỷ"),
        ] {
            assert_eq!(number_words(n), words, "{n}");
        }
        assert_eq!(
            Money::from_dong(1_250_000).in_words(),
            "Một triệu hai trăm năm mươi nghìn đồng"
        );
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(n in 0i64..=MAX) {
            let grouped = group_thousands(n);
            prop_assert_eq!(Money::parse(&grouped), Ok(Money::from_dong(n)));
            prop_assert_eq!(Money::parse(&Money::from_dong(n).to_string()), Ok(Money::from_dong(n)));
        }

        #[test]
        fn words_never_stutter(n in 0u64..=MAX as u64) {
            let words = number_words(n);
            prop_assert!(!words.contains("  ") && !words.starts_with(' ') && !words.ends_with(' '));
            prop_assert!(!words.contains("không nghìn") && !words.contains("không triệu"));
        }
    }
}
