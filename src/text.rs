//! Vietnamese text helpers shared by every domain: accent folding for search
//! and sort keys, and whitespace normalisation.

use unicode_normalization::UnicodeNormalization;

/// Folds text for unaccented search: NFD, drop combining marks, `đ→d`,
/// lower-case. `Nguyễn Văn Đức` becomes `nguyen van duc`.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Search tokens of a text: folded, split on anything that is not a letter
/// or digit. Tokens therefore never carry query syntax of FTS5 or tsquery.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Collapses runs of white space into single spaces and trims the ends.
pub fn squash_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that do not belong in a name or an address: control
/// characters (a line break only where `allow_newline`), and the invisible
/// direction overrides and isolates that make text display as something
/// other than what it is (U+202A–U+202E, U+2066–U+2069), and the invisible
/// characters that split a word or a number without showing (zero-width
/// spaces and joiners, the soft hyphen, the word joiner, the BOM): a name
/// or a phone number with one inside would not be found, or not masked.
pub fn has_hidden_characters(text: &str, allow_newline: bool) -> bool {
    text.chars().any(|c| {
        (c.is_control() && !(allow_newline && c == '\n'))
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_and_controls_are_hidden_characters() {
        assert!(has_hidden_characters("Chi hội \u{202E}abc", false));
        assert!(has_hidden_characters("a\u{2067}b", false));
        assert!(has_hidden_characters("a\tb", false));
        assert!(has_hidden_characters("0912\u{200B}345678", false));
        assert!(has_hidden_characters("Ng\u{00AD}uyễn", false));
        assert!(has_hidden_characters("a\nb", false));
        assert!(!has_hidden_characters("a\nb", true));
        assert!(!has_hidden_characters("Phường Ba Đình", false));
    }

    #[test]
    fn folds_vietnamese_marks_and_d_stroke() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("Phường Ba Đình"), "phuong ba dinh");
        assert_eq!(fold("ĐẶNG THỊ HUỆ"), "dang thi hue");
    }

    #[test]
    fn folding_is_the_same_for_precomposed_and_decomposed_input() {
        let precomposed = "Trần Thị Ánh";
        let decomposed: String = precomposed.nfd().collect();
        assert_eq!(fold(precomposed), fold(&decomposed));
    }

    #[test]
    fn tokens_drop_punctuation_and_query_syntax() {
        assert_eq!(tokens("Lê  Văn-Tám \"OR\" *"), vec!["le", "van", "tam", "or"]);
    }

    #[test]
    fn squash_spaces_normalises_runs() {
        assert_eq!(squash_spaces("  Lê \t Văn  Tám "), "Lê Văn Tám");
    }
}
