//! `nhanai bench members`: a fresh database holding `members` members and
//! `volunteers` volunteers across every commune's branches; a generated
//! 20,000-row member `.xlsx` uploaded into a branch until committed; and
//! the latency of a branch's member page, a province's counts by sex and
//! age band with its communes, and a call-out (volunteers with a skill and
//! a valid certificate in a province). Prints one JSON line last.

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::http::{Server, Session};
use super::import::{upload_and_commit, workbook};
use super::{drop_fresh, fresh, percentiles, BenchError, BENCH_PASSWORD};
use crate::access::{Access, Permission, Principal};
use crate::db::{Backend, Db};
use crate::demo::generator::{cccd_province_for, Generator};
use crate::org::model::BranchKind;
use crate::org::service as org;
use crate::org::Unit;
use crate::people::bulk::{BulkLoad, Record};
use crate::people::model::ValidPerson;
use crate::volunteers::callout::{self, Pool};
use crate::volunteers::model::Skill;

#[derive(Clone, Copy, Debug)]
pub struct MembersPlan {
    pub members: usize,
    pub volunteers: usize,
    /// Rows of the uploaded member list.
    pub rows: usize,
    /// Timed requests of each kind.
    pub samples: usize,
    /// Leave the filled database behind.
    pub keep: bool,
}

pub async fn members(url: &str, plan: MembersPlan) -> Result<(), BenchError> {
    let target = fresh(url).await?;
    let result = run(&target.url, plan).await;
    if plan.keep {
        eprintln!("kept: {}", without_password(&target.url));
    } else {
        drop_fresh(target).await;
    }
    println!("{}", result?);
    Ok(())
}

/// A database URL fit to print: `postgres://user:secret@host/db` loses
/// its password.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// Two branches under every commune; their units, with their provinces' codes.
async fn branches(db: &Db) -> Result<Vec<(Unit, String)>, BenchError> {
    let communes = org::communes_with_province(db, None, false).await?;
    let mut load = BulkLoad::begin(db).await?;
    let mut out = Vec::with_capacity(communes.len() * 2);
    for (commune, province) in &communes {
        for (name, kind) in [
            ("Tổ dân phố 1", BranchKind::Residential),
            ("Trường THCS", BranchKind::School),
        ] {
            let branch = org::create_branch_in(load.tx(), commune, &format!("Chi hội {name}"), kind)
                .await
                .map_err(|e| BenchError::Http(e.to_string()))?;
            out.push((branch, province.clone()));
        }
    }
    load.commit().await?;
    Ok(out)
}

/// `count` generated persons spread over `branches`.
async fn persons(db: &Db, operator: &Principal, branches: &[(Unit, String)], count: usize) -> Result<(), BenchError> {
    let accesses: Vec<Access> = branches
        .iter()
        .map(|(unit, _)| operator.access(Permission::Write, unit).ok_or(BenchError::NoAccess))
        .collect::<Result<_, _>>()?;
    let mut g = Generator::new(17);
    let mut serial = 0u64;
    let mut load = BulkLoad::begin(db).await?;
    let mut done = 0;
    while done < count {
        let mut chunk: Vec<(ValidPerson, usize)> = Vec::with_capacity(50_000);
        while chunk.len() < 50_000 && done + chunk.len() < count {
            let b = g.below(branches.len());
            let commune = branches[b].0.code.split('-').next().unwrap_or_default().to_owned();
            for p in g.household(&cccd_province_for(&branches[b].1), &commune, &mut serial, 2026) {
                chunk.push((p, b));
            }
        }
        chunk.truncate(count - done);
        let records: Vec<Record<'_>> = chunk
            .iter()
            .map(|(person, b)| Record {
                person,
                access: &accesses[*b],
                address_commune_id: None,
            })
            .collect();
        load.insert(&records).await?;
        done += chunk.len();
    }
    load.commit().await?;
    Ok(())
}

/// A province's counts by sex and age band, with its communes'.
async fn rollup(db: &Db, counters: &[crate::org::Counter], province: &Unit) -> Result<(), BenchError> {
    let communes = org::children(db, province).await?;
    org::counts(db, counters, province, &communes, crate::calendar::this_year()).await?;
    org::demographics(db, counters, province, &communes).await?;
    Ok(())
}

/// The first page of a province's first-aiders who can come today.
async fn first_aiders(db: &Db, operator: &Principal, province: &Unit, today: &str) -> Result<(), BenchError> {
    let pool = Pool::Area {
        unit: province,
        skill: Skill::FirstAid,
        after: None,
        limit: callout::PAGE,
    };
    callout::call_out(db, operator, &pool, today)
        .await
        .map_err(|e| BenchError::Search(e.to_string()))?;
    Ok(())
}

async fn run(url: &str, plan: MembersPlan) -> Result<Value, BenchError> {
    let db = crate::open_database(url).await?;
    let operator = Principal::system("bench", org::central(&db).await?);
    let started = Instant::now();
    let branches = branches(&db).await?;
    // Three persons in four become members, the fourth a volunteer.
    let total = (plan.members + plan.volunteers)
        .max(plan.members * 4 / 3)
        .max(plan.volunteers * 4);
    // The first commune's branches stay empty for the member list's import:
    // a generated list would otherwise name some of a million generated
    // persons (same name and birth), which the import rightly reuses.
    persons(&db, &operator, branches.get(2..).unwrap_or_default(), total).await?;
    crate::members::demo::seed_bench(&db).await?;
    crate::volunteers::demo::seed_bench(&db).await?;
    let load_seconds = started.elapsed().as_secs_f64();
    let members = crate::db::Sql::new("SELECT COUNT(*) FROM members")
        .fetch_int(db.pool())
        .await?;
    let volunteers = crate::db::Sql::new("SELECT COUNT(*) FROM volunteers")
        .fetch_int(db.pool())
        .await?;

    // The member list of a branch, imported through HTTP by its commune's staff.
    let (branch, province) = branches.first().cloned().ok_or(BenchError::NoAccess)?;
    let commune = org::unit_by_id(&db, branch.parent_id.unwrap_or_default())
        .await?
        .ok_or(BenchError::NoAccess)?;
    let new = crate::accounts::service::NewAccount {
        username: "bench.staff".into(),
        display_name: "bench.staff".into(),
        password: BENCH_PASSWORD.into(),
        role: "staff".into(),
        unit_code: commune.code.clone(),
    };
    crate::accounts::service::create(&db, &operator, new)
        .await
        .map_err(|e| BenchError::Http(e.to_string()))?;
    // Timed once the bulk load is in the database's files (`Db::settle`),
    // not while it is still being flushed; likewise the samples below.
    let _ = db.settle().await;
    let server = Server::start(url, None)?;
    let staff = Session::login(server.addr, "bench.staff", BENCH_PASSWORD).await?;
    let file = workbook(plan.rows, 23, (&commune.code, &province), true)?;
    let imported = upload_and_commit(&staff, ("members", &branch.code), file).await?;
    drop(server);

    let provinces = org::children(&db, &org::central(&db).await?).await?;
    let mut rng = SmallRng::seed_from_u64(3);
    let today = crate::members::model::iso(crate::volunteers::service::today());
    let (mut lists, mut rollups, mut callouts) = (Vec::new(), Vec::new(), Vec::new());
    // A province's members, by sex and age band, with its communes'.
    let counters = crate::members::MEMBERS.counters.to_vec();
    // The timings are of a running server, not of one still writing the
    // bulk load to disk (PostgreSQL's next checkpoint would flush gigabytes
    // in the middle of the samples; a role without the right skips this),
    // and whose pages have been read once: one untimed pass over every
    // province first.
    let _ = db.settle().await;
    for province in &provinces {
        rollup(&db, &counters, province).await?;
        first_aiders(&db, &operator, province, &today).await?;
    }
    for _ in 0..plan.samples {
        let (branch, _) = &branches[rng.gen_range(0..branches.len())];
        let t = Instant::now();
        crate::members::service::list(&db, &operator, Some(branch), &Default::default(), 0, 100)
            .await
            .map_err(|e| BenchError::Search(e.to_string()))?;
        lists.push(t.elapsed().as_secs_f64() * 1000.0);

        let province = &provinces[rng.gen_range(0..provinces.len())];
        let t = Instant::now();
        rollup(&db, &counters, province).await?;
        rollups.push(t.elapsed().as_secs_f64() * 1000.0);

        let t = Instant::now();
        first_aiders(&db, &operator, province, &today).await?;
        callouts.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    db.close().await;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Ok(json!({
        "backend": match db.backend() { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
        "members": members,
        "volunteers": volunteers,
        "load_seconds": round(load_seconds),
        "rows": plan.rows,
        "import_seconds": round(imported.seconds),
        "import_rows_per_s": imported.rows_per_s(plan.rows),
        "member_list_ms": percentiles(lists),
        "rollup_ms": percentiles(rollups),
        "callout_ms": percentiles(callouts),
    }))
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_printed_url_keeps_no_password() {
        assert_eq!(
            without_password("postgres://bench:s3cret@127.0.0.1:5432/nhanai_bench_1"),
            "postgres://bench@127.0.0.1:5432/nhanai_bench_1"
        );
        assert_eq!(
            without_password("sqlite:///tmp/x.db?mode=rwc"),
            "sqlite:///tmp/x.db?mode=rwc"
        );
    }
}
