//! SQL of cadre positions, training courses and attendance.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Attendance, Cadre, Course, CourseLevel, Outcome, Position};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};

/// `since`: the start of the training window; `last_trained` is the end of
/// the latest course attended (not failed) on or after it.
fn cadre_columns() -> &'static str {
    "SELECT c.id, c.person_id, p.full_name, c.position, c.title, c.term_start, c.term_end, c.status, u.code, u.name, \
     (SELECT MAX(k.ends_on) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id \
      WHERE a.person_id = c.person_id AND a.result <> 'failed'), \
     c.version, c.province_id, c.commune_id, c.branch_id \
     FROM cadre_positions c JOIN persons p ON p.id = c.person_id JOIN units u ON u.id = c.unit_id WHERE "
}

fn cadre_from_row(row: &AnyRow) -> Result<Cadre, sqlx::Error> {
    let position: String = row.try_get(3)?;
    Ok(Cadre {
        id: row.try_get(0)?,
        person_id: row.try_get(1)?,
        full_name: row.try_get(2)?,
        position: Position::parse(&position)
            .ok_or_else(|| sqlx::Error::Decode(format!("position {position}").into()))?,
        title: row.try_get(4)?,
        term_start: row.try_get(5)?,
        term_end: row.try_get(6)?,
        status: row.try_get(7)?,
        unit_code: row.try_get(8)?,
        unit_name: row.try_get(9)?,
        last_trained: row.try_get(10)?,
        version: row.try_get(11)?,
        placement: crate::org::service::placement::of_row(row, 12)?,
    })
}

pub async fn cadre(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Cadre>, sqlx::Error> {
    let mut sql = Sql::new(cadre_columns());
    sql.push("c.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "c");
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(cadre_from_row)
        .transpose()
}

/// Positions in scope (and `within`): those in office, or only those of
/// them untrained since `untrained_since` (ISO) when given.
pub async fn cadres(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
    current_only: bool,
    untrained_since: Option<&str>,
    last_trained_in: Option<i64>,
) -> Result<Vec<Cadre>, sqlx::Error> {
    let mut sql = Sql::new(cadre_columns());
    scope.push_filter(&mut sql, "c");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND c.{column} = ")).bind(id);
    }
    if current_only {
        sql.push(" AND c.status = 'current'");
    }
    if let Some(since) = untrained_since {
        sql.push(
            " AND NOT EXISTS (SELECT 1 FROM course_attendance a JOIN training_courses k ON k.id = a.course_id \
             WHERE a.person_id = c.person_id AND a.result <> 'failed' AND k.ends_on >= ",
        )
        .bind(since.to_owned())
        .push(")");
    }
    if let Some(year) = last_trained_in {
        // As the counter of those trained counts them (`LAST_TRAINED`).
        sql.push(&format!(" AND {} = ", super::LAST_TRAINED_OF_CADRE))
            .bind(year);
    }
    // Chairs first, then by rank, then by name.
    sql.push(
        " ORDER BY c.status, CASE c.position WHEN 'chair' THEN 1 WHEN 'vice_chair' THEN 2 WHEN 'standing' THEN 3 \
         WHEN 'full_time' THEN 4 ELSE 5 END, p.sort_key, c.id LIMIT 2000",
    );
    sql.fetch_all(db.pool()).await?.iter().map(cadre_from_row).collect()
}

/// A new position at the unit of `access` (locked by the caller).
pub async fn appoint(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    person_id: i64,
    position: Position,
    title: &str,
    (start, end, ended): (&str, Option<&str>, bool),
) -> Result<i64, sqlx::Error> {
    let p = access.placement();
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO cadre_positions (person_id, position, title, term_start, term_end, status, unit_id, province_id, \
         commune_id, branch_id, created_at, updated_at) VALUES (",
    );
    sql.bind(person_id).push(", ").bind(position.as_str().to_owned());
    sql.push(", ").bind(title.to_owned()).push(", ").bind(start.to_owned());
    sql.push(", ").bind(end.map(str::to_owned)).push(", ");
    sql.bind(if ended { "ended" } else { "current" }.to_owned()).push(", ");
    sql.bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ")
        .bind(now.clone())
        .push(", ")
        .bind(now)
        .push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// Whether the person holds `position` at the unit now.
pub async fn holds_position(
    tx: &mut Transaction<'static, Any>,
    person_id: i64,
    unit_id: i64,
    position: Position,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT 1 FROM cadre_positions WHERE status = 'current' AND person_id = ");
    sql.bind(person_id).push(" AND unit_id = ").bind(unit_id);
    sql.push(" AND position = ").bind(position.as_str().to_owned());
    Ok(sql.fetch_optional(&mut **tx).await?.is_some())
}

/// Ends a term on `on`; false when changed meanwhile.
pub async fn end_term(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    on: &str,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE cadre_positions SET status = 'ended', term_end = ");
    sql.bind(on.to_owned())
        .push(", version = version + 1, updated_at = ")
        .bind(db::now());
    sql.push(" WHERE status = 'current' AND id = ").bind(id);
    sql.push(" AND version = ").bind(version).push(" AND ");
    access.push_guard(&mut sql, "cadre_positions");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

const COURSE_COLUMNS: &str =
    "SELECT k.id, k.title, k.level, k.starts_on, k.ends_on, k.organiser, k.trainers, u.code, u.name, \
     (SELECT COUNT(*) FROM course_attendance a WHERE a.course_id = k.id), k.province_id, k.commune_id, k.branch_id \
     FROM training_courses k JOIN units u ON u.id = k.unit_id WHERE ";

fn course_from_row(row: &AnyRow) -> Result<Course, sqlx::Error> {
    let level: String = row.try_get(2)?;
    Ok(Course {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        level: CourseLevel::parse(&level).ok_or_else(|| sqlx::Error::Decode(format!("level {level}").into()))?,
        starts_on: row.try_get(3)?,
        ends_on: row.try_get(4)?,
        organiser: row.try_get(5)?,
        trainers: row.try_get(6)?,
        unit_code: row.try_get(7)?,
        unit_name: row.try_get(8)?,
        attendees: db::int(row, 9),
        placement: crate::org::service::placement::of_row(row, 10)?,
    })
}

pub async fn course(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Course>, sqlx::Error> {
    let mut sql = Sql::new(COURSE_COLUMNS);
    sql.push("k.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "k");
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(course_from_row)
        .transpose()
}

pub async fn courses(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
) -> Result<Vec<Course>, sqlx::Error> {
    let mut sql = Sql::new(COURSE_COLUMNS);
    scope.push_filter(&mut sql, "k");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND k.{column} = ")).bind(id);
    }
    sql.push(" ORDER BY k.starts_on DESC, k.id DESC LIMIT 1000");
    sql.fetch_all(db.pool()).await?.iter().map(course_from_row).collect()
}

/// The fields of a new course.
pub struct NewCourse<'a> {
    pub title: &'a str,
    pub level: CourseLevel,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub organiser: &'a str,
    pub trainers: &'a str,
}

pub async fn insert_course(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    c: &NewCourse<'_>,
) -> Result<i64, sqlx::Error> {
    let p = access.placement();
    let mut sql = Sql::new(
        "INSERT INTO training_courses (title, level, starts_on, ends_on, organiser, trainers, unit_id, province_id, \
         commune_id, branch_id, created_at) VALUES (",
    );
    sql.bind(c.title.to_owned())
        .push(", ")
        .bind(c.level.as_str().to_owned());
    sql.push(", ")
        .bind(c.starts_on.to_owned())
        .push(", ")
        .bind(c.ends_on.to_owned());
    sql.push(", ")
        .bind(c.organiser.to_owned())
        .push(", ")
        .bind(c.trainers.to_owned());
    sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ").bind(db::now()).push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// Holds the course's row while it is where `access` found it.
pub async fn hold_course(tx: &mut Transaction<'static, Any>, access: &Access, id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE training_courses SET unit_id = unit_id WHERE id = ");
    sql.bind(id).push(" AND ");
    access.push_guard(&mut sql, "training_courses");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Locks the person `id` until the transaction ends: whatever changes the
/// year their positions count as trained under (attendance, a position
/// taken or ended) is counted one change at a time.
pub async fn lock_person(db: &Db, tx: &mut Transaction<'static, Any>, id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM persons WHERE id = ");
    sql.bind(id).push(db.for_update());
    sql.fetch_optional(&mut **tx).await.map(drop)
}

/// Records (or corrects) a person's result in a course.
pub async fn set_attendance(
    tx: &mut Transaction<'static, Any>,
    course_id: i64,
    person_id: i64,
    result: Outcome,
    username: &str,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO course_attendance (course_id, person_id, result, username, at) VALUES (");
    sql.bind(course_id)
        .push(", ")
        .bind(person_id)
        .push(", ")
        .bind(result.as_str().to_owned());
    sql.push(", ").bind(username.to_owned()).push(", ").bind(db::now());
    sql.push(") ON CONFLICT (course_id, person_id) DO UPDATE SET result = excluded.result, username = excluded.username, at = excluded.at");
    sql.execute(&mut **tx).await.map(drop)
}

/// Removes a person's result in a course: the result removed, if any.
pub async fn remove_attendance(
    tx: &mut Transaction<'static, Any>,
    course_id: i64,
    person_id: i64,
) -> Result<Option<Outcome>, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM course_attendance WHERE course_id = ");
    sql.bind(course_id).push(" AND person_id = ").bind(person_id);
    sql.push(" RETURNING result");
    let Some(row) = sql.fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    let result: String = row.try_get(0)?;
    Outcome::parse(&result)
        .map(Some)
        .ok_or_else(|| sqlx::Error::Decode(format!("result {result}").into()))
}

fn attendance_from_row(row: &AnyRow) -> Result<Attendance, sqlx::Error> {
    let result: String = row.try_get(5)?;
    Ok(Attendance {
        course_id: row.try_get(0)?,
        course_title: row.try_get(1)?,
        ends_on: row.try_get(2)?,
        person_id: row.try_get(3)?,
        full_name: row.try_get(4)?,
        result: Outcome::parse(&result).ok_or_else(|| sqlx::Error::Decode(format!("result {result}").into()))?,
    })
}

const ATTENDANCE: &str = "SELECT a.course_id, k.title, k.ends_on, a.person_id, p.full_name, a.result \
     FROM course_attendance a JOIN training_courses k ON k.id = a.course_id JOIN persons p ON p.id = a.person_id WHERE ";

/// Who attended a course, by name, among the persons in `scope`.
pub async fn attendance_of_course(db: &Db, scope: &ReadScope, course_id: i64) -> Result<Vec<Attendance>, sqlx::Error> {
    let mut sql = Sql::new(ATTENDANCE);
    sql.push("a.course_id = ").bind(course_id).push(" AND ");
    scope.push_filter(&mut sql, "p");
    sql.push(" ORDER BY p.sort_key, a.person_id");
    sql.fetch_all(db.pool())
        .await?
        .iter()
        .map(attendance_from_row)
        .collect()
}

/// One person's result in a course, when the person is in `scope`.
pub async fn attendance_entry(
    db: &Db,
    scope: &ReadScope,
    course_id: i64,
    person_id: i64,
) -> Result<Option<Attendance>, sqlx::Error> {
    let mut sql = Sql::new(ATTENDANCE);
    sql.push("a.course_id = ").bind(course_id);
    sql.push(" AND a.person_id = ").bind(person_id).push(" AND ");
    scope.push_filter(&mut sql, "p");
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(attendance_from_row)
        .transpose()
}

/// A person's training record, the latest first.
pub async fn attendance_of_person(db: &Db, person_id: i64) -> Result<Vec<Attendance>, sqlx::Error> {
    let mut sql = Sql::new(ATTENDANCE);
    sql.push("a.person_id = ")
        .bind(person_id)
        .push(" ORDER BY k.ends_on DESC, a.course_id DESC");
    sql.fetch_all(db.pool())
        .await?
        .iter()
        .map(attendance_from_row)
        .collect()
}

/// Demo cadres and training: in every commune, its first adult registered
/// as chair and its last as part-time cadre; in every province a course
/// of the year that two in three of its cadres passed. Units that have
/// cadres, provinces that have a course, keep what they have.
pub async fn insert_demo(tx: &mut Transaction<'static, Any>, born_by: i64, year: i64) -> Result<(), sqlx::Error> {
    let now = db::now();
    for (position, pick) in [("chair", "MIN"), ("part_time", "MAX")] {
        let mut sql = Sql::new(&format!(
            "INSERT INTO cadre_positions (person_id, position, title, term_start, status, unit_id, province_id, \
             commune_id, branch_id, created_at, updated_at) SELECT (SELECT {pick}(p.id) FROM persons p \
             WHERE p.commune_id = u.id AND p.birth_year <= "
        ));
        sql.bind(born_by).push("), ").bind(position.to_owned());
        sql.push(", '', '2022-10-01', 'current', u.id, u.province_id, u.commune_id, NULL, ");
        sql.bind(now.clone()).push(", ").bind(now.clone());
        sql.push(
            " FROM units u WHERE u.level = 'commune' AND u.status = 'active' \
             AND EXISTS (SELECT 1 FROM persons p WHERE p.commune_id = u.id AND p.birth_year <= ",
        )
        .bind(born_by)
        .push(") AND NOT EXISTS (SELECT 1 FROM cadre_positions c WHERE c.unit_id = u.id AND c.position = ")
        .bind(position.to_owned())
        .push(")");
        sql.execute(&mut **tx).await?;
    }
    let mut sql = Sql::new(
        "INSERT INTO training_courses (title, level, starts_on, ends_on, organiser, trainers, unit_id, province_id, \
         commune_id, branch_id, created_at) SELECT ",
    );
    sql.bind(format!("Tập huấn nghiệp vụ công tác Hội năm {year}"));
    sql.push(", 'province', ")
        .bind(format!("{year}-04-08"))
        .push(", ")
        .bind(format!("{year}-04-10"));
    sql.push(", 'Hội Chữ thập đỏ ' || u.name, 'Ban Tổ chức Trung ương Hội', u.id, u.id, NULL, NULL, ");
    sql.bind(now).push(
        " FROM units u WHERE u.level = 'province' AND u.status = 'active' \
         AND NOT EXISTS (SELECT 1 FROM training_courses k WHERE k.unit_id = u.id)",
    );
    sql.execute(&mut **tx).await?;
    let mut sql = Sql::new(
        "INSERT INTO course_attendance (course_id, person_id, result, username, at) \
         SELECT k.id, c.person_id, 'passed', 'demo', ",
    );
    sql.bind(db::now()).push(
        " FROM cadre_positions c JOIN training_courses k ON k.unit_id = c.province_id AND k.level = 'province' \
         WHERE c.id % 3 <> 0 ON CONFLICT (course_id, person_id) DO NOTHING",
    );
    sql.execute(&mut **tx).await.map(drop)
}
