//! A unit's persons as an official-format PDF, read back with `pdftotext`
//! (Debian `poppler-utils`, installed by scripts/test).

use axum::http::StatusCode;
use serde_json::json;

use crate::support::units::*;
use crate::support::TestApp;

pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([&path.display().to_string(), "-"])
        .output()
        .expect("pdftotext is installed (Debian poppler-utils)");
    assert!(out.status.success());
    // Reading order, lines joined: a long issuer may wrap in its column.
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_units_list_prints_in_the_official_format() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    for (name, sex, birth) in [
        ("Nguyễn Thị Ngọc Ánh", "F", "07/03/1985"),
        ("Đặng Ưng Thuỳ Dương", "F", "1990"),
        ("Trần Văn Đức", "M", ""),
    ] {
        let body =
            json!({"full_name": name, "sex": sex, "birth_date": birth, "address_detail": "Tổ 5", "unit": BA_DINH});
        assert_eq!(
            staff.post_json("/api/v1/persons", &body).await.status,
            StatusCode::CREATED
        );
    }
    let pdf = staff.get(&format!("/units/{BA_DINH}/persons.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let text = pdftotext(&pdf.bytes);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "HỘI CHỮ THẬP ĐỎ PHƯỜNG BA ĐÌNH",
        "HỘI CHỮ THẬP ĐỎ THÀNH PHỐ HÀ NỘI",
        "Hà Nội, ngày",
        "DANH SÁCH",
        "Người đang quản lý tại Phường Ba Đình",
        "Nguyễn Thị Ngọc Ánh",
        "Đặng Ưng Thuỳ Dương",
        "Trần Văn Đức",
        "07/03/1985",
        "Nơi nhận:",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    // Outside the user's units, the list does not exist.
    assert_eq!(
        staff.get(&format!("/units/{THANH_DONG}/persons.pdf")).await.status,
        StatusCode::NOT_FOUND
    );
}
