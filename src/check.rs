//! `nhanai check …`: stored data read against the records it derives from.

use crate::db::Db;

/// `nhanai check counts`: every stored count against a count of the rows.
pub async fn counts(db: &Db) -> Result<(), String> {
    let registry = crate::app::registry();
    let mut differences = 0;
    for table in registry.placed_tables().iter().filter(|t| !t.counters.is_empty()) {
        let drift = crate::org::service::counter_drift(db, table)
            .await
            .map_err(|e| e.to_string())?;
        for (counter, unit, stored, actual) in &drift {
            println!("{counter} unit {unit}: stored {stored}, counted {actual}");
        }
        let by_age = crate::org::service::demographic_drift(db, table)
            .await
            .map_err(|e| e.to_string())?;
        for (counter, unit, sex, year, stored, actual) in &by_age {
            println!("{counter} unit {unit} sex {sex} born {year}: stored {stored}, counted {actual}");
        }
        differences += drift.len() + by_age.len();
        println!("{}: {} difference(s)", table.table, drift.len() + by_age.len());
    }
    if differences > 0 {
        Err(format!("{differences} count(s) differ from the records"))
    } else {
        Ok(())
    }
}

/// `nhanai check placement`: every placed record's placement copies
/// against its unit.
pub async fn placement(db: &Db) -> Result<(), String> {
    let registry = crate::app::registry();
    let mut differences = 0;
    for table in registry.placed_tables() {
        let (total, shown) = crate::org::service::misplaced(db, table)
            .await
            .map_err(|e| e.to_string())?;
        for row in &shown {
            println!("{} #{}: {}", table.table, row.id, explain(row));
        }
        if total > shown.len() as i64 {
            println!("{}: … and {} more", table.table, total - shown.len() as i64);
        }
        println!("{}: {total} misplaced", table.table);
        differences += total;
    }
    if differences > 0 {
        Err(format!("{differences} record(s) are placed unlike their unit"))
    } else {
        Ok(())
    }
}

/// What is wrong with a misplaced row, in one line.
fn explain(row: &crate::org::check::Misplaced) -> String {
    let show = |id: Option<i64>| id.map_or("none".to_owned(), |id| id.to_string());
    let Some(unit) = &row.unit else {
        return format!("unit {} does not exist", row.unit_id);
    };
    let mut wrong: Vec<String> = [
        ("province", row.copies.province_id, unit.province_id),
        ("commune", row.copies.commune_id, unit.commune_id),
        ("branch", row.copies.branch_id, unit.branch_id),
    ]
    .into_iter()
    .filter(|(_, copy, should)| copy != should)
    .map(|(what, copy, should)| format!("{what} {} where unit {} has {}", show(copy), row.unit_id, show(should)))
    .collect();
    if let Some(followed) = row.followed_unit {
        wrong.push(format!("at unit {} but its record is at unit {followed}", row.unit_id));
    }
    wrong.join("; ")
}
