//! What every page shares: the layout context (language, user, CSRF token)
//! and Vietnamese formatting of dates and numbers.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::auth::CurrentUser;
use super::error::AppError;
use super::AppState;
use crate::access::Permission;
use crate::i18n::{self, Lang};

pub struct UserBadge {
    pub display_name: String,
    pub home_name: String,
}

/// An entry of the navigation bar as shown to this user.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// Layout context handed to every template as `ctx`. As an extractor it
/// needs a signed-in user; public pages build one with `anonymous`.
pub struct PageCtx {
    pub lang: Lang,
    pub user: Option<UserBadge>,
    pub csrf: String,
    /// Path and query of this page (the language switch comes back here).
    pub path: String,
    pub nav: Vec<NavItem>,
}

impl PageCtx {
    pub fn anonymous(lang: Lang, path: &str) -> PageCtx {
        PageCtx {
            lang,
            user: None,
            csrf: String::new(),
            path: path.to_owned(),
            nav: Vec::new(),
        }
    }

    pub fn signed_in(lang: Lang, user: &CurrentUser, path: &str, state: &AppState) -> PageCtx {
        let p = &user.principal;
        let current_path = path.split('?').next().unwrap_or(path);
        let nav = state
            .registry
            .nav()
            .iter()
            .filter(|n| n.needs == Permission::Read || !p.scope(n.needs).is_empty())
            .map(|n| NavItem {
                href: n.href,
                label: i18n::t(lang, n.label_key),
                current: current_path == n.href || (n.href != "/" && current_path.starts_with(&format!("{}/", n.href))),
            })
            .collect();
        PageCtx {
            lang,
            user: Some(UserBadge {
                display_name: p.display_name().to_owned(),
                home_name: p.home().map(|g| g.unit.name.clone()).unwrap_or_default(),
            }),
            csrf: super::csrf::mask(&user.csrf),
            path: path.to_owned(),
            nav,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// The label of a record field shown in a change list (`person.phone`).
    pub fn field<'a>(&self, entity: &str, field: &'a str) -> &'a str {
        i18n::t_or(self.lang, &format!("{entity}.{field}"), field)
    }

    /// The address of a stylesheet or icon, with its content hash.
    pub fn asset_url(&self, name: &str) -> String {
        super::assets::url(name)
    }

    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn path_encoded(&self) -> String {
        url_encode(&self.path)
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<PageCtx, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let lang = super::extract::lang_of(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| parts.uri.path().to_owned());
        Ok(PageCtx::signed_in(lang, &user, &path, state))
    }
}

pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// A page shown with another status than 200 (a form shown again with its errors).
pub fn render_status(status: StatusCode, template: &impl Template) -> Result<Response, AppError> {
    Ok((status, render(template)?).into_response())
}

/// `1985-03-07` → `07/03/1985`; a bare year stays as it is.
pub fn date_vi(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// A stored UTC timestamp shown in Vietnam time: `27/11/2026 15:30`.
pub fn datetime_vi(stamp: &str) -> String {
    let parsed = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339);
    match parsed {
        Ok(at) => {
            let at = at.to_offset(time::macros::offset!(+7));
            format!(
                "{:02}/{:02}/{:04} {:02}:{:02}",
                at.day(),
                u8::from(at.month()),
                at.year(),
                at.hour(),
                at.minute()
            )
        }
        Err(_) => stamp.to_owned(),
    }
}

/// `1250000` → `1.250.000`.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// `người` → `Người`: a catalogue word used as a column header.
pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn url_encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A local path to go back to after login or a language switch. Anything
/// else falls back to the dashboard: another host, and anything a browser
/// might read as one (`//evil`, `/\\evil`, or `/\t/evil`, since browsers
/// drop tabs and line breaks from URLs before reading them).
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".to_owned();
    };
    let mut chars = next.chars();
    let local = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if !local {
        return "/".to_owned();
    }
    // A Location header is ASCII: encode what a decoded query brought in.
    let mut out = String::with_capacity(next.len());
    for c in next.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[derive(Template)]
#[template(path = "web/templates/error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
}

/// The page of an error, in the layout of `ctx`: a signed-in user keeps
/// the navigation and the log-out link (the message itself never tells
/// whether a record out of their reach exists).
pub fn error_page(ctx: PageCtx, error: &AppError) -> Html<String> {
    let lang = ctx.lang;
    let page = ErrorPage {
        ctx,
        status: error.status().as_u16(),
        message: error.message(lang),
    };
    Html(page.render().unwrap_or_else(|_| error.message(lang)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_dots_for_thousands() {
        assert_eq!(number(1_250_000), "1.250.000");
        assert_eq!(number(999), "999");
        assert_eq!(number(-1000), "-1.000");
        assert_eq!(number(0), "0");
    }

    #[test]
    fn dates_read_day_first() {
        assert_eq!(date_vi("1985-03-07"), "07/03/1985");
        assert_eq!(date_vi("1985"), "1985");
        assert_eq!(datetime_vi("2026-11-27T08:30:00.000Z"), "27/11/2026 15:30");
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/persons?q=an")), "/persons?q=an");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/x\\..\\/evil")), "/");
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/persons?q=Lê")), "/persons?q=L%C3%AA");
    }
}

/// A refusal the user can fix is shown again on its form (`Ok`); one they
/// cannot (not found, forbidden, a fault) is passed on as the answer.
pub fn shown_on_form(error: AppError) -> Result<AppError, AppError> {
    match error {
        AppError::Internal(_) | AppError::NotFound | AppError::Forbidden => Err(error),
        other => Ok(other),
    }
}

/// A form being shown again: what the user typed and the message for each
/// field that was refused.
#[derive(Clone, Default)]
pub struct FormState {
    pub lang: Lang,
    pub values: std::collections::BTreeMap<String, String>,
    pub errors: super::error::FieldErrors,
    /// A message for the whole form (a conflict, a refused login).
    pub notice: Option<String>,
    /// The record in the way of a conflict, when the user may open it.
    pub link: Option<String>,
}

impl FormState {
    pub fn new(lang: Lang) -> FormState {
        FormState {
            lang,
            ..FormState::default()
        }
    }

    pub fn with_values<'a>(mut self, values: impl IntoIterator<Item = (&'a str, String)>) -> FormState {
        self.values.extend(values.into_iter().map(|(k, v)| (k.to_owned(), v)));
        self
    }

    /// Takes the field errors or the message of `error`.
    pub fn with_error(mut self, error: &AppError) -> FormState {
        match error {
            AppError::Validation(fields) => self.errors = fields.clone(),
            AppError::Conflict { link, .. } => {
                self.notice = Some(error.message(self.lang));
                self.link = link.clone();
            }
            other => self.notice = Some(other.message(self.lang)),
        }
        self
    }

    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, field: &str) -> &'static str {
        self.errors.get(field).map(|key| i18n::t(self.lang, key)).unwrap_or("")
    }

    pub fn invalid(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    pub fn selected(&self, field: &str, option: &str) -> bool {
        self.value(field) == option
    }
}
