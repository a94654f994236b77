//! Demo data: branches under every commune of the chosen provinces,
//! realistic persons, and demo accounts. Deterministic and idempotent: a
//! commune that already has branches is left as it is. One transaction:
//! an interrupted load leaves nothing behind.

pub mod generator;
mod names;

use std::time::Instant;

use crate::access::{Access, Permission, Principal};
use crate::accounts::service::{self, NewAccount};
use crate::cli::Scale;
use crate::db::Db;
use crate::org::model::BranchKind;
use crate::org::service as org;
use crate::org::Unit;
use crate::people::bulk::{BulkLoad, Record};
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
    Org(#[from] crate::org::OrgError),
    #[error("demo account {0}: {1}")]
    Account(&'static str, String),
}

pub async fn load(db: &Db, scale: Scale) -> Result<(), DemoError> {
    let started = Instant::now();
    let operator = Principal::system("demo", org::central(db).await?);
    ensure_accounts(db, &operator).await?;
    let provinces: Option<&[&str]> = match scale {
        Scale::Small => Some(&SMALL_PROVINCES),
        Scale::National => None,
    };
    let communes = org::communes_with_province(db, provinces, true).await?;
    let year = time::OffsetDateTime::now_utc().year();
    let mut persons = 0;
    let mut load = BulkLoad::begin(db).await?;
    for batch in communes.chunks(COMMUNES_PER_BATCH) {
        persons += fill(&mut load, &operator, batch, year).await?;
    }
    load.commit().await?;
    let members = crate::members::demo::seed(db, year).await?;
    // The Society's other people, each capability choosing its own.
    crate::volunteers::demo::seed(db, year).await?;
    crate::teams::service::seed_demo(db).await?;
    crate::youth::service::seed_demo(db, year).await?;
    crate::cadres::service::seed_demo(db, year).await?;
    crate::organisations::service::seed_demo(db).await?;
    crate::members::collective::seed_demo(db).await?;
    tracing::info!(
        communes = communes.len(),
        persons,
        members,
        seconds = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok(())
}

async fn ensure_accounts(db: &Db, operator: &Principal) -> Result<(), DemoError> {
    for (username, display_name, role, unit) in DEMO_ACCOUNTS {
        let new = NewAccount {
            username: username.into(),
            display_name: display_name.into(),
            password: DEMO_PASSWORD.into(),
            role: role.into(),
            unit_code: unit.into(),
        };
        match service::create(db, operator, new).await {
            Ok(_) | Err(crate::accounts::AccountError::UsernameTaken) => {}
            Err(e) => return Err(DemoError::Account(username, e.to_string())),
        }
    }
    Ok(())
}

fn write_access(operator: &Principal, unit: &Unit) -> Result<Access, DemoError> {
    operator
        .access(Permission::Write, unit)
        .ok_or_else(|| DemoError::Account("system", "no write access".into()))
}

async fn fill(
    load: &mut BulkLoad,
    operator: &Principal,
    communes: &[(Unit, String)],
    year: i32,
) -> Result<usize, DemoError> {
    let mut people = Vec::new();
    let mut owners: Vec<Access> = Vec::new();
    for (commune, province_code) in communes {
        let commune_number: u64 = commune.code.parse().unwrap_or(0);
        let mut g = Generator::new(commune_number);
        let mut branches = Vec::new();
        for i in 0..(2 + g.below(3)) {
            let (pattern, kind) = names::BRANCH_NAMES[i % names::BRANCH_NAMES.len()];
            let place = commune.name.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
            let name = pattern.replace("{n}", &(i + 1).to_string()).replace("{place}", &place);
            let kind = BranchKind::parse(kind).unwrap_or(BranchKind::Residential);
            let branch = org::create_branch_in(load.tx(), commune, &name, kind).await?;
            branches.push(write_access(operator, &branch)?);
        }
        let commune_access = write_access(operator, commune)?;
        let cccd_province = cccd_province_for(province_code);
        let mut serial = commune_number * 1000;
        let mut count = 0;
        while count < PERSONS_PER_COMMUNE {
            let owner = if g.below(4) == 0 {
                commune_access.clone()
            } else {
                branches[g.below(branches.len())].clone()
            };
            for person in g.household(&cccd_province, &commune.code, &mut serial, year) {
                people.push(person);
                owners.push(owner.clone());
                count += 1;
            }
        }
    }
    let records: Vec<Record<'_>> = people
        .iter()
        .zip(&owners)
        .map(|(person, access)| Record {
            person,
            access,
            address_commune_id: access.placement().commune_id,
        })
        .collect();
    load.insert(&records).await?;
    Ok(records.len())
}
