//! Tests of finding the header of a sheet (`headers`).
use super::*;
use crate::toolkit::import::kind::{CellKind, ColumnSpec};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec::new("full_name", "f", &["ho va ten", "ho ten", "ten"]),
    ColumnSpec::new("birth_date", "b", &["ngay sinh", "nam sinh", "ngay thang nam sinh"]).of(CellKind::Date),
    ColumnSpec::new("sex", "s", &["gioi tinh", "nam nu"]).marked(&[("nam", "Nam"), ("nữ", "Nữ")]),
    ColumnSpec::new("address_detail", "a", &["dia chi", "thon", "to dan pho"]).joined(),
];

fn keys(mapping: &[Option<String>]) -> Vec<Option<&str>> {
    mapping.iter().map(Option::as_deref).collect()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn headers_are_read_without_diacritics_and_with_extra_words() {
    for (header, key) in [
        ("Họ và tên", Some("full_name")),
        ("HO TEN", Some("full_name")),
        ("Họ tên người được hỗ trợ", Some("full_name")),
        ("Ngày/tháng/năm sinh", Some("birth_date")),
        ("Năm sinh", Some("birth_date")),
        ("Nam/Nữ", Some("sex")),
        ("Nam", None),
        ("Thôn/Tổ dân phố", Some("address_detail")),
        ("Ghi chú", None),
    ] {
        assert_eq!(guess(header, SPECS), key, "{header}");
    }
}

#[test]
fn the_header_row_is_found_below_a_title_block() {
    let rows = vec![
        row(&["HỘI CHỮ THẬP ĐỎ XÃ AN BÌNH", ""]),
        row(&["DANH SÁCH HỘ NGHÈO NĂM 2026", ""]),
        row(&["", ""]),
        row(&["STT", "Họ tên", "Năm sinh", "Giới tính", "Ghi chú"]),
        row(&["1", "Lê Thị Hoa", "1960", "Nữ", ""]),
    ];
    let found = recognise(&rows, SPECS, &HashMap::new());
    assert_eq!(found.header_row, 3);
    assert_eq!(
        keys(&found.mapping),
        vec![None, Some("full_name"), Some("birth_date"), Some("sex"), None]
    );
}

#[test]
fn a_remembered_choice_wins_and_a_key_goes_to_one_column_unless_it_joins() {
    let remembered = HashMap::from([("ho ten chu ho".to_owned(), "full_name".to_owned())]);
    let headers = row(&["Họ tên chủ hộ", "Họ tên", "Địa chỉ", "Thôn"]);
    assert_eq!(
        keys(&map_row(&headers, SPECS, &remembered)),
        vec![Some("full_name"), None, Some("address_detail"), Some("address_detail")]
    );
}

#[test]
fn without_a_header_nothing_is_mapped() {
    let rows = vec![row(&["", ""]), row(&["abc", "def"])];
    let found = recognise(&rows, SPECS, &HashMap::new());
    assert_eq!(found.header_row, 1);
    assert_eq!(found.data_row, 2);
    assert_eq!(keys(&found.mapping), vec![None, None]);
}

#[test]
fn a_header_over_two_rows_is_read_as_group_and_column_titles() {
    let rows = vec![
        row(&["DANH SÁCH HỘI VIÊN", "", "", "", ""]),
        row(&["STT", "Họ và tên", "Thông tin cá nhân", "", "Ghi chú"]),
        row(&["", "", "Năm sinh", "Địa chỉ thường trú", ""]),
        row(&["1", "2", "3", "4", "5"]),
        row(&["1", "Lê Thị Hoa", "1960", "Thôn Đông", ""]),
    ];
    let found = recognise(&rows, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (1, 4));
    assert_eq!(found.headers[2], "Thông tin cá nhân Năm sinh");
    assert_eq!(
        keys(&found.mapping),
        vec![
            None,
            Some("full_name"),
            Some("birth_date"),
            Some("address_detail"),
            None
        ]
    );
}

#[test]
fn a_data_row_below_a_header_is_not_taken_for_its_second_row() {
    let rows = vec![
        row(&["Họ tên", "Năm sinh", "Giới tính", ""]),
        row(&["Lê Thị Hoa", "1960", "Nữ", "Thôn Đông"]),
    ];
    let found = recognise(&rows, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (0, 1));
    assert_eq!(found.headers, row(&["Họ tên", "Năm sinh", "Giới tính", ""]));
}

#[test]
fn a_data_row_with_words_under_a_title_does_not_become_part_of_the_header() {
    // "Ghi chú Thôn Đông" would name the address: no group continues.
    let rows = vec![
        row(&["Họ tên", "Giới tính", "Ghi chú"]),
        row(&["Lê Thị Hoa", "Nữ", "Thôn Đông"]),
    ];
    let found = recognise(&rows, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (0, 1));
    assert_eq!(keys(&found.mapping), vec![Some("full_name"), Some("sex"), None]);
}

#[test]
fn only_a_row_counting_up_from_one_numbers_the_columns() {
    assert!(numbers_columns(&row(&["1", "2", "3", ""])));
    assert!(numbers_columns(&row(&["(1)", "(2)", "(3)"])));
    assert!(!numbers_columns(&row(&["1", "Lê Thị Hoa", "1960"])));
    assert!(!numbers_columns(&row(&["2", "3"])));
    assert!(!numbers_columns(&row(&["1"])));
}

#[test]
fn a_column_split_by_sex_is_read_as_a_tick_or_as_a_birth_under_the_sex() {
    let ticks = vec![
        row(&["Họ và tên", "Giới tính", ""]),
        row(&["", "Nam", "Nữ"]),
        row(&["Lê Thị Hoa", "", "x"]),
    ];
    let found = recognise(&ticks, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (0, 2));
    assert_eq!(
        keys(&found.mapping),
        vec![Some("full_name"), Some("sex@Nam"), Some("sex@Nữ")]
    );

    let births = vec![
        row(&["STT", "Họ và tên", "Năm sinh", "", "Địa chỉ"]),
        row(&["", "", "Nam", "Nữ", ""]),
        row(&["(1)", "(2)", "(3)", "(4)", "(5)"]),
        row(&["1", "Lê Thị Hoa", "", "1960", "Thôn Đông"]),
    ];
    let found = recognise(&births, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (0, 3));
    assert_eq!(
        keys(&found.mapping),
        vec![
            None,
            Some("full_name"),
            Some("birth_date+sex@Nam"),
            Some("birth_date+sex@Nữ"),
            Some("address_detail")
        ]
    );
    assert_eq!(found.headers[3], "Năm sinh Nữ");
}

#[test]
fn a_title_right_above_the_header_stays_out_of_it() {
    let one_row = vec![
        row(&["DANH SÁCH HỘI VIÊN THÔN ĐÔNG", "", "", ""]),
        row(&["STT", "Họ và tên", "Năm sinh", "Ghi chú"]),
        row(&["1", "Lê Thị Hoa", "1960", ""]),
    ];
    let found = recognise(&one_row, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (1, 2));
    assert_eq!(found.headers, one_row[1]);
    assert_eq!(
        keys(&found.mapping),
        vec![None, Some("full_name"), Some("birth_date"), None]
    );

    let two_rows = vec![
        row(&["DANH SÁCH HỘI VIÊN THÔN ĐÔNG", "", "", ""]),
        row(&["STT", "Họ và tên", "Năm sinh", ""]),
        row(&["", "", "Nam", "Nữ"]),
        row(&["1", "Lê Thị Hoa", "", "1960"]),
    ];
    let found = recognise(&two_rows, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (1, 3));
    assert_eq!(keys(&found.mapping)[3], Some("birth_date+sex@Nữ"));
}

#[test]
fn a_first_person_without_numbers_is_still_a_person() {
    let rows = vec![
        row(&["Họ và tên", "Giới tính", "Địa chỉ", ""]),
        row(&["Nguyễn Văn An", "Nam", "Thôn Đông", "Xã An Bình"]),
        row(&["Lê Thị Hoa", "Nữ", "Thôn Tây", "Xã An Bình"]),
    ];
    let found = recognise(&rows, SPECS, &HashMap::new());
    assert_eq!((found.header_row, found.data_row), (0, 1));
    assert_eq!(
        keys(&found.mapping),
        vec![Some("full_name"), Some("sex"), Some("address_detail"), None]
    );
}
