//! The two schemas (migrations/sqlite, migrations/postgres) hold the same
//! tables with the same columns; only what the dialects do differently —
//! the name search index — is allowed to differ.

use std::collections::BTreeSet;

use nhanai::db::{Backend, Sql};
use sqlx::Row;

use crate::support::fresh_database_on;

async fn columns(url: &str) -> BTreeSet<(String, String)> {
    let db = nhanai::db::Db::connect(url).await.expect("connect");
    let query = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
             AND m.name NOT LIKE 'person_search%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'"
        }
    };
    let rows = Sql::new(query).fetch_all(db.pool()).await.expect("schema");
    let found = rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        // PostgreSQL keeps the name search index in columns, SQLite in an FTS5 table.
        .filter(|(table, column)| !(table == "persons" && (column == "search_doc" || column == "name_terms")))
        .collect();
    db.close().await;
    found
}

#[tokio::test]
async fn both_schemas_have_the_same_tables_and_columns() {
    let (sqlite, _dir) = fresh_database_on("sqlite").await;
    let (postgres, _) = fresh_database_on("postgres").await;
    let (sqlite, postgres) = (columns(&sqlite).await, columns(&postgres).await);
    assert!(sqlite.len() > 60, "{sqlite:?}");
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}; only in PostgreSQL: {only_postgres:?}"
    );
}

/// The terms the migration filled existing persons with (PostgreSQL's
/// `person_name_terms`) are those the application writes and asks for.
#[tokio::test]
async fn the_search_index_and_the_application_agree_on_name_terms() {
    let (postgres, _) = fresh_database_on("postgres").await;
    let db = nhanai::db::Db::connect(&postgres).await.expect("connect");
    let folded = nhanai::text::fold("Đặng Thị Ánh-Tuyết O’Brien Ða Øyvind");
    for name in [
        "nguyen van an",
        "ha thi thu ha",
        "le-van o'neil ba",
        "a b c d e",
        folded.as_str(),
    ] {
        let mut sql = Sql::new("SELECT array_to_string(person_name_terms(");
        sql.bind(name.to_owned()).push("), ' ')");
        let row = sql.fetch_optional(db.pool()).await.expect("query").expect("row");
        let mut in_sql: Vec<String> = row.get::<String, _>(0).split(' ').map(str::to_owned).collect();
        let words = nhanai::text::tokens(name);
        let mut in_rust = nhanai::db::name_terms(&words);
        in_sql.sort();
        in_rust.sort();
        assert_eq!(in_sql, in_rust, "{name}");
    }
    db.close().await;
}
