//! SQL of accounts and funds: placed at the unit that holds them, read
//! inside the user's scope (or, for the public pages, appeals alone).

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};
use crate::ledger::funds::{Account, AccountKind, Fund, FundKind, ValidAccount, ValidFund};
use crate::money::Money;
use crate::org::service::placement;

const ACCOUNT_COLUMNS: &str = "SELECT a.id, a.kind, a.name, a.bank_name, a.bank_bin, a.account_no, u.code, u.name, \
     a.unit_id, a.province_id, a.commune_id, a.branch_id FROM ledger_accounts a JOIN units u ON u.id = a.unit_id WHERE ";

const FUND_COLUMNS: &str = "SELECT f.id, f.kind, f.name, f.purpose, f.target, f.opens_on, f.closes_on, f.account_id, \
     u.code, u.name, f.unit_id, f.province_id, f.commune_id, f.branch_id FROM ledger_funds f JOIN units u ON u.id = f.unit_id WHERE ";

fn decode(what: &str, text: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("{what} {text}").into())
}

fn account_of(row: &AnyRow) -> Result<Account, sqlx::Error> {
    let kind: String = row.try_get(1)?;
    Ok(Account {
        id: row.try_get(0)?,
        kind: AccountKind::parse(&kind).ok_or_else(|| decode("account kind", &kind))?,
        name: row.try_get(2)?,
        bank_name: row.try_get(3)?,
        bank_bin: row.try_get(4)?,
        account_no: row.try_get(5)?,
        unit_code: row.try_get(6)?,
        unit_name: row.try_get(7)?,
        unit_id: row.try_get(8)?,
        placement: placement::of_row(row, 9)?,
    })
}

fn fund_of(row: &AnyRow) -> Result<Fund, sqlx::Error> {
    let kind: String = row.try_get(1)?;
    let id: i64 = row.try_get(0)?;
    let target: Option<i64> = row.try_get(4)?;
    Ok(Fund {
        id,
        kind: FundKind::parse(&kind).ok_or_else(|| decode("fund kind", &kind))?,
        name: row.try_get(2)?,
        purpose: row.try_get(3)?,
        target: target.map(Money::from_dong),
        opens_on: row.try_get(5)?,
        closes_on: row.try_get(6)?,
        account_id: row.try_get(7)?,
        payment_code: crate::ledger::describe::payment_code(id),
        unit_code: row.try_get(8)?,
        unit_name: row.try_get(9)?,
        unit_id: row.try_get(10)?,
        placement: placement::of_row(row, 11)?,
    })
}

fn push_placed(sql: &mut Sql, access: &Access, now: &str) {
    let p = access.placement();
    sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ")
        .bind(now.to_owned())
        .push(", ")
        .bind(now.to_owned())
        .push(") RETURNING id");
}

pub async fn insert_account(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    v: &ValidAccount,
) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO ledger_accounts (kind, name, bank_name, bank_bin, account_no, unit_id, province_id, \
         commune_id, branch_id, created_at, updated_at) VALUES (",
    );
    sql.bind(v.kind.as_str().to_owned()).push(", ").bind(v.name.clone());
    sql.push(", ")
        .bind(v.bank_name.clone())
        .push(", ")
        .bind(v.bank_bin.clone());
    sql.push(", ").bind(v.account_no.clone());
    push_placed(&mut sql, access, &db::now());
    sql.fetch_int(&mut **tx).await
}

pub async fn insert_fund(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    v: &ValidFund,
) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO ledger_funds (kind, name, purpose, target, opens_on, closes_on, account_id, unit_id, \
         province_id, commune_id, branch_id, created_at, updated_at) VALUES (",
    );
    let iso = |d: Option<time::Date>| d.map(crate::members::model::iso);
    sql.bind(v.kind.as_str().to_owned()).push(", ").bind(v.name.clone());
    sql.push(", ")
        .bind(v.purpose.clone())
        .push(", ")
        .bind(v.target.map(Money::dong));
    sql.push(", ").bind(iso(v.opens_on)).push(", ").bind(iso(v.closes_on));
    sql.push(", ").bind(v.account_id);
    push_placed(&mut sql, access, &db::now());
    sql.fetch_int(&mut **tx).await
}

pub async fn account(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let mut sql = Sql::new(ACCOUNT_COLUMNS);
    sql.push("a.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "a");
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(account_of)
        .transpose()
}

/// An account read by the ledger's own code (a fund's account on its
/// public page, where only the bank, BIN and number of an organisation's
/// account are shown).
pub async fn account_by_id(db: &Db, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let mut sql = Sql::new(ACCOUNT_COLUMNS);
    sql.push("a.id = ").bind(id);
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(account_of)
        .transpose()
}

pub async fn fund(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Fund>, sqlx::Error> {
    let mut sql = Sql::new(FUND_COLUMNS);
    sql.push("f.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "f");
    sql.fetch_optional(db.pool()).await?.as_ref().map(fund_of).transpose()
}

/// An appeal, for its public page: appeals are public, other funds not.
pub async fn public_appeal(db: &Db, id: i64) -> Result<Option<Fund>, sqlx::Error> {
    let mut sql = Sql::new(FUND_COLUMNS);
    sql.push("f.kind = 'appeal' AND f.id = ").bind(id);
    sql.fetch_optional(db.pool()).await?.as_ref().map(fund_of).transpose()
}

/// The accounts and funds held by `unit_id` (read in `scope`).
pub async fn of_unit(db: &Db, scope: &ReadScope, unit_id: i64) -> Result<(Vec<Account>, Vec<Fund>), sqlx::Error> {
    let mut sql = Sql::new(ACCOUNT_COLUMNS);
    sql.push("a.unit_id = ").bind(unit_id).push(" AND ");
    scope.push_filter(&mut sql, "a");
    sql.push(" ORDER BY a.id");
    let accounts = sql
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(account_of)
        .collect::<Result<_, _>>()?;
    let mut sql = Sql::new(FUND_COLUMNS);
    sql.push("f.unit_id = ").bind(unit_id).push(" AND ");
    scope.push_filter(&mut sql, "f");
    sql.push(" ORDER BY f.id");
    let funds = sql
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(fund_of)
        .collect::<Result<_, _>>()?;
    Ok((accounts, funds))
}

/// Whether every one of `funds` and `accounts` is held by `unit_id`
/// (read in `tx`, so a merge cannot move them meanwhile).
pub async fn all_held(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    funds: &[i64],
    accounts: &[i64],
) -> Result<bool, sqlx::Error> {
    for (table, ids) in [("ledger_funds", funds), ("ledger_accounts", accounts)] {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(&format!("SELECT COUNT(*) FROM {table} WHERE unit_id = "));
            sql.bind(unit_id).push(" AND id IN (").bind_list(chunk).push(")");
            if sql.fetch_int(&mut **tx).await? != chunk.len() as i64 {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Whether `unit_id` holds an appeal (its ledger is then public).
pub async fn holds_appeal(db: &Db, unit_id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM ledger_funds WHERE kind = 'appeal' AND unit_id = ");
    sql.bind(unit_id);
    Ok(sql.fetch_int(db.pool()).await? > 0)
}
