//! Vietnamese mobile numbers, normalised to ten digits starting with 0.
//! Accepts +84/84 prefixes, spaces, dots, dashes and brackets, and the
//! pre-2018 eleven-digit numbers that old lists still carry (0168… → 038…).

/// Mobile prefixes in service (Viettel, VinaPhone, MobiFone, Vietnamobile,
/// Gmobile, iTel, Reddi, Wintel).
const MOBILE_PREFIXES: [&str; 39] = [
    "032", "033", "034", "035", "036", "037", "038", "039", "052", "055", "056", "058", "059", "070", "076", "077",
    "078", "079", "081", "082", "083", "084", "085", "086", "087", "088", "089", "090", "091", "092", "093", "094",
    "096", "097", "098", "099", "057", "069", "095",
];

/// The 2018 conversion of eleven-digit mobile numbers: old prefix → new.
const RENUMBERED: [(&str, &str); 23] = [
    ("0162", "032"),
    ("0163", "033"),
    ("0164", "034"),
    ("0165", "035"),
    ("0166", "036"),
    ("0167", "037"),
    ("0168", "038"),
    ("0169", "039"),
    ("0120", "070"),
    ("0121", "079"),
    ("0122", "077"),
    ("0126", "076"),
    ("0128", "078"),
    ("0123", "083"),
    ("0124", "084"),
    ("0125", "085"),
    ("0127", "081"),
    ("0129", "082"),
    ("0186", "056"),
    ("0188", "058"),
    ("0199", "059"),
    ("0182", "052"),
    ("0187", "057"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not a phone number at all (letters, wrong length).
    Format,
    /// Ten digits, but no Vietnamese mobile prefix.
    Prefix,
}

impl PhoneError {
    pub fn message_key(self) -> &'static str {
        match self {
            PhoneError::Format => "person.error.phone_format",
            PhoneError::Prefix => "person.error.phone_prefix",
        }
    }
}

pub fn normalise(input: &str) -> Result<String, PhoneError> {
    let trimmed = input.trim();
    let mut digits = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return Err(PhoneError::Format),
        }
    }
    let national = if let Some(rest) = digits
        .strip_prefix("84")
        .filter(|r| r.len() >= 9 && !trimmed.starts_with('0'))
    {
        format!("0{rest}")
    } else {
        digits
    };
    let national = match national.len() {
        10 => national,
        11 => RENUMBERED
            .iter()
            .find(|(old, _)| national.starts_with(old))
            .map(|(old, new)| format!("{new}{}", &national[old.len()..]))
            .ok_or(PhoneError::Prefix)?,
        _ => return Err(PhoneError::Format),
    };
    if MOBILE_PREFIXES.contains(&&national[..3]) {
        Ok(national)
    } else {
        Err(PhoneError::Prefix)
    }
}

/// A mobile number as `normalise` reads it, or a landline: eleven digits
/// with a `02…` area code (an office, a school).
pub fn normalise_any(input: &str) -> Result<String, PhoneError> {
    normalise(input).or_else(|e| {
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        let separators = input.chars().all(|c| c.is_ascii_digit() || " .-()".contains(c));
        if separators && digits.len() == 11 && digits.starts_with("02") {
            Ok(digits)
        } else {
            Err(e)
        }
    })
}

/// Whether a search text looks like a phone number rather than a name.
pub fn looks_like_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    digits >= 9 && text.chars().all(|c| c.is_ascii_digit() || " .-+()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ways_of_writing_a_number_normalise() {
        for written in [
            "0912345678",
            "0912 345 678",
            "091.234.5678",
            "+84 912 345 678",
            "84912345678",
            "(091) 234-5678",
        ] {
            assert_eq!(normalise(written), Ok("0912345678".into()), "{written}");
        }
    }

    #[test]
    fn old_eleven_digit_numbers_are_converted() {
        assert_eq!(normalise("01682345678"), Ok("0382345678".into()));
        assert_eq!(normalise("0123 456 7890"), Ok("0834567890".into()));
    }

    #[test]
    fn invalid_numbers_say_why() {
        assert_eq!(normalise("091234567"), Err(PhoneError::Format));
        assert_eq!(normalise("09123456789"), Err(PhoneError::Prefix));
        assert_eq!(normalise("0243 826 1234"), Err(PhoneError::Prefix)); // a Hà Nội landline
        assert_eq!(normalise("0912abc678"), Err(PhoneError::Format));
        assert_eq!(normalise("0112345678"), Err(PhoneError::Prefix));
    }

    #[test]
    fn search_text_is_recognised() {
        assert!(looks_like_phone("0912 345 678"));
        assert!(!looks_like_phone("nguyen van an"));
        assert!(!looks_like_phone("0912"));
    }
}
