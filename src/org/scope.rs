//! Where a record sits in the organisation tree, and which subtree a grant
//! covers. Pure logic: the SQL form of a scope is in `db::scope`.

use serde::Serialize;

/// The effective ancestors of a record at each level of the tree. Every
/// scoped table carries these three columns; a merge rewrites them so that
/// the record is counted under the surviving unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub branch_id: Option<i64>,
}

/// A whole subtree of the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Country,
    Province(i64),
    Commune(i64),
    Branch(i64),
}

impl Scope {
    pub fn contains(&self, placement: &Placement) -> bool {
        match *self {
            Scope::Country => true,
            Scope::Province(id) => placement.province_id == Some(id),
            Scope::Commune(id) => placement.commune_id == Some(id),
            Scope::Branch(id) => placement.branch_id == Some(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BA_DINH_BRANCH: Placement = Placement {
        province_id: Some(1),
        commune_id: Some(10),
        branch_id: Some(100),
    };

    #[test]
    fn each_scope_contains_exactly_its_subtree() {
        assert!(Scope::Country.contains(&BA_DINH_BRANCH));
        assert!(Scope::Province(1).contains(&BA_DINH_BRANCH));
        assert!(Scope::Commune(10).contains(&BA_DINH_BRANCH));
        assert!(Scope::Branch(100).contains(&BA_DINH_BRANCH));
        assert!(!Scope::Province(2).contains(&BA_DINH_BRANCH));
        assert!(!Scope::Commune(11).contains(&BA_DINH_BRANCH));
        assert!(!Scope::Branch(101).contains(&BA_DINH_BRANCH));
    }

    #[test]
    fn a_province_level_record_is_outside_every_commune() {
        let province_office = Placement {
            province_id: Some(1),
            ..Placement::default()
        };
        assert!(Scope::Province(1).contains(&province_office));
        assert!(!Scope::Commune(10).contains(&province_office));
    }
}
