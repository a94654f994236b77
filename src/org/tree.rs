//! Where a record sits in the organisation tree, and which subtree a grant
//! covers. Pure geometry: who may see what is decided in `access`.

use serde::Serialize;

/// The four levels of the tree, top down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Central,
    Province,
    Commune,
    Branch,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Central => "central",
            Level::Province => "province",
            Level::Commune => "commune",
            Level::Branch => "branch",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "central" => Level::Central,
            "province" => Level::Province,
            "commune" => Level::Commune,
            "branch" => Level::Branch,
            _ => return None,
        })
    }

    pub fn child(self) -> Option<Level> {
        match self {
            Level::Central => Some(Level::Province),
            Level::Province => Some(Level::Commune),
            Level::Commune => Some(Level::Branch),
            Level::Branch => None,
        }
    }

    /// The placement column that holds a unit of this level, if any.
    pub fn column(self) -> Option<&'static str> {
        match self {
            Level::Central => None,
            Level::Province => Some("province_id"),
            Level::Commune => Some("commune_id"),
            Level::Branch => Some("branch_id"),
        }
    }
}

/// The ancestors of a record at each level of the tree. Every placed table
/// carries these three columns; they are written only through
/// `org::placement`, which merges use too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Placement {
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub branch_id: Option<i64>,
}

impl Placement {
    /// The unit at `level` on the way from the root to this place.
    pub fn at(&self, level: Level) -> Option<i64> {
        match level {
            Level::Central => None,
            Level::Province => self.province_id,
            Level::Commune => self.commune_id,
            Level::Branch => self.branch_id,
        }
    }

    /// The place a record takes when the unit holding it at `level` is
    /// merged into a unit placed at `target`: everything at `level` and
    /// above comes from the target, everything below stays.
    pub fn merged_into(&self, level: Level, target: &Placement) -> Placement {
        let keep_below = |own: Option<i64>, column_level: Level| {
            if column_level > level {
                own
            } else {
                target.at(column_level)
            }
        };
        Placement {
            province_id: keep_below(self.province_id, Level::Province),
            commune_id: keep_below(self.commune_id, Level::Commune),
            branch_id: keep_below(self.branch_id, Level::Branch),
        }
    }

    /// The same place with the column of `level` and everything below
    /// cleared: where the parent of a unit of `level` sits.
    pub fn above(&self, level: Level) -> Placement {
        let mut p = *self;
        if level <= Level::Branch {
            p.branch_id = None;
        }
        if level <= Level::Commune {
            p.commune_id = None;
        }
        if level <= Level::Province {
            p.province_id = None;
        }
        p
    }
}

/// A whole subtree of the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

    /// The placement column and unit id of the subtree's root, if any.
    pub fn column(&self) -> Option<(&'static str, i64)> {
        match *self {
            Scope::Country => None,
            Scope::Province(id) => Some(("province_id", id)),
            Scope::Commune(id) => Some(("commune_id", id)),
            Scope::Branch(id) => Some(("branch_id", id)),
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

    #[test]
    fn a_merge_replaces_every_column_from_the_merged_level_up() {
        // Commune 10 of province 1 merged into commune 20 of province 2.
        let target = Placement {
            province_id: Some(2),
            commune_id: Some(20),
            branch_id: None,
        };
        let moved = BA_DINH_BRANCH.merged_into(Level::Commune, &target);
        assert_eq!(
            moved,
            Placement {
                province_id: Some(2),
                commune_id: Some(20),
                branch_id: Some(100)
            }
        );
        // A branch merged into a branch of another commune takes all three.
        let other_branch = Placement {
            province_id: Some(2),
            commune_id: Some(20),
            branch_id: Some(200),
        };
        assert_eq!(BA_DINH_BRANCH.merged_into(Level::Branch, &other_branch), other_branch);
    }

    #[test]
    fn above_clears_a_level_and_below() {
        let commune = BA_DINH_BRANCH.above(Level::Branch);
        assert_eq!(commune.commune_id, Some(10));
        assert_eq!(commune.branch_id, None);
        assert_eq!(BA_DINH_BRANCH.above(Level::Province), Placement::default());
    }
}
