//! The shared page pieces on both backends: list filters, sorting and
//! paging within the user's scope, search counts and positions, the CSV a
//! spreadsheet reads, compression, and the cached assets.

use std::io::Read;

use axum::http::{header, Method, StatusCode};

use crate::support::people::add_person;
use crate::support::units::*;

/// Phường Hoàn Kiếm, Hà Nội.
const HOAN_KIEM: &str = "00070";
use crate::support::TestApp;

/// The first `<td>` of each row of the table `id`, as the page lists them.
fn first_cells(body: &str, id: &str) -> Vec<String> {
    let Some(start) = body.find(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let table = &body[start..body[start..].find("</table>").map(|e| start + e).unwrap_or(body.len())];
    table
        .split("<tr")
        .skip(2)
        .filter_map(|row| {
            let cell = row.split("<td").nth(1)?;
            let text = cell.split_once('>')?.1.split("</td>").next()?;
            Some(text.trim().to_owned())
        })
        .collect()
}

fn pager_info(body: &str) -> String {
    body.split("class=\"pager-info\">")
        .nth(1)
        .and_then(|rest| rest.split("</span>").next())
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_unit_list_filters_sorts_and_pages_within_scope() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    for (i, unit) in [GIANG_VO, GIANG_VO, BA_DINH].into_iter().enumerate() {
        add_person(
            &mut province,
            &format!("Lê Văn Số {}", ["Một", "Hai", "Ba"][i]),
            unit,
            60 + i as u32,
        )
        .await;
    }

    let first = province.get(&format!("/units/{HA_NOI}")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(pager_info(&first.body), "1–50 / 126");
    let codes = first_cells(&first.body, "children");
    assert_eq!(codes.len(), 50);
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "by code unless asked otherwise");

    let last = province.get(&format!("/units/{HA_NOI}?page=3")).await;
    assert_eq!(pager_info(&last.body), "101–126 / 126");
    assert_eq!(first_cells(&last.body, "children").len(), 26);

    let by_persons = province.get(&format!("/units/{HA_NOI}?sort=persons&dir=desc")).await;
    let top = first_cells(&by_persons.body, "children");
    assert_eq!(
        &top[..2],
        &[GIANG_VO.to_owned(), BA_DINH.to_owned()],
        "most persons first"
    );

    let by_name = province.get(&format!("/units/{HA_NOI}?sort=name&dir=desc")).await;
    assert!(by_name.body.contains("aria-sort=\"descending\""));

    let filtered = province.get(&format!("/units/{HA_NOI}?q=giang%20vo")).await;
    assert_eq!(first_cells(&filtered.body, "children"), vec![GIANG_VO.to_owned()]);
    assert_eq!(pager_info(&filtered.body), "1–1 / 1");

    let non_empty = province.get(&format!("/units/{HA_NOI}?hide_empty=1")).await;
    assert_eq!(
        first_cells(&non_empty.body, "children"),
        vec![BA_DINH.to_owned(), GIANG_VO.to_owned()]
    );

    // Staff of one commune see their commune, not the province's list.
    let mut commune = app.signed_in("badinh", "staff", BA_DINH).await;
    assert_eq!(
        commune.get(&format!("/units/{HA_NOI}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        commune.get(&format!("/units/{HA_NOI}?q=ba")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        commune.get(&format!("/units/{BA_DINH}?page=x")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn person_lists_count_and_page_only_what_the_user_reads() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    for i in 0..55u32 {
        add_person(
            &mut province,
            &format!("Trần Văn {}", ["An", "Bình", "Cường", "Dũng", "Hải"][i as usize % 5]),
            BA_DINH,
            100 + i,
        )
        .await;
    }
    for i in 0..3u32 {
        add_person(&mut province, "Trần Văn An", GIANG_VO, 200 + i).await;
    }
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;

    let api = staff.get("/api/v1/persons").await.json();
    assert_eq!(
        (api["total"].clone(), api["more"].clone()),
        (serde_json::json!(55), serde_json::json!(false))
    );
    let list = staff.get("/persons").await;
    assert!(list.body.contains("55 kết quả"), "only Ba Đình's persons are counted");
    assert_eq!(pager_info(&list.body), "1–50 / 55");
    let next = list
        .body
        .split("rel=\"next\"")
        .next()
        .and_then(|head| head.rsplit("href=\"").next())
        .map(|href| href.split('"').next().unwrap_or_default().replace("&amp;", "&"))
        .expect("a next link");
    let second = staff.get(&next).await;
    assert_eq!(pager_info(&second.body), "51–55 / 55");
    assert!(second.body.contains("Trang đầu"), "a way back to the first page");

    // A name: the whole name first, counted within scope.
    let an = staff.get("/persons?q=tran%20van%20an").await;
    assert!(an.body.contains("11 kết quả"), "{}", pager_info(&an.body));
    let whole = province.get("/persons?q=tran%20van%20an").await;
    assert!(whole.body.contains("14 kết quả"));
    // Result links carry the search, and the person page leads back to it.
    let link = an
        .body
        .split("class=\"row-link\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a result")
        .replace("&amp;", "&");
    assert!(link.contains("back=%2Fpersons%3Fq%3Dtran%2520van%2520an"), "{link}");
    let detail = staff.get(&link).await;
    assert!(
        detail.body.contains("href=\"/persons?q=tran%20van%20an\""),
        "the way back keeps the query"
    );
    // …through an edit and a deletion too, which says it was done.
    let back = "back=%2Fpersons%3Fq%3Dtran%2520van%2520an";
    assert!(
        detail.body.contains(&format!("/edit?{back}\"")),
        "the edit link carries it"
    );
    let id = link
        .trim_start_matches("/persons/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let deleted = staff.post_form(&format!("/persons/{id}/delete?{back}"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location(), "/persons?q=tran%20van%20an&deleted=1");
    assert!(staff.get(&deleted.location()).await.body.contains("Đã xóa hồ sơ"));

    // A position among ranked names continues no list.
    assert_eq!(
        staff.get("/api/v1/persons?after=50").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        staff.get("/api/v1/persons?q=an&after=1.2~x").await.status,
        StatusCode::BAD_REQUEST
    );

    assert_eq!(
        staff.get("/api/v1/persons?q=an&after=4000000000").await.status,
        StatusCode::BAD_REQUEST
    );

    // An empty search says what to try and offers no export.
    let none = staff.get("/persons?q=khong%20co%20ai").await;
    assert!(none.body.contains("Thử gõ không dấu"));
    assert!(!none.body.contains("export.csv"));
}

#[tokio::test]
async fn the_csv_has_vietnamese_headers_and_keeps_leading_zeros() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    add_person(&mut staff, "Đỗ Thị Mai", BA_DINH, 7).await;
    let csv = staff.get("/persons/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader.headers().expect("headers").iter().map(str::to_owned).collect();
    assert_eq!(headers[1], "Họ và tên");
    assert_eq!(headers[4], "Số CCCD");
    let row = reader.records().next().expect("one row").expect("row");
    assert_eq!(&row[1], "Đỗ Thị Mai");
    assert_eq!(&row[2], "Nam");
    // Excel shows ="001080000007" as the text 001080000007, zeros kept.
    assert_eq!(&row[4], "=\"001080000007\"");
    assert_eq!(&row[5], "=\"0912345678\"");
}

#[tokio::test]
async fn compressed_pages_decode_to_the_same_page() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let plain = province.get(&format!("/units/{HA_NOI}")).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    province.headers.push(("accept-encoding".into(), "gzip".into()));
    let response = province
        .open(Method::GET, &format!("/units/{HA_NOI}"), None, String::new(), false)
        .await;
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    let mut page = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut page)
        .expect("gzip");
    // Every page masks its CSRF token afresh; the rest is the same page.
    let unmasked = |html: &str| {
        html.split("name=\"csrf_token\" value=\"")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    part.split_once('"')
                        .map(|(_, rest)| rest.to_owned())
                        .unwrap_or_default()
                }
            })
            .collect::<Vec<_>>()
            .join("|")
    };
    assert_eq!(unmasked(&page), unmasked(&plain.body));
    assert!(plain.body.contains("name=\"csrf_token\""));
    assert!(
        bytes.len() * 4 < plain.body.len(),
        "{} → {}",
        plain.body.len(),
        bytes.len()
    );
}

#[tokio::test]
async fn assets_are_cached_by_content_and_the_favicon_exists() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let login = client.get("/login").await;
    let css = login
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("stylesheet link")
        .to_owned();
    assert!(
        css.starts_with("/assets/app.") && css.len() > "/assets/app.css".len(),
        "{css}"
    );
    let sheet = client.get(&css).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap_or_default()
        .contains("immutable"));
    let stale = client.get("/assets/app.0000000000.css").await;
    assert_eq!(stale.status, StatusCode::OK);
    assert!(!stale.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap_or_default()
        .contains("immutable"));
    assert_eq!(client.get("/assets/nothing.css").await.status, StatusCode::NOT_FOUND);
    let icon = client.get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.headers[header::CONTENT_TYPE], "image/svg+xml");
}

#[tokio::test]
async fn the_account_list_filters_and_sorts() {
    let app = TestApp::new().await;
    app.user("giangvo", "staff", GIANG_VO).await;
    app.user("badinh", "staff", BA_DINH).await;
    app.user("hp.staff", "staff", HAI_PHONG).await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    let all = province.get("/accounts").await;
    let names = first_cells(&all.body, "accounts");
    assert!(names.iter().any(|n| n.contains("badinh")) && names.iter().any(|n| n.contains("giangvo")));
    assert!(
        !names.iter().any(|n| n.contains("hp.staff")),
        "Hải Phòng's accounts are not Hà Nội's"
    );
    let filtered = province.get("/accounts?q=giang%20vo").await;
    let names = first_cells(&filtered.body, "accounts");
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].contains("giangvo"));
    let reversed = province.get("/accounts?sort=username&dir=desc").await;
    let names: Vec<String> = first_cells(&reversed.body, "accounts")
        .iter()
        .filter_map(|cell| {
            cell.split('>')
                .nth(1)
                .and_then(|t| t.split('<').next())
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn a_merge_form_takes_ticked_units_and_confirms_before_merging() {
    let app = TestApp::new().await;
    let mut province = app.signed_in("hanoi", "admin", HA_NOI).await;
    add_person(&mut province, "Hồ Văn Nam", NGOC_HA, 81).await;
    let fields = [("target", BA_DINH), ("sources", NGOC_HA), ("sources", GIANG_VO)];
    let review = province.post_form(&format!("/units/{HA_NOI}/merge"), &fields).await;
    assert_eq!(review.status, StatusCode::OK, "first the confirmation");
    assert!(
        review
            .body
            .contains("Sáp nhập Phường Ngọc Hà, Phường Giảng Võ vào Phường Ba Đình?"),
        "{}",
        review.body
    );
    assert!(review.body.contains("1 người"), "what moves is named");
    let children = province.get(&format!("/api/v1/units/{HA_NOI}/children")).await.body;
    assert!(!children.contains("\"merged\""), "nothing merged yet");

    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "1"));
    let merged = province.post_form(&format!("/units/{HA_NOI}/merge"), &confirmed).await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    for code in [NGOC_HA, GIANG_VO] {
        let unit = province.get(&format!("/api/v1/units/{code}")).await.json();
        assert_eq!(unit["status"], "merged", "{code}");
    }
    // A choice that cannot be merged says why, with the way back.
    let into_itself = province
        .post_form(
            &format!("/units/{HA_NOI}/merge"),
            &[("target", HOAN_KIEM), ("sources", HOAN_KIEM)],
        )
        .await;
    assert_eq!(into_itself.status, StatusCode::BAD_REQUEST);
    assert!(into_itself.body.contains("vào chính nó") && into_itself.body.contains("href=\"/units/01#merge\""));
    let nothing = province
        .post_form(&format!("/units/{HA_NOI}/merge"), &[("target", HOAN_KIEM)])
        .await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    assert!(nothing.body.contains("Chưa chọn đơn vị nào"), "{}", nothing.body);

    // A field sent twice elsewhere is refused, not joined.
    let twice = province
        .post_form(&format!("/units/{BA_DINH}/rename"), &[("name", "A"), ("name", "B")])
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
}
