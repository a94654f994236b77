//! Counts by sex and the IFRC age bands, computed when shown from counts
//! by sex and birth year (so they age with the calendar), and the
//! population pyramid drawn as SVG that needs no script and no network.

/// Lower age of each band; the last is open-ended (70+).
pub const BAND_STARTS: [i64; 8] = [0, 13, 18, 30, 40, 50, 60, 70];

/// A band's label: "< 13", "13–17" … "70+".
pub fn band_label(index: usize) -> String {
    match (BAND_STARTS.get(index), BAND_STARTS.get(index + 1)) {
        (Some(0), Some(next)) => format!("< {next}"),
        (Some(start), Some(next)) => format!("{start}–{}", next - 1),
        (Some(start), None) => format!("{start}+"),
        _ => String::new(),
    }
}

/// The band of an age (negative ages — a birth year in the future — and
/// unknown years have none).
pub fn band_of(age: i64) -> Option<usize> {
    if age < 0 {
        return None;
    }
    BAND_STARTS.iter().rposition(|start| age >= *start)
}

/// The birth years (inclusive ranges) of each band as of `this_year`, and
/// of no band (`None`: unknown — stored as 0 — or not born yet): every
/// year falls in exactly one range.
pub fn birth_year_ranges(this_year: i64) -> Vec<(Option<usize>, i64, i64)> {
    let mut out = vec![
        (None, i64::from(i32::MIN), 0),
        (None, this_year + 1, i64::from(i32::MAX)),
    ];
    for (band, start) in BAND_STARTS.iter().enumerate() {
        let latest = this_year - start;
        let earliest = BAND_STARTS.get(band + 1).map_or(1, |next| this_year - next + 1).max(1);
        out.push((Some(band), earliest, latest));
    }
    out
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demography {
    pub male: [i64; 8],
    pub female: [i64; 8],
    /// Without a known birth year.
    pub male_unknown: i64,
    pub female_unknown: i64,
}

impl Demography {
    /// From (sex, birth year — 0 unknown, count) rows, in `this_year`. An
    /// age is the one reached this year.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a (String, i64, i64)>, this_year: i64) -> Demography {
        let banded: Vec<(String, Option<usize>, i64)> = rows
            .into_iter()
            .map(|(sex, year, count)| {
                (
                    sex.clone(),
                    (*year > 0).then(|| band_of(this_year - year)).flatten(),
                    *count,
                )
            })
            .collect();
        Demography::from_bands(&banded)
    }

    /// From (sex, band — none when unknown, count) rows.
    pub fn from_bands<'a>(rows: impl IntoIterator<Item = &'a (String, Option<usize>, i64)>) -> Demography {
        let mut d = Demography::default();
        for (sex, band, count) in rows {
            let band = band.filter(|b| *b < BAND_STARTS.len());
            let female = sex == "F";
            match (band, female) {
                (Some(b), false) => d.male[b] += count,
                (Some(b), true) => d.female[b] += count,
                (None, false) => d.male_unknown += count,
                (None, true) => d.female_unknown += count,
            }
        }
        d
    }

    pub fn add(&mut self, other: &Demography) {
        for i in 0..8 {
            self.male[i] += other.male[i];
            self.female[i] += other.female[i];
        }
        self.male_unknown += other.male_unknown;
        self.female_unknown += other.female_unknown;
    }

    pub fn males(&self) -> i64 {
        self.male.iter().sum::<i64>() + self.male_unknown
    }

    pub fn females(&self) -> i64 {
        self.female.iter().sum::<i64>() + self.female_unknown
    }

    pub fn band(&self, index: usize) -> i64 {
        self.male.get(index).copied().unwrap_or(0) + self.female.get(index).copied().unwrap_or(0)
    }

    pub fn unknown(&self) -> i64 {
        self.male_unknown + self.female_unknown
    }

    /// The population pyramid: men to the left, women to the right, the
    /// youngest band at the bottom. `title` names it for screen readers.
    pub fn pyramid_svg(&self, title: &str, male: &str, female: &str) -> String {
        const ROW: i64 = 24;
        const HALF: i64 = 150;
        const MIDDLE: i64 = 56;
        let max = self
            .male
            .iter()
            .chain(self.female.iter())
            .copied()
            .max()
            .unwrap_or(0)
            .max(1);
        let width = HALF * 2 + MIDDLE;
        let height = ROW * 8 + 28;
        let mut svg = format!(
            "<svg class=\"pyramid\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"100%\" \
             xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
            escape(title)
        );
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"14\" text-anchor=\"end\" font-size=\"12\" fill=\"#1f4e8c\">{} ({})</text>\
             <text x=\"{}\" y=\"14\" font-size=\"12\" fill=\"#a3172b\">{} ({})</text>",
            HALF - 4,
            escape(male),
            self.males(),
            HALF + MIDDLE + 4,
            escape(female),
            self.females()
        ));
        for band in 0..8 {
            let y = 20 + (7 - band as i64) * ROW;
            let (m, f) = (self.male[band], self.female[band]);
            let (mw, fw) = (m * (HALF - 8) / max, f * (HALF - 8) / max);
            svg.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{mw}\" height=\"{}\" fill=\"#1f4e8c\"><title>{} {}: {m}</title></rect>\
                 <rect x=\"{}\" y=\"{}\" width=\"{fw}\" height=\"{}\" fill=\"#a3172b\"><title>{} {}: {f}</title></rect>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#333\">{}</text>",
                HALF - mw,
                y + 3,
                ROW - 6,
                escape(male),
                band_label(band),
                HALF + MIDDLE,
                y + 3,
                ROW - 6,
                escape(female),
                band_label(band),
                HALF + MIDDLE / 2,
                y + ROW / 2 + 4,
                band_label(band)
            ));
        }
        svg.push_str("</svg>");
        svg
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_birth_year_falls_in_one_range_of_its_band() {
        let ranges = birth_year_ranges(2026);
        for year in -3..2032 {
            let holding: Vec<_> = ranges
                .iter()
                .filter(|(_, lo, hi)| (*lo..=*hi).contains(&year))
                .collect();
            assert_eq!(holding.len(), 1, "{year}");
            let expected = if year <= 0 { None } else { band_of(2026 - year) };
            assert_eq!(holding[0].0, expected, "{year}");
        }
    }

    #[test]
    fn ages_fall_in_the_ifrc_bands() {
        assert_eq!(band_of(0), Some(0));
        assert_eq!(band_of(12), Some(0));
        assert_eq!(band_of(13), Some(1));
        assert_eq!(band_of(17), Some(1));
        assert_eq!(band_of(18), Some(2));
        assert_eq!(band_of(69), Some(6));
        assert_eq!(band_of(70), Some(7));
        assert_eq!(band_of(104), Some(7));
        assert_eq!(band_of(-1), None);
        let labels: Vec<String> = (0..8).map(band_label).collect();
        assert_eq!(
            labels,
            ["< 13", "13–17", "18–29", "30–39", "40–49", "50–59", "60–69", "70+"]
        );
    }

    #[test]
    fn bands_are_computed_from_birth_years_when_shown() {
        let rows = vec![
            ("M".to_owned(), 2014, 2),
            ("F".to_owned(), 2013, 1),
            ("F".to_owned(), 1956, 4),
            ("M".to_owned(), 0, 3),
        ];
        let in_2026 = Demography::from_rows(&rows, 2026);
        assert_eq!(in_2026.male[0], 2, "12 in 2026");
        assert_eq!(in_2026.female[1], 1, "13 in 2026");
        assert_eq!(in_2026.female[7], 4, "70 in 2026");
        assert_eq!(in_2026.male_unknown, 3);
        assert_eq!((in_2026.males(), in_2026.females()), (5, 5));
        let in_2027 = Demography::from_rows(&rows, 2027);
        assert_eq!(in_2027.male[1], 2, "the same people, a year older");
    }

    #[test]
    fn the_pyramid_is_plain_svg_with_names_escaped() {
        let d = Demography::from_rows(&[("M".to_owned(), 1990, 5)], 2026);
        let svg = d.pyramid_svg("Tháp <dân số>", "Nam", "Nữ");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Tháp &lt;dân số&gt;"));
        assert!(!svg.contains("<script"));
        assert_eq!(svg.matches("<rect").count(), 16);
    }
}
