//! `.xlsx` of volunteer lists: what the page lists, every page of it.

use axum::extract::State;
use axum::response::Response;

use super::model::{hours_display, Skill, Slot, Volunteer};
use super::queue::{expiring_of, ExpiringQuery};
use super::routes::{filters, ListQuery};
use super::service;
use crate::i18n::{self, Lang};
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::AppState;

/// Rows read per query while the file is written.
const BATCH: i64 = 5000;

fn column(lang: Lang, key: &str, kind: ColumnType, width: f64) -> Column {
    Column::new(i18n::t(lang, key), kind, width)
}

fn date(iso: &str) -> Value {
    match crate::people::model::parse_birth(iso, None) {
        Ok(Some(crate::people::model::Birth::Date(d))) => Value::Date(d),
        Ok(Some(crate::people::model::Birth::Year(y))) => Value::Year(y),
        _ => Value::Empty,
    }
}

fn labels<T: Copy>(lang: Lang, items: &[T], key: fn(T) -> &'static str) -> Value {
    let names: Vec<&str> = items.iter().map(|i| i18n::t(lang, key(*i))).collect();
    Value::from(names.join(", "))
}

fn row(lang: Lang, v: &Volunteer) -> Vec<Value> {
    let sex = crate::people::model::Sex::parse(&v.sex).map_or("", |s| i18n::t(lang, s.label_key()));
    vec![
        Value::from(v.full_name.clone()),
        Value::from(sex.to_owned()),
        v.birth.as_deref().map_or(Value::Empty, date),
        labels(lang, &v.skills, Skill::label_key),
        labels(lang, &v.availability, Slot::label_key),
        Value::from(i18n::t(lang, v.status.label_key()).to_owned()),
        date(&v.joined_on),
        Value::from(hours_display(v.tenths)),
        Value::from(v.unit_name.clone()),
    ]
}

pub(super) async fn list_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let filters = filters(&state, &user, &q).await?;
    let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<Volunteer>>(2);
    let db = state.db.clone();
    let principal = user.principal.clone();
    let reader = tokio::spawn(async move {
        let mut offset = 0;
        while offset < i64::from(xlsx::MAX_ROWS) {
            let (batch, _) = service::list(&db, &principal, filters.as_filter(), offset, BATCH).await?;
            let done = (batch.len() as i64) < BATCH;
            offset += BATCH;
            if send.send(batch).await.is_err() || done {
                break;
            }
        }
        Ok::<(), super::VolunteersError>(())
    });
    let columns = vec![
        column(lang, "person.full_name", ColumnType::Text, 28.0),
        column(lang, "person.sex", ColumnType::Text, 8.0),
        column(lang, "person.birth_date", ColumnType::Date, 12.0),
        column(lang, "volunteer.skills", ColumnType::Text, 30.0),
        column(lang, "volunteer.availability", ColumnType::Text, 24.0),
        column(lang, "volunteer.status", ColumnType::Text, 14.0),
        column(lang, "volunteer.joined_on", ColumnType::Date, 12.0),
        column(lang, "volunteer.hours", ColumnType::Text, 10.0),
        column(lang, "volunteer.unit", ColumnType::Text, 28.0),
    ];
    let response = xlsx::download("tinh_nguyen_vien.xlsx", move |path| {
        let rows = std::iter::from_fn(move || receive.blocking_recv()).flatten();
        let values = rows.map(move |v| row(lang, &v));
        xlsx::write(path, i18n::t(lang, "volunteers.sheet"), &columns, values)
    })
    .await?;
    // A query that failed half-way is an error, not a short file.
    reader.await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(response)
}

pub(super) async fn expiring_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ExpiringQuery>,
) -> Result<Response, AppError> {
    let (_, _, items) = expiring_of(&state, &user, &q).await?;
    let columns = vec![
        column(lang, "person.full_name", ColumnType::Text, 28.0),
        column(lang, "volunteer.skill", ColumnType::Text, 18.0),
        column(lang, "certificate.title", ColumnType::Text, 30.0),
        column(lang, "certificate.issued_on", ColumnType::Date, 12.0),
        column(lang, "certificate.expires_on", ColumnType::Date, 12.0),
        column(lang, "volunteer.unit", ColumnType::Text, 28.0),
    ];
    xlsx::download("chung_chi_het_han.xlsx", move |path| {
        let values = items.into_iter().map(move |e| {
            vec![
                Value::from(e.full_name),
                Value::from(i18n::t(lang, e.certificate.skill.label_key()).to_owned()),
                Value::from(e.certificate.title),
                date(&e.certificate.issued_on),
                e.certificate.expires_on.as_deref().map_or(Value::Empty, date),
                Value::from(e.unit_name),
            ]
        });
        xlsx::write(path, i18n::t(lang, "certificates.sheet"), &columns, values)
    })
    .await
}
