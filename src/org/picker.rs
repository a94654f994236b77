//! Picking a unit in a form by its name: the choices a user is offered
//! (a `datalist` the server fills, so it works without scripts) and how
//! what was typed becomes a unit code. Every form that names a unit uses
//! it (persons, accounts, and the capabilities after them).

use super::model::Unit;
use super::service;
use crate::access::{Permission, Principal};
use crate::db::Db;
use crate::text;

/// Choices offered at most (a province administrator's communes fit).
const MAX_CHOICES: usize = 400;

/// One unit as the picker offers it.
#[derive(Clone, Debug)]
pub struct Choice {
    pub code: String,
    pub name: String,
    pub level: super::Level,
    pub placement: super::tree::Placement,
}

impl Choice {
    /// What the field shows and sends: `Phường Ba Đình (00004)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.code)
    }
}

/// The active units where the user holds `needs`, and the units one level
/// below each (the communes of a province, the branches of a commune).
pub async fn choices(db: &Db, user: &Principal, needs: Permission) -> Result<Vec<Choice>, sqlx::Error> {
    let mut out: Vec<Choice> = Vec::new();
    let push = |unit: &Unit, out: &mut Vec<Choice>| {
        if unit.is_active() && out.len() < MAX_CHOICES && !out.iter().any(|c| c.code == unit.code) {
            out.push(Choice {
                code: unit.code.clone(),
                name: unit.name.clone(),
                level: unit.level,
                placement: unit.placement,
            });
        }
    };
    for grant in user.grants().iter().filter(|g| g.role.allows(needs)) {
        push(&grant.unit, &mut out);
        for child in service::children(db, &grant.unit).await? {
            push(&child, &mut out);
        }
    }
    Ok(out)
}

/// The code of the unit `typed` names: `Name (CODE)` as the picker sends
/// it, a bare code, or a name that only one choice has (diacritics
/// optional). Anything else is passed on as typed, for the service to
/// refuse with its own message.
pub fn code_of(typed: &str, choices: &[Choice]) -> String {
    let typed = typed.trim();
    if let Some(code) = typed
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once('('))
        .map(|(_, code)| code.trim())
        .filter(|code| !code.is_empty() && !code.contains(' '))
    {
        return code.to_owned();
    }
    let folded = text::fold(typed);
    let mut named = choices.iter().filter(|c| text::fold(&c.name) == folded);
    match (named.next(), named.next()) {
        (Some(only), None) => only.code.clone(),
        _ => typed.to_owned(),
    }
}

/// How a stored code shows in the field: with its name when it is a choice.
pub fn shown(code: &str, choices: &[Choice]) -> String {
    choices
        .iter()
        .find(|c| c.code == code)
        .map(Choice::label)
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Vec<Choice> {
        vec![
            Choice {
                code: "00004".into(),
                name: "Phường Ba Đình".into(),
                level: crate::org::Level::Commune,
                placement: Default::default(),
            },
            Choice {
                code: "00004-001".into(),
                name: "Chi hội Tổ 1".into(),
                level: crate::org::Level::Branch,
                placement: Default::default(),
            },
        ]
    }

    #[test]
    fn a_picked_label_a_code_or_a_unique_name_give_the_code() {
        assert_eq!(code_of("Phường Ba Đình (00004)", &choices()), "00004");
        assert_eq!(code_of(" 00004-001 ", &choices()), "00004-001");
        assert_eq!(code_of("phuong ba dinh", &choices()), "00004");
        assert_eq!(code_of("Phường Kim Mã", &choices()), "Phường Kim Mã");
        assert_eq!(shown("00004", &choices()), "Phường Ba Đình (00004)");
        assert_eq!(shown("99999", &choices()), "99999");
    }
}
