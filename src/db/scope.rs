//! The SQL form of access scopes. Every scoped table has the columns
//! `province_id`, `commune_id` and `branch_id` (see `org::scope::Placement`).

use super::Sql;
use crate::org::scope::Scope;

/// Appends a predicate that keeps only rows inside one of `scopes`.
/// No scope at all keeps nothing: access is denied by default.
pub fn push_filter(sql: &mut Sql, alias: &str, scopes: &[Scope]) {
    if scopes.is_empty() {
        sql.push("1 = 0");
        return;
    }
    if scopes.contains(&Scope::Country) {
        sql.push("1 = 1");
        return;
    }
    let pick = |wanted: fn(&Scope) -> Option<i64>| -> Vec<i64> { scopes.iter().filter_map(wanted).collect() };
    let groups = [
        (
            "province_id",
            pick(|s| if let Scope::Province(id) = s { Some(*id) } else { None }),
        ),
        (
            "commune_id",
            pick(|s| if let Scope::Commune(id) = s { Some(*id) } else { None }),
        ),
        (
            "branch_id",
            pick(|s| if let Scope::Branch(id) = s { Some(*id) } else { None }),
        ),
    ];
    sql.push("(");
    let mut first = true;
    for (column, ids) in groups.iter().filter(|(_, ids)| !ids.is_empty()) {
        if !first {
            sql.push(" OR ");
        }
        first = false;
        sql.push(&format!("{alias}.{column} IN ("));
        sql.bind_list(ids);
        sql.push(")");
    }
    sql.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(scopes: &[Scope]) -> String {
        let mut sql = Sql::new("");
        push_filter(&mut sql, "p", scopes);
        sql.text().to_owned()
    }

    #[test]
    fn no_scope_denies_everything() {
        assert_eq!(render(&[]), "1 = 0");
    }

    #[test]
    fn country_scope_needs_no_filter() {
        assert_eq!(render(&[Scope::Commune(3), Scope::Country]), "1 = 1");
    }

    #[test]
    fn mixed_scopes_are_ored_by_level() {
        assert_eq!(
            render(&[Scope::Commune(3), Scope::Province(1), Scope::Commune(4)]),
            "(p.province_id IN ($1) OR p.commune_id IN ($2, $3))"
        );
    }
}
