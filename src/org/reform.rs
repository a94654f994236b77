//! The 2025 administrative reform: resolving a commune written the way
//! field lists write it (new or pre-2025 name or code, with or without its
//! type word) to the 2025 commune it belongs to now.

use serde::Serialize;

use crate::text;

const TYPE_WORDS: [&[&str]; 7] = [
    &["thi", "tran"],
    &["dac", "khu"],
    &["phuong"],
    &["xa"],
    &["tt"],
    &["p"],
    &["x"],
];

/// Matching key of a commune name: folded, punctuation dropped, leading
/// type word removed. "P. Trúc Bạch", "phường Trúc Bạch" and "Trúc Bạch"
/// share the key `truc bach`.
pub fn commune_key(name: &str) -> String {
    let tokens = text::tokens(name);
    let mut rest: &[String] = &tokens;
    for words in TYPE_WORDS {
        if rest.len() > words.len() && rest.iter().zip(words.iter()).all(|(t, w)| t == w) {
            rest = &rest[words.len()..];
            break;
        }
    }
    rest.join(" ")
}

/// The code of a commune written as forms show it: `Phường Ba Đình (00004)`.
pub fn code_in_brackets(written: &str) -> Option<&str> {
    let inner = written.trim().strip_suffix(')')?.rsplit_once('(')?.1.trim();
    (!inner.is_empty() && inner.len() <= 5 && inner.bytes().all(|b| b.is_ascii_digit())).then_some(inner)
}

/// A 2025 commune reached through the reform mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReformMatch {
    pub old_code: String,
    pub old_name: String,
    pub old_district_name: String,
    pub old_province_name: String,
    pub new_code: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Resolution {
    /// The text names a 2025 commune directly.
    Current {
        code: String,
    },
    /// The text names a pre-2025 commune that went (whole) into one 2025 commune.
    Reformed {
        code: String,
        via: ReformMatch,
    },
    /// Several 2025 communes fit: the caller must choose (or give the province).
    Ambiguous {
        codes: Vec<String>,
    },
    NotFound,
}

/// Decides between direct matches on 2025 communes and reform matches.
/// A current name wins over an old one: "Phường Ngọc Hà" is today's ward,
/// not the old ward that was split.
pub fn decide(current_codes: Vec<String>, reform: Vec<ReformMatch>) -> Resolution {
    let mut current_codes = current_codes;
    current_codes.sort();
    current_codes.dedup();
    match current_codes.len() {
        1 => {
            return Resolution::Current {
                code: current_codes.remove(0),
            }
        }
        n if n > 1 => return Resolution::Ambiguous { codes: current_codes },
        _ => {}
    }
    let mut new_codes: Vec<String> = reform.iter().map(|m| m.new_code.clone()).collect();
    new_codes.sort();
    new_codes.dedup();
    match (new_codes.len(), reform.into_iter().next()) {
        (1, Some(via)) => Resolution::Reformed {
            code: new_codes.remove(0),
            via,
        },
        (0, _) | (_, None) => Resolution::NotFound,
        _ => Resolution::Ambiguous { codes: new_codes },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(old_code: &str, new_code: &str) -> ReformMatch {
        ReformMatch {
            old_code: old_code.into(),
            old_name: "Phường Trúc Bạch".into(),
            old_district_name: "Quận Ba Đình".into(),
            old_province_name: "Thành phố Hà Nội".into(),
            new_code: new_code.into(),
            note: "Nhập toàn bộ".into(),
        }
    }

    #[test]
    fn keys_ignore_type_words_marks_and_punctuation() {
        assert_eq!(commune_key("Phường Trúc Bạch"), "truc bach");
        assert_eq!(commune_key("P. Trúc Bạch"), "truc bach");
        assert_eq!(commune_key("thị trấn Đông Anh"), "dong anh");
        assert_eq!(commune_key("Xã Đắk Pxi"), "dak pxi");
        assert_eq!(commune_key("Đặc khu Phú Quốc"), "phu quoc");
        // A bare type word is a name, not a prefix.
        assert_eq!(commune_key("Phường"), "phuong");
        assert_eq!(commune_key("Phường 12"), "12");
    }

    #[test]
    fn a_code_in_brackets_is_taken_as_the_code() {
        assert_eq!(code_in_brackets("Phường Ba Đình (00004)"), Some("00004"));
        assert_eq!(code_in_brackets("Phường Ba Đình"), None);
        assert_eq!(code_in_brackets("Xã (cũ) Tân Lập"), None);
    }

    #[test]
    fn a_current_name_wins_over_reform_rows() {
        let r = decide(vec!["00008".into()], vec![old("00016", "00004")]);
        assert_eq!(r, Resolution::Current { code: "00008".into() });
    }

    #[test]
    fn an_old_name_resolves_through_the_mapping() {
        let r = decide(vec![], vec![old("00004", "00004"), old("00004", "00004")]);
        assert!(matches!(r, Resolution::Reformed { ref code, .. } if code == "00004"));
    }

    #[test]
    fn a_split_commune_is_ambiguous() {
        let r = decide(vec![], vec![old("00016", "00004"), old("00016", "00008")]);
        assert_eq!(
            r,
            Resolution::Ambiguous {
                codes: vec!["00004".into(), "00008".into()]
            }
        );
        assert_eq!(decide(vec![], vec![]), Resolution::NotFound);
    }
}
