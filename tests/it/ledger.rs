//! The ledger as stored, on both engines: only balanced entries go in;
//! nothing updates or deletes an entry; and `ledger verify` (the service
//! and the command, on a read-only connection) names the first entry
//! changed, removed or moved straight in the database.

use std::process::Command;

use nhanai::ledger::chain::{Broken, Heads};
use nhanai::ledger::model::{self, EntryKind, Head, LineError};
use nhanai::ledger::service::{self, LedgerError};
use nhanai::ledger::storage::NewEntry;
use nhanai::money::Money;

use crate::support::units::*;
use crate::support::TestApp;

/// A unit with a bank account and an appeal fund, opened through the
/// API by its staff: (unit id, account, fund).
async fn unit_with_fund(app: &TestApp) -> (i64, i64, i64) {
    let mut staff = app.signed_in("ngocha.ketoan", "staff", NGOC_HA).await;
    let (account, fund) = crate::support::ledger::open_appeal(&mut staff, NGOC_HA).await;
    let unit = app
        .count(&format!("SELECT id FROM units WHERE code = '{NGOC_HA}'"))
        .await;
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
    service::append(&app.db, unit, gifts, None).await.unwrap();
    let paid = NewEntry {
        kind: EntryKind::Disbursement,
        lines: model::spending(fund, account, Head::Disbursement, Money::from_dong(250_000)),
        amount: Money::from_dong(250_000),
        ..gift(fund, account, 250_000, "UBND xa")
    };
    service::append(&app.db, unit, vec![paid], None).await.unwrap();
    (unit, account, fund)
}

#[tokio::test]
async fn a_ledger_written_by_the_application_verifies_with_its_totals() {
    let app = TestApp::new().await;
    let (_, _, fund) = filled(&app).await;
    let verified = service::verify(&app.db, Heads::new()).await.unwrap();
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
    let refused = service::append(&app.db, unit, vec![good.clone(), lopsided], None).await;
    assert!(matches!(refused, Err(LedgerError::Lines(LineError::Unbalanced))));
    // Refused inside the database (an unknown fund): the first entry goes too.
    let mut unknown = gift(fund + 100, account, 10_000, "C");
    unknown.lines[1].fund_id = fund + 100;
    let refused = service::append(&app.db, unit, vec![good, unknown], None).await;
    assert!(matches!(refused, Err(LedgerError::NotHeld)), "{refused:?}");
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
        "DELETE FROM ledger_heads",
        "UPDATE ledger_heads SET seq = seq - 1",
    ] {
        let refused = app.sql(statement).await.unwrap_err().to_string();
        assert!(
            refused.contains("append-only") || refused.contains("moves forward"),
            "{statement}: {refused}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 6);
    assert!(service::verify(&app.db, Heads::new()).await.is_ok());
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
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::Hash { unit, seq: 3 }
    );
}

#[tokio::test]
async fn a_changed_private_part_is_caught() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    app.sql("UPDATE ledger_entries SET private_json = '{}' WHERE seq = 2")
        .await
        .unwrap();
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::Hash { unit, seq: 2 }
    );
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
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::Head { unit, seq: 5, head: 6 }
    );
    app.sql("DELETE FROM ledger_lines WHERE entry_id = (SELECT id FROM ledger_entries WHERE seq = 2)")
        .await
        .unwrap();
    app.sql("DELETE FROM ledger_entries WHERE seq = 2").await.unwrap();
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
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
        "UPDATE ledger_entries SET seq = 1000 WHERE seq = 2",
        "UPDATE ledger_entries SET seq = 2 WHERE seq = 4",
        "UPDATE ledger_entries SET seq = 4 WHERE seq = 1000",
    ] {
        app.sql(statement).await.unwrap();
    }
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::Link { unit, seq: 2 }
    );
}

/// The stored entry `seq` of `unit`, as the verifier reads it.
async fn stored(app: &TestApp, seq: i64) -> nhanai::ledger::chain::ChainedEntry {
    let mut tx = nhanai::ledger::storage::snapshot(&app.db).await.unwrap();
    let page = nhanai::ledger::storage::entries_page(&app.db, &mut tx, None, (i64::MIN, i64::MIN), 100)
        .await
        .unwrap();
    page.into_iter()
        .map(|s| s.chained)
        .find(|c| c.entry.seq == seq)
        .unwrap()
}

#[tokio::test]
async fn a_replaced_last_entry_with_a_consistent_hash_is_caught_by_the_head() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    let mut forged = stored(&app, 6).await;
    forged.entry.reference = "9999.99999".into();
    let hash = nhanai::ledger::chain::hash(&forged.prev_hash, &forged.entry);
    app.sql(&format!(
        "UPDATE ledger_entries SET reference = '9999.99999', hash = '{hash}' WHERE seq = 6"
    ))
    .await
    .unwrap();
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::HeadHash { unit, seq: 6 }
    );
}

#[tokio::test]
async fn derived_columns_and_missing_heads_are_caught() {
    let app = TestApp::new().await;
    let (unit, _, _) = filled(&app).await;
    drop_guards(&app).await;
    app.sql("UPDATE ledger_entries SET amount = amount + 1 WHERE seq = 4")
        .await
        .unwrap();
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::Derived { unit, seq: 4 }
    );
    app.sql("UPDATE ledger_entries SET amount = amount - 1 WHERE seq = 4")
        .await
        .unwrap();
    if crate::support::backend() == "postgres" {
        app.sql("DROP TRIGGER ledger_heads_forward ON ledger_heads")
            .await
            .unwrap();
    } else {
        app.sql("DROP TRIGGER ledger_heads_stay").await.unwrap();
    }
    app.sql("DELETE FROM ledger_heads").await.unwrap();
    assert_eq!(
        broken(service::verify(&app.db, Heads::new()).await),
        Broken::NoHead { unit }
    );
}

#[tokio::test]
async fn a_head_saved_earlier_proves_the_past_unchanged() {
    let app = TestApp::new().await;
    let (unit, account, fund) = filled(&app).await;
    let saved = service::verify(&app.db, Heads::new()).await.unwrap().heads[&unit].clone();
    let more = (0..3).map(|i| gift(fund, account, 1_000 + i, "LE VAN C")).collect();
    service::append(&app.db, unit, more, None).await.unwrap();
    let heads = Heads::from([(unit, (saved.seq, saved.hash.clone()))]);
    assert_eq!(service::verify(&app.db, heads.clone()).await.unwrap().entries, 9);
    let wrong = Heads::from([(unit, (saved.seq - 1, saved.hash.clone()))]);
    assert_eq!(
        broken(service::verify(&app.db, wrong).await),
        Broken::Saved {
            unit,
            seq: saved.seq - 1
        }
    );
    let beyond = Heads::from([(unit, (50, saved.hash))]);
    assert_eq!(
        broken(service::verify(&app.db, beyond).await),
        Broken::SavedMissing { unit, seq: 50 }
    );
}

#[tokio::test]
async fn appends_from_two_servers_queue_on_one_chain() {
    let app = TestApp::new().await;
    let (unit, account, fund) = unit_with_fund(&app).await;
    let other = app.second_server().await;
    let batch = |n: i64| {
        (0..20)
            .map(|i| gift(fund, account, n * 1_000 + i + 1, "PHAM VAN D"))
            .collect::<Vec<_>>()
    };
    let (a, b) = tokio::join!(
        service::append(&app.db, unit, batch(1), None),
        service::append(&other.db, unit, batch(2), None)
    );
    assert_eq!((a.unwrap().len(), b.unwrap().len()), (20, 20));
    let verified = service::verify(&app.db, Heads::new()).await.unwrap();
    assert_eq!((verified.entries, verified.heads[&unit].seq), (40, 40));
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
