//! Citizen identity numbers (CCCD, căn cước công dân): 12 digits.
//! Digits 1–3: province of birth registration (the 63 pre-2025 provinces);
//! digit 4: century of birth and sex; digits 5–6: last two digits of the
//! birth year; digits 7–12: a serial number.

use super::model::Sex;

/// Province codes of birth registration, as printed on CCCD cards (the
/// pre-2025 province codes; the 2025 merger did not renumber cards).
pub const PROVINCE_CODES: [&str; 63] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
    "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
    "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CccdError {
    /// Not exactly 12 digits.
    Format,
    /// The first three digits are no province code.
    Province,
    /// The century/sex digit contradicts the person's sex.
    Sex,
    /// The century digit or year digits contradict the birth year.
    BirthYear,
}

impl CccdError {
    pub fn message_key(self) -> &'static str {
        match self {
            CccdError::Format => "person.error.cccd_format",
            CccdError::Province => "person.error.cccd_province",
            CccdError::Sex => "person.error.cccd_sex",
            CccdError::BirthYear => "person.error.cccd_year",
        }
    }
}

/// The digit that encodes century and sex: 0/1 for 1900s, 2/3 for 2000s,
/// 4/5 for 2100s, 6/7 for 2200s, 8/9 for 1800s; even for male, odd for female.
pub fn century_sex_digit(sex: Sex, birth_year: i32) -> Option<u8> {
    let base = match birth_year.div_euclid(100) {
        18 => 8,
        19 => 0,
        20 => 2,
        21 => 4,
        22 => 6,
        _ => return None,
    };
    Some(base + u8::from(sex == Sex::Female))
}

/// Removes the spaces and dots people type inside the number.
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect()
}

/// Checks a CCCD against the holder's sex and (when known) birth year.
pub fn validate(input: &str, sex: Sex, birth_year: Option<i32>) -> Result<String, CccdError> {
    let cccd = normalise(input);
    if cccd.len() != 12 || !cccd.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CccdError::Format);
    }
    if !PROVINCE_CODES.contains(&&cccd[..3]) {
        return Err(CccdError::Province);
    }
    let digit = cccd.as_bytes()[3] - b'0';
    let is_female = digit % 2 == 1;
    if is_female != (sex == Sex::Female) {
        return Err(CccdError::Sex);
    }
    if let Some(year) = birth_year {
        if century_sex_digit(sex, year) != Some(digit) || cccd[4..6] != format!("{:02}", year.rem_euclid(100)) {
            return Err(CccdError::BirthYear);
        }
    }
    Ok(cccd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_numbers_pass() {
        // Hà Nội, male, born 1985.
        assert_eq!(
            validate("001085012345", Sex::Male, Some(1985)),
            Ok("001085012345".into())
        );
        // TP Hồ Chí Minh, female, born 2003, typed with spaces.
        assert_eq!(
            validate("079 303 000123", Sex::Female, Some(2003)),
            Ok("079303000123".into())
        );
        // Birth year unknown: only the sex is checked.
        assert!(validate("001185012345", Sex::Female, None).is_ok());
    }

    #[test]
    fn invalid_numbers_say_why() {
        assert_eq!(validate("00108501234", Sex::Male, Some(1985)), Err(CccdError::Format));
        assert_eq!(validate("00108501234a", Sex::Male, Some(1985)), Err(CccdError::Format));
        assert_eq!(
            validate("003085012345", Sex::Male, Some(1985)),
            Err(CccdError::Province)
        );
        assert_eq!(
            validate("099085012345", Sex::Male, Some(1985)),
            Err(CccdError::Province)
        );
        assert_eq!(validate("001185012345", Sex::Male, Some(1985)), Err(CccdError::Sex));
        assert_eq!(
            validate("001086012345", Sex::Male, Some(1985)),
            Err(CccdError::BirthYear)
        );
        assert_eq!(
            validate("001285012345", Sex::Male, Some(1985)),
            Err(CccdError::BirthYear)
        );
    }

    #[test]
    fn province_codes_are_the_pre_2025_provinces_of_the_reform_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/vn_units_old_to_new.csv");
        let text = std::fs::read_to_string(path).expect("reform table");
        let mut codes: Vec<String> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(4))
            .map(|c| format!("0{c}"))
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, PROVINCE_CODES.to_vec());
    }

    proptest! {
        #[test]
        fn every_consistent_number_validates(
            p in 0usize..63, female in any::<bool>(), year in 1900i32..2026, serial in 0u32..1_000_000
        ) {
            let sex = if female { Sex::Female } else { Sex::Male };
            let digit = century_sex_digit(sex, year).unwrap();
            let cccd = format!("{}{}{:02}{:06}", PROVINCE_CODES[p], digit, year % 100, serial);
            prop_assert_eq!(validate(&cccd, sex, Some(year)), Ok(cccd.clone()));
            let other = if female { Sex::Male } else { Sex::Female };
            prop_assert_eq!(validate(&cccd, other, Some(year)), Err(CccdError::Sex));
        }
    }
}
