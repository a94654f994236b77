//! A member's card as PDF, its public address, and the tier rules.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{PublicCard, TierRules};
use crate::access::Permission;
use crate::i18n::Lang;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Json as JsonBody, Path};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::page::{render_status, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/members/{member}/card.pdf", card_pdf)
        .get("/members/tiers", tiers_page)
        .post("/members/tiers", set_tiers)
        .public_get("/p/the/{token}", verify_page)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_tiers, update_tiers))
}

/// Where the public reaches this server: `--public-url`, else the address
/// this request came to.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)))
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn card_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let base = base_url(&state, &headers);
    let card = super::card(&state.db, &user.principal, record_id(&id)?, &base).await?;
    let file = format!("the-hoi-vien-{}.pdf", card.number);
    crate::toolkit::pdf::download(&file, move || nhanai_pdf::render_card(&card)).await
}

#[derive(Template)]
#[template(path = "members/templates/public_card.html")]
struct VerifyPage {
    ctx: PageCtx,
    /// `None`: no card has this address. Built from `PublicCard` alone: the
    /// page cannot show what it is not given.
    card: Option<PublicCard>,
}

/// The public address of a card: valid or not, and its tier. No login;
/// cached for five minutes by browsers and proxies.
async fn verify_page(
    State(state): State<AppState>,
    lang: Lang,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    // Anonymous whoever asks: a public page shows no one's session.
    let ctx = PageCtx::anonymous(lang, "/p/the");
    let card = super::verify(&state.db, &token).await?;
    let status = if card.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let response = render_status(status, &VerifyPage { ctx, card })?;
    Ok(crate::web::public::cacheable(response, 300))
}

#[derive(Template)]
#[template(path = "members/templates/tiers.html")]
struct TiersPage {
    ctx: PageCtx,
    rules: TierRules,
    can_set: bool,
    form: FormState,
}

async fn show_tiers_page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    refused: Option<(AppError, TiersInput)>,
) -> Result<Response, AppError> {
    let rules = super::rules(&state.db).await?;
    let central = crate::org::service::central(&state.db).await?;
    let can_set = user.principal.access(Permission::Supervise, &central).is_some();
    let (form, status) = match refused {
        Some((e, input)) => (
            FormState::new(ctx.lang)
                .with_values([
                    ("silver", input.silver),
                    ("gold", input.gold),
                    ("platinum", input.platinum),
                ])
                .with_error(&e),
            e.status(),
        ),
        None => (
            FormState::new(ctx.lang).with_values([
                ("silver", rules.silver.to_string()),
                ("gold", rules.gold.to_string()),
                ("platinum", rules.platinum.to_string()),
            ]),
            StatusCode::OK,
        ),
    };
    render_status(
        status,
        &TiersPage {
            ctx,
            rules,
            can_set,
            form,
        },
    )
}

async fn tiers_page(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    show_tiers_page(&state, ctx, &user, None).await
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TiersInput {
    silver: String,
    gold: String,
    platinum: String,
}

async fn set_tiers(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(input): Form<TiersInput>,
) -> Result<Response, AppError> {
    let years = |text: &str| text.trim().parse::<i64>().unwrap_or(-1);
    let rules = TierRules {
        silver: years(&input.silver),
        gold: years(&input.gold),
        platinum: years(&input.platinum),
    };
    match super::set_rules(&state.db, &user.principal, rules).await {
        Ok(_) => Ok(Redirect::to("/members/tiers").into_response()),
        Err(e) => match AppError::from(e) {
            e @ (AppError::Internal(_) | AppError::NotFound | AppError::Forbidden) => Err(e),
            e => show_tiers_page(&state, ctx, &user, Some((e, input))).await,
        },
    }
}

/// The years of membership each card tier needs.
#[utoipa::path(get, path = "/members/tiers", tag = "members",
    responses((status = 200, description = "OK", body = TierRules), ReadErrors))]
async fn show_tiers(State(state): State<AppState>, _user: CurrentUser) -> Result<Json<TierRules>, AppError> {
    Ok(Json(super::rules(&state.db).await?))
}

/// Set the years each tier needs (the centre's administrators).
#[utoipa::path(put, path = "/members/tiers", tag = "members", request_body = TierRules,
    responses((status = 200, description = "OK", body = TierRules), WriteErrors))]
async fn update_tiers(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(rules): JsonBody<TierRules>,
) -> Result<Json<TierRules>, AppError> {
    Ok(Json(super::set_rules(&state.db, &user.principal, rules).await?))
}
