//! SQL of the person registry, on both backends. The only dialect split is
//! the name search (FTS5 on SQLite, a GIN tsvector on PostgreSQL).

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Birth, Person, SearchQuery, Sex, UnitRef, ValidPerson};
use crate::db::{self, scope, Backend, Db, Sql};
use crate::org::scope::{Placement, Scope};
use crate::org::{Level, Unit};

/// A validated person with its units resolved: ready to store.
pub struct PersonRecord<'a> {
    pub person: &'a ValidPerson,
    pub unit: &'a Unit,
    pub address_commune_id: Option<i64>,
}

const COLUMNS: &str = "p.id, p.full_name, p.sex, p.birth_year, p.birth_date, p.cccd, p.phone, p.address_detail, \
     p.province_id, p.commune_id, p.branch_id, p.version, p.created_at, p.updated_at, \
     u.code AS unit_code, u.name AS unit_name, u.status AS unit_status, \
     a.code AS addr_code, a.name AS addr_name, a.status AS addr_status";
const FROM: &str = " FROM persons p JOIN units u ON u.id = p.unit_id LEFT JOIN units a ON a.id = p.address_commune_id";

fn person_from_row(row: &AnyRow) -> Result<Person, sqlx::Error> {
    let sex: String = row.try_get("sex")?;
    let birth_date: Option<String> = row.try_get("birth_date")?;
    let addr_code: Option<String> = row.try_get("addr_code")?;
    Ok(Person {
        id: row.try_get("id")?,
        full_name: row.try_get("full_name")?,
        sex: Sex::parse(&sex).unwrap_or(Sex::Male),
        birth: Birth::from_stored(row.try_get("birth_year")?, birth_date.as_deref()),
        cccd: row.try_get("cccd")?,
        phone: row.try_get("phone")?,
        address_commune: match addr_code {
            Some(code) => Some(UnitRef {
                code,
                name: row.try_get::<Option<String>, _>("addr_name")?.unwrap_or_default(),
                active: row.try_get::<Option<String>, _>("addr_status")?.as_deref() == Some("active"),
            }),
            None => None,
        },
        address_detail: row.try_get("address_detail")?,
        unit: UnitRef {
            code: row.try_get("unit_code")?,
            name: row.try_get("unit_name")?,
            active: row.try_get::<String, _>("unit_status")? == "active",
        },
        placement: Placement {
            province_id: row.try_get("province_id")?,
            commune_id: row.try_get("commune_id")?,
            branch_id: row.try_get("branch_id")?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn push_values(sql: &mut Sql, r: &PersonRecord<'_>, now: &str) {
    let p = r.person;
    let place = r.unit.placement;
    sql.bind(p.full_name.clone())
        .push(", ")
        .bind(p.name_folded.clone())
        .push(", ");
    sql.bind(p.sort_key.clone())
        .push(", ")
        .bind(p.sex.as_str().to_owned())
        .push(", ");
    sql.bind(p.birth.map(|b| i64::from(b.year()))).push(", ");
    sql.bind(p.birth.and_then(|b| matches!(b, Birth::Date(_)).then(|| b.iso())))
        .push(", ");
    sql.bind(p.cccd.clone()).push(", ").bind(p.phone.clone()).push(", ");
    sql.bind(r.address_commune_id)
        .push(", ")
        .bind(p.address_detail.clone())
        .push(", ");
    sql.bind(r.unit.id)
        .push(", ")
        .bind(place.province_id)
        .push(", ")
        .bind(place.commune_id)
        .push(", ");
    sql.bind(place.branch_id)
        .push(", ")
        .bind(now.to_owned())
        .push(", ")
        .bind(now.to_owned());
}

const INSERT: &str =
    "INSERT INTO persons (full_name, name_folded, sort_key, sex, birth_year, birth_date, cccd, phone, \
     address_commune_id, address_detail, unit_id, province_id, commune_id, branch_id, created_at, updated_at) VALUES ";

pub async fn insert(tx: &mut Transaction<'static, Any>, record: &PersonRecord<'_>) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new(INSERT);
    sql.push("(");
    push_values(&mut sql, record, &db::now());
    sql.push(") RETURNING id");
    let row = sql.fetch_optional(&mut **tx).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(db::int(&row, 0))
}

/// Inserts many persons with one statement per chunk (bulk loads: demo
/// data, imports, the benchmark). 16 parameters a row keeps a 250-row chunk
/// under SQLite's and PostgreSQL's parameter limits.
pub async fn insert_many(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    records: &[PersonRecord<'_>],
) -> Result<(), sqlx::Error> {
    let now = db::now();
    // Written in index order, a batch touches few B-tree pages of the
    // per-commune indexes instead of one random page per row.
    let mut ordered: Vec<&PersonRecord<'_>> = records.iter().collect();
    ordered.sort_by(|a, b| {
        (a.unit.placement.commune_id, &a.person.sort_key).cmp(&(b.unit.placement.commune_id, &b.person.sort_key))
    });
    for chunk in ordered.chunks(250) {
        let mut sql = Sql::bulk(backend, INSERT);
        for (i, record) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            push_values(&mut sql, record, &now);
            sql.push(")");
        }
        sql.push(" ON CONFLICT DO NOTHING");
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Updates a person if nobody changed it since `version`; false otherwise.
pub async fn update(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    version: i64,
    record: &PersonRecord<'_>,
) -> Result<bool, sqlx::Error> {
    let p = record.person;
    let place = record.unit.placement;
    let mut sql = Sql::new("UPDATE persons SET full_name = ");
    sql.bind(p.full_name.clone())
        .push(", name_folded = ")
        .bind(p.name_folded.clone());
    sql.push(", sort_key = ")
        .bind(p.sort_key.clone())
        .push(", sex = ")
        .bind(p.sex.as_str().to_owned());
    sql.push(", birth_year = ").bind(p.birth.map(|b| i64::from(b.year())));
    sql.push(", birth_date = ")
        .bind(p.birth.and_then(|b| matches!(b, Birth::Date(_)).then(|| b.iso())));
    sql.push(", cccd = ")
        .bind(p.cccd.clone())
        .push(", phone = ")
        .bind(p.phone.clone());
    sql.push(", address_commune_id = ").bind(record.address_commune_id);
    sql.push(", address_detail = ").bind(p.address_detail.clone());
    sql.push(", unit_id = ")
        .bind(record.unit.id)
        .push(", province_id = ")
        .bind(place.province_id);
    sql.push(", commune_id = ")
        .bind(place.commune_id)
        .push(", branch_id = ")
        .bind(place.branch_id);
    sql.push(", version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ").bind(id).push(" AND version = ").bind(version);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

pub async fn delete(tx: &mut Transaction<'static, Any>, id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM persons WHERE id = ");
    sql.bind(id);
    sql.execute(&mut **tx).await.map(drop)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Person>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS}{FROM} WHERE p.id = "));
    sql.bind(id);
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(person_from_row)
        .transpose()
}

/// The record holding `cccd`, as (id, placement).
pub async fn by_cccd(db: &Db, cccd: &str) -> Result<Option<(i64, Placement)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, province_id, commune_id, branch_id FROM persons WHERE cccd = ");
    sql.bind(cccd.to_owned());
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    Ok(Some((
        row.try_get(0)?,
        Placement {
            province_id: row.try_get(1)?,
            commune_id: row.try_get(2)?,
            branch_id: row.try_get(3)?,
        },
    )))
}

/// Where the next page starts: after this sort key and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub sort_key: String,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}~{}", self.id, self.sort_key)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (id, sort_key) = text.split_once('~')?;
        Some(Cursor {
            id: id.parse().ok()?,
            sort_key: sort_key.to_owned(),
        })
    }
}

pub struct Page {
    pub items: Vec<Person>,
    pub next: Option<Cursor>,
}

fn match_expression(backend: Backend, scopes: &[Scope], words: &[String]) -> String {
    let scope_tokens: Vec<String> = scopes
        .iter()
        .filter_map(|s| match s {
            Scope::Country => None,
            Scope::Province(id) => Some(format!("p{id}")),
            Scope::Commune(id) => Some(format!("c{id}")),
            Scope::Branch(id) => Some(format!("b{id}")),
        })
        .collect();
    let (and, or, quote) = match backend {
        Backend::Sqlite => (" AND ", " OR ", "\""),
        Backend::Postgres => (" & ", " | ", ""),
    };
    let mut parts: Vec<String> = words.iter().map(|w| format!("{quote}{w}{quote}")).collect();
    if !scope_tokens.is_empty() && !scopes.contains(&Scope::Country) {
        let group = scope_tokens
            .iter()
            .map(|t| format!("{quote}{t}{quote}"))
            .collect::<Vec<_>>()
            .join(or);
        parts.insert(0, format!("({group})"));
    }
    parts.join(and)
}

/// The start of a search statement up to its WHERE clause, and the column
/// results are ordered by: the full-text index's own row order for name
/// searches (SQLite then stops after one page instead of sorting every
/// namesake), the sort key otherwise.
fn search_source(backend: Backend, scopes: &[Scope], query: &SearchQuery) -> (Sql, Option<&'static str>) {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS}"));
    match (query, backend) {
        (SearchQuery::Name(words), Backend::Sqlite) => {
            sql.push(" FROM person_search s JOIN persons p ON p.id = s.rowid JOIN units u ON u.id = p.unit_id");
            sql.push(" LEFT JOIN units a ON a.id = p.address_commune_id WHERE person_search MATCH ");
            sql.bind(match_expression(backend, scopes, words)).push(" AND ");
            return (sql, Some("s.rowid"));
        }
        (SearchQuery::Name(words), Backend::Postgres) => {
            sql.push(FROM).push(" WHERE p.search_doc @@ to_tsquery('simple', ");
            sql.bind(match_expression(backend, scopes, words)).push(") AND ");
            return (sql, Some("p.id"));
        }
        (SearchQuery::Cccd(cccd), _) => sql.push(FROM).push(" WHERE p.cccd = ").bind(cccd.clone()).push(" AND "),
        (SearchQuery::Phone(phone), _) => sql
            .push(FROM)
            .push(" WHERE p.phone = ")
            .bind(phone.clone())
            .push(" AND "),
        (SearchQuery::All, _) => sql.push(FROM).push(" WHERE "),
    };
    (sql, None)
}

/// One page of persons inside `scopes` that match `query`. Name searches
/// come in registration order (the index order); lists by sort key.
pub async fn search(
    db: &Db,
    scopes: &[Scope],
    query: &SearchQuery,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Page, sqlx::Error> {
    let (mut sql, id_order) = search_source(db.backend(), scopes, query);
    scope::push_filter(&mut sql, "p", scopes);
    match (after, id_order) {
        (Some(c), Some(id)) => {
            sql.push(&format!(" AND {id} > ")).bind(c.id);
        }
        (Some(c), None) => {
            // A row-value comparison is an index range on both backends.
            sql.push(" AND (p.sort_key, p.id) > (").bind(c.sort_key.clone());
            sql.push(", ").bind(c.id).push(")");
        }
        (None, _) => {}
    }
    match id_order {
        Some(id) => sql.push(&format!(" ORDER BY {id} LIMIT ")),
        None => sql.push(" ORDER BY p.sort_key, p.id LIMIT "),
    };
    sql.bind(limit + 1);
    let rows = sql.fetch_all(db.pool()).await?;
    let mut items: Vec<Person> = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|p| Cursor {
            sort_key: crate::people::model::sort_key(&p.full_name),
            id: p.id,
        })
    } else {
        None
    };
    Ok(Page { items, next })
}

/// Persons inside a subtree.
pub async fn count_in(db: &Db, scope: Scope) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM persons p WHERE ");
    scope::push_filter(&mut sql, "p", &[scope]);
    Ok(sql
        .fetch_optional(db.pool())
        .await?
        .map(|r| db::int(&r, 0))
        .unwrap_or(0))
}

/// Persons below each child of `unit`, keyed by child id.
pub async fn counts_by_child(db: &Db, unit: &Unit) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let mut sql = match unit.level {
        Level::Central => Sql::new("SELECT province_id, COUNT(*) FROM persons GROUP BY province_id"),
        Level::Province => {
            let mut sql = Sql::new(
                "SELECT commune_id, COUNT(*) FROM persons WHERE commune_id IN \
                 (SELECT id FROM units WHERE level = 'commune' AND province_id = ",
            );
            sql.bind(unit.id).push(") GROUP BY commune_id");
            sql
        }
        Level::Commune => {
            let mut sql = Sql::new("SELECT branch_id, COUNT(*) FROM persons WHERE commune_id = ");
            sql.bind(unit.id).push(" GROUP BY branch_id");
            sql
        }
        Level::Branch => return Ok(HashMap::new()),
    };
    let rows = std::mem::take(&mut sql).fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.try_get::<Option<i64>, _>(0).ok()??, db::int(r, 1))))
        .collect())
}
