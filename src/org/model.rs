//! The organisation tree: central office → provinces → communes → branches.

use serde::Serialize;

pub use super::tree::Level;
use super::tree::{Placement, Scope};

pub const CENTRAL_CODE: &str = "TW";

/// The five kinds of grassroots branch (chi hội).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchKind {
    Residential,
    School,
    Agency,
    Enterprise,
    ReligiousOther,
}

impl BranchKind {
    pub const ALL: [BranchKind; 5] = [
        BranchKind::Residential,
        BranchKind::School,
        BranchKind::Agency,
        BranchKind::Enterprise,
        BranchKind::ReligiousOther,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BranchKind::Residential => "residential",
            BranchKind::School => "school",
            BranchKind::Agency => "agency",
            BranchKind::Enterprise => "enterprise",
            BranchKind::ReligiousOther => "religious_other",
        }
    }

    pub fn parse(text: &str) -> Option<BranchKind> {
        BranchKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    Active,
    Closed,
    Merged,
}

impl UnitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitStatus::Active => "active",
            UnitStatus::Closed => "closed",
            UnitStatus::Merged => "merged",
        }
    }

    /// The catalogue key of a stored status's label (audit values).
    pub fn label_key_of(text: &str) -> Option<&'static str> {
        match text {
            "active" => Some("unit.status.active"),
            "closed" => Some("unit.status.closed"),
            "merged" => Some("unit.status.merged"),
            _ => None,
        }
    }

    pub fn parse(text: &str) -> UnitStatus {
        match text {
            "closed" => UnitStatus::Closed,
            "merged" => UnitStatus::Merged,
            _ => UnitStatus::Active,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: Level,
    /// Sub-type: city/province, ward/commune/special_zone, or a branch kind.
    pub kind: String,
    pub parent_id: Option<i64>,
    /// The unit's own place: its ancestors and itself at each level.
    #[serde(skip)]
    pub placement: Placement,
    pub status: UnitStatus,
    pub merged_into_id: Option<i64>,
    pub created_at: String,
    pub closed_at: Option<String>,
}

impl Unit {
    /// The subtree a grant on this unit covers.
    pub fn scope(&self) -> Scope {
        match self.level {
            Level::Central => Scope::Country,
            Level::Province => Scope::Province(self.id),
            Level::Commune => Scope::Commune(self.id),
            Level::Branch => Scope::Branch(self.id),
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == UnitStatus::Active
    }

    /// How the unit's status reads ("Đã giải thể", "Đã sáp nhập vào
    /// Phường Ba Đình"); nothing while it is active. `merged_into` is the
    /// unit it was merged into, when the caller has it.
    pub fn status_text(&self, lang: crate::i18n::Lang, merged_into: Option<&Unit>) -> Option<String> {
        use crate::i18n::t;
        match self.status {
            UnitStatus::Active => None,
            UnitStatus::Closed => Some(t(lang, "unit.status.closed").to_owned()),
            UnitStatus::Merged => Some(match merged_into {
                Some(target) => format!("{} {}", t(lang, "unit.status.merged_into"), target.name),
                None => t(lang, "unit.status.merged").to_owned(),
            }),
        }
    }

    /// Where this unit's parent sits: supervising it is what managing this
    /// unit (renaming, closing, merging) takes.
    pub fn parent_placement(&self) -> Placement {
        self.placement.above(self.level)
    }
}

/// The catalogue key of a stored unit kind's label (`agency` → Chi hội cơ quan).
pub fn kind_key(kind: &str) -> Option<&'static str> {
    const KEYS: [(&str, &str); 11] = [
        ("central", "unit.kind.central"),
        ("city", "unit.kind.city"),
        ("province", "unit.kind.province"),
        ("ward", "unit.kind.ward"),
        ("commune", "unit.kind.commune"),
        ("special_zone", "unit.kind.special_zone"),
        ("residential", "unit.kind.residential"),
        ("school", "unit.kind.school"),
        ("agency", "unit.kind.agency"),
        ("enterprise", "unit.kind.enterprise"),
        ("religious_other", "unit.kind.religious_other"),
    ];
    KEYS.iter().find(|(k, _)| *k == kind).map(|(_, key)| *key)
}

/// The code of the `seq`-th branch created under a commune: `00004-007`.
/// Codes never change afterwards, even when the commune is merged away.
pub fn branch_code(commune_code: &str, seq: i64) -> String {
    format!("{commune_code}-{seq:03}")
}

/// Why a merge of `sources` into `target` is refused, if it is. The rule:
/// active units of the same level below the centre; their parents may
/// differ (a commune of one province into a commune of another), because
/// every record below a merged unit is re-placed in all its columns.
pub fn merge_refusal(sources: &[Unit], target: &Unit) -> Option<super::OrgError> {
    use super::OrgError;
    if sources.is_empty() {
        return Some(OrgError::NothingToMerge);
    }
    if !target.is_active() {
        return Some(OrgError::Inactive(target.code.clone()));
    }
    for source in sources {
        if source.id == target.id {
            return Some(OrgError::MergeIntoSelf);
        }
        if !source.is_active() {
            return Some(OrgError::Inactive(source.code.clone()));
        }
        if source.level != target.level || source.level == Level::Central {
            return Some(OrgError::MergeAcrossLevels);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, level: Level, status: UnitStatus) -> Unit {
        Unit {
            id,
            code: format!("{id:05}"),
            name: format!("Unit {id}"),
            level,
            kind: "ward".into(),
            parent_id: None,
            placement: Placement::default(),
            status,
            merged_into_id: None,
            created_at: String::new(),
            closed_at: None,
        }
    }

    #[test]
    fn branch_codes_are_zero_padded_under_the_commune() {
        assert_eq!(branch_code("00004", 7), "00004-007");
        assert_eq!(branch_code("00004", 1234), "00004-1234");
    }

    #[test]
    fn merge_needs_active_units_of_the_same_level() {
        let target = unit(1, Level::Commune, UnitStatus::Active);
        let ok = unit(2, Level::Commune, UnitStatus::Active);
        assert!(merge_refusal(std::slice::from_ref(&ok), &target).is_none());
        assert!(merge_refusal(&[], &target).is_some());
        assert!(merge_refusal(std::slice::from_ref(&target), &target).is_some());
        let province = unit(3, Level::Province, UnitStatus::Active);
        assert!(merge_refusal(&[province], &target).is_some());
        let merged = unit(4, Level::Commune, UnitStatus::Merged);
        assert!(merge_refusal(&[merged], &target).is_some());
        assert!(merge_refusal(&[ok], &unit(5, Level::Commune, UnitStatus::Closed)).is_some());
    }
}
