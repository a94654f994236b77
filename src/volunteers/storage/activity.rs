//! SQL of what volunteers prove and give: certificates of their skills
//! and hours, each read and changed only under its volunteer's id.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::access::ReadScope;
use crate::db::{self, Db, Sql};
use crate::volunteers::model::{Certificate, Hours, Skill};

fn certificate_from_row(row: &AnyRow) -> Result<Certificate, sqlx::Error> {
    let skill: String = row.try_get(2)?;
    Ok(Certificate {
        id: row.try_get(0)?,
        volunteer_id: row.try_get(1)?,
        skill: Skill::parse(&skill).ok_or_else(|| sqlx::Error::Decode(format!("skill {skill}").into()))?,
        title: row.try_get(3)?,
        issuer: row.try_get(4)?,
        issued_on: row.try_get(5)?,
        expires_on: row.try_get(6)?,
    })
}

const CERTIFICATE_COLUMNS: &str = "SELECT c.id, c.volunteer_id, c.skill, c.title, c.issuer, c.issued_on, c.expires_on";

pub async fn certificates(db: &Db, volunteer_id: i64) -> Result<Vec<Certificate>, sqlx::Error> {
    let mut sql = Sql::new(&format!(
        "{CERTIFICATE_COLUMNS} FROM volunteer_certificates c WHERE c.volunteer_id = "
    ));
    sql.bind(volunteer_id).push(" ORDER BY c.skill, c.issued_on DESC, c.id");
    sql.fetch_all(db.pool())
        .await?
        .iter()
        .map(certificate_from_row)
        .collect()
}

pub async fn add_certificate(
    tx: &mut Transaction<'static, Any>,
    volunteer_id: i64,
    c: &Certificate,
) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO volunteer_certificates (volunteer_id, skill, title, issuer, issued_on, expires_on, created_at) VALUES (",
    );
    sql.bind(volunteer_id).push(", ").bind(c.skill.as_str().to_owned());
    sql.push(", ").bind(c.title.clone()).push(", ").bind(c.issuer.clone());
    sql.push(", ")
        .bind(c.issued_on.clone())
        .push(", ")
        .bind(c.expires_on.clone());
    sql.push(", ").bind(db::now()).push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// A certificate with its volunteer, for the expiry list.
pub struct Expiring {
    pub certificate: Certificate,
    pub full_name: String,
    pub unit_name: String,
}

/// Certificates of active volunteers in scope (and `within`) that expire
/// between `from` and `until` (ISO, inclusive), the soonest first.
pub async fn expiring(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
    from: &str,
    until: &str,
    limit: i64,
) -> Result<Vec<Expiring>, sqlx::Error> {
    let mut sql = Sql::new(&format!(
        "{CERTIFICATE_COLUMNS}, p.full_name, u.name FROM volunteer_certificates c \
         JOIN volunteers v ON v.id = c.volunteer_id JOIN persons p ON p.id = v.person_id \
         JOIN units u ON u.id = v.unit_id WHERE c.expires_on >= "
    ));
    sql.bind(from.to_owned())
        .push(" AND c.expires_on <= ")
        .bind(until.to_owned());
    sql.push(" AND v.status = 'active' AND ");
    // A certificate renewed since (a later or endless one of the skill) is done with.
    sql.push(
        "NOT EXISTS (SELECT 1 FROM volunteer_certificates n WHERE n.volunteer_id = c.volunteer_id \
         AND n.skill = c.skill AND n.id <> c.id AND (n.expires_on IS NULL OR n.expires_on > c.expires_on)) AND ",
    );
    scope.push_filter(&mut sql, "v");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND v.{column} = ")).bind(id);
    }
    sql.push(" ORDER BY c.expires_on, p.sort_key, c.id LIMIT ").bind(limit);
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        out.push(Expiring {
            certificate: certificate_from_row(&row)?,
            full_name: row.try_get(7)?,
            unit_name: row.try_get(8)?,
        });
    }
    Ok(out)
}

const HOURS_COLUMNS: &str = "SELECT id, on_date, place, activity, tenths, username FROM volunteer_hours";

fn hours_from_row(row: &AnyRow) -> Result<Hours, sqlx::Error> {
    Ok(Hours {
        id: row.try_get(0)?,
        on_date: row.try_get(1)?,
        place: row.try_get(2)?,
        activity: row.try_get(3)?,
        tenths: db::int(row, 4),
        username: row.try_get(5)?,
    })
}

pub async fn hours(db: &Db, volunteer_id: i64) -> Result<Vec<Hours>, sqlx::Error> {
    let mut sql = Sql::new(&format!("{HOURS_COLUMNS} WHERE volunteer_id = "));
    sql.bind(volunteer_id).push(" ORDER BY on_date DESC, id DESC");
    sql.fetch_all(db.pool()).await?.iter().map(hours_from_row).collect()
}

pub async fn add_hours(tx: &mut Transaction<'static, Any>, volunteer_id: i64, h: &Hours) -> Result<i64, sqlx::Error> {
    let mut sql =
        Sql::new("INSERT INTO volunteer_hours (volunteer_id, on_date, place, activity, tenths, username, at) VALUES (");
    sql.bind(volunteer_id).push(", ").bind(h.on_date.clone());
    sql.push(", ").bind(h.place.clone()).push(", ").bind(h.activity.clone());
    sql.push(", ").bind(h.tenths).push(", ").bind(h.username.clone());
    sql.push(", ").bind(db::now()).push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// One certificate of the volunteer `volunteer_id`.
pub async fn certificate(db: &Db, volunteer_id: i64, id: i64) -> Result<Option<Certificate>, sqlx::Error> {
    let mut sql = Sql::new(&format!(
        "{CERTIFICATE_COLUMNS} FROM volunteer_certificates c WHERE c.id = "
    ));
    sql.bind(id).push(" AND c.volunteer_id = ").bind(volunteer_id);
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(certificate_from_row)
        .transpose()
}

/// Removes a certificate of `volunteer_id`; false when it is gone already.
pub async fn delete_certificate(
    tx: &mut Transaction<'static, Any>,
    volunteer_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM volunteer_certificates WHERE id = ");
    sql.bind(id).push(" AND volunteer_id = ").bind(volunteer_id);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// One entry of hours of the volunteer `volunteer_id`.
pub async fn hours_entry(db: &Db, volunteer_id: i64, id: i64) -> Result<Option<Hours>, sqlx::Error> {
    let mut sql = Sql::new(&format!("{HOURS_COLUMNS} WHERE id = "));
    sql.bind(id).push(" AND volunteer_id = ").bind(volunteer_id);
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(hours_from_row)
        .transpose()
}

/// Removes an entry of hours of `volunteer_id`; false when it is gone already.
pub async fn delete_hours(tx: &mut Transaction<'static, Any>, volunteer_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM volunteer_hours WHERE id = ");
    sql.bind(id).push(" AND volunteer_id = ").bind(volunteer_id);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}
