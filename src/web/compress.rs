//! gzip for text responses of 1 KB or more, when the client accepts it:
//! pages shrink about tenfold. Done in the pipeline rather than as a
//! tower layer: a layer costs every request a boxed service clone, which
//! took a third off authenticated point reads; here a request that does
//! not qualify costs one header look-up. Streams (exports) are compressed
//! chunk by chunk as they go.

use async_compression::tokio::bufread::GzipEncoder;
use axum::body::{Body, HttpBody};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use futures_util::TryStreamExt;
use tokio_util::io::{ReaderStream, StreamReader};

/// Smaller bodies are sent as they are.
const MIN_SIZE: u64 = 1024;

/// Whether `Accept-Encoding` allows gzip: named with a weight above zero,
/// or left to `*` with one. `gzip;q=0` refuses it whatever `*` says.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for coding in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let weight = parts
            .find_map(|p| p.strip_prefix("q="))
            .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case("gzip") {
            gzip = Some(weight > 0.0);
        } else if name == "*" {
            any = Some(weight > 0.0);
        }
    }
    gzip.or(any).unwrap_or(false)
}

fn compressible(headers: &HeaderMap) -> bool {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    (kind.starts_with("text/") || kind.starts_with("application/json"))
        && !headers.contains_key(header::CONTENT_ENCODING)
}

/// The response gzip-compressed when it is text of 1 KB or more and the
/// client accepts gzip; otherwise as it was.
pub fn gzip(accepted: bool, response: Response) -> Response {
    if !compressible(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let small = body.size_hint().exact().is_some_and(|n| n < MIN_SIZE);
    if !accepted || small {
        return Response::from_parts(parts, body);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    let chunks = TryStreamExt::map_err(body.into_data_stream(), std::io::Error::other);
    let compressed = ReaderStream::new(GzipEncoder::new(StreamReader::new(chunks)));
    Response::from_parts(parts, Body::from_stream(compressed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn gzip_is_used_only_when_accepted() {
        assert!(accepts_gzip(&with("gzip, deflate, br")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("gzip;q=0.0")));
        assert!(!accepts_gzip(&with("gzip;q=0, *")));
        assert!(accepts_gzip(&with("*")));
        assert!(!accepts_gzip(&with("identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
