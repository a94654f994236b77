//! SQL of teams and their members. A team sits at its unit; changes hold
//! only while it is where the access check found it.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Kind, Team, TeamMember};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};

const COLUMNS: &str = "SELECT t.id, t.name, t.kind, t.status, t.leader_id, lp.full_name, t.note, u.code, u.name, \
     (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id), t.version, t.province_id, t.commune_id, t.branch_id \
     FROM teams t JOIN units u ON u.id = t.unit_id LEFT JOIN volunteers lv ON lv.id = t.leader_id \
     LEFT JOIN persons lp ON lp.id = lv.person_id WHERE ";

fn from_row(row: &AnyRow) -> Result<Team, sqlx::Error> {
    let kind: String = row.try_get(2)?;
    Ok(Team {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        kind: Kind::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("kind {kind}").into()))?,
        status: row.try_get(3)?,
        leader_id: row.try_get(4)?,
        leader_name: row.try_get(5)?,
        note: row.try_get(6)?,
        unit_code: row.try_get(7)?,
        unit_name: row.try_get(8)?,
        members: db::int(row, 9),
        version: row.try_get(10)?,
        placement: crate::org::service::placement::of_row(row, 11)?,
    })
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Team>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("t.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "t");
    sql.fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Teams in scope (and `within`), active first, by name.
pub async fn list(db: &Db, scope: &ReadScope, within: Option<(&'static str, i64)>) -> Result<Vec<Team>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    scope.push_filter(&mut sql, "t");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND t.{column} = ")).bind(id);
    }
    sql.push(" ORDER BY t.status, t.name, t.id LIMIT 1000");
    sql.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    name: &str,
    kind: Kind,
    note: &str,
) -> Result<i64, sqlx::Error> {
    let p = access.placement();
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO teams (name, kind, status, note, unit_id, province_id, commune_id, branch_id, created_at, updated_at) VALUES (",
    );
    sql.bind(name.to_owned()).push(", ").bind(kind.as_str().to_owned());
    sql.push(", 'active', ").bind(note.to_owned());
    sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ")
        .bind(now.clone())
        .push(", ")
        .bind(now)
        .push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// The fields of a team a change writes.
pub struct Change<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub status: &'a str,
    pub leader_id: Option<i64>,
    pub note: &'a str,
}

pub async fn update(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    c: &Change<'_>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE teams SET name = ");
    sql.bind(c.name.to_owned())
        .push(", kind = ")
        .bind(c.kind.as_str().to_owned());
    sql.push(", status = ")
        .bind(c.status.to_owned())
        .push(", leader_id = ")
        .bind(c.leader_id);
    sql.push(", note = ").bind(c.note.to_owned());
    sql.push(", version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version)
        .push(" AND ");
    access.push_guard(&mut sql, "teams");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Holds the team's row while it is where `access` found it.
pub async fn hold(tx: &mut Transaction<'static, Any>, access: &Access, id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE teams SET updated_at = ");
    sql.bind(db::now()).push(" WHERE id = ").bind(id).push(" AND ");
    access.push_guard(&mut sql, "teams");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// The team's members still placed in its unit's subtree (`within`): a
/// volunteer who moved away is no longer one of them.
pub async fn members(
    db: &Db,
    team_id: i64,
    within: Option<(&'static str, i64)>,
) -> Result<Vec<TeamMember>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT m.volunteer_id, p.full_name, u.name, m.joined_on FROM team_members m \
         JOIN volunteers v ON v.id = m.volunteer_id JOIN persons p ON p.id = v.person_id \
         JOIN units u ON u.id = v.unit_id WHERE m.team_id = ",
    );
    sql.bind(team_id);
    if let Some((column, id)) = within {
        sql.push(&format!(" AND v.{column} = ")).bind(id);
    }
    sql.push(" ORDER BY p.sort_key, m.volunteer_id");
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        out.push(TeamMember {
            volunteer_id: db::int(&row, 0),
            full_name: row.try_get(1)?,
            unit_name: row.try_get(2)?,
            joined_on: row.try_get(3)?,
        });
    }
    Ok(out)
}

/// Adds a member; false when they are one already.
pub async fn add_member(
    tx: &mut Transaction<'static, Any>,
    team_id: i64,
    volunteer_id: i64,
    joined_on: &str,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO team_members (team_id, volunteer_id, joined_on) VALUES (");
    sql.bind(team_id)
        .push(", ")
        .bind(volunteer_id)
        .push(", ")
        .bind(joined_on.to_owned());
    sql.push(") ON CONFLICT (team_id, volunteer_id) DO NOTHING");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Removes a member (and the lead, if they held it); false when they were not one.
pub async fn remove_member(
    tx: &mut Transaction<'static, Any>,
    team_id: i64,
    volunteer_id: i64,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM team_members WHERE team_id = ");
    sql.bind(team_id).push(" AND volunteer_id = ").bind(volunteer_id);
    let removed = sql.execute(&mut **tx).await?.rows_affected() == 1;
    let mut sql = Sql::new("UPDATE teams SET leader_id = NULL WHERE id = ");
    sql.bind(team_id).push(" AND leader_id = ").bind(volunteer_id);
    sql.execute(&mut **tx).await?;
    Ok(removed)
}

/// Demo teams: a first-aid team in every commune with first-aiders, whom it
/// gathers, led by the first of them. A commune that has one keeps it.
pub async fn insert_demo(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO teams (name, kind, status, note, unit_id, province_id, commune_id, branch_id, created_at, updated_at) \
         SELECT 'Đội sơ cấp cứu ' || u.name, 'first_aid', 'active', '', u.id, u.province_id, u.commune_id, NULL, ",
    );
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(
        " FROM units u WHERE u.level = 'commune' AND u.status = 'active' \
         AND EXISTS (SELECT 1 FROM volunteers v JOIN volunteer_skills s ON s.volunteer_id = v.id \
         WHERE v.commune_id = u.id AND s.skill = 'first_aid') \
         AND NOT EXISTS (SELECT 1 FROM teams t WHERE t.unit_id = u.id AND t.kind = 'first_aid')",
    );
    sql.execute(&mut **tx).await?;
    Sql::new(
        "INSERT INTO team_members (team_id, volunteer_id, joined_on) SELECT t.id, v.id, '2024-03-26' FROM teams t \
         JOIN volunteers v ON v.commune_id = t.unit_id JOIN volunteer_skills s ON s.volunteer_id = v.id \
         AND s.skill = 'first_aid' WHERE t.kind = 'first_aid' AND v.status = 'active' \
         ON CONFLICT (team_id, volunteer_id) DO NOTHING",
    )
    .execute(&mut **tx)
    .await?;
    Sql::new(
        "UPDATE teams SET leader_id = (SELECT MIN(m.volunteer_id) FROM team_members m WHERE m.team_id = teams.id) \
         WHERE leader_id IS NULL",
    )
    .execute(&mut **tx)
    .await
    .map(drop)
}
