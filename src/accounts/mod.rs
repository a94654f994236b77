//! Accounts: password login with throttling, sessions, one's own
//! password, and the administration of other accounts and their roles.
//! What roles allow is in `access`.

mod admin;
mod api;
mod capability;
pub mod password;
mod routes;
pub mod service;
mod storage;
pub mod throttle;

pub use capability::Accounts;
pub use storage::Account;

use crate::org::OrgError;
use crate::validation::{field_error, FieldErrors};
use crate::web::error::{AppError, IntoAppError};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid account data")]
    Validation(FieldErrors),
    #[error("username already taken")]
    UsernameTaken,
    #[error("account not found")]
    NotFound,
    #[error("the account's last role")]
    LastRole,
    #[error("too many attempts")]
    Throttled { seconds: i64 },
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl AccountError {
    pub fn field(field: &str, key: &str) -> AccountError {
        AccountError::Validation(field_error(field, key))
    }
}

impl IntoAppError for AccountError {
    fn into_app_error(self) -> AppError {
        match self {
            AccountError::Validation(fields) => AppError::Validation(fields),
            AccountError::UsernameTaken => AppError::Conflict {
                key: "error.username_taken".into(),
                link: None,
            },
            AccountError::NotFound => AppError::NotFound,
            AccountError::LastRole => AppError::Conflict {
                key: "error.last_role".into(),
                link: None,
            },
            AccountError::Throttled { seconds } => AppError::Throttled {
                key: "error.throttled",
                seconds,
            },
            AccountError::Org(e) => e.into_app_error(),
            AccountError::Db(e) => e.into(),
        }
    }
}
