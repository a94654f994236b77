//! SQL of call-outs: who can be called on a day, read in one query.

use sqlx::Row;

use super::{CalloutRow, Pool};
use crate::access::ReadScope;
use crate::db::{self, Db, Sql};
use crate::volunteers::model::{Skill, Slot, Status};

/// Most volunteers a team's call-out lists.
pub const LIMIT: i64 = 1000;

/// A certificate of `skill` valid on `day` (bound after the call).
fn push_valid_certificate(sql: &mut Sql, skill: Skill, day: &str) {
    sql.push("EXISTS (SELECT 1 FROM volunteer_certificates c WHERE c.volunteer_id = v.id AND c.skill = ")
        .bind(skill.as_str().to_owned());
    sql.push(" AND c.issued_on <= ")
        .bind(day.to_owned())
        .push(" AND (c.expires_on IS NULL OR c.expires_on >= ")
        .bind(day.to_owned())
        .push("))");
}

/// The volunteers of `pool` in the user's scope, by name, with what
/// decides whether they can come on `day`; in an area, those who can come
/// after `after` (sort key, id), `limit` and one more at most (read in
/// name order from the area's index, so a page costs the same however
/// large the area).
pub async fn rows(
    db: &Db,
    scope: &ReadScope,
    pool: &Pool<'_>,
    day: &str,
) -> Result<Vec<(CalloutRow, String)>, sqlx::Error> {
    let skill = match pool {
        Pool::Area { skill, .. } => Some(*skill),
        Pool::Volunteers { skill, .. } => *skill,
    };
    let mut sql = Sql::new(
        "SELECT v.id, p.full_name, p.phone, u.name, v.status, v.availability, v.away_until, \
         v.province_id, v.commune_id, v.branch_id, v.sort_key, ",
    );
    // An area lists only who can come: they are skilled and certified. (Asking
    // again in the select list let PostgreSQL hash every certificate of the
    // country for a large province: 150 ms.)
    let listed_all = matches!(pool, Pool::Volunteers { .. });
    match skill.filter(|s| listed_all && s.needs_certificate()) {
        Some(skill) => {
            sql.push("CASE WHEN ");
            push_valid_certificate(&mut sql, skill, day);
            sql.push(" THEN 1 ELSE 0 END");
        }
        None => {
            sql.push("1");
        }
    }
    sql.push(", CASE WHEN ");
    match skill.filter(|_| listed_all) {
        Some(skill) => {
            sql.push("EXISTS (SELECT 1 FROM volunteer_skills s WHERE s.volunteer_id = v.id AND s.skill = ")
                .bind(skill.as_str().to_owned())
                .push(")");
        }
        None => {
            sql.push("1 = 1");
        }
    }
    sql.push(" THEN 1 ELSE 0 END FROM volunteers v JOIN persons p ON p.id = v.person_id JOIN units u ON u.id = v.unit_id WHERE ");
    scope.push_filter(&mut sql, "v");
    let limit = match pool {
        Pool::Area {
            unit,
            skill,
            after,
            limit,
        } => {
            if let Some(column) = unit.level.column() {
                sql.push(&format!(" AND v.{column} = ")).bind(unit.id);
            }
            // Only who can come: active, not away, skilled, certified.
            sql.push(" AND v.status = 'active' AND (v.away_until IS NULL OR v.away_until < ")
                .bind(day.to_owned())
                .push(")");
            sql.push(" AND EXISTS (SELECT 1 FROM volunteer_skills s WHERE s.volunteer_id = v.id AND s.skill = ")
                .bind(skill.as_str().to_owned())
                .push(")");
            if skill.needs_certificate() {
                sql.push(" AND ");
                push_valid_certificate(&mut sql, *skill, day);
            }
            if let Some((key, id)) = after {
                // A row-value comparison is an index range on both backends.
                sql.push(" AND (v.sort_key, v.id) > (").bind(key.clone());
                sql.push(", ").bind(*id).push(")");
            }
            // One more than a page tells whether another follows.
            *limit + 1
        }
        Pool::Volunteers { ids, .. } => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push(" AND v.id IN (").bind_list(ids).push(")");
            LIMIT
        }
    };
    sql.push(" ORDER BY v.sort_key, v.id LIMIT ").bind(limit);
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        let status: String = row.try_get(4)?;
        let availability: String = row.try_get(5)?;
        let found = CalloutRow {
            volunteer_id: db::int(&row, 0),
            full_name: row.try_get(1)?,
            phone: row.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
            unit_name: row.try_get(3)?,
            status: Status::parse(&status).unwrap_or(Status::Left),
            availability: Slot::parse_list(&availability),
            away_until: row.try_get(6)?,
            placement: crate::org::service::placement::of_row(&row, 7)?,
            certified: db::int(&row, 11) == 1,
            skilled: db::int(&row, 12) == 1,
        };
        out.push((found, row.try_get(10)?));
    }
    Ok(out)
}
