//! The one way a destructive action is confirmed: a page that names what
//! the action affects, with the action as a form (its fields carried as
//! hidden inputs) and a way back. Used by closing and merging units,
//! deleting records, revoking roles — and by every capability after them.

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use super::page::{render, PageCtx};

pub struct Confirm {
    /// The page title and the question, naming what is affected
    /// ("Giải thể Chi hội Tổ 5?").
    pub question: String,
    /// What follows from it, one line each (counts, what is kept).
    pub consequences: Vec<String>,
    /// Why it cannot be done now; the form is then not offered.
    pub blocked: Option<String>,
    /// Where the form posts, and the fields it carries.
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub confirm_label: String,
    /// Where "Hủy" goes.
    pub cancel: String,
}

#[derive(Template)]
#[template(path = "web/templates/confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    c: Confirm,
}

pub fn page(ctx: PageCtx, confirm: Confirm) -> Result<Response, AppError> {
    Ok(render(&ConfirmPage { ctx, c: confirm })?.into_response())
}

/// The common confirmation: nothing blocks it and its form carries no
/// fields; the button says `label_key`.
pub fn ask(
    ctx: PageCtx,
    question: String,
    consequences: Vec<String>,
    action: String,
    label_key: &str,
    cancel: String,
) -> Result<Response, AppError> {
    let confirm_label = ctx.t(label_key).to_owned();
    page(
        ctx,
        Confirm {
            question,
            consequences,
            blocked: None,
            action,
            fields: Vec::new(),
            confirm_label,
            cancel,
        },
    )
}
