//! The ledger as stored, on both engines: only balanced entries go in;
//! nothing updates or deletes an entry; and `ledger verify` (the service
//! and the command, on a read-only connection) names the first entry
//! changed, removed or moved straight in the database.

use std::process::Command;

use nhanai::ledger::chain::Broken;
use nhanai::ledger::model::{self, EntryKind, Head, LineError};
use nhanai::ledger::service::{self, LedgerError};
use nhanai::ledger::storage::NewEntry;
use nhanai::money::Money;

use crate::support::units::*;
use crate::support::TestApp;

/// A unit with a bank account and an appeal fund: (unit, account, fund).
/// Set up in SQL until funds and accounts have their pages.
async fn unit_with_fund(app: &TestApp) -> (i64, i64, i64) {
    let unit = app
        .count(&format!("SELECT id FROM units WHERE code = '{NGOC_HA}'"))
        .await;
    app.sql(&format!(
        "INSERT INTO ledger_accounts (kind, name, bank_name, bank_bin, account_no, unit_id, created_at, updated_at) \
         VALUES ('bank', 'Tài khoản cứu trợ', 'Vietcombank', '970436', '0011001932418', {unit}, '2024-09-01T00:00:00.000Z', '2024-09-01T00:00:00.000Z')"
    ))
    .await
    .unwrap();
    let account = app.count("SELECT MAX(id) FROM ledger_accounts").await;
    app.sql(&format!(
        "INSERT INTO ledger_funds (kind, name, purpose, account_id, unit_id, created_at, updated_at) \
         VALUES ('appeal', 'Ủng hộ bão Yagi', 'Khắc phục hậu quả bão số 3', {account}, {unit}, '2024-09-01T00:00:00.000Z', '2024-09-01T00:00:00.000Z')"
    ))
    .await
    .unwrap();
    let fund = app.count("SELECT MAX(id) FROM ledger_funds").await;
    (unit, account, fund)
}

fn gift(fund: i64, account: i64, dong: i64, donor: &str) -> NewEntry {
    NewEntry {
        on_date: "2024-09-01".into(),
        kind: EntryKind::Donation,
        description: format!("{donor} ung ho bao Yagi"),
        counterparty: donor.into(),
        reference: format!("5241.{dong}"),
        reverses: None,
        lines: model::donation(fund, account, Money::from_dong(dong)),
        amount: Money::from_dong(dong),
        private_json: format!("{{\"description\":\"MBVCB.1.{donor} CT tu 0101001222009\"}}"),
    }
}

/// Five gifts and a payment out, on the chain of `unit`.
async fn filled(app: &TestApp) -> (i64, i64, i64) {
    let (unit, account, fund) = unit_with_fund(app).await;
    let gifts = (1..=5)
        .map(|i| gift(fund, account, i * 100_000, "CAO VIET TUAN"))
        .collect();
    service::append(&app.db, unit, gifts, "test").await.unwrap();
    let paid = NewEntry {
        kind: EntryKind::Disbursement,
        lines: model::spending(fund, account, Head::Disbursement, Money::from_dong(250_000)),
        amount: Money::from_dong(250_000),
        ..gift(fund, account, 250_000, "UBND xa")
    };
    service::append(&app.db, unit, vec![paid], "test").await.unwrap();
    (unit, account, fund)
}

#[tokio::test]
async fn a_ledger_written_by_the_application_verifies_with_its_totals() {
    let app = TestApp::new().await;
    let (_, _, fund) = filled(&app).await;
    let verified = service::verify(&app.db).await.unwrap();
    assert_eq!((verified.entries, verified.chains), (6, 1));
    let totals = verified.totals[&fund];
    assert_eq!(totals.raised, Money::from_dong(1_500_000));
    assert_eq!(totals.spent, Money::from_dong(250_000));
    assert_eq!(totals.held, Money::from_dong(1_250_000));
}

#[tokio::test]
async fn an_unbalanced_entry_is_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let (unit, account, fund) = unit_with_fund(&app).await;
    let mut lopsided = gift(fund, account, 100_000, "A");
    lopsided.lines[1].credit = Money::from_dong(90_000);
    let good = gift(fund, account, 50_000, "B");
    let refused = service::append(&app.db, unit, vec![good, lopsided], "test").await;
    assert!(matches!(refused, Err(LedgerError::Lines(LineError::Unbalanced))));
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_heads").await, 0);
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_entries() {
    let app = TestApp::new().await;
    filled(&app).await;
    for statement in [
        "UPDATE ledger_entries SET counterparty = 'X'",
        "DELETE FROM ledger_entries WHERE seq = 6",
        "UPDATE ledger_lines SET debit = debit + 1 WHERE debit > 0",
        "DELETE FROM ledger_lines",
    ] {
        assert!(app.sql(statement).await.is_err(), "{statement}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 6);
    assert!(service::verify(&app.db).await.is_ok());
}

/// Removes the guards, as someone with the database's password could.
async fn drop_guards(app: &TestApp) {
    let statements: &[&str] = if crate::support::backend() == "postgres" {
        &[
            "DROP TRIGGER ledger_entries_no_change ON ledger_entries",
            "DROP TRIGGER ledger_lines_no_change ON ledger_lines",
        ]
    } else {
        &[
            "DROP TRIGGER ledger_entries_no_update",
            "DROP TRIGGER ledger_entries_no_delete",
            "DROP TRIGGER ledger_lines_no_update",
            "DROP TRIGGER ledger_lines_no_delete",
        ]
    };
    for statement in statements {
        app.sql(statement).await.unwrap();
    }
}

fn broken(result: Result<nhanai::ledger::file::Verified, LedgerError>) -> Broken {
    match result {
        Err(LedgerError::Broken(b)) => b,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[tokio::test]
async fn a_changed_amount_is_named_by_its_entry() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    app.sql(
        "UPDATE ledger_lines SET debit = debit * 10 WHERE debit > 0 \
         AND entry_id = (SELECT id FROM ledger_entries WHERE seq = 3)",
    )
    .await
    .unwrap();
    app.sql(
        "UPDATE ledger_lines SET credit = credit * 10 WHERE credit > 0 \
         AND entry_id = (SELECT id FROM ledger_entries WHERE seq = 3)",
    )
    .await
    .unwrap();
    assert_eq!(broken(service::verify(&app.db).await), Broken::Hash { unit, seq: 3 });
}

#[tokio::test]
async fn a_changed_private_part_is_caught() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    app.sql("UPDATE ledger_entries SET private_json = '{}' WHERE seq = 2")
        .await
        .unwrap();
    assert_eq!(broken(service::verify(&app.db).await), Broken::Hash { unit, seq: 2 });
}

#[tokio::test]
async fn removed_rows_are_caught_in_the_middle_and_at_the_end() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    app.sql("DELETE FROM ledger_lines WHERE entry_id = (SELECT id FROM ledger_entries WHERE seq = 6)")
        .await
        .unwrap();
    app.sql("DELETE FROM ledger_entries WHERE seq = 6").await.unwrap();
    assert_eq!(
        broken(service::verify(&app.db).await),
        Broken::Head { unit, seq: 5, head: 6 }
    );
    app.sql("DELETE FROM ledger_lines WHERE entry_id = (SELECT id FROM ledger_entries WHERE seq = 2)")
        .await
        .unwrap();
    app.sql("DELETE FROM ledger_entries WHERE seq = 2").await.unwrap();
    assert_eq!(
        broken(service::verify(&app.db).await),
        Broken::Sequence { unit, seq: 3, last: 1 }
    );
}

#[tokio::test]
async fn reordered_rows_are_caught() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    // Entries 2 and 4 trade places in the chain.
    for statement in [
        "UPDATE ledger_entries SET seq = -2 WHERE seq = 2",
        "UPDATE ledger_entries SET seq = 2 WHERE seq = 4",
        "UPDATE ledger_entries SET seq = 4 WHERE seq = -2",
    ] {
        app.sql(statement).await.unwrap();
    }
    assert_eq!(broken(service::verify(&app.db).await), Broken::Link { unit, seq: 2 });
}

fn verify_command(url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nhanai"))
        .args(["--database-url", url, "ledger", "verify"])
        .output()
        .expect("run nhanai")
}

#[tokio::test]
async fn the_command_verifies_the_database_read_only_and_fails_on_tampering() {
    let app = TestApp::new().await;
    let (unit, _, fund) = filled(&app).await;
    let ok = verify_command(&app.url);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(ok.stdout.trim_ascii_end().rsplit(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(report["entries"], 6);
    assert_eq!(report["totals"][fund.to_string()]["raised"], 1_500_000);

    drop_guards(&app).await;
    app.sql("UPDATE ledger_entries SET counterparty = 'NGUOI KHAC' WHERE seq = 5")
        .await
        .unwrap();
    let caught = verify_command(&app.url);
    assert!(!caught.status.success());
    let said = String::from_utf8_lossy(&caught.stderr);
    assert!(said.contains(&format!("unit {unit}: entry 5")), "{said}");
}

#[tokio::test]
async fn the_command_creates_no_database() {
    if crate::support::backend() != "sqlite" {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.db");
    let out = verify_command(&format!("sqlite://{}", path.display()));
    assert!(!out.status.success());
    assert!(!path.exists(), "the check created a database");
}

/// The real statement of the 2024 Yagi appeal (`../shared/data/yagi-2024`,
/// 21 CSV parts), when this checkout sits beside it.
fn yagi_parts() -> Option<Vec<std::path::PathBuf>> {
    let dir = std::env::var("NHANAI_YAGI_STATEMENT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/yagi-2024").to_owned());
    let mut parts: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    parts.sort();
    Some(parts)
}

#[test]
fn the_yagi_statement_reads_to_the_dong_and_no_repeated_row_is_lost() {
    use nhanai::ledger::statement::{assemble, row_keys, RawRow};
    let Some(parts) = yagi_parts() else {
        eprintln!("the Yagi statement is not beside this checkout: not read");
        return;
    };
    let mut raw = Vec::new();
    for part in &parts {
        let mut reader = csv::Reader::from_path(part).unwrap();
        for (n, record) in reader.records().enumerate() {
            let r = record.unwrap();
            raw.push(RawRow {
                number: n as i64 + 2,
                date: r[1].to_owned(),
                reference: r[2].to_owned(),
                debit: r[3].to_owned(),
                credit: r[4].to_owned(),
                description: r[6].to_owned(),
            });
        }
    }
    let rows = assemble(&raw).unwrap_or_else(|issues| panic!("{:?}", &issues[..issues.len().min(5)]));
    assert_eq!(rows.len(), 200_361);
    let credited: i64 = rows.iter().map(|r| r.credit.dong()).sum();
    assert_eq!(credited, 135_081_775_728);
    // Reference, date and amount repeat for different gifts: each keeps its key.
    let keys: std::collections::HashSet<String> = row_keys(&rows).into_iter().collect();
    assert_eq!(keys.len(), rows.len());
    let triples: std::collections::HashSet<(String, time::Date, i64)> = rows
        .iter()
        .map(|r| (r.reference.clone(), r.date, r.credit.dong()))
        .collect();
    assert!(rows.len() - triples.len() > 1_000, "{}", rows.len() - triples.len());
}
