//! Account use cases: log-in, password change, account administration.
//! Each change and its audit entry are written in one transaction.
//!
//! Who manages whom (`Principal::may_grant`): an administrator manages the
//! accounts whose roles all lie inside its subtree, except administrators
//! of its own unit — those are managed from the unit above, and the
//! centre's from the command line.

use serde_json::json;

use super::storage::{self, Account};
use super::{password, throttle, AccountError};
use crate::access::{self, Actor, Grant, Permission, Principal, Role};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::{self, OrgError, Placement, Unit};

pub enum LoginOutcome {
    Success(i64),
    Invalid,
    Throttled { seconds: i64 },
}

/// Where an account's events are filed: its widest role's unit, so the
/// supervisors above it read them (an account with no role: the centre).
fn home_placement(grants: &[Grant]) -> Placement {
    grants
        .iter()
        .min_by_key(|g| g.unit.level)
        .map(|g| g.unit.placement)
        .unwrap_or_default()
}

async fn record_session_event(
    db: &Db,
    action: &'static str,
    user_id: Option<i64>,
    username: &str,
    address: &str,
) -> Result<(), sqlx::Error> {
    let grants: Vec<Grant> = match user_id {
        Some(id) => access::storage::grants_of(db, &[id])
            .await?
            .into_iter()
            .map(|(_, g)| g)
            .collect(),
        None => Vec::new(),
    };
    let name: String = username.trim().chars().take(throttle::MAX_USERNAME).collect();
    let change = Change {
        entity_id: user_id,
        after: Some(json!({ "address": address })),
        ..Change::new(
            action,
            "account",
            0,
            format!("{name} · {address}"),
            home_placement(&grants),
        )
    };
    let actor = Actor {
        user_id,
        username: name,
        unit_id: None,
    };
    let mut tx = db.begin_write().await?;
    audit::record(&mut tx, &actor, change).await?;
    tx.commit().await
}

/// Checks a username and password under the throttle (see `throttle`).
/// Successful and refused log-ins are audited.
pub async fn authenticate(db: &Db, username: &str, password: &str, address: &str) -> Result<LoginOutcome, sqlx::Error> {
    let attempt = match throttle::begin(db, username, address).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(LoginOutcome::Throttled { seconds: wait.seconds }),
    };
    let record = match username.chars().count() <= throttle::MAX_USERNAME {
        true => storage::login_record(db, username).await?,
        false => None,
    };
    let verified = password::verify(password, record.as_ref().map(|r| r.password_hash.as_str())).await;
    match record {
        Some(r) if verified && r.active => {
            attempt.succeeded(db).await?;
            record_session_event(db, "login", Some(r.id), username, address).await?;
            Ok(LoginOutcome::Success(r.id))
        }
        other => {
            attempt.failed(db).await?;
            record_session_event(db, "login_refused", other.map(|r| r.id), username, address).await?;
            Ok(LoginOutcome::Invalid)
        }
    }
}

/// Records a log-out.
pub async fn logged_out(db: &Db, user: &Principal, address: &str) -> Result<(), sqlx::Error> {
    record_session_event(db, "logout", user.user_id(), user.username(), address).await
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

/// The unit a role is to be granted on, if `by` may grant `role` there. A
/// unit outside the user's reach is reported exactly like an unknown code;
/// only then is a closed unit refused.
async fn grantable_unit(db: &Db, by: &Principal, code: &str, role: Role) -> Result<Unit, AccountError> {
    let unknown = || AccountError::field("unit_code", "account.error.unit");
    let unit = org::service::unit_by_code(db, code.trim()).await?.ok_or_else(unknown)?;
    if !by.may_grant(role, &unit) {
        return Err(if by.may(Permission::Supervise, &unit.placement) {
            AccountError::field("role", "account.error.peer_admin")
        } else {
            unknown()
        });
    }
    if !unit.is_active() {
        return Err(OrgError::Inactive(unit.code).into());
    }
    Ok(unit)
}

fn grant_summary(role: Role, unit: &Unit) -> serde_json::Value {
    json!({ "role": role.as_str(), "unit": unit.code })
}

/// Creates an account with one role; `by` may grant only what its own
/// administration covers (the command line acts as the centre's system).
pub async fn create(db: &Db, by: &Principal, new: NewAccount) -> Result<i64, AccountError> {
    let username = validate_username(&new.username)?;
    let display_name = crate::text::squash_spaces(&new.display_name);
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(AccountError::field("display_name", "account.error.display_name"));
    }
    validate_password(&new.password)?;
    let role = parse_role(&new.role)?;
    let unit = grantable_unit(db, by, &new.unit_code, role).await?;
    let grant = by.grant_for(Permission::Supervise, &unit.placement);
    let hash = password::hash(&new.password)
        .await
        .map_err(|_| AccountError::field("password", "account.error.password"))?;
    let mut tx = db.begin_write().await?;
    let id = storage::create_user(&mut tx, &username, &display_name, &hash).await?;
    access::storage::put_grant(&mut tx, id, unit.id, role).await?;
    let change = Change {
        after: Some(json!({ "username": username, "display_name": display_name, "grant": grant_summary(role, &unit) })),
        ..Change::new(
            "create",
            "account",
            id,
            format!("{username} ({} @ {})", role.as_str(), unit.code),
            unit.placement,
        )
    };
    audit::record(&mut tx, &by.actor(grant), change).await?;
    tx.commit().await?;
    Ok(id)
}

/// The accounts `by` manages, by username.
pub async fn list(db: &Db, by: &Principal) -> Result<Vec<Account>, AccountError> {
    let scope = by.scope(Permission::Supervise);
    if scope.is_empty() {
        return Err(AccountError::NotFound);
    }
    let accounts = storage::list(db, &scope).await?;
    Ok(accounts
        .into_iter()
        .filter(|a| by.may_manage_account(&a.grants))
        .collect())
}

/// The account if `by` may manage it; otherwise it does not exist for them.
pub async fn manageable(db: &Db, by: &Principal, user_id: i64) -> Result<Account, AccountError> {
    let account = storage::by_id(db, user_id).await?.ok_or(AccountError::NotFound)?;
    if by.user_id() == Some(user_id) || !by.may_manage_account(&account.grants) {
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
    let placement = home_placement(&account.grants);
    let grant = by.grant_for(Permission::Supervise, &placement);
    let change = Change {
        before: Some(before),
        after: Some(after),
        ..Change::new(action, "account", account.id, account.username.clone(), placement)
    };
    audit::record(tx, &by.actor(grant), change).await?;
    Ok(())
}

pub async fn grant(db: &Db, by: &Principal, user_id: i64, unit_code: &str, role: &str) -> Result<(), AccountError> {
    let account = manageable(db, by, user_id).await?;
    let role = parse_role(role)?;
    let unit = grantable_unit(db, by, unit_code, role).await?;
    let mut tx = db.begin_write().await?;
    access::storage::put_grant(&mut tx, user_id, unit.id, role).await?;
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
    access::storage::delete_grant(&mut tx, user_id, grant_id).await?;
    // An account without roles could be managed only from the centre, so
    // its last role is replaced (grant the new one first) or the account
    // deactivated. Counted after the delete, which locked the user's row.
    if access::storage::grant_count(&mut tx, user_id).await? == 0 {
        return Err(AccountError::LastRole);
    }
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
    let mut tx = db.begin_write().await?;
    storage::set_active(&mut tx, user_id, active).await?;
    if !active {
        crate::web::session::end_all(&mut tx, user_id, None).await?;
    }
    let action = if active { "activate" } else { "deactivate" };
    audit_account(
        &mut tx,
        by,
        &account,
        action,
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
    let hash = password::hash(new_password)
        .await
        .map_err(|_| AccountError::field("password", "account.error.password"))?;
    let mut tx = db.begin_write().await?;
    storage::set_password(&mut tx, user_id, &hash).await?;
    crate::web::session::end_all(&mut tx, user_id, None).await?;
    audit_account(&mut tx, by, &account, "reset_password", json!({}), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Clears the log-in throttle held against an account (its owner was
/// locked out by someone guessing).
pub async fn unlock_logins(db: &Db, by: &Principal, user_id: i64) -> Result<(), AccountError> {
    let account = manageable(db, by, user_id).await?;
    throttle::unlock(db, &account.username).await?;
    let mut tx = db.begin_write().await?;
    audit_account(&mut tx, by, &account, "unlock", json!({}), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether someone guessing holds an account's log-ins back.
pub async fn logins_held(db: &Db, account: &Account) -> Result<bool, AccountError> {
    Ok(throttle::is_held(db, &account.username).await?)
}

/// A user changes their own password, proving the current one (throttled
/// like a log-in). Their other sessions end; `session` stays signed in.
pub async fn change_own_password(
    db: &Db,
    me: &Principal,
    current: &str,
    new_password: &str,
    address: &str,
    session: Option<&str>,
) -> Result<(), AccountError> {
    let user_id = me.user_id().ok_or(AccountError::NotFound)?;
    validate_password(new_password)?;
    let attempt = match throttle::begin(db, me.username(), address).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Err(AccountError::Throttled { seconds: wait.seconds }),
    };
    let stored = storage::password_hash(db, user_id)
        .await?
        .ok_or(AccountError::NotFound)?;
    if !password::verify(current, Some(&stored)).await {
        attempt.failed(db).await?;
        return Err(AccountError::field(
            "current_password",
            "account.error.current_password",
        ));
    }
    attempt.succeeded(db).await?;
    let hash = password::hash(new_password)
        .await
        .map_err(|_| AccountError::field("password", "account.error.password"))?;
    let mut tx = db.begin_write().await?;
    storage::set_password(&mut tx, user_id, &hash).await?;
    crate::web::session::end_all(&mut tx, user_id, session).await?;
    let change = Change::new(
        "change_password",
        "account",
        user_id,
        me.username().to_owned(),
        home_placement(me.grants()),
    );
    audit::record(&mut tx, &me.actor(me.home()), change).await?;
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
