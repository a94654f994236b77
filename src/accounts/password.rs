//! Password hashing with Argon2id (the `argon2` crate, RustCrypto: audited,
//! maintained, PHC string format so parameters can be raised later).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

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

pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hashing)
}

pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Spends the time of a real verification, so that an unknown username
/// cannot be told from a wrong password by the response time.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not-a-real-password").unwrap_or_default());
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash("Mật-khẩu-2026").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Mật-khẩu-2026", &h));
        assert!(!verify("mật-khẩu-2026", &h));
        assert!(!verify("Mật-khẩu-2026", "not a hash"));
    }

    #[test]
    fn policy_bounds_length() {
        assert_eq!(hash("short"), Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"x".repeat(129)), Err(PasswordError::TooLong));
        assert!(check_policy("đủ-tám-ký").is_ok());
    }
}
