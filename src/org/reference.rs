//! Reference data shipped with the product and loaded on first start: the
//! 2025 administrative units (34 provinces, 3,321 communes) and the reform
//! mapping from pre-2025 communes. Both come from `data/` at build time.

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::{Any, Row, Transaction};

use super::model::CENTRAL_CODE;
use super::reform::commune_key;
use crate::db::{self, Db, Sql};

const UNITS_CSV: &str = include_str!("../../data/vn_units_2025.csv");
const REFORM_CSV: &str = include_str!("../../data/vn_units_old_to_new.csv");
const CENTRAL_NAME: &str = "Trung ương Hội Chữ thập đỏ Việt Nam";
const BATCH: usize = 400;

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("reference data is malformed: {0}")]
    Csv(#[from] csv::Error),
    #[error("reference data names unknown province {0}")]
    UnknownProvince(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

#[derive(Deserialize)]
struct UnitRecord {
    code: String,
    name: String,
    #[serde(rename = "type")]
    unit_type: String,
    province_code: String,
}

#[derive(Deserialize)]
struct ReformRecord {
    old_ward_code: String,
    old_ward_name: String,
    old_district_name: String,
    old_province_code: String,
    old_province_name: String,
    new_ward_code: String,
    note: String,
}

fn kind_of(unit_type: &str) -> &'static str {
    match unit_type {
        "thành phố trung ương" => "city",
        "tỉnh" => "province",
        "phường" => "ward",
        "đặc khu" => "special_zone",
        _ => "commune",
    }
}

/// Loads whatever reference data the database does not have yet.
pub async fn ensure_loaded(db: &Db) -> Result<(), ReferenceError> {
    let mut tx = db.begin_write().await?;
    let has_units = Sql::new("SELECT COUNT(*) FROM units WHERE level = 'central'")
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| db::int(&r, 0) > 0)
        .unwrap_or(false);
    if !has_units {
        load_units(&mut tx).await?;
    }
    let has_reform = Sql::new("SELECT COUNT(*) FROM reform_communes")
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| db::int(&r, 0) > 0)
        .unwrap_or(false);
    if !has_reform {
        load_reform(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn load_units(tx: &mut Transaction<'static, Any>) -> Result<(), ReferenceError> {
    let records: Vec<UnitRecord> = csv::Reader::from_reader(UNITS_CSV.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()?;
    let now = db::now();
    let mut sql = Sql::new("INSERT INTO units (code, name, name_key, level, kind, created_at) VALUES (");
    sql.bind(CENTRAL_CODE.to_owned())
        .push(", ")
        .bind(CENTRAL_NAME.to_owned());
    sql.push(", ")
        .bind(commune_key(CENTRAL_NAME))
        .push(", 'central', 'central', ")
        .bind(now.clone())
        .push(")");
    sql.execute(&mut **tx).await?;

    let (provinces, communes): (Vec<_>, Vec<_>) = records.into_iter().partition(|r| r.code.len() == 2);
    insert_level(tx, &provinces, "province", &now, |_| CENTRAL_CODE.to_owned()).await?;
    Sql::new("UPDATE units SET province_id = id WHERE level = 'province'")
        .execute(&mut **tx)
        .await?;
    insert_level(tx, &communes, "commune", &now, |r| r.province_code.clone()).await?;
    Sql::new(
        "UPDATE units SET commune_id = id, province_id = parent_id WHERE level = 'commune' AND commune_id IS NULL",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_level(
    tx: &mut Transaction<'static, Any>,
    records: &[UnitRecord],
    level: &str,
    now: &str,
    parent_code: impl Fn(&UnitRecord) -> String,
) -> Result<(), ReferenceError> {
    let parents: HashMap<String, i64> = Sql::new("SELECT code, id FROM units WHERE level IN ('central', 'province')")
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
        .collect();
    for chunk in records.chunks(BATCH) {
        let mut sql = Sql::new("INSERT INTO units (code, name, name_key, level, kind, parent_id, created_at) VALUES ");
        for (i, record) in chunk.iter().enumerate() {
            let parent = parent_code(record);
            let parent_id = *parents.get(&parent).ok_or(ReferenceError::UnknownProvince(parent))?;
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(record.code.clone()).push(", ").bind(record.name.clone());
            sql.push(", ")
                .bind(commune_key(&record.name))
                .push(", ")
                .bind(level.to_owned());
            sql.push(", ")
                .bind(kind_of(&record.unit_type).to_owned())
                .push(", ")
                .bind(parent_id);
            sql.push(", ").bind(now.to_owned()).push(")");
        }
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn load_reform(tx: &mut Transaction<'static, Any>) -> Result<(), ReferenceError> {
    let records: Vec<ReformRecord> = csv::Reader::from_reader(REFORM_CSV.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()?;
    for chunk in records.chunks(BATCH) {
        let mut sql = Sql::new(
            "INSERT INTO reform_communes (old_code, old_name, old_key, old_district_name, old_province_code, \
             old_province_name, new_code, note) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(r.old_ward_code.clone())
                .push(", ")
                .bind(r.old_ward_name.clone());
            sql.push(", ")
                .bind(commune_key(&r.old_ward_name))
                .push(", ")
                .bind(r.old_district_name.clone());
            sql.push(", ")
                .bind(r.old_province_code.clone())
                .push(", ")
                .bind(r.old_province_name.clone());
            sql.push(", ")
                .bind(r.new_ward_code.clone())
                .push(", ")
                .bind(r.note.clone())
                .push(")");
        }
        sql.push(" ON CONFLICT (old_code, new_code) DO NOTHING");
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}
