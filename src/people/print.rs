//! "Danh sách" — the persons a unit holds, as an official-format PDF
//! (Decree 30/2020, `nhanai-pdf`): the Red Cross body of the unit as
//! issuer, its province as the place, today's date, a numbered table.
//! Only what a meeting list needs: name, sex, birth, place of residence.

use axum::extract::State;
use axum::response::Response;
use nhanai_pdf::{render_list, ListDocument};

use super::model::Person;
use crate::i18n::{self, Lang};
use crate::org::service as org;
use crate::org::Level;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Path;
use crate::web::AppState;

/// Rows of one printed list at most: a list longer than this is printed
/// for the units below.
pub const MAX_PRINTED: i64 = 5_000;

fn row(lang: Lang, person: &Person) -> Vec<String> {
    let residence = [
        person.address.detail.clone(),
        person
            .address
            .commune
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    vec![
        person.full_name.clone(),
        i18n::t(lang, person.sex.label_key()).to_owned(),
        person.birth.map(|b| b.display()).unwrap_or_default(),
        residence,
    ]
}

pub(super) async fn persons_pdf(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = org::readable_unit(&state.db, &user.principal, &code).await?;
    let mut rows = super::search::export(&state.db, &user.principal, "", Some(&unit.code), MAX_PRINTED + 1).await?;
    let mut persons = Vec::new();
    while let Some(person) = rows.recv().await {
        persons.push(row(lang, &person?));
    }
    if persons.len() as i64 > MAX_PRINTED {
        return Err(AppError::bad_request_with(
            "persons.print_too_long",
            &[("count", &crate::web::page::number(MAX_PRINTED))],
        ));
    }
    let parent = match unit.parent_id {
        Some(id) => org::unit_by_id(&state.db, id).await?,
        None => None,
    };
    let province = match (unit.level, unit.placement.province_id) {
        (Level::Province, _) => Some(unit.clone()),
        (_, Some(id)) => org::unit_by_id(&state.db, id).await?,
        _ => None,
    };
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let t = |key: &str| i18n::t(lang, key).to_owned();
    let doc = ListDocument {
        issuer_parent: parent.as_ref().map(crate::toolkit::pdf::body_of).unwrap_or_default(),
        issuer: crate::toolkit::pdf::body_of(&unit),
        number: String::new(),
        place: crate::toolkit::pdf::place_of(province.as_ref()),
        date: (today.year(), u8::from(today.month()), today.day()),
        title: t("persons.print_title"),
        subtitle: t("persons.print_subtitle").replace("{unit}", &unit.name),
        columns: vec![
            (t("person.full_name"), 3.0),
            (t("person.sex"), 1.0),
            (t("person.birth_date"), 1.4),
            (t("persons.print_residence"), 3.2),
        ],
        rows: persons,
        signer_title: t("persons.print_signer"),
        signer_name: String::new(),
        recipients: vec![t("persons.print_archive")],
    };
    let file = format!("danh-sach-{}.pdf", unit.code);
    crate::toolkit::pdf::download(&file, move || render_list(&doc)).await
}
