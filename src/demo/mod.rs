//! Demo data: branches under every commune of the chosen provinces,
//! realistic persons, and demo accounts. Deterministic and idempotent: a
//! commune that already has branches is left as it is. One transaction:
//! an interrupted load leaves nothing behind.

pub mod generator;
mod names;

use std::time::Instant;

use sqlx::Row;

use crate::accounts::service::{self, NewAccount};
use crate::cli::Scale;
use crate::db::{Db, Sql};
use crate::org::{self, Unit};
use crate::people::bulk::BulkLoad;
use crate::people::storage::PersonRecord;
use generator::{cccd_province_for, Generator};

/// Demo accounts: (username, display name, role, unit code). All share
/// `DEMO_PASSWORD`; the README lists them.
pub const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 4] = [
    ("admin", "Quản trị Trung ương", "admin", "TW"),
    ("hanoi", "Cán bộ Hội Hà Nội", "admin", "01"),
    ("badinh", "Cán bộ Phường Ba Đình", "staff", "00004"),
    ("xem.badinh", "Theo dõi Phường Ba Đình", "viewer", "00004"),
];
pub const DEMO_PASSWORD: &str = "NhanAi@2026";

const SMALL_PROVINCES: [&str; 2] = ["01", "48"];
const PERSONS_PER_COMMUNE: usize = 300;
const COMMUNES_PER_BATCH: usize = 40;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Org(#[from] org::OrgError),
    #[error("demo account {0}: {1}")]
    Account(&'static str, String),
}

pub async fn load(db: &Db, scale: Scale) -> Result<(), DemoError> {
    let started = Instant::now();
    ensure_accounts(db).await?;
    let communes = communes_to_fill(db, scale).await?;
    let year = time::OffsetDateTime::now_utc().year();
    let mut persons = 0;
    let mut load = BulkLoad::begin(db).await?;
    for batch in communes.chunks(COMMUNES_PER_BATCH) {
        persons += fill(&mut load, batch, year).await?;
    }
    load.commit().await?;
    tracing::info!(
        communes = communes.len(),
        persons,
        seconds = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok(())
}

async fn ensure_accounts(db: &Db) -> Result<(), DemoError> {
    for (username, display_name, role, unit) in DEMO_ACCOUNTS {
        if crate::accounts::storage::login_record(db, username).await?.is_some() {
            continue;
        }
        let new = NewAccount {
            username: username.into(),
            display_name: display_name.into(),
            password: DEMO_PASSWORD.into(),
            role: role.into(),
            unit_code: unit.into(),
        };
        service::create(db, None, new)
            .await
            .map_err(|e| DemoError::Account(username, e.to_string()))?;
    }
    Ok(())
}

/// Active communes of the scale that have no branch yet, with their province code.
async fn communes_to_fill(db: &Db, scale: Scale) -> Result<Vec<(Unit, String)>, DemoError> {
    let mut sql = Sql::new(&format!(
        "SELECT {}, pr.code AS province_code FROM units u JOIN units pr ON pr.id = u.province_id \
         WHERE u.level = 'commune' AND u.status = 'active' \
         AND NOT EXISTS (SELECT 1 FROM units b WHERE b.parent_id = u.id)",
        org::storage::UNIT_COLUMNS
    ));
    if let Scale::Small = scale {
        sql.push(" AND pr.code IN ('")
            .push(&SMALL_PROVINCES.join("', '"))
            .push("')");
    }
    sql.push(" ORDER BY u.code");
    let rows = sql.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                org::storage::unit_from_row(r)?,
                r.try_get::<String, _>("province_code")?,
            ))
        })
        .collect()
}

async fn fill(load: &mut BulkLoad, communes: &[(Unit, String)], year: i32) -> Result<usize, DemoError> {
    let mut people = Vec::new();
    let mut owners = Vec::new();
    for (commune, province_code) in communes {
        let commune_number: u64 = commune.code.parse().unwrap_or(0);
        let mut g = Generator::new(commune_number);
        let mut branches = Vec::new();
        for i in 0..(2 + g.below(3)) {
            let (pattern, kind) = names::BRANCH_NAMES[i % names::BRANCH_NAMES.len()];
            let place = commune.name.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
            let name = pattern.replace("{n}", &(i + 1).to_string()).replace("{place}", &place);
            let kind = org::model::BranchKind::parse(kind).unwrap_or(org::model::BranchKind::Residential);
            branches.push(org::storage::create_branch(load.tx(), commune, &name, kind).await?);
        }
        let cccd_province = cccd_province_for(province_code);
        let mut serial = commune_number * 1000;
        let mut count = 0;
        while count < PERSONS_PER_COMMUNE {
            let owner = if g.below(4) == 0 {
                commune.clone()
            } else {
                branches[g.below(branches.len())].clone()
            };
            for person in g.household(&cccd_province, &owner.code, &mut serial, year) {
                people.push(person);
                owners.push(owner.clone());
                count += 1;
            }
        }
    }
    let records: Vec<PersonRecord<'_>> = people
        .iter()
        .zip(&owners)
        .map(|(person, unit)| PersonRecord {
            person,
            unit,
            address_commune_id: unit.placement.commune_id,
        })
        .collect();
    load.insert(&records).await?;
    Ok(records.len())
}
