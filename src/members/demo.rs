//! Demo members: about two in five adults registered at a branch are
//! members, joined over the last decades, a few suspended or gone. Chosen
//! by person id, so a second run finds them enrolled and adds nobody.

use super::storage::{self, DemoMember};
use super::MEMBERS;
use crate::db::Db;
use crate::org::service::placement;

/// Enrols the demo's members; returns how many were added.
pub async fn seed(db: &Db, this_year: i32) -> Result<usize, sqlx::Error> {
    let today = super::model::iso(super::service::today());
    let mut tx = db.begin_write().await?;
    let candidates = storage::demo_candidates(&mut tx, i64::from(this_year - 18)).await?;
    let members: Vec<DemoMember> = candidates
        .into_iter()
        .filter(|(id, _)| id % 5 < 2)
        .map(|(id, birth_year)| {
            let first = (birth_year + 18).max(1990);
            let span = (i64::from(this_year) - first).max(0) + 1;
            let year = first + id.rem_euclid(span);
            let joined_on = format!("{year:04}-{:02}-{:02}", id % 12 + 1, id % 28 + 1);
            let (status, reason) = match id % 100 {
                0..=2 => ("left", "Chuyển đi nơi khác"),
                3 => ("suspended", "Đi làm ăn xa"),
                _ => ("active", ""),
            };
            // A change of status comes some years after joining, by now.
            let changed = (year + 1 + id % 5).min(i64::from(this_year));
            let status_on = if status == "active" {
                joined_on.clone()
            } else {
                format!("{changed:04}-{:02}-01", id % 12 + 1)
            };
            // Never before joining, never after today.
            let status_on = status_on.max(joined_on.clone()).min(today.clone());
            let joined_on = joined_on.min(today.clone());
            DemoMember {
                person_id: id,
                joined_on,
                status,
                status_on,
                reason,
            }
        })
        .collect();
    storage::insert_demo(db, &mut tx, &members).await?;
    placement::recount(&mut tx, &MEMBERS).await?;
    tx.commit().await?;
    Ok(members.len())
}

/// The members of `nhanai bench members`: three persons in four, counted.
pub async fn seed_bench(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    storage::insert_bench(&mut tx).await?;
    placement::recount(&mut tx, &MEMBERS).await?;
    tx.commit().await?;
    for table in ["members", "member_events", "unit_counts", "unit_demographics"] {
        db.after_bulk_load(table).await?;
    }
    Ok(())
}
