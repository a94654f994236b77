//! Account use cases: login, password change, account administration.
//! Each change and its audit entry are written in one transaction.

use serde_json::json;

use super::model::{Permission, Principal, Role};
use super::storage::{self, Account};
use super::{password, throttle, AccountError};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::org::{self, OrgError, Unit};

pub enum LoginOutcome {
    Success(i64),
    Invalid,
    Throttled { minutes: i64 },
}

/// Checks a username and password, counting failures per username and per
/// client address in the database.
pub async fn authenticate(db: &Db, username: &str, password: &str, address: &str) -> Result<LoginOutcome, sqlx::Error> {
    let user_key = throttle::user_key(username);
    let address_key = throttle::address_key(address);
    let locks = [
        throttle::check(db, &user_key, throttle::MAX_USER_FAILURES).await?,
        throttle::check(db, &address_key, throttle::MAX_ADDRESS_FAILURES).await?,
    ];
    if let Some(until) = locks.into_iter().flatten().max() {
        let minutes = ((until - time::OffsetDateTime::now_utc()).whole_seconds() + 59) / 60;
        return Ok(LoginOutcome::Throttled {
            minutes: minutes.max(1),
        });
    }
    let record = storage::login_record(db, username).await?;
    let verified = match &record {
        Some(r) => password::verify(password, &r.password_hash) && r.active,
        None => {
            password::verify_nothing(password);
            false
        }
    };
    match record {
        Some(r) if verified => {
            throttle::clear(db, &user_key).await?;
            Ok(LoginOutcome::Success(r.id))
        }
        _ => {
            throttle::record_failure(db, &user_key).await?;
            throttle::record_failure(db, &address_key).await?;
            Ok(LoginOutcome::Invalid)
        }
    }
}

pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub unit_code: String,
}

fn validate_username(username: &str) -> Result<String, AccountError> {
    let username = username.trim().to_lowercase();
    let ok = (3..=40).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(username)
    } else {
        Err(AccountError::field("username", "account.error.username"))
    }
}

fn validate_password(password: &str) -> Result<(), AccountError> {
    password::check_policy(password).map_err(|_| AccountError::field("password", "account.error.password"))
}

fn parse_role(role: &str) -> Result<Role, AccountError> {
    Role::parse(role).ok_or_else(|| AccountError::field("role", "account.error.role"))
}

async fn unit_for_grant(db: &Db, code: &str) -> Result<Unit, AccountError> {
    let unit = org::storage::by_code(db, code.trim())
        .await?
        .ok_or_else(|| AccountError::field("unit_code", "account.error.unit"))?;
    if !unit.is_active() {
        return Err(OrgError::Inactive(unit.code).into());
    }
    Ok(unit)
}

fn grant_summary(role: Role, unit: &Unit) -> serde_json::Value {
    json!({ "role": role.as_str(), "unit": unit.code })
}

/// Creates an account with one grant. `by` is `None` for the command line,
/// which may grant anywhere; a user may grant only inside the subtrees they
/// supervise (a unit outside them is reported as unknown).
pub async fn create(db: &Db, by: Option<&Principal>, new: NewAccount) -> Result<i64, AccountError> {
    let username = validate_username(&new.username)?;
    let display_name = crate::text::squash_spaces(&new.display_name);
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(AccountError::field("display_name", "account.error.display_name"));
    }
    validate_password(&new.password)?;
    let role = parse_role(&new.role)?;
    let unit = unit_for_grant(db, &new.unit_code).await?;
    let actor = match by {
        Some(p) => {
            let grant = p
                .grant_for(Permission::Supervise, &unit.placement)
                .ok_or_else(|| AccountError::field("unit_code", "account.error.unit"))?;
            p.actor(Some(grant))
        }
        None => Actor::system("cli"),
    };
    let hash = password::hash(&new.password).map_err(|_| AccountError::field("password", "account.error.password"))?;
    let mut tx = db.begin_write().await?;
    let id = storage::create_user(&mut tx, &username, &display_name, &hash).await?;
    storage::put_grant(&mut tx, id, unit.id, role).await?;
    let change = Change {
        action: "create",
        entity: "account",
        entity_id: Some(id),
        summary: format!("{username} ({} @ {})", role.as_str(), unit.code),
        placement: unit.placement,
        before: None,
        after: Some(json!({ "username": username, "display_name": display_name, "grant": grant_summary(role, &unit) })),
    };
    audit::storage::record(&mut tx, &actor, change).await?;
    tx.commit().await?;
    Ok(id)
}

/// The account if `by` may manage it; otherwise it does not exist for them.
pub async fn manageable(db: &Db, by: &Principal, user_id: i64) -> Result<Account, AccountError> {
    let account = storage::by_id(db, user_id).await?.ok_or(AccountError::NotFound)?;
    let placements: Vec<_> = account.grants.iter().map(|g| g.unit.placement).collect();
    // An account without any role is reachable from the centre only.
    if placements.is_empty()
        && !by
            .scopes(Permission::Supervise)
            .contains(&crate::org::scope::Scope::Country)
    {
        return Err(AccountError::NotFound);
    }
    if !by.may_manage_account(&placements) {
        return Err(AccountError::NotFound);
    }
    Ok(account)
}

async fn audit_account(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &Principal,
    account: &Account,
    action: &'static str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), AccountError> {
    let placement = account.grants.first().map(|g| g.unit.placement).unwrap_or_default();
    let grant = by.grant_for(Permission::Supervise, &placement);
    let change = Change {
        action,
        entity: "account",
        entity_id: Some(account.id),
        summary: account.username.clone(),
        placement,
        before: Some(before),
        after: Some(after),
    };
    audit::storage::record(tx, &by.actor(grant), change).await?;
    Ok(())
}

pub async fn grant(db: &Db, by: &Principal, user_id: i64, unit_code: &str, role: &str) -> Result<(), AccountError> {
    let account = manageable(db, by, user_id).await?;
    let role = parse_role(role)?;
    let unit = unit_for_grant(db, unit_code).await?;
    if !by.may(Permission::Supervise, &unit.placement) {
        return Err(AccountError::field("unit_code", "account.error.unit"));
    }
    let mut tx = db.begin_write().await?;
    storage::put_grant(&mut tx, user_id, unit.id, role).await?;
    audit_account(&mut tx, by, &account, "grant", json!({}), grant_summary(role, &unit)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke(db: &Db, by: &Principal, user_id: i64, grant_id: i64) -> Result<(), AccountError> {
    let account = manageable(db, by, user_id).await?;
    let grant = account
        .grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or(AccountError::NotFound)?;
    let mut tx = db.begin_write().await?;
    storage::delete_grant(&mut tx, user_id, grant_id).await?;
    audit_account(
        &mut tx,
        by,
        &account,
        "revoke",
        grant_summary(grant.role, &grant.unit),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_active(db: &Db, by: &Principal, user_id: i64, active: bool) -> Result<(), AccountError> {
    let account = manageable(db, by, user_id).await?;
    if user_id == by.user_id && !active {
        return Err(AccountError::field("active", "account.error.self_deactivate"));
    }
    let mut tx = db.begin_write().await?;
    storage::set_active(&mut tx, user_id, active).await?;
    if !active {
        storage::end_sessions(&mut tx, user_id).await?;
    }
    audit_account(
        &mut tx,
        by,
        &account,
        if active { "activate" } else { "deactivate" },
        json!({"active": account.active}),
        json!({"active": active}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn reset_password(db: &Db, by: &Principal, user_id: i64, new_password: &str) -> Result<(), AccountError> {
    let account = manageable(db, by, user_id).await?;
    validate_password(new_password)?;
    let hash = password::hash(new_password).map_err(|_| AccountError::field("password", "account.error.password"))?;
    let mut tx = db.begin_write().await?;
    storage::set_password(&mut tx, user_id, &hash).await?;
    storage::end_sessions(&mut tx, user_id).await?;
    audit_account(&mut tx, by, &account, "reset_password", json!({}), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// A user changes their own password, proving the current one.
pub async fn change_own_password(
    db: &Db,
    me: &Principal,
    current: &str,
    new_password: &str,
) -> Result<(), AccountError> {
    let stored = storage::password_hash(db, me.user_id)
        .await?
        .ok_or(AccountError::NotFound)?;
    if !password::verify(current, &stored) {
        return Err(AccountError::field(
            "current_password",
            "account.error.current_password",
        ));
    }
    validate_password(new_password)?;
    let hash = password::hash(new_password).map_err(|_| AccountError::field("password", "account.error.password"))?;
    let mut tx = db.begin_write().await?;
    storage::set_password(&mut tx, me.user_id, &hash).await?;
    let placement = me.home().map(|g| g.unit.placement).unwrap_or_default();
    let change = Change {
        action: "change_password",
        entity: "account",
        entity_id: Some(me.user_id),
        summary: me.username.clone(),
        placement,
        before: None,
        after: None,
    };
    audit::storage::record(&mut tx, &me.actor(me.home()), change).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercase_ascii() {
        assert_eq!(validate_username(" BaDinh.CanBo ").ok(), Some("badinh.canbo".into()));
        assert!(validate_username("ba đình").is_err());
        assert!(validate_username("ab").is_err());
        assert!(validate_username("x'; DROP TABLE users;--").is_err());
    }
}
