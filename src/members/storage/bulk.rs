//! SQL of memberships written many at a time: demo data, the benchmark,
//! and member lists imported from branches' files.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use crate::access::Access;
use crate::db::{self, Cell, ColumnType, Db, Rows, Sql};
use crate::members::model::member_no;
use crate::org::service::placement;

/// Adults registered at a branch who are not members: (person id, birth year).
pub async fn demo_candidates(tx: &mut Transaction<'static, Any>, born_by: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT p.id, p.birth_year FROM persons p WHERE p.branch_id IS NOT NULL AND p.birth_year <= ");
    sql.bind(born_by)
        .push(" AND NOT EXISTS (SELECT 1 FROM members m WHERE m.person_id = p.id) ORDER BY p.id");
    Ok(sql
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| (db::int(r, 0), db::int(r, 1)))
        .collect())
}

/// A demo membership, where its person is.
pub struct DemoMember {
    pub person_id: i64,
    pub joined_on: String,
    pub status: &'static str,
    pub status_on: String,
    pub reason: &'static str,
}

/// Enrols demo members where their persons are, numbered from their ids
/// like every member, each with its line of history.
pub async fn insert_demo(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    members: &[DemoMember],
) -> Result<(), sqlx::Error> {
    let now = db::now();
    for chunk in members.chunks(1000) {
        let mut sql = db.bulk_sql(
            "INSERT INTO members (person_id, member_no, joined_on, status, status_on, status_reason, left_on, unit_id, \
             province_id, commune_id, branch_id, created_at, updated_at) SELECT p.id, '#new-' || CAST(p.id AS TEXT), \
             v.column2, v.column3, v.column4, v.column5, CASE WHEN v.column3 IN ('left', 'deceased') THEN v.column4 END, \
             p.unit_id, p.province_id, p.commune_id, p.branch_id, ",
        );
        sql.bind(now.clone()).push(", ").bind(now.clone());
        // VALUES columns are column1… in both databases.
        sql.push(" FROM (VALUES ");
        for (i, m) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(m.person_id).push(", ").bind(m.joined_on.clone()).push(", ");
            sql.bind(m.status.to_owned()).push(", ").bind(m.status_on.clone());
            sql.push(", ").bind(m.reason.to_owned()).push(")");
        }
        sql.push(") v JOIN persons p ON p.id = v.column1");
        sql.execute(&mut **tx).await?;
    }
    number_and_history(tx).await
}

/// Benchmark members: every person whose id is not a multiple of 4, joined
/// in 2020, where they are (`nhanai bench members`).
pub async fn insert_bench(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO members (person_id, member_no, joined_on, status, status_on, status_reason, unit_id, \
         province_id, commune_id, branch_id, created_at, updated_at) SELECT p.id, '#new-' || CAST(p.id AS TEXT), \
         '2020-05-15', 'active', '2020-05-15', '', p.unit_id, p.province_id, p.commune_id, p.branch_id, ",
    );
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(" FROM persons p WHERE p.id % 4 <> 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.person_id = p.id)");
    sql.execute(&mut **tx).await?;
    number_and_history(tx).await
}

/// `UPDATE` giving members still held by a provisional number the number
/// every member gets: HV and (at least) eight digits of its id, as
/// `model::member_no`.
fn numbering() -> Sql {
    let digits = "CAST(id AS TEXT)";
    let padded = format!("'00000000' || {digits}");
    Sql::new(&format!(
        "UPDATE members SET member_no = 'HV' || CASE WHEN id >= 100000000 THEN {digits} \
         ELSE substr({padded}, length({padded}) - 7, 8) END WHERE member_no LIKE '#new-%'"
    ))
}

/// New memberships in the unit of `access` (locked by the caller), as
/// `insert_joined` makes them one at a time, written in a
/// few statements: (person id, joined on, number or none for the system's).
/// Their ids are reserved first, so the system's numbers are written with
/// the rows rather than by a second pass over them. Returns each person's
/// membership id.
pub async fn insert_joined_many(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    rows: &[(i64, String, Option<String>)],
    username: &str,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let now = db::now();
    let reserved = db.reserve_ids(tx, "members", rows.len()).await?;
    let mut ids = HashMap::with_capacity(rows.len());
    let mut columns = MEMBER_COLUMNS.to_vec();
    columns.extend(placement::NEW_ROW_COLUMNS);
    let mut members = Rows::new("members", &columns);
    let mut events = Rows::new("member_events", &EVENT_COLUMNS);
    for ((person, joined_on, number), id) in rows.iter().zip(reserved) {
        let number = number.clone().unwrap_or_else(|| member_no(id));
        let mut member = vec![
            Cell::from(id),
            Cell::from(*person),
            Cell::from(number),
            Cell::from(joined_on.clone()),
            Cell::from("active"),
            Cell::from(joined_on.clone()),
        ];
        member.extend(placement::new_row_cells(access, &now));
        members.push(member);
        events.push([
            Cell::from(id),
            Cell::from("joined"),
            Cell::from(joined_on.clone()),
            Cell::from("active"),
            Cell::from(""),
            Cell::from(access.unit_id()),
            Cell::from(username),
            Cell::from(now.clone()),
        ]);
        ids.insert(*person, id);
    }
    db.insert_rows(tx, members).await?;
    db.insert_rows(tx, events).await?;
    Ok(ids)
}

/// A new membership's columns (then `placement::NEW_ROW_COLUMNS`).
const MEMBER_COLUMNS: [(&str, ColumnType); 6] = [
    ("id", ColumnType::Int),
    ("person_id", ColumnType::Int),
    ("member_no", ColumnType::Text),
    ("joined_on", ColumnType::Text),
    ("status", ColumnType::Text),
    ("status_on", ColumnType::Text),
];

const EVENT_COLUMNS: [(&str, ColumnType); 8] = [
    ("member_id", ColumnType::Int),
    ("kind", ColumnType::Text),
    ("on_date", ColumnType::Text),
    ("status", ColumnType::Text),
    ("reason", ColumnType::Text),
    ("to_unit_id", ColumnType::Int),
    ("username", ColumnType::Text),
    ("at", ColumnType::Text),
];

/// Numbers the members inserted in bulk and writes their history's first lines.
async fn number_and_history(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    let now = db::now();
    numbering().execute(&mut **tx).await?;
    let mut sql = Sql::new(
        "INSERT INTO member_events (member_id, kind, on_date, status, reason, to_unit_id, username, at) \
         SELECT m.id, 'joined', m.joined_on, 'active', '', m.unit_id, 'demo', ",
    );
    sql.bind(now)
        .push(" FROM members m WHERE NOT EXISTS (SELECT 1 FROM member_events e WHERE e.member_id = m.id)");
    sql.execute(&mut **tx).await?;
    let sql = Sql::new(
        "INSERT INTO member_events (member_id, kind, on_date, status, reason, username, at) \
         SELECT m.id, 'status', m.status_on, m.status, m.status_reason, 'demo', m.created_at FROM members m \
         WHERE m.status <> 'active' AND NOT EXISTS (SELECT 1 FROM member_events e WHERE e.member_id = m.id AND e.kind = 'status')",
    );
    sql.execute(&mut **tx).await.map(drop)
}
