//! SQL of memberships and their history. A membership sits where its
//! person sits; changes hold only while the record is where the access
//! check found it (`Access::push_guard`).

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{member_no, Event, Member, Status};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};
use crate::people::model::Birth;

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

/// The memberships of `persons`: person id → (membership id, name).
pub async fn members_of(db: &Db, persons: &[i64]) -> Result<HashMap<i64, (i64, String)>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in persons.chunks(1000) {
        let mut sql = db.bulk_sql(
            "SELECT m.person_id, m.id, p.full_name FROM members m JOIN persons p ON p.id = m.person_id WHERE m.person_id IN (",
        );
        sql.bind_list(chunk).push(")");
        for row in sql.fetch_all(db.pool()).await? {
            out.insert(db::int(&row, 0), (db::int(&row, 1), row.try_get(2)?));
        }
    }
    Ok(out)
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

/// What a list is narrowed to besides the user's scope.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this unit's subtree: (placement column, unit id).
    pub within: Option<(&'static str, i64)>,
    pub status: Option<Status>,
    /// Words every name holds, folded (`crate::text::fold`).
    pub name_words: Vec<String>,
    /// This member number only.
    pub number: Option<String>,
    /// Those who joined, or whose membership ended, in this year.
    pub flow: Option<(super::model::Flow, i64)>,
}

pub(super) fn push_filter(sql: &mut Sql, scope: &ReadScope, filter: &Filter) {
    scope.push_filter(sql, "m");
    if let Some((column, id)) = filter.within {
        sql.push(&format!(" AND m.{column} = ")).bind(id);
    }
    if let Some(status) = filter.status {
        sql.push(" AND m.status = ").bind(status.as_str().to_owned());
    }
    if let Some(number) = &filter.number {
        sql.push(" AND m.member_no = ").bind(number.clone());
    }
    if let Some((flow, year)) = filter.flow {
        let column = match flow {
            super::model::Flow::Joined => "m.joined_on",
            super::model::Flow::Left => "m.left_on",
        };
        sql.push(&format!(" AND {column} >= "))
            .bind(format!("{year:04}-01-01"))
            .push(&format!(" AND {column} < "))
            .bind(format!("{:04}-01-01", year + 1));
    }
    for word in &filter.name_words {
        // A word of the name begins so. Tokens are letters and digits:
        // no LIKE wildcard comes from the user.
        // Names such as H'Hen Niê split at ' and - as the words do.
        sql.push(" AND (' ' || replace(replace(p.name_folded, '''', ' '), '-', ' ')) LIKE ")
            .bind(format!("% {word}%"));
    }
}

/// A page of members by name, `offset` rows in.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<Vec<Member>, sqlx::Error> {
    let mut sql = select();
    push_filter(&mut sql, scope, filter);
    sql.push(" ORDER BY p.sort_key, m.id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    sql.fetch_all(db.pool()).await?.iter().map(member_from_row).collect()
}

pub async fn count(db: &Db, scope: &ReadScope, filter: &Filter) -> Result<i64, sqlx::Error> {
    let join = if filter.name_words.is_empty() {
        ""
    } else {
        " JOIN persons p ON p.id = m.person_id"
    };
    let mut sql = Sql::new(&format!("SELECT COUNT(*) FROM members m{join} WHERE "));
    push_filter(&mut sql, scope, filter);
    sql.fetch_int(db.pool()).await
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

/// Adults registered at a branch who are not members: (person id, birth year).
pub async fn demo_candidates(tx: &mut Transaction<'static, Any>, born_by: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT p.id, p.birth_year FROM persons p WHERE p.branch_id IS NOT NULL AND p.birth_year <= ");
    sql.bind(born_by)
        .push(" AND NOT EXISTS (SELECT 1 FROM members m WHERE m.person_id = p.id) ORDER BY p.id");
    Ok(sql
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| (db::int(r, 0), db::int(r, 1)))
        .collect())
}

/// A demo membership, where its person is.
pub struct DemoMember {
    pub person_id: i64,
    pub joined_on: String,
    pub status: &'static str,
    pub status_on: String,
    pub reason: &'static str,
}

/// Enrols demo members where their persons are, numbered from their ids
/// like every member, each with its line of history.
pub async fn insert_demo(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    members: &[DemoMember],
) -> Result<(), sqlx::Error> {
    let now = db::now();
    for chunk in members.chunks(1000) {
        let mut sql = db.bulk_sql(
            "INSERT INTO members (person_id, member_no, joined_on, status, status_on, status_reason, left_on, unit_id, \
             province_id, commune_id, branch_id, created_at, updated_at) SELECT p.id, '#new-' || CAST(p.id AS TEXT), \
             v.column2, v.column3, v.column4, v.column5, CASE WHEN v.column3 IN ('left', 'deceased') THEN v.column4 END, \
             p.unit_id, p.province_id, p.commune_id, p.branch_id, ",
        );
        sql.bind(now.clone()).push(", ").bind(now.clone());
        // VALUES columns are column1… in both databases.
        sql.push(" FROM (VALUES ");
        for (i, m) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(m.person_id).push(", ").bind(m.joined_on.clone()).push(", ");
            sql.bind(m.status.to_owned()).push(", ").bind(m.status_on.clone());
            sql.push(", ").bind(m.reason.to_owned()).push(")");
        }
        sql.push(") v JOIN persons p ON p.id = v.column1");
        sql.execute(&mut **tx).await?;
    }
    number_and_history(tx).await
}

/// Benchmark members: every person whose id is not a multiple of 4, joined
/// in 2020, where they are (`nhanai bench members`).
pub async fn insert_bench(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO members (person_id, member_no, joined_on, status, status_on, status_reason, unit_id, \
         province_id, commune_id, branch_id, created_at, updated_at) SELECT p.id, '#new-' || CAST(p.id AS TEXT), \
         '2020-05-15', 'active', '2020-05-15', '', p.unit_id, p.province_id, p.commune_id, p.branch_id, ",
    );
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(" FROM persons p WHERE p.id % 4 <> 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.person_id = p.id)");
    sql.execute(&mut **tx).await?;
    number_and_history(tx).await
}

/// `UPDATE` giving members still held by a provisional number the number
/// every member gets: HV and (at least) eight digits of its id, as
/// `model::member_no`.
fn numbering() -> Sql {
    let digits = "CAST(id AS TEXT)";
    let padded = format!("'00000000' || {digits}");
    Sql::new(&format!(
        "UPDATE members SET member_no = 'HV' || CASE WHEN id >= 100000000 THEN {digits} \
         ELSE substr({padded}, length({padded}) - 7, 8) END WHERE member_no LIKE '#new-%'"
    ))
}

/// New memberships in the unit of `access` (locked by the caller), as
/// `insert_joined` makes them one at a time, written a few hundred per
/// statement: (person id, joined on, number or none for the system's).
/// Their ids are reserved first, so the system's numbers are written with
/// the rows rather than by a second pass over them. Returns each person's
/// membership id.
pub async fn insert_joined_many(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    rows: &[(i64, String, Option<String>)],
    username: &str,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let now = db::now();
    let p = access.placement();
    let reserved = db.reserve_ids(tx, "members", rows.len()).await?;
    let mut ids = HashMap::with_capacity(rows.len());
    for (chunk, chunk_ids) in rows.chunks(500).zip(reserved.chunks(500)) {
        let mut sql = db.bulk_sql(
            "INSERT INTO members (id, person_id, member_no, joined_on, status, status_on, unit_id, province_id, \
             commune_id, branch_id, created_at, updated_at) VALUES ",
        );
        let mut events = db.bulk_sql(
            "INSERT INTO member_events (member_id, kind, on_date, status, reason, to_unit_id, username, at) VALUES ",
        );
        for (i, ((person, joined_on, number), id)) in chunk.iter().zip(chunk_ids).enumerate() {
            let number = number.clone().unwrap_or_else(|| member_no(*id));
            let next = if i == 0 { "(" } else { ", (" };
            sql.push(next)
                .bind(*id)
                .push(", ")
                .bind(*person)
                .push(", ")
                .bind(number);
            sql.push(", ")
                .bind(joined_on.clone())
                .push(", 'active', ")
                .bind(joined_on.clone());
            sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
            sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
            sql.push(", ").bind(now.clone()).push(", ").bind(now.clone()).push(")");
            events.push(next).bind(*id).push(", 'joined', ").bind(joined_on.clone());
            events.push(", 'active', '', ").bind(access.unit_id()).push(", ");
            events.bind(username.to_owned()).push(", ").bind(now.clone()).push(")");
            ids.insert(*person, *id);
        }
        sql.execute(&mut **tx).await?;
        events.execute(&mut **tx).await?;
    }
    Ok(ids)
}

/// Numbers the members inserted in bulk and writes their history's first lines.
async fn number_and_history(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    let now = db::now();
    numbering().execute(&mut **tx).await?;
    let mut sql = Sql::new(
        "INSERT INTO member_events (member_id, kind, on_date, status, reason, to_unit_id, username, at) \
         SELECT m.id, 'joined', m.joined_on, 'active', '', m.unit_id, 'demo', ",
    );
    sql.bind(now)
        .push(" FROM members m WHERE NOT EXISTS (SELECT 1 FROM member_events e WHERE e.member_id = m.id)");
    sql.execute(&mut **tx).await?;
    let sql = Sql::new(
        "INSERT INTO member_events (member_id, kind, on_date, status, reason, username, at) \
         SELECT m.id, 'status', m.status_on, m.status, m.status_reason, 'demo', m.created_at FROM members m \
         WHERE m.status <> 'active' AND NOT EXISTS (SELECT 1 FROM member_events e WHERE e.member_id = m.id AND e.kind = 'status')",
    );
    sql.execute(&mut **tx).await.map(drop)
}
