//! Demo volunteers, with skills and certificates (some expired, some
//! expiring within the month). Idempotent: a second run adds nobody.

use super::storage;
use super::VOLUNTEERS;
use crate::db::Db;
use crate::members::model::iso;
use crate::org::service::placement;

pub async fn seed(db: &Db, this_year: i32) -> Result<(), sqlx::Error> {
    let today = super::service::today();
    let day = |offset: i64| iso(today + time::Duration::days(offset));
    let (issued, expired, soon, valid) = (day(-400), day(-20), day(25), day(700));
    let mut tx = db.begin_write().await?;
    storage::insert_demo(&mut tx, i64::from(this_year), [&issued, &expired, &soon, &valid]).await?;
    placement::recount(&mut tx, &VOLUNTEERS).await?;
    tx.commit().await
}

/// The volunteers of `nhanai bench members`: one person in four, counted.
pub async fn seed_bench(db: &Db) -> Result<(), sqlx::Error> {
    let today = super::service::today();
    let day = |offset: i64| iso(today + time::Duration::days(offset));
    let (issued, expired, soon, valid) = (day(-400), day(-20), day(25), day(700));
    let mut tx = db.begin_write().await?;
    storage::insert_bench(&mut tx, [&issued, &expired, &soon, &valid]).await?;
    placement::recount(&mut tx, &VOLUNTEERS).await?;
    tx.commit().await?;
    for table in [
        "volunteers",
        "volunteer_skills",
        "volunteer_certificates",
        "unit_counts",
        "unit_demographics",
    ] {
        db.after_bulk_load(table).await?;
    }
    Ok(())
}
