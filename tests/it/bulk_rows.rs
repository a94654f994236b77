//! Many rows written at once (`Db::insert_rows`) come back as they went in,
//! on both engines: empty texts, NULLs, accents and quotes, and the control
//! characters PostgreSQL's form separates values with (those rows go as
//! JSON instead).

use nhanai::db::{Cell, ColumnType, Rows, Sql};
use sqlx::Row as _;

use crate::support::TestApp;

type Probe = (i64, Option<i64>, Option<String>);

async fn written_and_read(app: &TestApp, table: &'static str, probes: &[Probe]) -> Vec<Probe> {
    app.sql(&format!(
        "CREATE TABLE {table} (id BIGINT NOT NULL, n BIGINT, name TEXT)"
    ))
    .await
    .unwrap();
    let mut rows = Rows::new(
        table,
        &[
            ("id", ColumnType::Int),
            ("n", ColumnType::Int),
            ("name", ColumnType::Text),
        ],
    );
    for (id, n, name) in probes {
        rows.push([Cell::from(*id), Cell::from(*n), Cell::from(name.clone())]);
    }
    let mut tx = app.db.begin_write().await.unwrap();
    let written = app.db.insert_rows(&mut tx, rows).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written, probes.len() as u64);
    Sql::new(&format!("SELECT id, n, name FROM {table} ORDER BY id"))
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test]
async fn bulk_rows_come_back_as_written() {
    let app = TestApp::new().await;
    let texts = [
        Some(""),
        None,
        Some("Lê \"Văn\" A, đường 3/2\\n"),
        Some("  "),
        Some("{\"a\": [1, null]}"),
        Some("NULL"),
    ];
    // Enough rows for more than one statement on either engine.
    let plain: Vec<Probe> = (0..12_000)
        .map(|i| {
            let n = (i % 7 != 3).then_some(i * 1_000_000_007 - 5);
            (i, n, texts[i as usize % texts.len()].map(str::to_owned))
        })
        .collect();
    assert_eq!(written_and_read(&app, "bulk_plain", &plain).await, plain);

    let marked: Vec<Probe> = vec![
        (1, Some(1), Some("a\u{1f}b".into())),
        (2, None, Some("\u{1e}".into())),
        (3, Some(-3), None),
        (4, Some(4), Some(String::new())),
    ];
    assert_eq!(written_and_read(&app, "bulk_marked", &marked).await, marked);
}
