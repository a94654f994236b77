//! Member cards: printed as PDF with a QR code whose public address
//! (`/p/the/{token}`) confirms only that the card is valid and its tier.
//! Tiers follow years of membership, by rules the centre sets.

mod routes;
mod storage;

pub use routes::{pages, router};

use serde::{Deserialize, Serialize};

use super::model::Status;
use super::service::{get, held_by, today};
use super::MembersError;
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service as org;
use crate::validation::FieldErrors;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Ordinary,
    Silver,
    Gold,
    Platinum,
}

impl Tier {
    pub const RANKED: [Tier; 3] = [Tier::Silver, Tier::Gold, Tier::Platinum];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Ordinary => "ordinary",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
            Tier::Platinum => "platinum",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Tier::Ordinary => "card.tier.ordinary",
            Tier::Silver => "card.tier.silver",
            Tier::Gold => "card.tier.gold",
            Tier::Platinum => "card.tier.platinum",
        }
    }
}

/// The years of membership each tier needs (silver, gold, platinum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierRules {
    pub silver: i64,
    pub gold: i64,
    pub platinum: i64,
}

impl TierRules {
    /// The highest tier `years` of membership reach.
    pub fn tier_of(&self, years: i64) -> Tier {
        match years {
            y if y >= self.platinum => Tier::Platinum,
            y if y >= self.gold => Tier::Gold,
            y if y >= self.silver => Tier::Silver,
            _ => Tier::Ordinary,
        }
    }

    /// Rising, within a working life.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if !(0..=80).contains(&self.silver) || !(0..=80).contains(&self.gold) || !(0..=80).contains(&self.platinum) {
            errors.insert("silver".into(), "card.error.years".into());
        } else if !(self.silver < self.gold && self.gold < self.platinum) {
            errors.insert("gold".into(), "card.error.order".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Full years from `joined_on` (ISO) to today.
pub fn years_since(joined_on: &str, today: time::Date) -> i64 {
    let parts: Vec<i64> = joined_on.split('-').filter_map(|p| p.parse().ok()).collect();
    let [y, m, d] = parts[..] else { return 0 };
    let (ty, tm, td) = (
        i64::from(today.year()),
        i64::from(u8::from(today.month())),
        i64::from(today.day()),
    );
    let years = ty - y - i64::from((tm, td) < (m, d));
    years.max(0)
}

/// What the public address of a card says: nothing about the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublicCard {
    /// The membership is active.
    pub valid: bool,
    pub tier: Tier,
}

pub async fn rules(db: &Db) -> Result<TierRules, MembersError> {
    Ok(storage::rules(db).await?)
}

/// The centre's administrators set the tier rules.
pub async fn set_rules(db: &Db, user: &Principal, rules: TierRules) -> Result<TierRules, MembersError> {
    let central = org::central(db).await?;
    let access = user
        .access(Permission::Supervise, &central)
        .ok_or(MembersError::ReadOnly)?;
    rules.check().map_err(MembersError::Validation)?;
    let before = storage::rules(db).await?;
    let mut tx = db.begin_write().await?;
    storage::set_rules(&mut tx, &rules).await?;
    let change = Change {
        before: serde_json::to_value(before).ok(),
        after: serde_json::to_value(rules).ok(),
        ..Change::new("set_tiers", "dues", central.id, central.name.clone(), central.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(rules)
}

/// The card of a member the user may change, as the PDF prints it; the
/// card's token is made the first time.
pub async fn card(
    db: &Db,
    user: &Principal,
    id: i64,
    base_url: &str,
) -> Result<nhanai_pdf::CardDocument, MembersError> {
    let member = get(db, user, id).await?;
    held_by(db, user, &member).await?;
    let token = storage::token(db, member.id).await?;
    let tier = rules(db).await?.tier_of(years_since(&member.joined_on, today()));
    let commune = match member.placement.commune_id {
        Some(id) => org::unit_by_id(db, id).await?.map(|u| u.name),
        None => None,
    };
    let url = format!("{base_url}/p/the/{token}");
    // The card is printed in Vietnamese; an ordinary card names no tier.
    let tier = match (member.status, tier) {
        (Status::Active, Tier::Silver | Tier::Gold | Tier::Platinum) => {
            crate::i18n::t(crate::i18n::Lang::Vi, tier.label_key()).to_owned()
        }
        _ => String::new(),
    };
    Ok(nhanai_pdf::CardDocument {
        issuer: format!("Hội Chữ thập đỏ {}", commune.unwrap_or_default()),
        name: member.full_name.clone(),
        number: member.member_no.clone(),
        branch: member.branch_name.clone(),
        since: format!("Hội viên từ {}", member.joined_on.get(..4).unwrap_or_default()),
        tier,
        qr_svg: qr_svg(&url)?,
        url,
    })
}

fn qr_svg(url: &str) -> Result<String, MembersError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| MembersError::Card(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// What a card's token confirms; `None` for a token no card has.
pub async fn verify(db: &Db, token: &str) -> Result<Option<PublicCard>, MembersError> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some((status, joined_on)) = storage::by_token(db, token).await? else {
        return Ok(None);
    };
    let rules = rules(db).await?;
    let valid = status == Status::Active;
    Ok(Some(PublicCard {
        valid,
        tier: if valid {
            rules.tier_of(years_since(&joined_on, today()))
        } else {
            Tier::Ordinary
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const RULES: TierRules = TierRules {
        silver: 5,
        gold: 10,
        platinum: 20,
    };

    #[test]
    fn tiers_follow_full_years_of_membership() {
        let today = date!(2026 - 11 - 28);
        assert_eq!(years_since("2021-11-28", today), 5);
        assert_eq!(years_since("2021-11-29", today), 4);
        assert_eq!(years_since("2030-01-01", today), 0);
        assert_eq!(RULES.tier_of(4), Tier::Ordinary);
        assert_eq!(RULES.tier_of(5), Tier::Silver);
        assert_eq!(RULES.tier_of(19), Tier::Gold);
        assert_eq!(RULES.tier_of(40), Tier::Platinum);
    }

    #[test]
    fn rules_rise_within_a_working_life() {
        assert!(RULES.check().is_ok());
        assert!(TierRules {
            silver: 10,
            gold: 5,
            platinum: 20
        }
        .check()
        .is_err());
        assert!(TierRules {
            silver: 5,
            gold: 10,
            platinum: 99
        }
        .check()
        .is_err());
    }
}
