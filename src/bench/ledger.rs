//! `nhanai bench ledger --statement DIR`: a fresh database, a commune's
//! bank account with its appeal, and the real Yagi statement (the CSV
//! parts in DIR) imported through HTTP exactly as an accountant would —
//! upload, the toolkit's check and preview, commit — part after part.
//! Prints one JSON line last: the rows per second from the first upload
//! to the last commit (hashing included) and the đồng credited.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use super::http::{Server, Session};
use super::import::upload_and_commit_with;
use super::{drop_fresh, fresh, BenchError, BENCH_PASSWORD};
use crate::access::Principal;
use crate::ledger::funds::{AccountInput, FundInput};
use crate::ledger::manage;
use crate::org::service as org;

pub struct LedgerPlan {
    pub statement: PathBuf,
}

pub async fn ledger(url: &str, plan: LedgerPlan) -> Result<(), BenchError> {
    let target = fresh(url).await?;
    let result = run(&target.url, &plan.statement).await;
    drop_fresh(target).await;
    println!("{}", result?);
    Ok(())
}

fn parts(dir: &Path) -> Result<Vec<PathBuf>, BenchError> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BenchError::Http(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    parts.sort();
    if parts.is_empty() {
        return Err(BenchError::Http(format!("{}: no CSV statement", dir.display())));
    }
    Ok(parts)
}

async fn run(url: &str, dir: &Path) -> Result<Value, BenchError> {
    let parts = parts(dir)?;
    let db = crate::open_database(url).await?;
    let operator = Principal::system("bench", org::central(&db).await?);
    let communes = org::communes_with_province(&db, None, false).await?;
    let (commune, _) = communes.first().cloned().ok_or(BenchError::NoAccess)?;
    let failed = |e: crate::ledger::service::LedgerError| BenchError::Http(e.to_string());
    let account = AccountInput {
        kind: "bank".into(),
        name: "Tài khoản cứu trợ".into(),
        bank_name: "Vietcombank".into(),
        bank_bin: "970436".into(),
        account_no: "0011001932418".into(),
        unit: commune.code.clone(),
    };
    let account = manage::create_account(&db, &operator, &account).await.map_err(failed)?;
    let appeal = FundInput {
        kind: "appeal".into(),
        name: "Ủng hộ đồng bào bị thiệt hại do bão số 3 (Yagi)".into(),
        purpose: "Khắc phục hậu quả bão số 3".into(),
        opens_on: "01/09/2024".into(),
        account_id: Some(account.id),
        unit: commune.code.clone(),
        ..FundInput::default()
    };
    let appeal = manage::create_fund(&db, &operator, &appeal).await.map_err(failed)?;
    let new = crate::accounts::service::NewAccount {
        username: "bench.ketoan".into(),
        display_name: "bench.ketoan".into(),
        password: BENCH_PASSWORD.into(),
        role: "staff".into(),
        unit_code: commune.code.clone(),
    };
    crate::accounts::service::create(&db, &operator, new)
        .await
        .map_err(|e| BenchError::Http(e.to_string()))?;
    let _ = db.settle().await;
    let server = Server::start(url, None)?;
    let staff = Session::login(server.addr, "bench.ketoan", BENCH_PASSWORD).await?;
    let account_id = account.id.to_string();
    let fields = [
        ("kind", "statement"),
        ("unit", commune.code.as_str()),
        ("target", account_id.as_str()),
    ];
    let started = Instant::now();
    let mut rows = 0u64;
    for part in &parts {
        let file = std::fs::read(part).map_err(|e| BenchError::Http(format!("{}: {e}", part.display())))?;
        let name = part.file_name().and_then(|n| n.to_str()).unwrap_or("saoke.csv");
        rows += upload_and_commit_with(&staff, &fields, name, file).await?.created;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(server);
    let totals = crate::ledger::storage::listing::fund_totals(&db, appeal.id).await?;
    let queued = crate::db::Sql::new("SELECT COUNT(*) FROM ledger_unmatched")
        .fetch_int(db.pool())
        .await?;
    db.close().await;
    Ok(json!({
        "backend": match db.backend() { crate::db::Backend::Sqlite => "sqlite", crate::db::Backend::Postgres => "postgres" },
        "yagi_parts": parts.len(),
        "yagi_rows": rows,
        "yagi_queued": queued,
        "yagi_seconds": (seconds * 100.0).round() / 100.0,
        "yagi_import_rows_per_s": (rows as f64 / seconds).round(),
        "yagi_credit_total": totals.raised.dong(),
    }))
}
