//! PDF downloads: typesetting (`nhanai-pdf`) runs on the blocking pool, a
//! few documents at a time per server; one more gets 503 with Retry-After.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

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
