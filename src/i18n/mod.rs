//! The translation catalogue: every user-facing text, Vietnamese first,
//! English second. Keys are flat (`person.full_name`); `{name}` marks a
//! parameter. A missing key shows as the key itself (and a test fails).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().get(..2)? {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

type Catalogue = HashMap<String, String>;

fn catalogue(lang: Lang) -> &'static Catalogue {
    static VI: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    let (cell, source) = match lang {
        Lang::Vi => (&VI, include_str!("vi.json")),
        Lang::En => (&EN, include_str!("en.json")),
    };
    // The catalogues are compiled in and checked by tests; an unreadable one
    // degrades to showing keys rather than failing requests.
    cell.get_or_init(|| serde_json::from_str(source).unwrap_or_default())
}

/// The text for `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match catalogue(lang).get(key) {
        Some(text) => text.as_str(),
        None => catalogue(Lang::Vi)
            .get(key)
            .map(String::as_str)
            .unwrap_or("⟨missing text⟩"),
    }
}

/// The text for `key`, or `fallback` when the catalogue has none (labels
/// of record fields, which grow with every capability).
pub fn t_or<'a>(lang: Lang, key: &str, fallback: &'a str) -> &'a str {
    match catalogue(lang).get(key) {
        Some(text) => text.as_str(),
        None => fallback,
    }
}

/// The text for `key` with `{name}` parameters filled in.
pub fn t_with(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(lang, key).to_owned(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let vi = catalogue(Lang::Vi);
        let en = catalogue(Lang::En);
        assert!(vi.len() > 50, "Vietnamese catalogue did not load");
        let mut missing_en: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut missing_vi: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
        missing_en.sort();
        missing_vi.sort();
        assert!(missing_en.is_empty(), "missing in en.json: {missing_en:?}");
        assert!(missing_vi.is_empty(), "missing in vi.json: {missing_vi:?}");
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let vi = catalogue(Lang::Vi);
        let mut missing = Vec::new();
        let pattern = [
            "t(\"",
            "t(Lang::Vi, \"",
            "t(lang, \"",
            "t(self.lang, \"",
            "key: \"",
            "_key: \"",
        ];
        for entry in walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            for p in pattern {
                for (i, _) in text.match_indices(p) {
                    let rest = &text[i + p.len()..];
                    let key: String = rest.chars().take_while(|c| *c != '"').collect();
                    let is_key =
                        key.contains('.') && !key.contains(' ') && !key.ends_with('.') && !key.starts_with('/');
                    if is_key && !vi.contains_key(&key) {
                        missing.push(format!("{}: {key}", entry.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from the catalogue: {missing:#?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("rs" | "html")) {
                files.push(path);
            }
        }
        files
    }

    #[test]
    fn parameters_are_filled() {
        assert_eq!(Lang::parse("en-US,en;q=0.9"), Some(Lang::En));
        let text = t_with(Lang::En, "error.unknown_unit", &[("code", "99999")]);
        assert!(text.contains("99999"), "{text}");
    }
}
