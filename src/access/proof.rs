//! Proofs of access. Storage functions that touch placed data take one of
//! these; only `Principal` makes them, after checking the user's grants,
//! so a query cannot be written without the check having happened.

use super::model::{Actor, Permission};
use crate::db::Sql;
use crate::org::tree::{Placement, Scope};
use crate::org::Unit;

/// The subtrees where a user holds a permission. Lists, searches, counts
/// and exports filter by it; no subtree at all filters out everything.
#[derive(Clone, Debug)]
pub struct ReadScope {
    permission: Permission,
    scopes: Vec<Scope>,
}

impl ReadScope {
    pub(super) fn new(permission: Permission, mut scopes: Vec<Scope>) -> ReadScope {
        if scopes.contains(&Scope::Country) {
            scopes = vec![Scope::Country];
        }
        ReadScope { permission, scopes }
    }

    pub fn permission(&self) -> Permission {
        self.permission
    }

    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// Whether the scope is the whole country (no filter needed).
    pub fn is_country(&self) -> bool {
        self.scopes == [Scope::Country]
    }

    pub fn contains(&self, placement: &Placement) -> bool {
        self.scopes.iter().any(|s| s.contains(placement))
    }

    /// The subtrees, for rendering them elsewhere (search index tokens).
    pub fn subtrees(&self) -> &[Scope] {
        &self.scopes
    }

    /// The same permission narrowed to `unit`'s subtree, if the unit lies
    /// inside this scope.
    pub fn within(&self, unit: &Unit) -> Option<ReadScope> {
        self.contains(&unit.placement).then(|| ReadScope {
            permission: self.permission,
            scopes: vec![unit.scope()],
        })
    }

    /// Adds subtrees that history belongs to (units merged into this
    /// scope); built by `access::storage::history_scope` only.
    pub(super) fn with(mut self, more: impl IntoIterator<Item = Scope>) -> ReadScope {
        for scope in more {
            if !self.scopes.contains(&scope) && !self.is_country() {
                self.scopes.push(scope);
            }
        }
        self
    }

    /// Appends a predicate keeping the rows of `alias` inside the scope.
    /// No scope at all keeps nothing: access is denied by default.
    pub fn push_filter(&self, sql: &mut Sql, alias: &str) {
        self.push_filter_on(sql, alias, "");
    }

    /// Like `push_filter`, for rows found by something else (their ids):
    /// the columns are written `+p.province_id`, which both databases read
    /// alike but no planner takes for an index. Without statistics SQLite
    /// would otherwise walk a whole province's index to check 50 ids.
    pub fn push_check(&self, sql: &mut Sql, alias: &str) {
        self.push_filter_on(sql, &format!("+{alias}"), "");
    }

    /// Like `push_filter`, on placement columns named with a prefix
    /// (`prev_province_id` …).
    pub fn push_filter_on(&self, sql: &mut Sql, alias: &str, prefix: &str) {
        if self.scopes.is_empty() {
            sql.push("1 = 0");
            return;
        }
        if self.is_country() {
            sql.push("1 = 1");
            return;
        }
        sql.push("(");
        let mut first = true;
        for column in ["province_id", "commune_id", "branch_id"] {
            let ids: Vec<i64> = self
                .scopes
                .iter()
                .filter_map(Scope::column)
                .filter(|(c, _)| *c == column)
                .map(|(_, id)| id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            if !first {
                sql.push(" OR ");
            }
            first = false;
            sql.push(&format!("{alias}.{prefix}{column} IN ("));
            sql.bind_list(&ids);
            sql.push(")");
        }
        sql.push(")");
    }
}

/// Permission to act on the records of one unit, found by the access
/// check together with the grant it came from (the audit's actor).
#[derive(Clone, Debug)]
pub struct Access {
    permission: Permission,
    unit_id: i64,
    placement: Placement,
    actor: Actor,
}

impl Access {
    pub(super) fn new(permission: Permission, unit: &Unit, actor: Actor) -> Access {
        Access {
            permission,
            unit_id: unit.id,
            placement: unit.placement,
            actor,
        }
    }

    pub fn permission(&self) -> Permission {
        self.permission
    }

    /// The unit whose records this access covers (new records go there).
    pub fn unit_id(&self) -> i64 {
        self.unit_id
    }

    /// Where that unit sits: the placement of its records.
    pub fn placement(&self) -> Placement {
        self.placement
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Appends `alias.unit_id = … AND alias.province_id = … AND …`: a
    /// statement that changes a record then holds only while the record is
    /// still where the check found it (a merge in between makes it miss).
    pub fn push_guard(&self, sql: &mut Sql, alias: &str) {
        sql.push(&format!("{alias}.unit_id = ")).bind(self.unit_id);
        let p = self.placement;
        for (column, value) in [
            ("province_id", p.province_id),
            ("commune_id", p.commune_id),
            ("branch_id", p.branch_id),
        ] {
            match value {
                Some(id) => sql.push(&format!(" AND {alias}.{column} = ")).bind(id),
                None => sql.push(&format!(" AND {alias}.{column} IS NULL")),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(scopes: Vec<Scope>) -> String {
        let mut sql = Sql::new("");
        ReadScope::new(Permission::Read, scopes).push_filter(&mut sql, "p");
        sql.text().to_owned()
    }

    #[test]
    fn no_scope_denies_everything() {
        assert_eq!(render(vec![]), "1 = 0");
    }

    #[test]
    fn country_scope_needs_no_filter() {
        assert_eq!(render(vec![Scope::Commune(3), Scope::Country]), "1 = 1");
    }

    #[test]
    fn mixed_scopes_are_ored_by_level() {
        assert_eq!(
            render(vec![Scope::Commune(3), Scope::Province(1), Scope::Commune(4)]),
            "(p.province_id IN ($1) OR p.commune_id IN ($2, $3))"
        );
    }
}
