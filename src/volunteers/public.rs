//! The public volunteer sign-up (`/p/tinh-nguyen`): no login; the sign-up
//! lands in the chosen commune's queue. The form picks a province, then
//! one of its communes, without scripts: a button of the form itself shows
//! the chosen province's communes again, so nothing typed is lost (and no
//! personal data goes into an address).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{Skill, Slot};
use super::routes::ticked;
use super::signups::{self, SignupInput, Submitted};
use crate::i18n::Lang;
use crate::org::service as org;
use crate::org::Unit;
use crate::web::auth::ClientAddress;
use crate::web::error::AppError;
use crate::web::extract::{with_lists, Form, Query};
use crate::web::page::{render_status, FormState, PageCtx};
use crate::web::public::{self, HONEYPOT};
use crate::web::routes::Pages;
use crate::web::AppState;

pub const FORM_PATH: &str = "/p/tinh-nguyen";

pub fn pages() -> Pages {
    Pages::default()
        .public_get(FORM_PATH, form_page)
        .public_post(FORM_PATH, send)
        .public_get("/p/tinh-nguyen/da-gui", thanks_page)
}

/// A unit as the public form lists it: a name and a code.
pub struct Place {
    pub code: String,
    pub name: String,
}

impl Place {
    fn of(unit: &Unit) -> Place {
        Place {
            code: unit.code.clone(),
            name: unit.name.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "volunteers/templates/public_signup.html")]
struct SignupPage {
    ctx: PageCtx,
    provinces: Vec<Place>,
    communes: Vec<Place>,
    /// What this visitor just sent, when it is shown again with its errors.
    form: FormState,
    honeypot: &'static str,
    show_communes: &'static str,
}

/// The button that only shows the chosen province's communes.
const SHOW_COMMUNES: &str = "show_communes";

impl SignupPage {
    fn skills(&self) -> &'static [Skill] {
        Skill::ALL
    }

    fn slots(&self) -> &'static [Slot] {
        Slot::ALL
    }

    fn ticked(&self, field: &str, value: &str) -> bool {
        ticked(&self.form, field, value)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FormQuery {
    province: String,
}

async fn show(
    state: &AppState,
    lang: Lang,
    input: &SignupInput,
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let ctx = PageCtx::anonymous(lang, FORM_PATH);
    let central = org::central(&state.db).await?;
    let provinces: Vec<Unit> = org::children(&state.db, &central).await?;
    let province = provinces
        .iter()
        .find(|p| p.code == input.province.trim() && p.is_active());
    let communes = match province {
        Some(p) => org::children(&state.db, p).await?,
        None => Vec::new(),
    };
    let mut form = FormState::new(lang).with_values([
        ("full_name", input.full_name.clone()),
        ("sex", input.sex.clone()),
        ("birth_date", input.birth_date.clone()),
        ("phone", input.phone.clone()),
        ("province", input.province.clone()),
        ("commune", input.commune.clone()),
        ("address_detail", input.address_detail.clone()),
        ("emergency_name", input.emergency_name.clone()),
        ("emergency_phone", input.emergency_phone.clone()),
        ("note", input.note.clone()),
        ("consent", input.consent.clone()),
        ("skills", input.skills.join(",")),
        ("availability", input.availability.join(",")),
    ]);
    let status = match error {
        Some(e) => {
            form = form.with_error(&e);
            e.status()
        }
        None => StatusCode::OK,
    };
    let page = SignupPage {
        ctx,
        provinces: provinces.iter().filter(|u| u.is_active()).map(Place::of).collect(),
        communes: communes.iter().filter(|u| u.is_active()).map(Place::of).collect(),
        form,
        honeypot: HONEYPOT,
        show_communes: SHOW_COMMUNES,
    };
    Ok(public::private(render_status(status, &page)?))
}

async fn form_page(
    State(state): State<AppState>,
    lang: Lang,
    Query(q): Query<FormQuery>,
) -> Result<Response, AppError> {
    let input = SignupInput {
        province: q.province,
        ..SignupInput::default()
    };
    show(&state, lang, &input, None).await
}

async fn send(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let only_communes = pairs.iter().any(|(name, _)| name == SHOW_COMMUNES);
    let pairs = pairs.into_iter().filter(|(name, _)| name != SHOW_COMMUNES).collect();
    let (mut input, mut lists): (SignupInput, _) = with_lists(pairs, &super::routes::LISTS)?;
    input.skills = lists.remove("skills").unwrap_or_default();
    input.availability = lists.remove("availability").unwrap_or_default();
    if only_communes {
        // A commune of another province is simply not among those shown.
        return show(&state, lang, &input, None).await;
    }
    match signups::submit(&state.db, &address, &input).await {
        Ok(Submitted::Received | Submitted::Ignored) => Ok(Redirect::to("/p/tinh-nguyen/da-gui").into_response()),
        Err(e) => match AppError::from(e) {
            e @ AppError::Internal(_) => Err(e),
            e => show(&state, lang, &input, Some(e)).await,
        },
    }
}

#[derive(Template)]
#[template(path = "volunteers/templates/public_thanks.html")]
struct ThanksPage {
    ctx: PageCtx,
}

async fn thanks_page(lang: Lang) -> Result<Response, AppError> {
    let ctx = PageCtx::anonymous(lang, "/p/tinh-nguyen/da-gui");
    Ok(public::cacheable(
        render_status(StatusCode::OK, &ThanksPage { ctx })?,
        3600,
    ))
}
