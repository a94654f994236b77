//! `.xlsx` of a members list: what the page lists, every page of it.

use axum::extract::State;
use axum::response::Response;

use super::model::Member;
use super::routes::ListQuery;
use super::service;
use crate::i18n::{self, Lang};
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::AppState;

/// Rows read per query while the file is written.
const BATCH: i64 = 5000;

fn columns(lang: Lang) -> Vec<Column> {
    let column = |key: &str, kind: ColumnType, width: f64| Column::new(i18n::t(lang, key), kind, width);
    vec![
        column("member.member_no", ColumnType::Text, 14.0),
        column("person.full_name", ColumnType::Text, 28.0),
        column("person.sex", ColumnType::Text, 8.0),
        column("person.birth_date", ColumnType::Date, 12.0),
        column("member.joined_on", ColumnType::Date, 12.0),
        column("member.status", ColumnType::Text, 14.0),
        column("member.status_on", ColumnType::Date, 12.0),
        column("member.branch", ColumnType::Text, 28.0),
    ]
}

fn date(iso: &str) -> Value {
    match crate::people::model::parse_birth(iso, None) {
        Ok(Some(crate::people::model::Birth::Date(d))) => Value::Date(d),
        Ok(Some(crate::people::model::Birth::Year(y))) => Value::Year(y),
        _ => Value::Empty,
    }
}

fn row(lang: Lang, m: &Member) -> Vec<Value> {
    let sex = crate::people::model::Sex::parse(&m.sex).map_or("", |s| i18n::t(lang, s.label_key()));
    vec![
        Value::from(m.member_no.clone()),
        Value::from(m.full_name.clone()),
        Value::from(sex.to_owned()),
        m.birth.as_deref().map_or(Value::Empty, date),
        date(&m.joined_on),
        Value::from(i18n::t(lang, m.status.label_key()).to_owned()),
        date(&m.status_on),
        Value::from(m.branch_name.clone()),
    ]
}

pub(super) async fn xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let unit = service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    let wanted = q.wanted()?;
    // Read in batches here, written by the blocking writer as they come.
    let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<Member>>(2);
    let db = state.db.clone();
    let principal = user.principal.clone();
    let reader = tokio::spawn(async move {
        let mut offset = 0;
        while offset < i64::from(xlsx::MAX_ROWS) {
            let (batch, _) = service::list(&db, &principal, unit.as_ref(), &wanted, offset, BATCH).await?;
            let done = (batch.len() as i64) < BATCH;
            offset += BATCH;
            if send.send(batch).await.is_err() || done {
                break;
            }
        }
        Ok::<(), super::MembersError>(())
    });
    let response = xlsx::download("hoi_vien.xlsx", move |path| {
        let rows = std::iter::from_fn(move || receive.blocking_recv()).flatten();
        let values = rows.map(move |m| row(lang, &m));
        xlsx::write(path, i18n::t(lang, "members.sheet"), &columns(lang), values)
    })
    .await?;
    // A query that failed half-way is an error, not a short file.
    reader.await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(response)
}
