//! Pages of the person registry: search, detail with history, create,
//! edit, delete, and CSV export of a search.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::model::{Person, PersonInput, Sex};
use super::service::{self, PersonPatch};
use super::storage::Page;
use crate::accounts::Permission;
use crate::audit::model::{Entry, ShownEntry};
use crate::i18n::Lang;
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Query};
use crate::web::page::{datetime_vi, render, render_status, url_encode, FormState, PageCtx};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(search).post(create))
        .route("/persons/new", get(new_form))
        .route("/persons/export.csv", get(super::export::csv))
        .route("/persons/{id}", get(detail).post(update))
        .route("/persons/{id}/edit", get(edit_form))
        .route("/persons/{id}/delete", post(delete))
}

#[derive(Deserialize, Default)]
pub(super) struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub unit: Option<String>,
    pub after: Option<String>,
}

#[derive(Template)]
#[template(path = "people/templates/search.html")]
struct SearchPage {
    ctx: PageCtx,
    q: String,
    unit: Option<Unit>,
    page: Page,
    next_link: Option<String>,
    can_write: bool,
}

async fn search(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let (page, unit) = service::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), p.after.as_deref()).await?;
    let unit_param = unit
        .as_ref()
        .map(|u| format!("&unit={}", url_encode(&u.code)))
        .unwrap_or_default();
    let next_link = page.next.as_ref().map(|c| {
        format!(
            "/persons?q={}{unit_param}&after={}",
            url_encode(&p.q),
            url_encode(&c.encode())
        )
    });
    let can_write = !user.principal.scopes(Permission::Write).is_empty();
    let ctx = PageCtx::new(lang, &user, "/persons");
    Ok(render(&SearchPage {
        ctx,
        q: p.q,
        unit,
        page,
        next_link,
        can_write,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "people/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    person: Person,
    history: Vec<ShownEntry>,
    can_write: bool,
}

impl DetailPage {
    fn when(&self, entry: &Entry) -> String {
        datetime_vi(&entry.at)
    }
}

async fn detail(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let person = service::get(&state.db, &user.principal, record_id(&id)?).await?;
    let history = crate::audit::storage::for_entity(&state.db, "person", person.id)
        .await?
        .into_iter()
        .map(Entry::shown)
        .collect();
    let can_write = user.principal.may(Permission::Write, &person.placement);
    let ctx = PageCtx::new(lang, &user, &format!("/persons/{}", person.id));
    Ok(render(&DetailPage {
        ctx,
        person,
        history,
        can_write,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "people/templates/form.html")]
struct FormPage {
    ctx: PageCtx,
    form: FormState,
    /// `None` when creating.
    person_id: Option<i64>,
    version: i64,
    units: Vec<(String, String)>,
}

impl FormPage {
    fn sexes(&self) -> [Sex; 2] {
        [Sex::Male, Sex::Female]
    }
}

fn form_state(lang: Lang, input: &PersonInput) -> FormState {
    FormState::new(lang).with_values([
        ("full_name", input.full_name.clone()),
        (
            "sex",
            Sex::parse(&input.sex)
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("birth_date", input.birth_date.clone()),
        ("cccd", input.cccd.clone()),
        ("phone", input.phone.clone()),
        ("address_commune", input.address_commune.clone()),
        ("address_detail", input.address_detail.clone()),
        ("unit", input.unit.clone()),
    ])
}

/// Units offered in the unit field: where the user may write, and one
/// level below each (communes of a province, branches of a commune).
async fn unit_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<(String, String)>, AppError> {
    let mut choices = Vec::new();
    for grant in user
        .principal
        .grants
        .iter()
        .filter(|g| g.role.allows(Permission::Write))
    {
        choices.push((grant.unit.code.clone(), grant.unit.name.clone()));
        for child in crate::org::storage::children(&state.db, grant.unit.id).await? {
            if child.is_active() && choices.len() < 400 {
                choices.push((child.code.clone(), child.name.clone()));
            }
        }
    }
    Ok(choices)
}

async fn show_form(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    form: FormState,
    person_id: Option<i64>,
    version: i64,
    status: StatusCode,
) -> Result<Response, AppError> {
    let path = person_id
        .map(|id| format!("/persons/{id}/edit"))
        .unwrap_or_else(|| "/persons/new".into());
    let page = FormPage {
        ctx: PageCtx::new(lang, user, &path),
        form,
        person_id,
        version,
        units: unit_choices(state, user).await?,
    };
    render_status(status, &page)
}

async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let home = user.principal.narrowest(Permission::Write).map(|g| g.unit.code.clone());
    let input = PersonInput {
        unit: p.unit.or(home).unwrap_or_default(),
        ..PersonInput::default()
    };
    show_form(&state, lang, &user, form_state(lang, &input), None, 0, StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    let input = f.input();
    match service::create(&state.db, &user.principal, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e, AppError::Internal(_)) {
                return Err(e);
            }
            let status = e.status();
            show_form(
                &state,
                lang,
                &user,
                form_state(lang, &input).with_error(&e),
                None,
                0,
                status,
            )
            .await
        }
    }
}

async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let person = service::get(&state.db, &user.principal, record_id(&id)?).await?;
    if !user.principal.may(Permission::Write, &person.placement) {
        return Err(AppError::Forbidden);
    }
    show_form(
        &state,
        lang,
        &user,
        form_state(lang, &person.to_input()),
        Some(person.id),
        person.version,
        StatusCode::OK,
    )
    .await
}

/// The person form as posted (the CSRF field rides along and is ignored).
#[derive(Deserialize, Default)]
#[serde(default)]
struct PersonForm {
    full_name: String,
    sex: String,
    birth_date: String,
    cccd: String,
    phone: String,
    address_commune: String,
    address_detail: String,
    unit: String,
    version: Option<i64>,
}

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            full_name: self.full_name.clone(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone(),
            cccd: self.cccd.clone(),
            phone: self.phone.clone(),
            address_commune: self.address_commune.clone(),
            address_detail: self.address_detail.clone(),
            unit: self.unit.clone(),
        }
    }
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let patch = PersonPatch::from_input(f.input());
    match service::update(&state.db, &user.principal, id, &patch, f.version).await {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e, AppError::Internal(_) | AppError::NotFound | AppError::Forbidden) {
                return Err(e);
            }
            let status = e.status();
            show_form(
                &state,
                lang,
                &user,
                form_state(lang, &f.input()).with_error(&e),
                Some(id),
                f.version.unwrap_or(0),
                status,
            )
            .await
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::delete(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Redirect::to("/persons").into_response())
}
