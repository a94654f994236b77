//! SQL of member lists: what a list is narrowed to (place, status, name
//! words, a number that is a card, CCCD or phone, a year's flow), a page
//! of it by name, and how many it holds.

use super::{member_from_row, select};
use crate::access::ReadScope;
use crate::db::{Db, Sql};
use crate::members::model::{Member, SearchTerms, Status};

/// What a list is narrowed to besides the user's scope.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this unit's subtree: (placement column, unit id).
    pub within: Option<(&'static str, i64)>,
    pub status: Option<Status>,
    /// Words every name holds, or a number that is the member's card
    /// number, CCCD or phone.
    pub terms: SearchTerms,
    /// Those who joined, or whose membership ended, in this year.
    pub flow: Option<(crate::members::model::Flow, i64)>,
}

pub(in crate::members) fn push_filter(sql: &mut Sql, scope: &ReadScope, filter: &Filter) {
    scope.push_filter(sql, "m");
    if let Some((column, id)) = filter.within {
        sql.push(&format!(" AND m.{column} = ")).bind(id);
    }
    if let Some(status) = filter.status {
        sql.push(" AND m.status = ").bind(status.as_str().to_owned());
    }
    push_number(sql, &filter.terms);
    if let Some((flow, year)) = filter.flow {
        let column = match flow {
            crate::members::model::Flow::Joined => "m.joined_on",
            crate::members::model::Flow::Left => "m.left_on",
        };
        sql.push(&format!(" AND {column} >= "))
            .bind(format!("{year:04}-01-01"))
            .push(&format!(" AND {column} < "))
            .bind(format!("{:04}-01-01", year + 1));
    }
    for word in &filter.terms.name_words {
        // A word of the name begins so. Tokens are letters and digits:
        // no LIKE wildcard comes from the user.
        // Names such as H'Hen Niê split at ' and - as the words do.
        sql.push(" AND (' ' || replace(replace(p.name_folded, '''', ' '), '-', ' ')) LIKE ")
            .bind(format!("% {word}%"));
    }
}

/// Members whose card number, or whose person's CCCD or phone, is the
/// number searched: each through its own index.
fn push_number(sql: &mut Sql, terms: &SearchTerms) {
    let branches = [
        ("SELECT n.id FROM members n WHERE n.member_no = ", &terms.number),
        (
            "SELECT n.id FROM members n JOIN persons q ON q.id = n.person_id WHERE q.cccd = ",
            &terms.cccd,
        ),
        (
            "SELECT n.id FROM members n JOIN persons q ON q.id = n.person_id WHERE q.phone = ",
            &terms.phone,
        ),
    ];
    let mut asked = branches
        .iter()
        .filter_map(|(select, value)| Some((*select, (*value).clone()?)));
    let Some((select, value)) = asked.next() else {
        return;
    };
    sql.push(" AND m.id IN (").push(select).bind(value);
    for (select, value) in asked {
        sql.push(" UNION ALL ").push(select).bind(value);
    }
    sql.push(")");
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
    let join = if filter.terms.name_words.is_empty() {
        ""
    } else {
        " JOIN persons p ON p.id = m.person_id"
    };
    let mut sql = Sql::new(&format!("SELECT COUNT(*) FROM members m{join} WHERE "));
    push_filter(&mut sql, scope, filter);
    sql.fetch_int(db.pool()).await
}
