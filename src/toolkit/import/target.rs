//! What one sheet column fills, as an import's mapping stores it. Lists
//! often split a column by a value under a two-row header: "Giới tính"
//! over "Nam | Nữ" with a tick in one of them, or "Năm sinh" over
//! "Nam | Nữ" with the birth year written under the person's sex. So an
//! entry is `key` (the cell's text fills `key`), `key@value` (a filled
//! cell gives `key` the value: a tick), or `key+mark@value` (the cell's
//! text fills `key`, and being filled gives `mark` the value). Which
//! columns are split this way is read from the header (`two_rows`).

use super::kind::ColumnSpec;

/// One column's entry, read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// The key the cell's text fills.
    pub key: Option<&'a str>,
    /// The key a filled cell gives a value, and the value.
    pub mark: Option<(&'a str, &'a str)>,
}

impl<'a> Target<'a> {
    pub fn parse(entry: &'a str) -> Target<'a> {
        let (key, mark) = match entry.split_once('@') {
            None => (Some(entry), None),
            Some((keys, value)) => match keys.split_once('+') {
                Some((key, marked)) => (Some(key), Some((marked, value))),
                None => (None, Some((keys, value))),
            },
        };
        Target {
            key: key.filter(|k| !k.is_empty()),
            mark,
        }
    }

    /// The stored form.
    pub fn entry(&self) -> String {
        match (self.key, self.mark) {
            (Some(key), None) => key.to_owned(),
            (None, Some((marked, value))) => format!("{marked}@{value}"),
            (Some(key), Some((marked, value))) => format!("{key}+{marked}@{value}"),
            (None, None) => String::new(),
        }
    }

    /// Every key it fills.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.key.into_iter().chain(self.mark.map(|(k, _)| k))
    }

    /// Whether `specs` know every key and the mark's value, and the entry
    /// is written as it reads back.
    pub fn valid_in(&self, specs: &[ColumnSpec]) -> bool {
        let key_ok = self.key.is_none_or(|k| specs.iter().any(|s| s.key == k));
        let mark_ok = self.mark.is_none_or(|(k, v)| {
            specs
                .iter()
                .any(|s| s.key == k && s.marks.iter().any(|(_, value)| *value == v))
        });
        (self.key.is_some() || self.mark.is_some()) && key_ok && mark_ok
    }

    /// `valid_in` for a stored entry, which must also be written the one
    /// way it reads back (`+sex@Nam` is not).
    pub fn valid_entry(entry: &str, specs: &[ColumnSpec]) -> bool {
        let target = Target::parse(entry);
        target.valid_in(specs) && target.entry() == entry
    }
}

/// The entries of columns split by a value that a user may pick for
/// `specs`: ticks (`sex@Nữ`) and, for dates, a date written under a value
/// (`birth_date+sex@Nữ`).
pub fn mark_choices(specs: &[ColumnSpec]) -> Vec<String> {
    let mut out = Vec::new();
    for marked in specs.iter().filter(|s| !s.marks.is_empty()) {
        let mut values: Vec<&str> = Vec::new();
        for (_, value) in marked.marks {
            if !values.contains(value) {
                values.push(value);
            }
        }
        for value in values {
            out.push(
                Target {
                    key: None,
                    mark: Some((marked.key, value)),
                }
                .entry(),
            );
            for dated in specs.iter().filter(|s| s.cell == super::kind::CellKind::Date) {
                out.push(
                    Target {
                        key: Some(dated.key),
                        mark: Some((marked.key, value)),
                    }
                    .entry(),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec::new("sex", "s", &["gioi tinh"]).marked(&[("nam", "Nam"), ("nữ", "Nữ"), ("nu", "Nữ")]),
        ColumnSpec::new("birth_date", "b", &["nam sinh"]).of(super::super::kind::CellKind::Date),
    ];

    #[test]
    fn entries_read_back_as_written() {
        for entry in ["birth_date", "sex@Nữ", "birth_date+sex@Nam"] {
            assert_eq!(Target::parse(entry).entry(), entry);
        }
        let split = Target::parse("birth_date+sex@Nam");
        assert_eq!(split.key, Some("birth_date"));
        assert_eq!(split.mark, Some(("sex", "Nam")));
        assert_eq!(split.keys().collect::<Vec<_>>(), ["birth_date", "sex"]);
    }

    #[test]
    fn only_known_keys_and_declared_values_are_valid() {
        assert!(Target::parse("birth_date+sex@Nam").valid_in(SPECS));
        assert!(Target::parse("sex@Nữ").valid_in(SPECS));
        assert!(!Target::parse("sex@Khác").valid_in(SPECS));
        assert!(!Target::parse("birth_date@Nam").valid_in(SPECS));
        assert!(!Target::parse("phone").valid_in(SPECS));
        assert!(!Target::parse("@Nam").valid_in(SPECS));
    }

    #[test]
    fn the_choices_are_ticks_and_dates_under_each_value() {
        assert_eq!(
            mark_choices(SPECS),
            ["sex@Nam", "birth_date+sex@Nam", "sex@Nữ", "birth_date+sex@Nữ"]
        );
        assert!(Target::valid_entry("birth_date+sex@Nam", SPECS));
        assert!(!Target::valid_entry("+sex@Nam", SPECS));
    }
}
