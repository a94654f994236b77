//! The PDF's text, read back with `pdftotext` (Debian `poppler-utils`):
//! the motto, the title, the names with every diacritic, the table header
//! repeated on each page.

use std::io::Write;
use std::process::Command;

use nhanai_pdf::{render_list, ListDocument};

const NAMES: [&str; 6] = [
    "Nguyễn Thị Ngọc Ánh",
    "Trần Văn Đức",
    "Lê Thị Hương Giang",
    "Phạm Quốc Việt",
    "Đặng Ưng Thuỳ Dương",
    "Võ Thị Kiều Oanh #1 *x* $y$ [z] <w> _u_ \\ @at \"q\"",
];

fn document(rows: usize) -> ListDocument {
    ListDocument {
        issuer_parent: "Hội Chữ thập đỏ Thành phố Hà Nội".into(),
        issuer: "Hội Chữ thập đỏ Phường Ba Đình".into(),
        number: "Số: 12/DS-CTĐ".into(),
        place: "Hà Nội".into(),
        date: (2026, 11, 28),
        title: "DANH SÁCH".into(),
        subtitle: "Người đang quản lý tại Phường Ba Đình".into(),
        columns: vec![
            ("Họ và tên".into(), 3.0),
            ("Giới tính".into(), 1.0),
            ("Ngày sinh".into(), 1.5),
            ("Nơi ở".into(), 3.0),
        ],
        rows: (0..rows)
            .map(|i| {
                vec![
                    NAMES[i % NAMES.len()].to_owned(),
                    if i % 2 == 0 { "Nữ" } else { "Nam" }.to_owned(),
                    format!("{:02}/03/19{:02}", i % 28 + 1, 40 + i % 60),
                    "Số 5, ngõ 12, Tổ dân phố 3".to_owned(),
                ]
            })
            .collect(),
        signer_title: "Chủ tịch".into(),
        signer_name: "Hoàng Minh Châu".into(),
        recipients: vec!["- Hội CTĐ Thành phố;".into(), "- Lưu: VT.".into()],
    }
}

fn text_of(pdf: &[u8]) -> Option<String> {
    let mut file = tempfile_path();
    file.1.write_all(pdf).ok()?;
    // Reading order, lines joined: a long issuer may wrap in its column.
    let out = Command::new("pdftotext").args([&file.0, "-"]).output().ok()?;
    let _ = std::fs::remove_file(&file.0);
    file.0.clear();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let joined = text
        .split('\u{c}')
        .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\u{c}");
    out.status.success().then_some(joined)
}

fn tempfile_path() -> (String, std::fs::File) {
    let path = std::env::temp_dir().join(format!(
        "nhanai-pdf-{}-{:?}.pdf",
        std::process::id(),
        std::thread::current().id()
    ));
    let file = std::fs::File::create(&path).expect("temp file");
    (path.display().to_string(), file)
}

#[test]
fn a_list_reads_back_with_motto_title_and_every_diacritic() {
    let started = std::time::Instant::now();
    let pdf = render_list(&document(1000)).expect("typeset");
    eprintln!("1,000 rows in {:?}", started.elapsed());
    assert!(pdf.starts_with(b"%PDF"));
    let Some(text) = text_of(&pdf) else {
        eprintln!("pdftotext (Debian poppler-utils) is not installed: text not checked");
        return;
    };
    assert!(
        text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "{}",
        &text[..500.min(text.len())]
    );
    assert!(text.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(text.contains("Hà Nội, ngày 28 tháng 11 năm 2026"));
    assert!(text.contains("DANH SÁCH"));
    assert!(
        text.contains("HỘI CHỮ THẬP ĐỎ PHƯỜNG BA ĐÌNH"),
        "{}",
        &text[..1500.min(text.len())]
    );
    for name in &NAMES[..5] {
        assert!(text.contains(name), "{name}");
    }
    assert!(
        text.contains("#1 *x* $y$ [z]") && text.contains("<w> _u_"),
        "markup characters are text"
    );
    let pages = text.matches('\u{c}').count() + 1;
    assert!(pages > 5, "{pages} pages");
    assert!(
        text.matches("Họ và tên").count() >= pages - 1,
        "the header row repeats on every page"
    );
    assert!(text.contains("Nơi nhận:") && text.contains("CHỦ TỊCH") && text.contains("Hoàng Minh Châu"));
}

#[test]
fn a_member_card_reads_back_with_name_number_tier_and_address() {
    let card = nhanai_pdf::CardDocument {
        issuer: "Hội Chữ thập đỏ Phường Ba Đình".into(),
        name: "Đặng Ưng Thuỳ Dương".into(),
        number: "HV00000042".into(),
        branch: "Chi hội Tổ dân phố 3".into(),
        since: "Hội viên từ 2012".into(),
        tier: "Hạng Vàng".into(),
        url: "https://nhanai.example/p/the/abc".into(),
        qr_svg: r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><rect width="1" height="1"/></svg>"#
            .into(),
    };
    let pdf = nhanai_pdf::render_card(&card).expect("card");
    let text = text_of(&pdf).expect("pdftotext is installed (Debian poppler-utils)");
    for expected in [
        "THẺ HỘI VIÊN",
        "Đặng Ưng Thuỳ Dương",
        "HV00000042",
        "Hạng Vàng",
        "nhanai.example/p/the/abc",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}
