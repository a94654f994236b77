//! SQL of memberships and their history. A membership sits where its
//! person sits; changes hold only while the record is where the access
//! check found it (`Access::push_guard`).

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{member_no, Event, Member, Status};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};
use crate::people::model::Birth;

mod bulk;
mod list;

pub use bulk::{demo_candidates, insert_bench, insert_demo, insert_joined_many, DemoMember};
pub(super) use list::push_filter;
pub use list::{count, list, Filter};

/// The columns `member_from_row` reads, in order.
pub(super) const COLUMNS: &str =
    "SELECT m.id, m.member_no, m.person_id, p.full_name, p.sex, p.birth_year, p.birth_date, \
     m.joined_on, m.status, m.status_on, m.status_reason, u.code, u.name, m.version, \
     m.province_id, m.commune_id, m.branch_id";
pub(super) const FROM: &str =
    " FROM members m JOIN persons p ON p.id = m.person_id JOIN units u ON u.id = m.unit_id WHERE ";

fn select() -> Sql {
    Sql::new(&format!("{COLUMNS}{FROM}"))
}

pub(super) fn member_from_row(row: &AnyRow) -> Result<Member, sqlx::Error> {
    let status: String = row.try_get(8)?;
    let birth_date: Option<String> = row.try_get(6)?;
    let birth = Birth::from_stored(row.try_get(5)?, birth_date.as_deref());
    Ok(Member {
        id: row.try_get(0)?,
        member_no: row.try_get(1)?,
        person_id: row.try_get(2)?,
        full_name: row.try_get(3)?,
        sex: row.try_get(4)?,
        birth: birth.map(Birth::iso),
        birth_shown: birth.map(Birth::display).unwrap_or_default(),
        joined_on: row.try_get(7)?,
        status: Status::parse(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status}").into()))?,
        status_on: row.try_get(9)?,
        status_reason: row.try_get(10)?,
        branch_code: row.try_get(11)?,
        branch_name: row.try_get(12)?,
        version: row.try_get(13)?,
        placement: crate::org::service::placement::of_row(row, 14)?,
    })
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Member>, sqlx::Error> {
    let mut sql = select();
    sql.push("m.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "m");
    sql.fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(member_from_row)
        .transpose()
}

/// The membership of a person, wherever it is (one per person).
pub async fn id_of_person(tx: &mut Transaction<'static, Any>, person_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM members WHERE person_id = ");
    sql.bind(person_id);
    Ok(sql.fetch_optional(&mut **tx).await?.map(|r| db::int(&r, 0)))
}

/// Which of `numbers` members already hold.
pub async fn numbers_taken(db: &Db, numbers: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(1000) {
        let mut sql = db.bulk_sql("SELECT member_no FROM members WHERE member_no IN (");
        sql.bind_list(chunk).push(")");
        for row in sql.fetch_all(db.pool()).await? {
            out.push(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// A new membership of `person_id` in the unit of `access` (locked by the
/// caller), numbered `number` or, without one, from its own id.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    person_id: i64,
    joined_on: &str,
    number: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let now = db::now();
    let p = access.placement();
    let mut sql = Sql::new(
        "INSERT INTO members (person_id, member_no, joined_on, status, status_on, unit_id, province_id, \
         commune_id, branch_id, created_at, updated_at) VALUES (",
    );
    // A number held for the moment by the person's id, unique like the
    // person; its `#` is refused in numbers typed or imported.
    let provisional = format!("#new-{person_id}");
    sql.bind(person_id)
        .push(", ")
        .bind(number.unwrap_or(&provisional).to_owned());
    sql.push(", ")
        .bind(joined_on.to_owned())
        .push(", 'active', ")
        .bind(joined_on.to_owned());
    sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ")
        .bind(now.clone())
        .push(", ")
        .bind(now)
        .push(") RETURNING id");
    let id = sql.fetch_int(&mut **tx).await?;
    if number.is_none() {
        let mut sql = Sql::new("UPDATE members SET member_no = ");
        sql.bind(member_no(id)).push(" WHERE id = ").bind(id);
        sql.execute(&mut **tx).await?;
    }
    Ok(id)
}

/// A new membership with the first line of its history ("joined at").
pub async fn insert_joined(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    person_id: i64,
    joined_on: &str,
    number: Option<&str>,
    username: &str,
) -> Result<i64, sqlx::Error> {
    let id = insert(tx, access, person_id, joined_on, number).await?;
    let event = NewEvent {
        member_id: id,
        kind: "joined",
        on_date: joined_on,
        status: Some(Status::Active),
        reason: "",
        from_unit_id: None,
        to_unit_id: Some(access.unit_id()),
        username,
    };
    add_event(tx, event).await?;
    Ok(id)
}

/// Sets the status as of `on`; false when the record changed meanwhile.
pub async fn set_status(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    status: Status,
    on: &str,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE members SET status = ");
    sql.bind(status.as_str().to_owned())
        .push(", status_on = ")
        .bind(on.to_owned())
        .push(", status_reason = ")
        .bind(reason.to_owned());
    // The day the membership ended stays that of its first ending (a
    // member who left and later died left that first day).
    let ended = matches!(status, Status::Left | Status::Deceased);
    sql.push(", left_on = CASE WHEN ")
        .bind(ended)
        .push(" THEN COALESCE(left_on, ")
        .bind(on.to_owned())
        .push(") ELSE NULL END");
    sql.push(", version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ").bind(id).push(" AND version = ").bind(version);
    sql.push(" AND ");
    access.push_guard(&mut sql, "members");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Takes the version a change is made against (moves bump it too).
pub async fn bump_version(tx: &mut Transaction<'static, Any>, id: i64, version: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE members SET version = version + 1, updated_at = ");
    sql.bind(db::now())
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// A line of history.
pub struct NewEvent<'a> {
    pub member_id: i64,
    pub kind: &'a str,
    pub on_date: &'a str,
    pub status: Option<Status>,
    pub reason: &'a str,
    pub from_unit_id: Option<i64>,
    pub to_unit_id: Option<i64>,
    pub username: &'a str,
}

pub async fn add_event(tx: &mut Transaction<'static, Any>, e: NewEvent<'_>) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO member_events (member_id, kind, on_date, status, reason, from_unit_id, to_unit_id, \
         username, at) VALUES (",
    );
    sql.bind(e.member_id).push(", ").bind(e.kind.to_owned()).push(", ");
    sql.bind(e.on_date.to_owned())
        .push(", ")
        .bind(e.status.map(|s| s.as_str().to_owned()));
    sql.push(", ").bind(e.reason.to_owned()).push(", ").bind(e.from_unit_id);
    sql.push(", ").bind(e.to_unit_id).push(", ").bind(e.username.to_owned());
    sql.push(", ").bind(db::now()).push(")");
    sql.execute(&mut **tx).await.map(drop)
}

/// A membership's history, oldest first, with the units' names.
pub async fn events(db: &Db, member_id: i64) -> Result<Vec<Event>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT e.kind, e.on_date, e.status, e.reason, f.name, t.name, e.username FROM member_events e \
         LEFT JOIN units f ON f.id = e.from_unit_id LEFT JOIN units t ON t.id = e.to_unit_id WHERE e.member_id = ",
    );
    sql.bind(member_id).push(" ORDER BY e.id");
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        let status: Option<String> = row.try_get(2)?;
        out.push(Event {
            kind: row.try_get(0)?,
            on_date: row.try_get(1)?,
            status: status.as_deref().and_then(Status::parse),
            reason: row.try_get(3)?,
            from_unit: row.try_get(4)?,
            to_unit: row.try_get(5)?,
            username: row.try_get(6)?,
        });
    }
    Ok(out)
}
