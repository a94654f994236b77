//! SQL of the person registry, on both backends. Every function that reads
//! or changes persons takes a proof of access (`ReadScope` or `Access`)
//! and puts it into the statement itself.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Address, Birth, Person, Sex, UnitRef, ValidPerson};
use super::PERSONS;
use crate::access::{Access, ReadScope};
use crate::db::{self, Backend, Cell, ColumnType, Db, Rows, Sql, TextIndex};
use crate::org::service::placement;
use crate::org::Placement;

mod import;
mod search;

pub use import::{cccd_holders, insert_imported, name_holders, placements_of, sort_keys, CccdHolder, NameHolder};
pub use search::{by_ids, count, exact_names, export, namesakes_born, ranked_names, search, Cursor};

const NAME_INDEX: TextIndex = TextIndex {
    table: "persons",
    alias: "p",
    fts_table: "person_search",
    tsvector: "search_doc",
};

/// The persons columns a read needs (a name search selects them in its
/// subquery, the rest of the statement reads them through `p`).
const PERSON_COLUMNS: &str = "p.id, p.full_name, p.sex, p.birth_year, p.birth_date, p.cccd, p.phone, \
     p.address_detail, p.unit_id, p.province_id, p.commune_id, p.branch_id, p.version, p.created_at, \
     p.updated_at, p.address_commune_id, p.sort_key";
const COLUMNS: &str = "p.id, p.full_name, p.sex, p.birth_year, p.birth_date, p.cccd, p.phone, p.address_detail, \
     p.unit_id, p.province_id, p.commune_id, p.branch_id, p.version, p.created_at, p.updated_at, \
     u.code AS unit_code, u.name AS unit_name, u.status AS unit_status, \
     p.address_commune_id, a.code AS addr_code, a.name AS addr_name, a.status AS addr_status";
const JOINS: &str = " JOIN units u ON u.id = p.unit_id LEFT JOIN units a ON a.id = p.address_commune_id";

/// A row as read; mapped by sqlx's derive, then shaped into a `Person`.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    full_name: String,
    sex: String,
    birth_year: Option<i64>,
    birth_date: Option<String>,
    cccd: Option<String>,
    phone: Option<String>,
    address_detail: String,
    unit_id: i64,
    province_id: Option<i64>,
    commune_id: Option<i64>,
    branch_id: Option<i64>,
    version: i64,
    created_at: String,
    updated_at: String,
    unit_code: String,
    unit_name: String,
    unit_status: String,
    address_commune_id: Option<i64>,
    addr_code: Option<String>,
    addr_name: Option<String>,
    addr_status: Option<String>,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Person {
        let commune = match (r.address_commune_id, r.addr_code) {
            (Some(id), Some(code)) => Some(UnitRef {
                id,
                code,
                name: r.addr_name.unwrap_or_default(),
                active: r.addr_status.as_deref() == Some("active"),
            }),
            _ => None,
        };
        Person {
            id: r.id,
            full_name: r.full_name,
            sex: Sex::parse(&r.sex).unwrap_or(Sex::Male),
            birth: Birth::from_stored(r.birth_year, r.birth_date.as_deref()),
            cccd: r.cccd,
            phone: r.phone,
            address: Address {
                commune,
                detail: r.address_detail,
            },
            unit: UnitRef {
                id: r.unit_id,
                code: r.unit_code,
                name: r.unit_name,
                active: r.unit_status == "active",
            },
            placement: Placement {
                province_id: r.province_id,
                commune_id: r.commune_id,
                branch_id: r.branch_id,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn person_from_row(row: &AnyRow) -> Result<Person, sqlx::Error> {
    <PersonRow as sqlx::FromRow<AnyRow>>::from_row(row).map(Person::from)
}

fn select() -> Sql {
    Sql::new(&format!("SELECT {COLUMNS} FROM persons p{JOINS} WHERE "))
}

/// A person inside `scope`; anything else is `None`.
pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Person>, sqlx::Error> {
    let mut sql = select();
    sql.push("p.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "p");
    sql.read_row(db).await?.as_ref().map(person_from_row).transpose()
}

/// The ids and places of the rows of `table` naming the person `id` in
/// `column` (roles declared by capabilities; names of our own making).
pub async fn rows_naming(db: &Db, table: &str, column: &str, id: i64) -> Result<Vec<(i64, Placement)>, sqlx::Error> {
    let mut sql = Sql::new(&format!(
        "SELECT id, province_id, commune_id, branch_id FROM {table} WHERE {column} = "
    ));
    sql.bind(id).push(" ORDER BY id");
    sql.fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| Ok((db::int(row, 0), placement::of_row(row, 1)?)))
        .collect()
}

/// The rows of the role table `table` (one per person, naming it in
/// `person_id`) held by `persons`: person id → (row id, the person's name).
/// Role imports read it to tell who holds the role already.
pub async fn role_rows_of(
    db: &Db,
    table: &'static str,
    persons: &[i64],
) -> Result<std::collections::HashMap<i64, (i64, String)>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    for chunk in persons.chunks(1000) {
        let mut sql = db.bulk_sql(&format!(
            "SELECT r.person_id, r.id, p.full_name FROM {table} r JOIN persons p ON p.id = r.person_id \
             WHERE r.person_id IN ("
        ));
        sql.bind_list(chunk).push(")");
        for row in sql.fetch_all(db.pool()).await? {
            out.insert(db::int(&row, 0), (db::int(&row, 1), row.try_get(2)?));
        }
    }
    Ok(out)
}

/// A person the transaction has just written under `access`.
pub async fn get_written(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
) -> Result<Option<Person>, sqlx::Error> {
    let mut sql = select();
    sql.push("p.id = ").bind(id).push(" AND ");
    access.push_guard(&mut sql, "p");
    sql.fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(person_from_row)
        .transpose()
}

/// The fields of a person that are not its place (shared by insert and
/// update), in the order of `fields(backend)`.
pub(super) fn field_cells(backend: Backend, p: &ValidPerson, address_commune_id: Option<i64>) -> Vec<Cell> {
    let mut cells = vec![
        Cell::from(p.full_name.clone()),
        Cell::from(p.name_folded.clone()),
        Cell::from(p.sort_key.clone()),
        Cell::from(p.sex.as_str()),
        Cell::from(p.birth.map(|b| i64::from(b.year()))),
        Cell::from(p.birth.and_then(|b| matches!(b, Birth::Date(_)).then(|| b.iso()))),
        Cell::from(p.cccd.clone()),
        Cell::from(p.phone.clone()),
        Cell::from(address_commune_id),
        Cell::from(p.address_detail.clone()),
    ];
    if backend == Backend::Postgres {
        cells.push(Cell::from(name_terms_column(&p.name_folded)));
    }
    cells
}

fn push_fields(sql: &mut Sql, backend: Backend, p: &ValidPerson, address_commune_id: Option<i64>) {
    for (i, cell) in field_cells(backend, p, address_commune_id).into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind_cell(cell);
    }
}

const FIELD_COLUMNS: &[(&str, ColumnType)] = &[
    ("full_name", ColumnType::Text),
    ("name_folded", ColumnType::Text),
    ("sort_key", ColumnType::Text),
    ("sex", ColumnType::Text),
    ("birth_year", ColumnType::Int),
    ("birth_date", ColumnType::Text),
    ("cccd", ColumnType::Text),
    ("phone", ColumnType::Text),
    ("address_commune_id", ColumnType::Int),
    ("address_detail", ColumnType::Text),
];

/// The columns `field_cells` fills. PostgreSQL's name index reads the
/// name's terms from a column the application fills (computing them in
/// the database cost a fifth of a bulk insert); SQLite's FTS5 table needs
/// only the folded name.
pub(super) fn field_columns(backend: Backend) -> Vec<(&'static str, ColumnType)> {
    let mut columns = FIELD_COLUMNS.to_vec();
    if backend == Backend::Postgres {
        columns.push(("name_terms", ColumnType::Text));
    }
    columns
}

fn fields(backend: Backend) -> String {
    let names: Vec<&str> = field_columns(backend).iter().map(|(n, _)| *n).collect();
    names.join(", ")
}

/// The `name_terms` column: the terms of `db::name_terms`, space-separated
/// (a term never holds a space).
fn name_terms_column(name_folded: &str) -> String {
    db::name_terms(&crate::text::tokens(name_folded)).join(" ")
}

/// `INSERT INTO persons (…) VALUES ` (one person).
fn insert_head(backend: Backend) -> String {
    format!(
        "INSERT INTO persons ({}, unit_id, province_id, commune_id, branch_id, created_at, updated_at) VALUES ",
        fields(backend)
    )
}

/// Many persons into `persons`: `id` first when given.
pub(super) fn person_rows(backend: Backend, with_id: bool) -> Rows {
    let mut columns = Vec::new();
    if with_id {
        columns.push(("id", ColumnType::Int));
    }
    columns.extend(field_columns(backend));
    columns.extend(placement::NEW_ROW_COLUMNS);
    Rows::new("persons", &columns)
}

/// Creates a person in the unit of `access`. False when that unit is no
/// longer active where the check found it (merged meanwhile).
pub async fn insert(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    person: &ValidPerson,
    address_commune_id: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    if !placement::lock_unit(db, tx, access).await? {
        return Ok(None);
    }
    let mut sql = Sql::new(&insert_head(db.backend()));
    sql.push("(");
    push_fields(&mut sql, db.backend(), person, address_commune_id);
    for cell in placement::new_row_cells(access, &db::now()) {
        sql.push(", ").bind_cell(cell);
    }
    sql.push(") RETURNING id");
    let row = sql.fetch_optional(&mut **tx).await?.ok_or(sqlx::Error::RowNotFound)?;
    let id = db::int(&row, 0);
    placement::counted(tx, &PERSONS, &[id], 1).await?;
    Ok(Some(id))
}

/// One person of a bulk load, with the access to the unit that holds it.
pub struct BulkPerson<'a> {
    pub person: &'a ValidPerson,
    pub access: &'a Access,
    pub address_commune_id: Option<i64>,
}

/// Inserts many persons with one statement per chunk (bulk loads: demo
/// data, the benchmark; see `Db::insert_rows`). A CCCD already
/// registered skips its row. The caller recounts (`recount`) before commit.
pub async fn insert_many(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    records: &[BulkPerson<'_>],
) -> Result<(), sqlx::Error> {
    let now = db::now();
    // Written in index order, a batch touches few B-tree pages of the
    // per-commune indexes instead of one random page per row.
    let mut ordered: Vec<&BulkPerson<'_>> = records.iter().collect();
    ordered.sort_by(|a, b| {
        (a.access.placement().commune_id, &a.person.sort_key)
            .cmp(&(b.access.placement().commune_id, &b.person.sort_key))
    });
    let mut rows = person_rows(db.backend(), false).with_tail(" ON CONFLICT DO NOTHING");
    for record in ordered {
        let mut cells = field_cells(db.backend(), record.person, record.address_commune_id);
        cells.extend(placement::new_row_cells(record.access, &now));
        rows.push(cells);
    }
    db.insert_rows(tx, rows).await?;
    Ok(())
}

/// A bulk load into an empty registry builds the name index at the end.
pub async fn pause_name_index(db: &Db, tx: &mut Transaction<'static, Any>) -> Result<Option<String>, sqlx::Error> {
    db.pause_text_index(tx, &NAME_INDEX).await
}

pub async fn build_name_index(db: &Db, tx: &mut Transaction<'static, Any>, trigger: &str) -> Result<(), sqlx::Error> {
    db.build_text_index(tx, &NAME_INDEX, trigger).await
}

/// Counts every person again, per unit (the end of a bulk load).
pub async fn recount(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    placement::recount(tx, &PERSONS).await
}

/// Changes a person's fields (not its place) if nobody changed it since
/// `version` and it is still where `access` found it.
pub async fn update(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    person: &ValidPerson,
    address_commune_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    // Sex and birth year are counted: uncounted now, counted again after.
    placement::counted(tx, &PERSONS, &[id], -1).await?;
    let mut sql = Sql::new("UPDATE persons SET (");
    sql.push(&fields(db.backend())).push(") = (");
    push_fields(&mut sql, db.backend(), person, address_commune_id);
    sql.push("), version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version)
        .push(" AND ");
    access.push_guard(&mut sql, "persons");
    let updated = sql.execute(&mut **tx).await?.rows_affected() == 1;
    placement::counted(tx, &PERSONS, &[id], 1).await?;
    Ok(updated)
}

/// Deletes a person still where `access` found it.
pub async fn delete(tx: &mut Transaction<'static, Any>, access: &Access, id: i64) -> Result<bool, sqlx::Error> {
    placement::counted(tx, &PERSONS, &[id], -1).await?;
    let mut sql = Sql::new("DELETE FROM persons WHERE id = ");
    sql.bind(id).push(" AND ");
    access.push_guard(&mut sql, "persons");
    // Not deleted: the caller rolls back, the uncounting with it.
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Who holds a CCCD: the record's id when it lies inside `scope`, `None`
/// inside when it lies elsewhere; nothing when nobody holds it.
pub async fn cccd_holder(db: &Db, scope: &ReadScope, cccd: &str) -> Result<Option<Option<i64>>, sqlx::Error> {
    let mut sql = Sql::new("SELECT p.id, CASE WHEN ");
    scope.push_filter(&mut sql, "p");
    sql.push(" THEN 1 ELSE 0 END FROM persons p WHERE p.cccd = ")
        .bind(cccd.to_owned());
    let Some(row) = sql.read_row(db).await? else {
        return Ok(None);
    };
    let visible = db::int(&row, 1) == 1;
    Ok(Some(visible.then(|| db::int(&row, 0))))
}
