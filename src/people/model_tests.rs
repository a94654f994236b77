//! Validation of what users type into the person registry.

use time::macros::date;

use super::model::*;

const TODAY: time::Date = date!(2026 - 11 - 27);

fn input() -> PersonInput {
    PersonInput {
        full_name: "  Nguyễn   Văn An ".into(),
        sex: "nam".into(),
        birth_date: "07/03/1985".into(),
        cccd: "001 085 012345".into(),
        phone: "+84 912 345 678".into(),
        address_commune: "Phường Trúc Bạch".into(),
        address_detail: "Số 5, ngõ 12".into(),
        unit: "00004".into(),
    }
}

#[test]
fn a_complete_input_is_normalised() {
    let valid = validate(&input(), TODAY).expect("valid");
    assert_eq!(valid.full_name, "Nguyễn Văn An");
    assert_eq!(valid.name_folded, "nguyen van an");
    assert_eq!(valid.sort_key, "an nguyen van an");
    assert_eq!(valid.sex, Sex::Male);
    assert_eq!(valid.birth.map(Birth::iso), Some("1985-03-07".into()));
    assert_eq!(valid.cccd.as_deref(), Some("001085012345"));
    assert_eq!(valid.phone.as_deref(), Some("0912345678"));
}

#[test]
fn each_bad_field_is_reported_against_that_field() {
    let bad = PersonInput {
        full_name: "<script>alert(1)</script>".into(),
        sex: "x".into(),
        birth_date: "31/02/1990".into(),
        cccd: "12345".into(),
        phone: "12345".into(),
        address_detail: "a".repeat(201),
        unit: String::new(),
        ..input()
    };
    let errors = validate(&bad, TODAY).expect_err("invalid");
    assert_eq!(
        errors.get("full_name").map(String::as_str),
        Some("person.error.name_chars")
    );
    assert_eq!(errors.get("sex").map(String::as_str), Some("person.error.sex"));
    assert_eq!(
        errors.get("birth_date").map(String::as_str),
        Some("person.error.birth_invalid")
    );
    assert_eq!(errors.get("cccd").map(String::as_str), Some("person.error.cccd_format"));
    assert_eq!(
        errors.get("phone").map(String::as_str),
        Some("person.error.phone_format")
    );
    assert_eq!(
        errors.get("address_detail").map(String::as_str),
        Some("person.error.address_long")
    );
    assert_eq!(
        errors.get("unit").map(String::as_str),
        Some("person.error.unit_unknown")
    );
}

#[test]
fn sql_meta_characters_in_names_are_refused() {
    for name in ["Robert'); DROP TABLE persons;--", "An \"Bé\"", "Lê Văn 3", "x; y", "%_"] {
        let errors = validate(
            &PersonInput {
                full_name: name.into(),
                ..input()
            },
            TODAY,
        )
        .expect_err(name);
        assert!(errors.contains_key("full_name"), "{name}");
    }
    // Apostrophes and hyphens belong to real names.
    assert!(validate(
        &PersonInput {
            full_name: "H'Hen Niê".into(),
            cccd: String::new(),
            ..input()
        },
        TODAY
    )
    .is_ok());
}

#[test]
fn over_long_names_are_refused() {
    let long = PersonInput {
        full_name: "An ".repeat(40),
        ..input()
    };
    assert_eq!(
        validate(&long, TODAY)
            .expect_err("long")
            .get("full_name")
            .map(String::as_str),
        Some("person.error.name_long")
    );
}

#[test]
fn birth_dates_take_the_forms_lists_use() {
    let parse = |s: &str| parse_birth(s, Some(TODAY));
    assert_eq!(parse("7/3/1985"), Ok(Some(Birth::Date(date!(1985 - 03 - 07)))));
    assert_eq!(parse("1985-03-07"), Ok(Some(Birth::Date(date!(1985 - 03 - 07)))));
    assert_eq!(parse("07.03.1985"), Ok(Some(Birth::Date(date!(1985 - 03 - 07)))));
    assert_eq!(parse("1985"), Ok(Some(Birth::Year(1985))));
    assert_eq!(parse(""), Ok(None));
    assert_eq!(parse("1985/13/01"), Err("person.error.birth_invalid"));
    assert_eq!(parse("03/1985"), Err("person.error.birth_format"));
    assert_eq!(parse("abc"), Err("person.error.birth_format"));
    assert_eq!(parse("28/11/2026"), Err("person.error.birth_future"));
    assert_eq!(parse("1899"), Err("person.error.birth_too_old"));
}

#[test]
fn the_cccd_is_checked_against_sex_and_year() {
    let woman = PersonInput {
        sex: "Nữ".into(),
        ..input()
    };
    assert_eq!(
        validate(&woman, TODAY)
            .expect_err("sex")
            .get("cccd")
            .map(String::as_str),
        Some("person.error.cccd_sex")
    );
    let year_only = PersonInput {
        birth_date: "1986".into(),
        ..input()
    };
    assert_eq!(
        validate(&year_only, TODAY)
            .expect_err("year")
            .get("cccd")
            .map(String::as_str),
        Some("person.error.cccd_year")
    );
}

#[test]
fn a_search_box_tells_cccd_phone_and_names_apart() {
    assert_eq!(parse_query("001085012345"), SearchQuery::Cccd("001085012345".into()));
    assert_eq!(parse_query("0912.345.678"), SearchQuery::Phone("0912345678".into()));
    assert_eq!(
        parse_query("Nguyễn  văn AN"),
        SearchQuery::Name(vec!["nguyen".into(), "van".into(), "an".into()])
    );
    assert_eq!(parse_query("đ"), SearchQuery::Name(vec!["d".into()]));
    assert_eq!(parse_query("  "), SearchQuery::All);
    assert_eq!(
        parse_query("\" OR 1=1 --"),
        SearchQuery::Name(vec!["or".into(), "1".into(), "1".into()])
    );
}
