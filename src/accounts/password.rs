//! Password hashing with Argon2id (the `argon2` crate, RustCrypto: audited,
//! maintained, PHC string format so parameters can be raised later).
//!
//! Hashing is deliberately slow (tens of milliseconds of CPU). It runs on
//! tokio's blocking pool, at most `parallel_hashes()` at a time, so that a
//! burst of log-ins queues up instead of stalling every other request.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("password must have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("password must have at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("password could not be hashed")]
    Hashing,
}

pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

fn hash_now(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hashing)
}

fn verify_now(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash that verifies nothing, so that an unknown username costs the
/// time of a real verification and cannot be told from a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not-a-real-password").unwrap_or_default())
}

/// Half the cores (at least one): the rest keep serving other requests.
pub fn parallel_hashes() -> usize {
    std::thread::available_parallelism()
        .map(|n| (n.get() / 2).max(1))
        .unwrap_or(1)
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(parallel_hashes()))
}

/// Runs `work` on the blocking pool once a hashing permit is free.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordError> {
    let _permit = permits().acquire().await.map_err(|_| PasswordError::Hashing)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| PasswordError::Hashing)
}

pub async fn hash(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let password = password.to_owned();
    bounded(move || hash_now(&password)).await?
}

/// Whether `password` matches `stored_hash`; `None` checks against a dummy
/// hash (an unknown user) and is always false.
pub async fn verify(password: &str, stored_hash: Option<&str>) -> bool {
    if password.chars().count() > MAX_LENGTH {
        return false;
    }
    let password = password.to_owned();
    let stored = stored_hash.map(str::to_owned);
    bounded(move || match stored {
        Some(hash) => verify_now(&password, &hash),
        None => {
            let _ = verify_now(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let h = hash("Mật-khẩu-2026").await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Mật-khẩu-2026", Some(&h)).await);
        assert!(!verify("mật-khẩu-2026", Some(&h)).await);
        assert!(!verify("Mật-khẩu-2026", Some("not a hash")).await);
        assert!(!verify("Mật-khẩu-2026", None).await);
    }

    #[tokio::test]
    async fn policy_bounds_length() {
        assert_eq!(hash("short").await, Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"x".repeat(129)), Err(PasswordError::TooLong));
        assert!(check_policy("đủ-tám-ký").is_ok());
    }
}
