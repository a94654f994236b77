//! Roles granted on org units, what they allow, and the signed-in user.
//! A grant covers its unit's whole subtree and nothing outside it.

use serde::Serialize;

use super::proof::{Access, ReadScope};
use crate::org::tree::{Level, Placement, Scope};
use crate::org::Unit;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Staff,
    Viewer,
}

impl Role {
    /// Least first: forms offer this order and default to the first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Staff, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The catalogue key of a stored role's label (`staff` → Cán bộ).
    pub fn label_key_of(text: &str) -> Option<&'static str> {
        Role::parse(text).map(Role::label_key)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::Staff => "role.staff",
            Role::Viewer => "role.viewer",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Write => matches!(self, Role::Admin | Role::Staff),
            Permission::Supervise => self == Role::Admin,
        }
    }
}

/// What an action needs. `Supervise` covers accounts, the audit trail and
/// changes to the tree itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Read,
    Write,
    Supervise,
}

#[derive(Clone, Debug, Serialize)]
pub struct Grant {
    pub id: i64,
    pub role: Role,
    pub unit: Unit,
}

impl Grant {
    pub fn scope(&self) -> Scope {
        self.unit.scope()
    }

    /// Whether an administrator holding this grant manages a role `role`
    /// on `unit`. The rule: inside the administrator's subtree, and never
    /// an administrator of the same unit — administrators of a unit are
    /// managed from the unit above (the top ones from the command line).
    fn manages(&self, role: Role, unit: &Unit) -> bool {
        self.role.allows(Permission::Supervise)
            && self.scope().contains(&unit.placement)
            && !(unit.id == self.unit.id && role == Role::Admin)
    }
}

/// Who acts, as the audit trail records it: the user, and the unit of the
/// grant that allowed the action.
#[derive(Clone, Debug, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub unit_id: Option<i64>,
}

impl Actor {
    /// Someone who is not signed in (a refused login, a public form).
    pub fn anonymous(label: &str) -> Actor {
        Actor {
            user_id: None,
            username: label.to_owned(),
            unit_id: None,
        }
    }
}

/// The signed-in user with the grants loaded for this request. Its fields
/// are private: a principal comes from `access::storage` (a real account)
/// or `Principal::system` (the command line), never from a literal.
#[derive(Clone, Debug)]
pub struct Principal {
    user_id: Option<i64>,
    username: String,
    display_name: String,
    grants: Vec<Grant>,
}

impl Principal {
    pub(super) fn new(user_id: i64, username: String, display_name: String, grants: Vec<Grant>) -> Principal {
        Principal {
            user_id: Some(user_id),
            username,
            display_name,
            grants,
        }
    }

    /// The operator at the command line (account set-up, demo data,
    /// benchmarks): an administrator of the whole country, audited as
    /// `system:<what>`. Only entry points outside the web call this.
    pub fn system(what: &str, central: Unit) -> Principal {
        Principal {
            user_id: None,
            username: format!("system:{what}"),
            display_name: what.to_owned(),
            grants: vec![Grant {
                id: 0,
                role: Role::Admin,
                unit: central,
            }],
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    pub fn is_system(&self) -> bool {
        self.user_id.is_none()
    }

    /// The subtrees where the user holds `permission`: the proof that list
    /// and count queries need. Empty when the user holds it nowhere.
    pub fn scope(&self, permission: Permission) -> ReadScope {
        ReadScope::new(
            permission,
            self.grants
                .iter()
                .filter(|g| g.role.allows(permission))
                .map(Grant::scope)
                .collect(),
        )
    }

    /// The narrowest grant that allows `permission` on a record placed at
    /// `target`; its unit is the unit the user acts from.
    pub fn grant_for(&self, permission: Permission, target: &Placement) -> Option<&Grant> {
        self.grants
            .iter()
            .filter(|g| g.role.allows(permission) && g.scope().contains(target))
            .max_by_key(|g| g.unit.level)
    }

    pub fn may(&self, permission: Permission, target: &Placement) -> bool {
        self.grant_for(permission, target).is_some()
    }

    /// The proof that the user may act with `permission` on the records of
    /// `unit`: what storage needs to create, change or delete them.
    pub fn access(&self, permission: Permission, unit: &Unit) -> Option<Access> {
        let grant = self.grant_for(permission, &unit.placement)?;
        Some(Access::new(permission, unit, self.actor(Some(grant))))
    }

    /// The proof that the user may rename, close or merge `unit`: it takes
    /// supervision of the unit's parent.
    pub fn manage(&self, unit: &Unit) -> Option<Access> {
        if unit.level == Level::Central {
            return None;
        }
        let grant = self.grant_for(Permission::Supervise, &unit.parent_placement())?;
        Some(Access::new(Permission::Supervise, unit, self.actor(Some(grant))))
    }

    /// Whether the user may hold the administrator's pen over a role `role`
    /// on `unit` (grant it, or manage an account that holds it).
    pub fn may_grant(&self, role: Role, unit: &Unit) -> bool {
        // The operator at the command line stands above the centre.
        self.is_system() || self.grants.iter().any(|g| g.manages(role, unit))
    }

    /// Whether the user manages an account holding `grants`: every one of
    /// them must be manageable. An account with no role at all is reachable
    /// from the centre only.
    pub fn may_manage_account(&self, grants: &[Grant]) -> bool {
        if grants.is_empty() {
            return self.scope(Permission::Supervise).is_country();
        }
        grants.iter().all(|g| self.may_grant(g.role, &g.unit))
    }

    /// The narrowest unit where the user holds `permission`: where new
    /// records go unless the user says otherwise.
    pub fn narrowest(&self, permission: Permission) -> Option<&Grant> {
        self.grants
            .iter()
            .filter(|g| g.role.allows(permission))
            .max_by_key(|g| g.unit.level)
    }

    /// The widest unit the user holds a grant on: the home of the dashboard.
    pub fn home(&self) -> Option<&Grant> {
        self.grants.iter().min_by_key(|g| g.unit.level)
    }

    /// The actor of an audit entry, acting from `grant`'s unit.
    pub fn actor(&self, grant: Option<&Grant>) -> Actor {
        Actor {
            user_id: self.user_id,
            username: self.username.clone(),
            unit_id: grant.map(|g| g.unit.id),
        }
    }

    /// A principal with the given grants, for unit tests of rules built on it.
    #[cfg(test)]
    pub fn for_tests(grants: Vec<Grant>) -> Principal {
        Principal::new(1, "u".into(), "U".into(), grants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::UnitStatus;

    fn unit(id: i64, level: Level, province: Option<i64>, commune: Option<i64>) -> Unit {
        Unit {
            id,
            code: id.to_string(),
            name: String::new(),
            level,
            kind: String::new(),
            parent_id: None,
            placement: Placement {
                province_id: province,
                commune_id: commune,
                branch_id: None,
            },
            status: UnitStatus::Active,
            merged_into_id: None,
            created_at: String::new(),
            closed_at: None,
        }
    }

    fn principal(grants: Vec<(Role, Unit)>) -> Principal {
        Principal::for_tests(
            grants
                .into_iter()
                .enumerate()
                .map(|(i, (role, unit))| Grant {
                    id: i as i64,
                    role,
                    unit,
                })
                .collect(),
        )
    }

    fn ba_dinh() -> Unit {
        unit(10, Level::Commune, Some(1), Some(10))
    }
    fn ngoc_ha() -> Unit {
        unit(11, Level::Commune, Some(1), Some(11))
    }
    fn hanoi() -> Unit {
        unit(1, Level::Province, Some(1), None)
    }
    fn hai_phong_commune() -> Unit {
        unit(20, Level::Commune, Some(2), Some(20))
    }

    #[test]
    fn commune_staff_writes_in_its_commune_only() {
        let p = principal(vec![(Role::Staff, ba_dinh())]);
        assert!(p.may(Permission::Write, &ba_dinh().placement));
        assert!(!p.may(Permission::Read, &ngoc_ha().placement));
        assert!(!p.may(Permission::Supervise, &ba_dinh().placement));
        assert!(p.access(Permission::Write, &ba_dinh()).is_some());
        assert!(p.access(Permission::Write, &ngoc_ha()).is_none());
    }

    #[test]
    fn viewer_reads_but_never_writes() {
        let p = principal(vec![(Role::Viewer, hanoi())]);
        assert!(p.may(Permission::Read, &ngoc_ha().placement));
        assert!(!p.may(Permission::Write, &ngoc_ha().placement));
        assert!(!p.may(Permission::Read, &hai_phong_commune().placement));
        assert!(p.access(Permission::Write, &ngoc_ha()).is_none());
    }

    #[test]
    fn the_narrowest_grant_is_the_acting_unit() {
        let p = principal(vec![(Role::Admin, hanoi()), (Role::Staff, ba_dinh())]);
        let acting = |u: &Unit| p.access(Permission::Write, u).and_then(|a| a.actor().unit_id);
        assert_eq!(acting(&ba_dinh()), Some(10));
        assert_eq!(acting(&ngoc_ha()), Some(1));
        assert_eq!(p.home().map(|g| g.unit.id), Some(1));
        assert_eq!(p.narrowest(Permission::Write).map(|g| g.unit.id), Some(10));
        assert_eq!(p.narrowest(Permission::Supervise).map(|g| g.unit.id), Some(1));
    }

    #[test]
    fn no_grant_means_no_access() {
        let p = principal(vec![]);
        assert!(p.scope(Permission::Read).is_empty());
        assert!(!p.may(Permission::Read, &ba_dinh().placement));
        assert!(!p.may_manage_account(&[]));
    }

    #[test]
    fn managing_a_unit_takes_supervision_of_its_parent() {
        let commune_admin = principal(vec![(Role::Admin, ba_dinh())]);
        assert!(commune_admin.manage(&ba_dinh()).is_none());
        let province_admin = principal(vec![(Role::Admin, hanoi())]);
        assert!(province_admin.manage(&ba_dinh()).is_some());
        assert!(province_admin.manage(&hanoi()).is_none());
    }

    #[test]
    fn administrators_are_managed_from_the_unit_above() {
        let p = principal(vec![(Role::Admin, hanoi())]);
        assert!(
            p.may_grant(Role::Admin, &ba_dinh()),
            "a commune's admin, from the province"
        );
        assert!(p.may_grant(Role::Staff, &hanoi()), "the province's own staff");
        assert!(!p.may_grant(Role::Admin, &hanoi()), "never a peer administrator");
        assert!(!p.may_grant(Role::Viewer, &hai_phong_commune()), "nothing outside");
        let grant = |role, unit| Grant { id: 9, role, unit };
        assert!(p.may_manage_account(&[grant(Role::Staff, ba_dinh()), grant(Role::Viewer, ngoc_ha())]));
        assert!(!p.may_manage_account(&[grant(Role::Staff, ba_dinh()), grant(Role::Staff, hai_phong_commune())]));
        assert!(!p.may_manage_account(&[grant(Role::Admin, hanoi())]));
        let staff = principal(vec![(Role::Staff, hanoi())]);
        assert!(!staff.may_grant(Role::Viewer, &ba_dinh()), "staff manage no accounts");
    }
}
