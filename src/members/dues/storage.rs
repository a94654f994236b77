//! SQL of dues: rates per unit and year, payments per member, and the
//! arrears of a unit's members, computed by the database.

use sqlx::{Any, Row, Transaction};

use super::{Owed, Payment, Rate};
use crate::access::ReadScope;
use crate::db::{self, Db, Sql};
use crate::members::storage::{member_from_row, push_filter, Filter, COLUMNS, FROM};
use crate::money::Money;
use crate::org::model::CENTRAL_CODE;

pub async fn set_rate(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    year: i32,
    amount: Money,
) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT amount FROM dues_rates WHERE unit_id = ");
    sql.bind(unit_id).push(" AND year = ").bind(i64::from(year));
    let before = sql.fetch_optional(&mut **tx).await?.map(|r| db::int(&r, 0));
    let mut sql = Sql::new("INSERT INTO dues_rates (unit_id, year, amount, updated_at) VALUES (");
    sql.bind(unit_id).push(", ").bind(i64::from(year)).push(", ");
    sql.bind(amount.dong()).push(", ").bind(db::now());
    sql.push(") ON CONFLICT (unit_id, year) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at");
    sql.execute(&mut **tx).await?;
    Ok(before)
}

/// The rates `units` (ids) set, newest year first.
pub async fn rates(db: &Db, units: &[i64]) -> Result<Vec<Rate>, sqlx::Error> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT u.code, u.name, r.year, r.amount FROM dues_rates r JOIN units u ON u.id = r.unit_id WHERE r.unit_id IN (",
    );
    sql.bind_list(units).push(") ORDER BY r.year DESC, u.level, u.code");
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        out.push(Rate {
            unit_code: row.try_get(0)?,
            unit_name: row.try_get(1)?,
            year: i32::try_from(db::int(&row, 2)).unwrap_or_default(),
            amount: Money::from_dong(db::int(&row, 3)),
        });
    }
    Ok(out)
}

/// For member alias `m`: the nearest rate up the tree for `year`.
fn push_rate(sql: &mut Sql, year: i32) {
    sql.push("COALESCE(");
    for column in ["commune_id", "province_id"] {
        sql.push(&format!(
            "(SELECT r.amount FROM dues_rates r WHERE r.unit_id = m.{column} AND r.year = "
        ))
        .bind(i64::from(year))
        .push("), ");
    }
    sql.push("(SELECT r.amount FROM dues_rates r JOIN units c ON c.id = r.unit_id WHERE c.code = ")
        .bind(CENTRAL_CODE.to_owned())
        .push(" AND r.year = ")
        .bind(i64::from(year))
        .push("))");
}

fn push_paid(sql: &mut Sql, year: i32) {
    sql.push("(SELECT CAST(COALESCE(SUM(d.amount), 0) AS BIGINT) FROM dues_payments d WHERE d.member_id = m.id AND d.year = ")
        .bind(i64::from(year))
        .push(")");
}

/// What the member `id` owes for each of `years`.
pub async fn owed(db: &Db, member_id: i64, years: &[i32]) -> Result<Vec<Owed>, sqlx::Error> {
    let mut out = Vec::new();
    for year in years {
        let mut sql = Sql::new("SELECT ");
        push_rate(&mut sql, *year);
        sql.push(", ");
        push_paid(&mut sql, *year);
        sql.push(" FROM members m WHERE m.id = ").bind(member_id);
        if let Some(row) = sql.fetch_optional(db.pool()).await? {
            let rate: Option<i64> = row.try_get(0)?;
            out.push(Owed::new(
                *year,
                rate.map(Money::from_dong),
                Money::from_dong(db::int(&row, 1)),
            ));
        }
    }
    Ok(out)
}

/// Active members inside `scope` and `filter` who joined by the end of
/// `year` and paid less than their rate, by name; at most `limit`.
pub async fn arrears(
    db: &Db,
    scope: &ReadScope,
    filter: &Filter,
    year: i32,
    limit: i64,
) -> Result<Vec<(crate::members::model::Member, Owed)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT * FROM (");
    sql.push(COLUMNS).push(", ");
    push_rate(&mut sql, year);
    sql.push(" AS rate, ");
    push_paid(&mut sql, year);
    sql.push(" AS paid, p.sort_key AS sort_key").push(FROM);
    sql.push("m.status = 'active' AND m.joined_on <= ")
        .bind(format!("{year:04}-12-31"))
        .push(" AND ");
    push_filter(&mut sql, scope, filter);
    sql.push(") x WHERE x.rate > x.paid ORDER BY x.sort_key, x.id LIMIT ")
        .bind(limit);
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        let member = member_from_row(&row)?;
        let rate = Money::from_dong(row.try_get::<i64, _>("rate")?);
        let paid = Money::from_dong(row.try_get::<i64, _>("paid")?);
        out.push((member, Owed::new(year, Some(rate), paid)));
    }
    Ok(out)
}

pub async fn add_payment(
    tx: &mut Transaction<'static, Any>,
    member_id: i64,
    year: i32,
    amount: Money,
    paid_on: &str,
    username: &str,
) -> Result<i64, sqlx::Error> {
    let mut sql =
        Sql::new("INSERT INTO dues_payments (member_id, year, amount, paid_on, username, created_at) VALUES (");
    sql.bind(member_id).push(", ").bind(i64::from(year)).push(", ");
    sql.bind(amount.dong()).push(", ").bind(paid_on.to_owned()).push(", ");
    sql.bind(username.to_owned())
        .push(", ")
        .bind(db::now())
        .push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

pub async fn payments(db: &Db, member_id: i64) -> Result<Vec<Payment>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, year, amount, paid_on, username FROM dues_payments WHERE member_id = ");
    sql.bind(member_id).push(" ORDER BY year DESC, id DESC");
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        out.push(Payment {
            id: row.try_get(0)?,
            year: i32::try_from(db::int(&row, 1)).unwrap_or_default(),
            amount: Money::from_dong(db::int(&row, 2)),
            paid_on: row.try_get(3)?,
            username: row.try_get(4)?,
        });
    }
    Ok(out)
}
