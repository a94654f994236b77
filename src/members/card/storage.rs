//! SQL of cards: tokens and the tier rules.

use sqlx::{Any, Row, Transaction};

use super::TierRules;
use crate::db::{self, Db, Sql};
use crate::members::model::Status;

/// The card token of member `id`, made (and kept) the first time.
pub async fn token(db: &Db, id: i64) -> Result<String, sqlx::Error> {
    let fresh: String = crate::web::session::new_token().chars().take(32).collect();
    let mut sql = Sql::new("UPDATE members SET card_token = ");
    sql.bind(fresh)
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND card_token IS NULL");
    sql.execute(db.pool()).await?;
    let mut sql = Sql::new("SELECT card_token FROM members WHERE id = ");
    sql.bind(id);
    let row = sql.fetch_optional(db.pool()).await?.ok_or(sqlx::Error::RowNotFound)?;
    row.try_get(0)
}

/// The status and joining date of the member holding card `token`.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<(Status, String)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT status, joined_on FROM members WHERE card_token = ");
    sql.bind(token.to_owned());
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let status: String = row.try_get(0)?;
    let joined_on: String = row.try_get(1)?;
    Ok(Status::parse(&status).map(|s| (s, joined_on)))
}

pub async fn rules(db: &Db) -> Result<TierRules, sqlx::Error> {
    let mut rules = TierRules {
        silver: 5,
        gold: 10,
        platinum: 20,
    };
    for row in Sql::new("SELECT tier, min_years FROM member_tiers")
        .fetch_all(db.pool())
        .await?
    {
        let tier: String = row.try_get(0)?;
        let years = db::int(&row, 1);
        match tier.as_str() {
            "silver" => rules.silver = years,
            "gold" => rules.gold = years,
            "platinum" => rules.platinum = years,
            _ => {}
        }
    }
    Ok(rules)
}

pub async fn set_rules(tx: &mut Transaction<'static, Any>, rules: &TierRules) -> Result<(), sqlx::Error> {
    for (tier, years) in [
        ("silver", rules.silver),
        ("gold", rules.gold),
        ("platinum", rules.platinum),
    ] {
        let mut sql = Sql::new("UPDATE member_tiers SET min_years = ");
        sql.bind(years).push(", updated_at = ").bind(db::now());
        sql.push(" WHERE tier = ").bind(tier.to_owned());
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}
