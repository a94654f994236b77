//! Deterministic demo people: households sharing family name, commune,
//! phone and address, with birth dates, CCCD and phone numbers that pass
//! the registry's own validators.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::names::*;
use crate::people::cccd;
use crate::people::model::{self, Birth, Sex, ValidPerson};

const MOBILE: [&str; 12] = [
    "091", "094", "088", "090", "093", "089", "096", "097", "098", "086", "032", "070",
];

pub struct Generator {
    rng: SmallRng,
    family_total: u32,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: SmallRng::seed_from_u64(seed),
            family_total: FAMILY.iter().map(|(_, w)| w).sum(),
        }
    }

    fn family(&mut self) -> &'static str {
        let mut pick = self.rng.gen_range(0..self.family_total);
        for (name, weight) in FAMILY {
            if pick < weight {
                return name;
            }
            pick -= weight;
        }
        FAMILY[0].0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.gen_range(0..items.len())]
    }

    /// A household of 1–5 people. `serial` makes CCCD numbers unique: the
    /// caller hands out a distinct value per person. `cccd_province` is a
    /// 3-digit province code of birth registration.
    pub fn household(
        &mut self,
        cccd_province: &str,
        unit_code: &str,
        serial: &mut u64,
        today_year: i32,
    ) -> Vec<ValidPerson> {
        let family = self.family();
        let size = self.rng.gen_range(1..=5);
        let phone =
            (self.rng.gen_bool(0.8)).then(|| format!("{}{:07}", self.pick(&MOBILE), self.rng.gen_range(0..10_000_000)));
        let address = format!(
            "Số {}, {} {}",
            self.rng.gen_range(1..300),
            self.pick(&STREETS),
            self.rng.gen_range(1..30)
        );
        (0..size)
            .map(|_| {
                let sex = if self.rng.gen_bool(0.5) { Sex::Male } else { Sex::Female };
                let (middle, given) = match sex {
                    Sex::Male => (self.pick(&MIDDLE_MALE), self.pick(&GIVEN_MALE)),
                    Sex::Female => (self.pick(&MIDDLE_FEMALE), self.pick(&GIVEN_FEMALE)),
                };
                let full_name = format!("{family} {middle} {given}");
                let year = self.rng.gen_range(1940..=today_year - 1);
                let birth = if self.rng.gen_bool(0.3) {
                    Birth::Year(year)
                } else {
                    let date =
                        time::Date::from_ordinal_date(year, self.rng.gen_range(1..=365)).unwrap_or(time::Date::MIN);
                    Birth::Date(date)
                };
                let adult = today_year - year >= 14;
                let cccd = adult.then(|| {
                    *serial += 1;
                    let digit = cccd::century_sex_digit(sex, year).unwrap_or(0);
                    format!("{cccd_province}{digit}{:02}{:06}", year % 100, *serial % 1_000_000)
                });
                ValidPerson {
                    name_folded: crate::text::fold(&full_name),
                    sort_key: model::sort_key(&full_name),
                    full_name,
                    sex,
                    birth: Some(birth),
                    cccd,
                    phone: phone.clone(),
                    address_commune: String::new(),
                    address_detail: address.clone(),
                    unit_code: unit_code.to_owned(),
                }
            })
            .collect()
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.rng.gen_range(0..n.max(1))
    }
}

/// The CCCD birth-registration code for a 2025 province: its own number
/// when that was a pre-2025 province code, else Hà Nội's.
pub fn cccd_province_for(province_code: &str) -> String {
    let code = format!("0{province_code}");
    if cccd::PROVINCE_CODES.contains(&code.as_str()) {
        code
    } else {
        "001".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::model::{validate, PersonInput};

    #[test]
    fn generated_people_pass_the_registry_validators() {
        let mut g = Generator::new(7);
        let mut serial = 0;
        let today = time::macros::date!(2026 - 11 - 27);
        for _ in 0..200 {
            for p in g.household("001", "00004", &mut serial, 2026) {
                let input = PersonInput {
                    full_name: p.full_name.clone(),
                    sex: p.sex.as_str().into(),
                    birth_date: p.birth.map(|b| b.display()).unwrap_or_default(),
                    cccd: p.cccd.clone().unwrap_or_default(),
                    phone: p.phone.clone().unwrap_or_default(),
                    address_commune: String::new(),
                    address_detail: p.address_detail.clone(),
                    unit: p.unit_code.clone(),
                };
                let valid = validate(&input, today).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
                assert_eq!(valid, p);
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let mut serial = (0, 0);
        let a = Generator::new(42).household("001", "x", &mut serial.0, 2026);
        let b = Generator::new(42).household("001", "x", &mut serial.1, 2026);
        assert_eq!(a, b);
    }
}
