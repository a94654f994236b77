//! PDF downloads: typesetting (`nhanai-pdf`) runs on the blocking pool, a
//! few documents at a time per server; one more gets 503 with Retry-After.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::org::Unit;
use crate::web::error::AppError;

/// Documents one server typesets at once.
const CONCURRENT: usize = 2;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(CONCURRENT))
}

/// Typesets with `render` and answers with the PDF as `file_name`.
pub async fn download<F>(file_name: &str, render: F) -> Result<Response, AppError>
where
    F: FnOnce() -> Result<Vec<u8>, nhanai_pdf::PdfError> + Send + 'static,
{
    let _permit = permits().try_acquire().map_err(|_| AppError::Busy)?;
    let pdf = tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from(pdf),
    )
        .into_response())
}

/// The Red Cross body a unit is: "Hội Chữ thập đỏ Phường Ba Đình"; a
/// branch or the centre is named as it is.
pub fn body_of(unit: &Unit) -> String {
    let folded = crate::text::fold(&unit.name);
    if folded.starts_with("chi hoi") || folded.starts_with("hoi ") || folded.starts_with("trung uong") {
        unit.name.clone()
    } else {
        format!("Hội Chữ thập đỏ {}", unit.name)
    }
}

/// The place a document is dated at: its province without "Thành phố" or
/// "Tỉnh" ("Hà Nội"); the centre is in Hà Nội.
pub fn place_of(province: Option<&Unit>) -> String {
    let Some(province) = province else {
        return "Hà Nội".into();
    };
    ["Thành phố ", "Tỉnh "]
        .iter()
        .find_map(|prefix| province.name.strip_prefix(prefix))
        .unwrap_or(&province.name)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Level;

    fn unit(name: &str) -> Unit {
        Unit {
            id: 1,
            code: "x".into(),
            name: name.into(),
            level: Level::Commune,
            kind: "ward".into(),
            parent_id: None,
            placement: Default::default(),
            status: crate::org::model::UnitStatus::Active,
            merged_into_id: None,
            created_at: String::new(),
            closed_at: None,
        }
    }

    #[test]
    fn the_issuer_is_the_units_red_cross_body_and_the_place_its_province() {
        assert_eq!(body_of(&unit("Phường Ba Đình")), "Hội Chữ thập đỏ Phường Ba Đình");
        assert_eq!(body_of(&unit("Chi hội Tổ dân phố số 1")), "Chi hội Tổ dân phố số 1");
        assert_eq!(
            body_of(&unit("Trung ương Hội Chữ thập đỏ Việt Nam")),
            "Trung ương Hội Chữ thập đỏ Việt Nam"
        );
        assert_eq!(place_of(Some(&unit("Thành phố Hà Nội"))), "Hà Nội");
        assert_eq!(place_of(Some(&unit("Tỉnh Cao Bằng"))), "Cao Bằng");
        assert_eq!(place_of(None), "Hà Nội");
    }
}
