//! Pages of the person registry: search, detail with history, delete
//! (after a confirmation that names the person), and the CSV export of a
//! search. The create and edit forms are in `form.rs`.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::Person;
use super::search::{self, Found};
use super::{form, service};
use crate::access::Permission;
use crate::audit::{shown_rows, ShownRow};
use crate::i18n;
use crate::org::service as org;
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::confirm::{self, Confirm};
use crate::web::error::AppError;
use crate::web::extract::{record_id, Path, Query};
use crate::web::list::{with_query, Pager};
use crate::web::page::{number, render, url_encode, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/persons", search_page)
        .post("/persons", form::create)
        .get("/persons/new", form::new_form)
        .get("/persons/export.csv", super::export::csv)
        .get("/persons/export.xlsx", super::export::xlsx)
        .get("/units/{unit}/persons.pdf", super::print::persons_pdf)
        .get("/persons/{person}", detail)
        .post("/persons/{person}", form::update)
        .get("/persons/{person}/edit", form::edit_form)
        .get("/persons/{person}/delete", delete_confirm)
        .post("/persons/{person}/delete", delete)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchParams {
    /// A name (diacritics optional), a 12-digit CCCD or a phone number.
    pub q: String,
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

impl SearchPage {
    /// "27 kết quả" / "hơn 1.000 kết quả".
    fn results(&self) -> String {
        let count = number(self.pager.total as i64);
        let key = match (self.pager.more, self.ranked) {
            (false, _) => "persons.results",
            (true, true) => "persons.results_more",
            (true, false) => "persons.results_more_list",
        };
        i18n::t_with(self.ctx.lang, key, &[("count", &count)])
    }
}

/// `deleted=1` after a deletion: the list says it was done.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Done {
    deleted: Option<String>,
}

#[derive(Template)]
#[template(path = "people/templates/search.html")]
struct SearchPage {
    ctx: PageCtx,
    deleted: bool,
    q: String,
    unit: Option<Unit>,
    items: Vec<Person>,
    pager: Pager,
    /// This page's address, for the way back from a result.
    back: String,
    export: String,
    export_xlsx: String,
    /// The import page, for the unit shown.
    import: String,
    /// The unit's list as an official-format PDF, when a unit is shown.
    print: Option<String>,
    can_write: bool,
    /// Name matches (ranked), not a list.
    ranked: bool,
}

/// Where a page of a search sits, with the links to the pages around it.
fn pager(found: &Found, q: &str, unit: Option<&Unit>) -> Pager {
    let unit_code = unit.map(|u| u.code.as_str()).unwrap_or("");
    let link = |after: &str| with_query("/persons", &[("q", q), ("unit", unit_code), ("after", after)]);
    let shown = found.page.items.len();
    // Name searches page by position, so they can also step back.
    let previous = (found.ranked && found.offset > 0).then(|| {
        let start = found.offset.saturating_sub(crate::web::paging::PAGE_SIZE as usize);
        link(&if start == 0 { String::new() } else { start.to_string() })
    });
    Pager {
        first: if shown == 0 { 0 } else { found.offset + 1 },
        last: found.offset + shown,
        total: usize::try_from(found.total).unwrap_or(0),
        more: found.more,
        first_page: (!found.ranked && found.offset > 0).then(|| link("")),
        previous,
        next: found.page.next.as_deref().map(link),
    }
}

async fn search_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let found = search::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), p.after.as_deref()).await?;
    let pager = pager(&found, &p.q, found.unit.as_ref());
    let unit_code = found.unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let export = with_query("/persons/export.csv", &[("q", &p.q), ("unit", unit_code)]);
    let export_xlsx = with_query("/persons/export.xlsx", &[("q", &p.q), ("unit", unit_code)]);
    let import = with_query("/imports/new", &[("kind", "persons"), ("unit", unit_code)]);
    let print = found.unit.as_ref().map(|u| format!("/units/{}/persons.pdf", u.code));
    let can_write = !user.principal.scope(Permission::Write).is_empty();
    let back = url_encode(&ctx.path);
    let ranked = found.ranked;
    Ok(render(&SearchPage {
        deleted: done.deleted.is_some(),
        ctx,
        q: p.q,
        unit: found.unit,
        items: found.page.items,
        pager,
        back,
        export,
        export_xlsx,
        import,
        print,
        can_write,
        ranked,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DetailParams {
    /// The search the user came from.
    pub back: Option<String>,
}

/// The search to go back to: a local `/persons` address, else the list.
pub(super) fn back_link(back: Option<&str>) -> String {
    match back {
        Some(b) if b == "/persons" || b.starts_with("/persons?") => crate::web::page::safe_next(Some(b)),
        _ => "/persons".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "people/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    person: Person,
    /// How the managing unit's status reads, when it is no longer active.
    unit_status: Option<String>,
    history: Vec<ShownRow>,
    /// The person's roles the user may read: (label, page).
    roles: Vec<(String, String)>,
    can_write: bool,
    back: String,
    /// `?back=…` for the links onwards (edit, delete), so the way back
    /// survives them.
    onward: String,
}

async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DetailParams>,
) -> Result<Response, AppError> {
    let (person, history) = service::with_history(&state.db, &user.principal, record_id(&id)?).await?;
    let history = shown_rows(&state, &ctx, history).await?;
    let can_write = service::may_write(&user.principal, &person);
    let unit_status = if person.unit.active {
        None
    } else {
        unit_status(&state, &ctx, person.unit.id).await?
    };
    let back = back_link(params.back.as_deref());
    let onward = format!("?back={}", url_encode(&back));
    let mut roles = Vec::new();
    for role in state.registry.person_roles() {
        for id in service::roles_of(&state.db, &user.principal, person.id, (role.table, role.column)).await? {
            roles.push((ctx.t(role.label_key).to_owned(), format!("{}{id}", role.page)));
        }
    }
    Ok(render(&DetailPage {
        back,
        onward,
        ctx,
        person,
        unit_status,
        history,
        roles,
        can_write,
    })?
    .into_response())
}

/// "Đã sáp nhập vào Phường Ba Đình" for a unit that is no longer active.
async fn unit_status(state: &AppState, ctx: &PageCtx, unit_id: i64) -> Result<Option<String>, AppError> {
    let Some(unit) = org::unit_by_id(&state.db, unit_id).await? else {
        return Ok(None);
    };
    let merged_into = match unit.merged_into_id {
        Some(id) => org::unit_by_id(&state.db, id).await?,
        None => None,
    };
    Ok(unit.status_text(ctx.lang, merged_into.as_ref()))
}

/// "Xóa hồ sơ Nguyễn Văn An?", with the person's birth and unit.
async fn delete_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DetailParams>,
) -> Result<Response, AppError> {
    let onward = format!("?back={}", url_encode(&back_link(params.back.as_deref())));
    let person = service::get_writable(&state.db, &user.principal, record_id(&id)?).await?;
    let question = i18n::t_with(ctx.lang, "persons.delete_question", &[("name", &person.full_name)]);
    let mut facts = Vec::new();
    if let Some(birth) = person.birth {
        facts.push(format!("{} {}", ctx.t("person.birth_date"), birth.display()));
    }
    facts.push(person.unit.name.clone());
    let consequences = vec![facts.join(" · "), ctx.t("persons.delete_warning").to_owned()];
    let confirm_label = ctx.t("persons.delete_confirm").to_owned();
    confirm::page(
        ctx,
        Confirm {
            question,
            consequences,
            blocked: None,
            action: format!("/persons/{}/delete{onward}", person.id),
            fields: Vec::new(),
            confirm_label,
            cancel: format!("/persons/{}{onward}", person.id),
        },
    )
}

/// Deletes, then goes back to the search the user came from, saying so.
async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DetailParams>,
) -> Result<Response, AppError> {
    service::delete(
        &state.db,
        state.registry.placed_tables(),
        &user.principal,
        record_id(&id)?,
    )
    .await?;
    let back = back_link(params.back.as_deref());
    let join = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{join}deleted=1")).into_response())
}
