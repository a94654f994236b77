//! The order of a name search: the closest matches first, then by name as
//! lists sort it (given name first), then by registration.

/// How closely a name matches the searched words: the whole name (0), the
/// words side by side in it (1), or the words anywhere (2).
pub fn relevance(sort_key: &str, words: &[String]) -> u8 {
    // A sort key is "<given name> <folded full name>".
    let folded = sort_key.split_once(' ').map(|(_, name)| name).unwrap_or(sort_key);
    let phrase = words.join(" ");
    if folded == phrase {
        0
    } else if format!(" {folded} ").contains(&format!(" {phrase} ")) {
        1
    } else {
        2
    }
}

/// The sort key of a name that is exactly the searched words.
pub fn exact_key(words: &[String]) -> String {
    let given = words.last().map(String::as_str).unwrap_or_default();
    format!("{given} {}", words.join(" "))
}

/// Orders matches `(id, sort key)` by relevance, then name, then id; a
/// match listed twice is kept once.
pub fn rank(mut matches: Vec<(i64, String)>, words: &[String]) -> Vec<(i64, String)> {
    matches.sort_by_cached_key(|(id, key)| (relevance(key, words), key.clone(), *id));
    matches.dedup_by_key(|(id, _)| *id);
    matches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::model::sort_key;

    fn words(q: &str) -> Vec<String> {
        crate::text::tokens(q)
    }

    #[test]
    fn the_whole_name_comes_first_then_the_phrase_then_the_rest_by_name() {
        let names = [
            (1, "Nguyễn Văn An Bình"),
            (2, "An Văn Nguyễn"),
            (3, "Nguyễn Văn An"),
            (4, "Trần Nguyễn Văn An"),
            (5, "Nguyễn Thị Văn An"),
        ];
        let matches = names.iter().map(|(id, n)| (*id, sort_key(n))).collect();
        let ranked: Vec<i64> = rank(matches, &words("nguyen van an")).iter().map(|m| m.0).collect();
        // 3: the whole name; 4 and 1: the words side by side, by given name
        // (An before Bình); then the others by given name.
        assert_eq!(ranked, vec![3, 4, 1, 5, 2]);
    }

    #[test]
    fn the_exact_key_is_the_sort_key_of_the_whole_name() {
        assert_eq!(exact_key(&words("Nguyễn Văn An")), sort_key("Nguyễn Văn An"));
    }

    #[test]
    fn a_match_found_twice_is_listed_once() {
        let twice = vec![(3, sort_key("Lê An")), (3, sort_key("Lê An")), (1, sort_key("Lê An"))];
        let ranked: Vec<i64> = rank(twice, &words("le an")).iter().map(|m| m.0).collect();
        assert_eq!(ranked, vec![1, 3]);
    }

    #[test]
    fn equal_names_keep_registration_order() {
        let matches = vec![(9, sort_key("Lê Văn Tám")), (2, sort_key("Lê Văn Tám"))];
        let ranked: Vec<i64> = rank(matches, &words("le van tam")).iter().map(|m| m.0).collect();
        assert_eq!(ranked, vec![2, 9]);
    }
}
