//! `nhanai bench persons`: bulk insert into a fresh database, then the
//! latency of name searches, CCCD look-ups and scoped list pages, and
//! through the real HTTP stack the authenticated point read on one core
//! and searches while log-ins arrive. Prints one JSON line last.

mod child;
mod http;
mod import;
mod ledger;
mod members;

pub use import::{import, ImportPlan};
pub use ledger::{ledger, LedgerPlan};
pub use members::{members, MembersPlan};

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::access::{Access, Permission, Principal};
use crate::db::{Backend, Db, Sql};
use crate::demo::generator::{cccd_province_for, Generator};
use crate::org::service as org;
use crate::org::Unit;
use crate::people::bulk::{BulkLoad, Record};
use crate::people::model::ValidPerson;

const CHUNK: usize = 50_000;
const BENCH_PASSWORD: &str = "bench-mat-khau-2026";

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Setup(#[from] crate::SetupError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Connect(#[from] crate::db::DbError),
    #[error("the benchmark's operator has no access")]
    NoAccess,
    #[error("search failed: {0}")]
    Search(String),
    #[error("HTTP benchmark: {0}")]
    Http(String),
}

/// A fresh database next to the one named by `url`, dropped afterwards.
struct Fresh {
    url: String,
    admin: Option<(Db, String)>,
}

async fn fresh(url: &str) -> Result<Fresh, BenchError> {
    let name = format!("nhanai_bench_{}", std::process::id());
    match url.parse::<Backend>()? {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            Ok(Fresh {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                admin: None,
            })
        }
        Backend::Postgres => {
            let admin = Db::connect(url).await?;
            Sql::new(&format!("CREATE DATABASE {name}"))
                .execute(admin.pool())
                .await?;
            let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
            Ok(Fresh {
                url: format!("{base}/{name}"),
                admin: Some((admin, name)),
            })
        }
    }
}

async fn drop_fresh(fresh: Fresh) {
    match fresh.admin {
        Some((admin, name)) => {
            let _ = Sql::new(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(admin.pool())
                .await;
        }
        None => {
            let path = fresh
                .url
                .trim_start_matches("sqlite://")
                .trim_end_matches("?mode=rwc")
                .to_owned();
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
    }
}

fn percentiles(mut ms: Vec<f64>) -> serde_json::Value {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    json!({ "p50": (at(0.50) * 1000.0).round() / 1000.0, "p99": (at(0.99) * 1000.0).round() / 1000.0 })
}

/// What `nhanai bench persons` measures, and how much.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Persons loaded.
    pub count: usize,
    /// Timed requests of each kind.
    pub samples: usize,
    /// Seconds of point reads.
    pub seconds: u64,
}

pub async fn persons(url: &str, plan: Plan) -> Result<(), BenchError> {
    let target = fresh(url).await?;
    let result = run(&target.url, plan).await;
    drop_fresh(target).await;
    let report = result?;
    println!("{report}");
    Ok(())
}

async fn run(url: &str, plan: Plan) -> Result<serde_json::Value, BenchError> {
    let Plan {
        count,
        samples,
        seconds,
    } = plan;
    let db = crate::open_database(url).await?;
    let communes = org::communes_with_province(&db, None, false).await?;
    let operator = Principal::system("bench", org::central(&db).await?);
    let accesses: Vec<Access> = communes
        .iter()
        .map(|(unit, _)| operator.access(Permission::Write, unit).ok_or(BenchError::NoAccess))
        .collect::<Result<_, _>>()?;

    // Generate first, so that the insert rate measures the database alone.
    let mut g = Generator::new(2026);
    let mut serial = 0u64;
    let mut people: Vec<(ValidPerson, usize)> = Vec::with_capacity(count);
    while people.len() < count {
        let c = g.below(communes.len());
        for p in g.household(
            &cccd_province_for(&communes[c].1),
            &communes[c].0.code,
            &mut serial,
            2026,
        ) {
            people.push((p, c));
        }
    }
    people.truncate(count);

    let started = Instant::now();
    let mut load = BulkLoad::begin(&db).await?;
    for chunk in people.chunks(CHUNK) {
        let records: Vec<Record<'_>> = chunk
            .iter()
            .map(|(person, c)| Record {
                person,
                access: &accesses[*c],
                address_commune_id: None,
            })
            .collect();
        load.insert(&records).await?;
    }
    load.commit().await?;
    let insert_seconds = started.elapsed().as_secs_f64();

    let province_code = |commune: &Unit| -> Option<String> {
        communes
            .iter()
            .find(|(u, _)| u.id == commune.id)
            .map(|(_, province)| province.clone())
    };
    let mut rng = SmallRng::seed_from_u64(99);
    let (mut names, mut cccds, mut lists) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let (person, c) = &people[rng.gen_range(0..people.len())];
        let commune = &communes[*c].0;
        // Searches as a province's staff would run them: inside their province.
        let province = province_code(commune);
        let t = Instant::now();
        search(&db, &operator, &person.name_folded, province.as_deref(), None).await?;
        names.push(t.elapsed().as_secs_f64() * 1000.0);

        let (other, _) = &people[rng.gen_range(0..people.len())];
        if let Some(cccd) = &other.cccd {
            let t = Instant::now();
            search(&db, &operator, cccd, None, None).await?;
            cccds.push(t.elapsed().as_secs_f64() * 1000.0);
        }

        let unit = if rng.gen_bool(0.5) {
            province.clone()
        } else {
            Some(commune.code.clone())
        };
        let after = rng.gen_bool(0.5).then(|| format!("0.0~{}", person.sort_key));
        let t = Instant::now();
        search(&db, &operator, "", unit.as_deref(), after.as_deref()).await?;
        lists.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut country_names = Vec::new();
    for _ in 0..samples {
        let (person, _) = &people[rng.gen_range(0..people.len())];
        let t = Instant::now();
        search(&db, &operator, &person.name_folded, None, None).await?;
        country_names.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    // Through HTTP: accounts to read with and to log in as.
    let readers = [("bench.viewer", "viewer", crate::org::model::CENTRAL_CODE.to_owned())];
    let login_commune = communes[0].0.code.clone();
    let logins: Vec<(String, String)> = (0..10)
        .map(|i| (format!("bench.login{i}"), BENCH_PASSWORD.to_owned()))
        .collect();
    for (username, role, unit) in readers
        .iter()
        .cloned()
        .chain(logins.iter().map(|(u, _)| (u.as_str(), "staff", login_commune.clone())))
    {
        let new = crate::accounts::service::NewAccount {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password: BENCH_PASSWORD.to_owned(),
            role: role.to_owned(),
            unit_code: unit,
        };
        crate::accounts::service::create(&db, &operator, new)
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
    }
    let ids: Vec<String> = Sql::new("SELECT id FROM persons ORDER BY id LIMIT 200000")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| format!("/api/v1/persons/{}", crate::db::int(r, 0)))
        .collect();
    let point_paths: Vec<String> = (0..samples).map(|_| ids[rng.gen_range(0..ids.len())].clone()).collect();
    let url_owned = url.to_owned();
    let (point_rps, point_ms) = tokio::task::spawn_blocking(move || {
        http::point_reads(&url_owned, "bench.viewer", BENCH_PASSWORD, point_paths, seconds)
    })
    .await
    .map_err(|e| BenchError::Http(e.to_string()))??;
    let burst_paths: Vec<String> = (0..samples)
        .map(|_| {
            let (person, c) = &people[rng.gen_range(0..people.len())];
            let province = province_code(&communes[*c].0).unwrap_or_default();
            format!(
                "/api/v1/persons?q={}&unit={province}",
                crate::web::page::url_encode(&person.name_folded)
            )
        })
        .collect();
    let (burst_ms, burst_logins) =
        http::searches_during_logins(url, ("bench.viewer", BENCH_PASSWORD), logins, &burst_paths).await?;
    db.close().await;
    Ok(json!({
        "backend": match db.backend() { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
        "count": count,
        "insert_seconds": (insert_seconds * 100.0).round() / 100.0,
        "insert_rows_per_s": (count as f64 / insert_seconds).round(),
        "name_search_ms": percentiles(names),
        "name_search_country_ms": percentiles(country_names),
        "cccd_lookup_ms": percentiles(cccds),
        "list_page_ms": percentiles(lists),
        "point_read_requests_per_s": point_rps.round(),
        "point_read_ms": percentiles(point_ms),
        "login_burst_search_ms": percentiles(burst_ms),
        "login_burst_logins": burst_logins,
    }))
}

async fn search(db: &Db, user: &Principal, q: &str, unit: Option<&str>, after: Option<&str>) -> Result<(), BenchError> {
    crate::people::search::search(db, user, q, unit, after)
        .await
        .map(drop)
        .map_err(|e| BenchError::Search(e.to_string()))
}
