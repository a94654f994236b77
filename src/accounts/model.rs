//! Roles granted on org units, and what they allow. A grant covers its
//! unit's whole subtree and nothing outside it.

use serde::Serialize;

use crate::audit::Actor;
use crate::org::scope::{Placement, Scope};
use crate::org::{Level, Unit};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Staff,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Staff, Role::Viewer];

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
}

/// The signed-in user with the grants loaded for this request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

fn depth(level: Level) -> u8 {
    match level {
        Level::Central => 0,
        Level::Province => 1,
        Level::Commune => 2,
        Level::Branch => 3,
    }
}

impl Principal {
    /// The subtrees where the user holds `permission`.
    pub fn scopes(&self, permission: Permission) -> Vec<Scope> {
        self.grants
            .iter()
            .filter(|g| g.role.allows(permission))
            .map(Grant::scope)
            .collect()
    }

    /// The narrowest grant that allows `permission` on a record placed at
    /// `target`; its unit is the unit the user acts from.
    pub fn grant_for(&self, permission: Permission, target: &Placement) -> Option<&Grant> {
        self.grants
            .iter()
            .filter(|g| g.role.allows(permission) && g.scope().contains(target))
            .max_by_key(|g| depth(g.unit.level))
    }

    pub fn may(&self, permission: Permission, target: &Placement) -> bool {
        self.grant_for(permission, target).is_some()
    }

    /// Whether the user supervises a unit's parent, which is what renaming,
    /// closing or merging the unit takes.
    pub fn may_manage_unit(&self, unit: &Unit) -> bool {
        let mut above = unit.placement;
        match unit.level {
            Level::Central => return false,
            Level::Province => above.province_id = None,
            Level::Commune => above.commune_id = None,
            Level::Branch => above.branch_id = None,
        }
        self.may(Permission::Supervise, &above)
    }

    /// Whether the user may manage an account whose grants sit at `placements`:
    /// every one of them must be inside the user's supervised subtrees.
    pub fn may_manage_account(&self, placements: &[Placement]) -> bool {
        let scopes = self.scopes(Permission::Supervise);
        !scopes.is_empty() && placements.iter().all(|p| scopes.iter().any(|s| s.contains(p)))
    }

    /// The narrowest unit where the user holds `permission`: where new
    /// records go unless the user says otherwise.
    pub fn narrowest(&self, permission: Permission) -> Option<&Grant> {
        self.grants
            .iter()
            .filter(|g| g.role.allows(permission))
            .max_by_key(|g| depth(g.unit.level))
    }

    /// The widest unit the user holds a grant on: the home of the dashboard.
    pub fn home(&self) -> Option<&Grant> {
        self.grants.iter().min_by_key(|g| depth(g.unit.level))
    }

    pub fn actor(&self, grant: Option<&Grant>) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            username: self.username.clone(),
            unit_id: grant.map(|g| g.unit.id),
        }
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
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            grants: grants
                .into_iter()
                .enumerate()
                .map(|(i, (role, unit))| Grant {
                    id: i as i64,
                    role,
                    unit,
                })
                .collect(),
        }
    }

    const IN_BA_DINH: Placement = Placement {
        province_id: Some(1),
        commune_id: Some(10),
        branch_id: None,
    };
    const IN_NGOC_HA: Placement = Placement {
        province_id: Some(1),
        commune_id: Some(11),
        branch_id: None,
    };
    const IN_HAI_PHONG: Placement = Placement {
        province_id: Some(2),
        commune_id: Some(20),
        branch_id: None,
    };

    #[test]
    fn commune_staff_writes_in_its_commune_only() {
        let p = principal(vec![(Role::Staff, unit(10, Level::Commune, Some(1), Some(10)))]);
        assert!(p.may(Permission::Write, &IN_BA_DINH));
        assert!(!p.may(Permission::Read, &IN_NGOC_HA));
        assert!(!p.may(Permission::Supervise, &IN_BA_DINH));
    }

    #[test]
    fn viewer_reads_but_never_writes() {
        let p = principal(vec![(Role::Viewer, unit(1, Level::Province, Some(1), None))]);
        assert!(p.may(Permission::Read, &IN_NGOC_HA));
        assert!(!p.may(Permission::Write, &IN_NGOC_HA));
        assert!(!p.may(Permission::Read, &IN_HAI_PHONG));
    }

    #[test]
    fn the_narrowest_grant_is_the_acting_unit() {
        let p = principal(vec![
            (Role::Admin, unit(1, Level::Province, Some(1), None)),
            (Role::Staff, unit(10, Level::Commune, Some(1), Some(10))),
        ]);
        assert_eq!(p.grant_for(Permission::Write, &IN_BA_DINH).map(|g| g.unit.id), Some(10));
        assert_eq!(p.grant_for(Permission::Write, &IN_NGOC_HA).map(|g| g.unit.id), Some(1));
        assert_eq!(p.home().map(|g| g.unit.id), Some(1));
        assert_eq!(p.narrowest(Permission::Write).map(|g| g.unit.id), Some(10));
        assert_eq!(p.narrowest(Permission::Supervise).map(|g| g.unit.id), Some(1));
    }

    #[test]
    fn no_grant_means_no_access() {
        let p = principal(vec![]);
        assert!(p.scopes(Permission::Read).is_empty());
        assert!(!p.may(Permission::Read, &IN_BA_DINH));
        assert!(!p.may_manage_account(&[]));
    }

    #[test]
    fn managing_a_unit_takes_supervision_of_its_parent() {
        let commune = unit(10, Level::Commune, Some(1), Some(10));
        let commune_admin = principal(vec![(Role::Admin, commune.clone())]);
        assert!(!commune_admin.may_manage_unit(&commune));
        let province_admin = principal(vec![(Role::Admin, unit(1, Level::Province, Some(1), None))]);
        assert!(province_admin.may_manage_unit(&commune));
        assert!(!province_admin.may_manage_unit(&unit(1, Level::Province, Some(1), None)));
    }

    #[test]
    fn province_admin_manages_accounts_inside_the_province_only() {
        let p = principal(vec![(Role::Admin, unit(1, Level::Province, Some(1), None))]);
        assert!(p.may_manage_account(&[IN_BA_DINH, IN_NGOC_HA]));
        assert!(!p.may_manage_account(&[IN_BA_DINH, IN_HAI_PHONG]));
    }
}
